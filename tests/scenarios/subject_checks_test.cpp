// Checks that name a subject compare the text the scenario wrote with the decoded Subject
// (issue 15 item 9: a non-ASCII subject travels as RFC 2047 words, =?utf-8?b?...?=, and
// `delivered` never matched it). A failing check quotes the decoded subject; `run` prints
// it through the terminal gate, never as an escape sequence for the terminal.
#include <catch2/catch.hpp>

#include <sstream>

#include "scenarios/expectations.hpp"
#include "scenarios/loader.hpp"
#include "scenarios/runner.hpp"
#include "scenarios/world.hpp"
#include "tests/support/lab_hosts.hpp"

using namespace maillab;
using namespace maillab::scenario;

namespace {

// Alice (a.example) writes to Bob (b.example) with `subject`; `expect` is the YAML list.
Scenario lab(const std::string& subject, const std::string& expect) {
  const std::string text = R"(scenario: subject-checks
seed: 1
duration: 10m
hosts:
)" + std::string(maillab::test::kNsExampleHost) + R"(  mail.a.example:
    address: 192.0.2.10
    resolver: 192.0.2.53
    mta: {domains: [a.example], submission: true}
    users:
      alice: {password: wonderland}
  mx.b.example:
    address: 192.0.2.20
    resolver: 192.0.2.53
    mta: {domains: [b.example]}
    users:
      bob: {password: builder}
  pc.alice:
    address: 198.51.100.7
    resolver: 192.0.2.53
events:
  - at: 1s
    send: {from: alice@a.example, to: [bob@b.example], subject: ")" +
                           subject + R"(", body: hi, client: pc.alice, server: mail.a.example}
expect:
)" + expect;
  auto loaded = load_scenario_text(text, "subject.yaml");
  if (auto* e = std::get_if<LoadError>(&loaded)) FAIL(e->str());
  return std::get<Scenario>(loaded);
}

std::vector<CheckResult> run_checks(const std::string& subject, const std::string& expect) {
  auto built = World::build(lab(subject, expect), 1);
  REQUIRE(std::holds_alternative<std::unique_ptr<World>>(built));
  auto& w = *std::get<std::unique_ptr<World>>(built);
  w.run_until(w.scenario().duration_ns);
  return check_expectations(w);
}

}  // namespace

TEST_CASE("delivered, not_delivered, relayed and attempts match a non-ASCII subject", "[expect]") {
  const std::string s = "Gr\xC3\xBC\xC3\x9F" "e aus K\xC3\xB6ln \xF0\x9F\x98\x80";  // Grüße aus Köln 😀
  const auto r = run_checks(s, "  - delivered: {to: bob@b.example, subject: \"" + s + "\"}\n"
                               "  - relayed: {subject: \"" + s + "\", via: mail.a.example}\n"
                               "  - attempts: {subject: \"" + s + "\", host: mail.a.example, min: 1, max: 1}\n"
                               "  - not_delivered: {to: bob@b.example, subject: \"" + s + "\"}\n");
  REQUIRE(r.size() == 4);
  CHECK(r[0].passed);
  CHECK(r[1].passed);
  INFO(r[2].found);
  CHECK(r[2].passed);
  CHECK_FALSE(r[3].passed);  // it was delivered, and the report says so in plain text
  CHECK(r[3].found.find("\"" + s + "\" on mx.b.example") != std::string::npos);
  CHECK(r[3].found.find("=?") == std::string::npos);
}

TEST_CASE("a failing check shows the decoded subject; run prints no terminal control", "[expect]") {
  const std::string expect = "  - delivered: {to: bob@b.example, subject: other}\n";
  const auto r = run_checks("red \\e[31m alert \\x07", expect);
  REQUIRE(r.size() == 1);
  CHECK_FALSE(r[0].passed);
  INFO(r[0].found);
  CHECK(r[0].found.find("\"red \x1b[31m alert \x07\" on mx.b.example") != std::string::npos);
  std::ostringstream out, err;
  CHECK(run(lab("red \\e[31m alert \\x07", expect), RunOptions{}, out, err) == 1);
  INFO(out.str());
  CHECK(out.str().find('\x1b') == std::string::npos);
  CHECK(out.str().find('\x07') == std::string::npos);
  CHECK(out.str().find("red \\x1B[31m alert \\x07") != std::string::npos);  // shown, not obeyed
}
