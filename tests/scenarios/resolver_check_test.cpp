// An MTA that has to look up a domain but has no `resolver` is an error before the run,
// at the host's name (scenarios/resolver_check.hpp; docs/scenario-format.md "Resolvers"),
// where its mail used to wait in the queue with 4.3.5 until it bounced. MTAs that only
// receive, domains given to `serve --route`, and hosts where only a MUA runs stay valid,
// as do every built-in scenario and the files the benchmarks and conformance tests serve.
#include <catch2/catch.hpp>

#include <sstream>

#include "scenarios/library.hpp"
#include "scenarios/resolver_check.hpp"
#include "scenarios/runner.hpp"

using namespace maillab::scenario;

namespace {

Scenario load(std::string_view text) {
  auto r = load_scenario_text(text, "r.yaml");
  if (auto* e = std::get_if<LoadError>(&r)) FAIL(e->str());
  return std::get<Scenario>(std::move(r));
}

// mail.a.example (line 8, column 3) has no resolver; `extra` goes into its mta.
std::string world(const std::string& mta_extra, const std::string& rcpt) {
  return R"(scenario: no-resolver
duration: 1h
hosts:
  ns.example:
    address: 192.0.2.53
    dns: {zones: []}
  # the MSA, without `resolver:`
  mail.a.example:
    address: 192.0.2.10
    mta: {domains: [a.example])" + mta_extra + R"(}
    users: {alice: {password: wonderland}}
  pc.alice: {address: 192.0.2.100}
events:
  - at: 1s
    send: {from: alice@a.example, to: )" + rcpt + R"(, client: pc.alice, server: mail.a.example}
)";
}

}  // namespace

TEST_CASE("an MTA without resolver that must send elsewhere is an error at its name") {
  Scenario s = load(world("", "bob@b.example"));
  std::optional<LoadError> e = check_resolvers(s);
  REQUIRE(e);
  CHECK(e->str() ==
        "r.yaml:8:3: error: host `mail.a.example` has an `mta` that must look up b.example (a "
        "recipient of the `send` at line 14) but no `resolver`: add `resolver: 192.0.2.53` "
        "(ns.example, the host with `dns`)");

  // `maillab run` says so and exits 2 before anything runs (no timeline, no checks).
  std::ostringstream out, err;
  CHECK(run(s, RunOptions{}, out, err) == 2);
  CHECK(err.str() == e->str() + "\n");
  CHECK(out.str().empty());
}

TEST_CASE("relay_domains and remote alias targets need a resolver too") {
  std::optional<LoadError> relay = check_resolvers(load(world(", relay_domains: [c.example]", "alice@a.example")));
  REQUIRE(relay);
  CHECK(relay->line == 8);
  CHECK_THAT(relay->message, Catch::Contains("must look up c.example (one of its `relay_domains`"));

  std::optional<LoadError> alias =
      check_resolvers(load(world(", aliases: {team: [alice, carol@C.example]}", "team@a.example")));
  REQUIRE(alias);
  CHECK_THAT(alias->message, Catch::Contains("must look up c.example (a target of its alias `team`)"));
}

TEST_CASE("MTAs that need no lookup, routed domains and MUA hosts need no resolver") {
  // Final delivery only (the benchmarks' sinks), Postmaster without a domain.
  CHECK_FALSE(check_resolvers(load(world("", "[alice@a.example, Postmaster, ALICE@A.EXAMPLE]"))));
  // Without `domains` the MTA is the final destination for its own name.
  std::string own = world("", "alice@mail.a.example");
  own.replace(own.find("{domains: [a.example]}"), 22, "{}");
  CHECK_FALSE(check_resolvers(load(own)));
  // serve --route b.example=...: delivered to a real server without a lookup.
  Scenario s = load(world("", "bob@b.example"));
  CHECK_FALSE(check_resolvers(s, {{"b.example", "127.0.0.1:2525"}}));
  auto built = World::build(s, 1, WorldOptions{{{"b.example", "127.0.0.1:2525"}}, {}, false, {}, {}});
  CHECK(std::holds_alternative<std::unique_ptr<World>>(built));
  // A discard MTA never delivers.
  CHECK_FALSE(check_resolvers(load(world(", discard: true", "bob@b.example"))));
}

TEST_CASE("without a DNS host the error says what to add, --route included") {
  std::string text = world("", "bob@b.example");
  text.replace(text.find("  ns.example:"), text.find("  # the MSA") - text.find("  ns.example:"), "");
  std::optional<LoadError> e = check_resolvers(load(text));
  REQUIRE(e);
  CHECK_THAT(e->message, Catch::EndsWith("add `resolver: ADDRESS` and a host with `dns` at that address "
                                         "that serves b.example (under `maillab serve`, `--route "
                                         "b.example=ADDR:PORT` instead)"));
}

TEST_CASE("no built-in scenario and no served file of the repository relies on a missing resolver") {
  for (const auto& b : builtin_scenarios()) {
    INFO(b.name);
    std::optional<LoadError> e = check_resolvers(load(b.text));
    CHECK_FALSE(e);
  }
  // Served with no --route (sinks and a relay target): valid as they are.
  for (const char* file : {"bench/sink.yaml", "bench/maildir.yaml", "tests/conformance/relay-lab.yaml"}) {
    INFO(file);
    auto r = load_scenario_file(std::string(MAILLAB_SOURCE_DIR) + "/" + file);
    REQUIRE(std::holds_alternative<Scenario>(r));
    CHECK_FALSE(check_resolvers(std::get<Scenario>(r)));
  }
  // Served with --route pf.test=...: valid with the route, an error without it.
  auto r = load_scenario_file(std::string(MAILLAB_SOURCE_DIR) + "/tests/conformance/route-lab.yaml");
  REQUIRE(std::holds_alternative<Scenario>(r));
  CHECK_FALSE(check_resolvers(std::get<Scenario>(r), {{"pf.test", "127.0.0.1:25"}}));
  CHECK(check_resolvers(std::get<Scenario>(r)));
}
