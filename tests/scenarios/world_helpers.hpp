// Helpers the scenario tests share: load a built-in scenario or a YAML text (a load error
// fails the test with its message), and run a world to the scenario's end.
#pragma once

#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <variant>

#include "scenarios/library.hpp"
#include "scenarios/runner.hpp"

namespace maillab::scenario::test {

inline Scenario builtin(const std::string& name) {
  auto loaded = load_scenario(name);
  if (auto* e = std::get_if<LoadError>(&loaded)) FAIL(e->str());
  return std::get<Scenario>(loaded);
}

inline Scenario from_text(const std::string& text) {
  auto loaded = load_scenario_text(text, "test.yaml");
  if (auto* e = std::get_if<LoadError>(&loaded)) FAIL(e->str());
  return std::get<Scenario>(loaded);
}

inline std::unique_ptr<World> run_world(const Scenario& s) {
  auto built = World::build(s, s.seed);
  REQUIRE(std::holds_alternative<std::unique_ptr<World>>(built));
  auto w = std::move(std::get<std::unique_ptr<World>>(built));
  w->run_until(s.duration_ns);
  return w;
}

}  // namespace maillab::scenario::test
