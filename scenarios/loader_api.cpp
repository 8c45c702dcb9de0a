// The REST API's bodies read as scenario events and checks (loader.hpp): one JSON (or YAML
// flow) document, parsed by yaml-cpp and handed to the loader's own parse_event and
// parse_expectation, so an API client gets the message a scenario file would get.
#include <algorithm>

#include "scenarios/loader.hpp"
#include "scenarios/loader_yaml.hpp"

namespace maillab::scenario {

using namespace detail;

namespace {

std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (;;) {
    std::size_t end = text.find('\n', start);
    out.push_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) return out;
    start = end + 1;
  }
}

// Runs `parse` on the document in `text`, turning every failure into one LoadError.
template <class T, class Parse>
std::variant<T, LoadError> load(std::string_view text, const Scenario& s, std::string label, Parse parse) {
  try {
    if (text.find('\0') != std::string_view::npos)
      return LoadError{label, 0, 0, "the body holds a NUL byte"};
    YAML::Node doc = YAML::Load(std::string(text));
    Context cx;
    cx.lines = lines_of(text);
    Mark m = mark_of(doc);
    if (m.line == 0) m = {1, 1};
    T out = parse(Item{doc, m, m, ""}, cx);
    check_references(s, cx);
    return out;
  } catch (const Failure& f) {
    std::string message = f.message;
    std::replace(message.begin(), message.end(), '\n', ' ');
    return LoadError{label, f.mark.line, f.mark.column, message};
  } catch (const YAML::Exception& e) {
    std::string message = "invalid JSON: " + e.msg;
    std::replace(message.begin(), message.end(), '\n', ' ');
    return LoadError{label, e.mark.line >= 0 ? e.mark.line + 1 : 0, e.mark.column >= 0 ? e.mark.column + 1 : 0,
                     message};
  } catch (const std::exception& e) {
    return LoadError{label, 0, 0, std::string("could not read the body: ") + e.what()};
  }
}

}  // namespace

std::variant<Action, LoadError> load_action_text(std::string_view text, const Scenario& s, std::string label) {
  return load<Action>(text, s, std::move(label), [](Item item, Context& cx) {
    if (!item.node.IsMap())
      fail(item.mark, "an event must be a mapping with one action, found " + found(item.node));
    const YAML::Node& read = item.node;
    if (read["at"]) fail(mark_of(read["at"]), "an event posted to the API happens now: leave out `at`");
    // The loader's own reader, with the `at` it insists on: now. (The document is ours:
    // adding the key keeps every other node and its place.)
    item.node["at"] = "0s";
    item.name = "an event";
    return parse_event(item, cx).action;
  });
}

std::variant<std::vector<Expectation>, LoadError> load_checks_text(std::string_view text, const Scenario& s,
                                                                   std::string label) {
  return load<std::vector<Expectation>>(text, s, std::move(label), [](Item item, Context& cx) {
    if (!item.node.IsSequence())
      fail(item.mark, "the checks must be a list, e.g. [{\"delivered\": {\"to\": \"bob@b.example\"}}], found " +
                          found(item.node));
    std::vector<Expectation> out;
    for (Item e : as_list(item)) {
      e.name = "an expectation";
      out.push_back(parse_expectation(e, cx));
    }
    return out;
  });
}

}  // namespace maillab::scenario
