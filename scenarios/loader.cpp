// The loader's top level: YAML syntax, the scenario's own keys, `network`, the order of
// the sections, and the host names that events and expectations refer to.
#include "scenarios/loader.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "scenarios/loader_yaml.hpp"

namespace maillab::scenario {
namespace {

using namespace detail;

const std::vector<std::string_view> kTopKeys{"scenario", "title",   "description",
                                             "seed",     "duration", "network",
                                             "hosts",    "events",  "expect"};

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

bool is_id(std::string_view id) {
  return !id.empty() && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

Network parse_network(const Item& item) {
  Map m(item, "`network`", {"latency", "loss", "links"});
  Network n;
  if (std::optional<Item> i = m.get("latency")) n.latency_ns = as_duration(*i);
  if (std::optional<Item> i = m.get("loss")) n.loss = as_rate(*i);
  std::optional<Item> links = m.get("links");
  if (!links) return n;
  for (const Item& l : as_list(*links)) {
    Map lm(l, "a link", {"between", "latency", "loss", "bandwidth"});
    Link link;
    link.mark = l.mark;
    auto [a, b] = as_name_pair(lm.require("between", "the two names it joins, e.g. `between: [a, b]`"));
    link.a = as_host_name(a);
    link.b = as_host_name(b);
    for (const Link& other : n.links)
      if ((other.a == link.a && other.b == link.b) || (other.a == link.b && other.b == link.a))
        fail(l.mark, "a link between " + code(link.a) + " and " + code(link.b) +
                         " is already declared at line " + std::to_string(other.mark.line));
    std::optional<Item> latency = lm.get("latency");
    link.latency_ns = latency ? as_duration(*latency) : n.latency_ns;
    std::optional<Item> loss = lm.get("loss");
    link.loss = loss ? as_rate(*loss) : n.loss;
    if (std::optional<Item> i = lm.get("bandwidth")) link.bandwidth_bps = as_bandwidth(*i);
    n.links.push_back(std::move(link));
  }
  return n;
}

std::vector<std::string> routers_of(const Network& n, const std::vector<Host>& hosts) {
  std::vector<std::string> routers;
  auto add = [&](const std::string& name) {
    bool is_host = std::any_of(hosts.begin(), hosts.end(),
                               [&](const Host& h) { return h.name == name; });
    if (!is_host && std::find(routers.begin(), routers.end(), name) == routers.end())
      routers.push_back(name);
  };
  for (const Link& l : n.links) {
    add(l.a);
    add(l.b);
  }
  return routers;
}

std::vector<Host> parse_hosts(const Item& item, Context& cx) {
  Map m(item, "`hosts`", {});
  if (m.entries().empty())
    fail(item.mark, "`hosts` must declare at least one host (name: {address: ...})");
  std::vector<Host> hosts;
  std::map<std::uint32_t, const Map::Entry*> by_address;
  for (const Map::Entry& e : m.entries()) {
    hosts.push_back(parse_host(e, cx));
    const Host& h = hosts.back();
    auto [it, fresh] = by_address.emplace(h.address.value, &e);
    if (!fresh)  // parse_host() made sure that e.value is a mapping with an address
      fail(Map(e.value, "", {}).find("address")->value.mark,
           "address " + h.address.text + " of host " + code(h.name) + " is already host " +
               code(it->second->key) + "'s (line " +
               std::to_string(it->second->value.key_mark.line) + ")");
  }
  // One published key per selector: two MTAs signing for one domain with one selector
  // share its key, so they must agree on its algorithm.
  std::map<std::pair<std::string, std::string>, const DkimSigning*> keys;
  for (const Host& h : hosts) {
    if (!h.mta) continue;
    for (const DkimSigning& d : h.mta->dkim) {
      auto [it, fresh] = keys.emplace(std::pair(d.domain, d.selector), &d);
      if (!fresh && it->second->algorithm != d.algorithm)
        fail(d.mark, "selector " + code(d.selector) + " of " + code(d.domain) + " is " +
                         it->second->algorithm + " at line " + std::to_string(it->second->mark.line) +
                         " and " + d.algorithm + " here: one selector names one key");
    }
  }
  return hosts;
}

std::string host_list(const std::vector<std::string_view>& names) {
  const std::size_t shown = 8;
  if (names.size() <= shown) return join(names);
  std::vector<std::string_view> first(names.begin(), names.begin() + shown);
  return join(first) + ", ... (" + std::to_string(names.size()) + " in all)";
}

}  // namespace

void detail::check_references(const Scenario& s, const Context& cx) {
  for (const Reference& r : cx.references) {
    const Host* h = s.find_host(r.name);
    const std::string named = r.role + " names " + code(r.name);
    if (!h) {
      bool router = std::find(s.network.routers.begin(), s.network.routers.end(), r.name) !=
                    s.network.routers.end();
      if (r.need == Need::Node && router) continue;
      std::vector<std::string_view> names;
      for (const Host& host : s.hosts) names.push_back(host.name);
      if (r.need == Need::Node)
        names.insert(names.end(), s.network.routers.begin(), s.network.routers.end());
      std::string near = closest(r.name, names);
      fail(r.mark, named + ", which is not a host" +
                       (r.need == Need::Node ? std::string(" or a router of `network.links`") : "") +
                       (near.empty() ? "" : " (did you mean " + code(near) + "?)") +
                       "; hosts: " + host_list(names));
    }
    if (r.need == Need::Mta && !h->mta)
      fail(r.mark, named + ", which has no `mta` (no SMTP server, queue or mailboxes)");
    if (r.need == Need::Pop3 && !h->pop3)
      fail(r.mark, named + ", which does not run POP3 (give it `pop3: true`)");
    if (r.need == Need::Imap && !h->imap)
      fail(r.mark, named + ", which does not run IMAP (give it `imap: true`)");
    if (r.need == Need::Dns && !h->dns)
      fail(r.mark, named + ", which serves no zones (give it `dns: {zones: [...]}`)");
    if (r.need == Need::Webmail && !h->webmail)
      fail(r.mark, named + ", which runs no webmail (give it `webmail: {imap: HOST, submission: HOST}`)");
  }
}

namespace {

Scenario parse_scenario(const YAML::Node& root, Context& cx) {
  Mark root_mark = mark_of(root);
  if (root_mark.line == 0) root_mark = {1, 1};
  const std::string keys = "`scenario`, `duration` and `hosts`";
  if (!root.IsDefined() || root.IsNull())
    fail({1, 1}, "the file holds no scenario: expected a mapping with at least " + keys);
  Item top{root, root_mark, root_mark, "a scenario"};
  if (!root.IsMap())
    fail(root_mark, "a scenario must be a mapping with at least " + keys + ", found " + found(root));
  Map m(top, "the scenario", kTopKeys);

  Scenario s;
  Item id = m.require("scenario", "its id, e.g. `scenario: mx-failover`");
  s.id = as_string(id);
  if (!is_id(s.id))
    fail(id.mark, "`scenario` must be an id of lowercase letters, digits and `-` (like "
                  "mx-failover), found " + found(id.node));
  if (std::optional<Item> i = m.get("title")) s.title = as_string(*i);
  if (std::optional<Item> i = m.get("description")) s.description = as_string(*i);
  if (std::optional<Item> i = m.get("seed")) s.seed = as_count(*i);
  Item duration = m.require("duration", "how much simulated time the run covers, e.g. `duration: 3d`");
  s.duration_ns = as_duration(duration);
  if (s.duration_ns == 0) fail(duration.mark, "`duration` must be greater than 0s");
  if (std::optional<Item> i = m.get("network")) s.network = parse_network(*i);
  s.hosts = parse_hosts(m.require("hosts", "the machines of the scenario, by name"), cx);
  s.network.routers = routers_of(s.network, s.hosts);
  if (std::optional<Item> i = m.get("events")) {
    for (Item e : as_list(*i)) {
      e.name = "an event";
      s.events.push_back(parse_event(e, cx));
    }
  }
  if (std::optional<Item> i = m.get("expect")) {
    for (Item e : as_list(*i)) {
      e.name = "an expectation";
      s.expect.push_back(parse_expectation(e, cx));
    }
  }
  check_references(s, cx);
  return s;
}

// yaml-cpp's messages, with what usually causes them.
std::string explain_yaml(const std::string& msg) {
  struct Known {
    std::string_view msg, cause;
  };
  static constexpr Known kKnown[] = {
      {"illegal map value", "a `:` where no `key: value` can start; check the indentation, "
                            "and quote a value that contains `: `"},
      {"end of map not found", "check the indentation of this line"},
      {"end of sequence not found", "check the indentation of this line"},
      {"end of map flow not found", "a `{` is not closed by `}`"},
      {"end of sequence flow not found", "a `[` is not closed by `]`"},
      {"end of quoted scalar not found", "a quote is not closed"},
      {"the referenced anchor is not defined", "an `*alias` names no `&anchor` above it"},
      {"block sequence entries are not allowed in this context",
       "a `- ` item where a value was expected; check the indentation"},
  };
  for (const Known& k : kKnown)
    if (msg == k.msg) return msg + " (" + std::string(k.cause) + ")";
  return msg;
}

}  // namespace

std::string LoadError::str() const {
  if (line <= 0) return file + ": error: " + message;
  return file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": error: " + message;
}

std::variant<Scenario, LoadError> load_scenario_text(std::string_view text,
                                                     std::string file_label) {
  try {
    // YAML::Load, not LoadAll: yaml-cpp 0.7's LoadAll never returns on some inputs (a lone
    // ",": jbeder/yaml-cpp#1040, found by fuzz/scenario_loader_fuzz). A second document
    // is found by its "---" marker instead.
    YAML::Node doc = YAML::Load(std::string(text));
    Context cx;
    cx.lines = split_lines(text);
    bool content = false;
    for (std::size_t i = 0; i < cx.lines.size(); ++i) {
      std::string_view l = cx.lines[i];
      bool marker = l.substr(0, 3) == "---" && (l.size() == 3 || l[3] == ' ' || l[3] == '\r');
      if (marker && content) {
        fail(Mark{static_cast<int>(i) + 1, 1},
             "a scenario file holds one YAML document; this is a second one");
      }
      auto first = l.find_first_not_of(" \t\r");
      if (!marker && first != std::string_view::npos && l[first] != '#') content = true;
    }
    Scenario s = parse_scenario(doc, cx);
    s.file = std::move(file_label);
    return s;
  } catch (const Failure& f) {
    std::string message = f.message;
    std::replace(message.begin(), message.end(), '\n', ' ');  // one line, whatever happens
    return LoadError{file_label, f.mark.line, f.mark.column, message};
  } catch (const YAML::Exception& e) {
    int line = e.mark.line >= 0 ? e.mark.line + 1 : 0;
    int column = e.mark.column >= 0 ? e.mark.column + 1 : 0;
    std::vector<std::string_view> lines = split_lines(text);
    if (line > 0 && static_cast<std::size_t>(line) <= lines.size()) {
      std::string_view l = lines[line - 1];
      std::string_view indent = l.substr(0, l.find_first_not_of(" \t"));
      if (indent.find('\t') != std::string_view::npos)
        return LoadError{file_label, line, 1,
                         "invalid YAML: this line is indented with a tab; YAML indents with "
                         "spaces only"};
      // yaml-cpp 0.7 (like PyYAML: the YAML 1.1 rule) ends an unquoted value inside `{...}`
      // or `[...]` at a `?`, where YAML 1.2 would go on, and then reports "unknown token"
      // or an unclosed `{`: say what happened at the `?` itself.
      if (column > 0 && static_cast<std::size_t>(column) <= l.size() && l[column - 1] == '?')
        return LoadError{file_label, line, column,
                         "invalid YAML: a `?` inside an unquoted value in `{...}` or `[...]` ends the "
                         "value here (yaml-cpp reads flow collections as YAML 1.1 does): quote the "
                         "value (`subject: \"Why?\"`) or write the mapping in block style, one key a line"};
    }
    std::string message = "invalid YAML: " + explain_yaml(e.msg);
    std::replace(message.begin(), message.end(), '\n', ' ');  // one line, whatever happens
    return LoadError{file_label, line, column, message};
  } catch (const std::exception& e) {
    return LoadError{file_label, 0, 0, std::string("could not load the scenario: ") + e.what()};
  }
}

std::variant<Scenario, LoadError> load_scenario_file(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    return LoadError{path, 0, 0, "is a directory, not a scenario file"};
  std::ifstream in(path, std::ios::binary);
  if (!in) return LoadError{path, 0, 0, std::string("cannot read: ") + std::strerror(errno)};
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return LoadError{path, 0, 0, "cannot read: input/output error"};
  return load_scenario_text(text.str(), path);
}

}  // namespace maillab::scenario
