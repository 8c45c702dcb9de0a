// The built-in scenario library (scenarios/library/*.yaml, compiled in), and how a
// command-line argument names a scenario: an existing path, else a built-in name.
#pragma once

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "scenarios/loader.hpp"

namespace maillab::scenario {

struct BuiltinScenario {
  std::string_view name;
  std::string_view text;
};

const std::vector<BuiltinScenario>& builtin_scenarios();
const BuiltinScenario* find_builtin(std::string_view name);

// A path if the file exists, else a built-in scenario; an error naming both otherwise.
std::variant<Scenario, LoadError> load_scenario(const std::string& arg);

}  // namespace maillab::scenario
