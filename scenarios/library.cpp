#include "scenarios/library.hpp"

#include <filesystem>

namespace maillab::scenario {

const BuiltinScenario* find_builtin(std::string_view name) {
  for (const auto& b : builtin_scenarios()) {
    if (b.name == name) return &b;
  }
  return nullptr;
}

std::variant<Scenario, LoadError> load_scenario(const std::string& arg) {
  std::error_code ec;
  if (std::filesystem::is_regular_file(arg, ec)) return load_scenario_file(arg);
  if (const auto* b = find_builtin(arg)) return load_scenario_text(b->text, "builtin:" + arg);
  LoadError e;
  e.file = arg;
  e.message = "no such file, and no built-in scenario of that name (see `maillab list`)";
  return e;
}

}  // namespace maillab::scenario
