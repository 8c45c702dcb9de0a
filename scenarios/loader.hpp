// The scenario loader: YAML text -> scenario::Scenario (model.hpp), following
// docs/scenario-format.md, the format's complete reference (version 1, the 1.1 keys built
// so far, the lab's extensions; tests/scenarios/format_doc_test.cpp keeps the two in step).
//
// A broken file gives exactly one LoadError: the first problem found, at a 1-based
// file:line:column, saying what was expected and what was found. Problems are looked for
// in this order: YAML syntax; then, section by section in the spec's order (scenario,
// title, description, seed, duration, network, hosts, events, expect), unknown and
// duplicate keys, missing keys, types and values; last, the host names events and
// expectations refer to (hosts may be declared after the events that use them). No
// exception leaves these functions.
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "scenarios/model.hpp"

namespace maillab::scenario {

struct LoadError {
  std::string file;
  int line = 0;    // 1-based; 0 when the problem is not at a place in the file
  int column = 0;  // 1-based
  std::string message;

  // "file:line:column: error: message" ("file: error: message" without a place).
  std::string str() const;
};

// Reads and loads a file; the path is the label errors and Scenario::file carry.
std::variant<Scenario, LoadError> load_scenario_file(const std::string& path);

// Loads scenario text; `file_label` names it in errors (a path or "builtin:NAME").
std::variant<Scenario, LoadError> load_scenario_text(std::string_view text,
                                                     std::string file_label);

}  // namespace maillab::scenario

namespace maillab::scenario {

// The REST API's bodies (cli.md "The lab over HTTP"), read with the scenario file's own
// rules and messages. JSON is YAML's flow style, so the same reader takes both; errors
// name `label` and a place in the body, e.g. "request body:1:10: error: ...".
//
// One event without `at` (`{"down": "mx1.b.example"}`): it happens now. Host names are
// checked against `s`, as a scenario's events are.
std::variant<Action, LoadError> load_action_text(std::string_view text, const Scenario& s,
                                                 std::string label);
// A list of checks, as under `expect` (`[{"delivered": {"to": "bob@b.example"}}]`).
std::variant<std::vector<Expectation>, LoadError> load_checks_text(std::string_view text,
                                                                   const Scenario& s,
                                                                   std::string label);

}  // namespace maillab::scenario
