// scenario_loader_fuzz: arbitrary text into scenario::load_scenario_text (YAML through
// yaml-cpp, then the scenario format of shared/spec/scenario-format.md).
//
// Checks:
// - no exception ever leaves the loader (loader.hpp's promise);
// - the result is a Scenario or exactly one LoadError whose line and column are >= 0,
//   whose line is within the text (or just after it), with a one-line message and the
//   label it was given;
// - a Scenario keeps some of model.hpp's invariants: the label, duration > 0, unique host
//   names, every event time >= 0.
#include <cstddef>
#include <cstdint>
#include <exception>
#include <set>
#include <string>
#include <string_view>
#include <variant>

#include "fuzz/fuzz_support.hpp"
#include "scenarios/loader.hpp"

using namespace maillab;
using namespace maillab::scenario;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::variant<Scenario, LoadError> result;
  try {
    result = load_scenario_text(text, "fuzz.yaml");
  } catch (const std::exception& e) {
    fuzz::violated(__FILE__, __LINE__, "an exception left load_scenario_text", e.what());
  } catch (...) {
    fuzz::violated(__FILE__, __LINE__, "an exception left load_scenario_text", "not a std::exception");
  }
  if (const auto* error = std::get_if<LoadError>(&result)) {
    std::size_t lines = 1;
    for (char c : text) lines += c == '\n';
    FUZZ_CHECK(error->line >= 0 && error->column >= 0, error->str());
    FUZZ_CHECK(static_cast<std::size_t>(error->line) <= lines + 1, error->str());
    FUZZ_CHECK(!error->message.empty(), "an error without a message");
    FUZZ_CHECK(error->message.find('\n') == std::string::npos, error->str());
    FUZZ_CHECK(error->file == "fuzz.yaml", error->str());
    return 0;
  }
  const Scenario& s = std::get<Scenario>(result);
  FUZZ_CHECK(s.file == "fuzz.yaml", s.file);
  FUZZ_CHECK(s.duration_ns > 0, std::to_string(s.duration_ns));
  std::set<std::string> names;
  for (const auto& h : s.hosts) FUZZ_CHECK(names.insert(h.name).second, "host " + h.name + " twice");
  for (const auto& e : s.events) FUZZ_CHECK(e.at_ns >= 0, "an event at " + std::to_string(e.at_ns));
  return 0;
}
