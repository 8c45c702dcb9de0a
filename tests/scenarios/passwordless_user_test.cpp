// Issue 15 item 1 in simulated time, as a teacher's scenario meets it: a user declared
// without a password (`alice: {}`) or with `password: ""` cannot submit on port 587 (the
// MUA's AUTH gets 535 and nothing is relayed, whatever password the event tries, an
// empty one included) nor fetch over POP3 (-ERR with no, an empty or a guessed password);
// a user with a password does both.
#include <catch2/catch.hpp>

#include <sstream>

#include "scenarios/loader.hpp"
#include "scenarios/runner.hpp"
#include "scenarios/world.hpp"
#include "tests/support/lab_hosts.hpp"

using namespace maillab;
using namespace maillab::scenario;

namespace {

const std::string kYaml = R"(scenario: passwordless
duration: 10m
hosts:
)" + std::string(maillab::test::kNsExampleHost) + R"(  mail.a.example:
    address: 192.0.2.10
    resolver: 192.0.2.53
    mta:
      domains: [a.example]
      submission: true
      auth_failure_delay: 0s
    pop3: true
    users:
      alice: {}
      erin: {password: ""}
      frank: {password: f}
  mx.b.example:
    address: 192.0.2.20
    resolver: 192.0.2.53
    mta: {domains: [b.example]}
    users: {bob: {password: builder}}
  pc.a:
    address: 198.51.100.7
events:
  - {at: 1s, send: {from: alice@a.example, to: bob@b.example, subject: alice default, client: pc.a, server: mail.a.example}}
  - {at: 2s, send: {from: alice@a.example, to: bob@b.example, subject: alice empty, client: pc.a, server: mail.a.example, password: ""}}
  - {at: 3s, send: {from: erin@a.example, to: bob@b.example, subject: erin default, client: pc.a, server: mail.a.example}}
  - {at: 4s, send: {from: frank@a.example, to: bob@b.example, subject: frank relays, client: pc.a, server: mail.a.example}}
  - {at: 5s, send: {from: frank@a.example, to: [alice@a.example, erin@a.example, frank@a.example], subject: local, client: pc.a, server: mail.a.example}}
  - {at: 1m, fetch: {user: alice, server: mail.a.example, client: pc.a}}
  - {at: 1m, fetch: {user: alice, server: mail.a.example, client: pc.a, password: ""}}
  - {at: 1m, fetch: {user: alice, server: mail.a.example, client: pc.a, password: guess}}
  - {at: 1m, fetch: {user: erin, server: mail.a.example, client: pc.a}}
  - {at: 1m, fetch: {user: frank, server: mail.a.example, client: pc.a}}
expect:
  - reply: {host: mail.a.example, code: 535, count: 3}
  - reply: {host: mail.a.example, code: 235, count: 2}
  - not_delivered: {to: bob@b.example, subject: alice default}
  - not_delivered: {to: bob@b.example, subject: alice empty}
  - not_delivered: {to: bob@b.example, subject: erin default}
  - delivered: {to: bob@b.example, subject: frank relays}
  - delivered: {to: alice@a.example, subject: local}
  - delivered: {to: erin@a.example, subject: local}
  - fetched: {user: alice, count: 0}
  - fetched: {user: erin, count: 0}
  - fetched: {user: frank, count: 1}
)";

Scenario load() {
  auto loaded = load_scenario_text(kYaml, "passwordless.yaml");
  if (auto* e = std::get_if<LoadError>(&loaded)) FAIL(e->str());
  return std::get<Scenario>(loaded);
}

}  // namespace

TEST_CASE("a user without a password neither submits nor fetches in a scenario", "[security]") {
  const Scenario s = load();
  std::ostringstream out, err;
  const int code = run(s, RunOptions{}, out, err);
  INFO(out.str() << err.str());
  CHECK(code == 0);
  CHECK(out.str().find(" 0 failed") != std::string::npos);
}

TEST_CASE("the refused submissions and fetches are reported as failed logins", "[security]") {
  const Scenario s = load();
  auto built = World::build(s, 1);
  REQUIRE(std::holds_alternative<std::unique_ptr<World>>(built));
  auto& w = *std::get<std::unique_ptr<World>>(built);
  w.run_until(s.duration_ns);
  REQUIRE(w.submissions().size() == 5);
  for (int i = 0; i < 3; ++i) {
    INFO("submission " << i);
    INFO(w.submissions()[i].detail);
    CHECK_FALSE(w.submissions()[i].accepted);
    CHECK(w.submissions()[i].detail.find("535") != std::string::npos);
  }
  CHECK(w.submissions()[3].accepted);
  CHECK(w.submissions()[4].accepted);
  REQUIRE(w.fetches().size() == 5);
  for (int i = 0; i < 4; ++i) {
    INFO("fetch " << i);
    INFO(w.fetches()[i].result.detail);
    CHECK_FALSE(w.fetches()[i].result.ok);
    CHECK(w.fetches()[i].result.messages.empty());
  }
  CHECK(w.fetches()[2].result.detail.find("-ERR [AUTH]") != std::string::npos);
  CHECK(w.fetches()[4].result.ok);
  CHECK(w.fetches()[4].result.messages.size() == 1);
}
