// Test harness for bridge::HttpApi without sockets: a World built from inline YAML, the
// API on it, and requests made as the HTTP engine would hand them over.
#pragma once

#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <variant>

#include "bridge/http_api.hpp"
#include "scenarios/loader.hpp"

namespace maillab::bridge::test {

inline http::Request api_request(const std::string& target, const std::string& method = "GET") {
  http::Request r;
  r.method = method;
  r.target = target;
  const auto t = http::parse_target(target);
  REQUIRE(t);
  r.path = t->path;
  r.segments = t->segments;
  r.query = t->query;
  return r;
}

struct ApiLab {
  std::unique_ptr<scenario::World> world;
  std::unique_ptr<bridge::HttpApi> api;
  explicit ApiLab(const char* yaml) {
    auto loaded = scenario::load_scenario_text(yaml, "test.yaml");
    REQUIRE(std::holds_alternative<scenario::Scenario>(loaded));
    const auto& s = std::get<scenario::Scenario>(loaded);
    auto built = scenario::World::build(s, s.seed);
    REQUIRE(std::holds_alternative<std::unique_ptr<scenario::World>>(built));
    world = std::move(std::get<std::unique_ptr<scenario::World>>(built));
    api = std::make_unique<bridge::HttpApi>(*world);
  }
  io::MemoryDisk& disk_of(const std::string& host) { return world->host(host)->disk; }
  http::Response answer(const std::string& target, const std::string& method = "GET") {
    auto a = api->on_request(api_request(target, method), 1);
    REQUIRE(a);
    return *a;
  }
};

}  // namespace maillab::bridge::test
