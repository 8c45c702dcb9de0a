// The sender-authentication keys of scenario-format.md 1.1 in the loader: `mta.dkim`,
// `mta.smtpd_checks` and the `authenticated` check, with their values and each mistake
// reported at its file:line:column.
#include <catch2/catch.hpp>

#include <string>
#include <variant>

#include "scenarios/loader.hpp"

using namespace maillab::scenario;
using Catch::Matchers::StartsWith;

namespace {

// A scenario whose MTA block ends the `hosts` section, so a test appends `mta` keys and
// then (at the top level) `expect`.
std::string with_mta(std::string_view mta_keys, std::string_view tail = "") {
  std::string s =
      "scenario: t\n"                        // 1
      "duration: 1h\n"                       // 2
      "hosts:\n"                             // 3
      "  ns.example:\n"                      // 4
      "    address: 192.0.2.53\n"            // 5
      "    dns: {zones: []}\n"               // 6
      "  mx.b.example:\n"                    // 7
      "    address: 192.0.2.20\n"            // 8
      "    resolver: 192.0.2.53\n"           // 9
      "    users: {bob: {}}\n"               // 10
      "    mta:\n"                           // 11
      "      domains: [b.example]\n";        // 12
  s += mta_keys;
  s += tail;
  return s;
}

Scenario load_ok(const std::string& text) {
  auto r = load_scenario_text(text, "t.yaml");
  if (const auto* e = std::get_if<LoadError>(&r)) FAIL("unexpected error: " << e->str());
  return std::get<Scenario>(std::move(r));
}

std::string load_err(const std::string& text) {
  auto r = load_scenario_text(text, "t.yaml");
  if (std::holds_alternative<Scenario>(r)) FAIL("loaded, but an error was expected:\n" << text);
  return std::get<LoadError>(r).str();
}

}  // namespace

TEST_CASE("dkim and smtpd_checks load with the spec's values and defaults", "[loader][auth]") {
  const Scenario s = load_ok(with_mta(
      "      dkim:\n"
      "        - {domain: b.example, selector: s1}\n"
      "        - {domain: b.example, selector: ed, algorithm: ed25519-sha256}\n"
      "      smtpd_checks:\n"
      "        spf: reject\n"
      "        dkim: tag\n"
      "        dmarc: enforce\n",
      "expect:\n"
      "  - authenticated: {to: bob@b.example, subject: Hi, spf: pass, dkim: fail, dmarc: none}\n"
      "  - authenticated: {to: bob@b.example}\n"));
  const MtaConfig& m = *s.find_host("mx.b.example")->mta;
  REQUIRE(m.dkim.size() == 2);
  CHECK(m.dkim[0].domain == "b.example");
  CHECK(m.dkim[0].selector == "s1");
  CHECK(m.dkim[0].algorithm == "rsa-sha256");
  CHECK(m.dkim[0].mark.line == 14);
  CHECK(m.dkim[1].algorithm == "ed25519-sha256");
  CHECK(m.smtpd_checks.spf == CheckMode::Reject);
  CHECK(m.smtpd_checks.dkim == CheckMode::Tag);
  CHECK(m.smtpd_checks.dmarc == CheckMode::Enforce);
  REQUIRE(s.expect.size() == 2);
  const auto& a = std::get<Authenticated>(s.expect[0].check);
  CHECK(a.to == "bob@b.example");
  CHECK(a.subject == "Hi");
  CHECK(a.spf == "pass");
  CHECK(a.dkim == "fail");
  CHECK(a.dmarc == "none");
  const auto& any = std::get<Authenticated>(s.expect[1].check);
  CHECK_FALSE(any.spf);
  CHECK_FALSE(any.dkim);
  CHECK_FALSE(any.dmarc);

  const Scenario plain = load_ok(with_mta("      smtpd_checks: {dmarc: tag}\n"));
  const SmtpdChecks& c = plain.find_host("mx.b.example")->mta->smtpd_checks;
  CHECK(c.spf == CheckMode::Off);
  CHECK(c.dkim == CheckMode::Off);
  CHECK(c.dmarc == CheckMode::Tag);
  CHECK(c.any());
  CHECK_FALSE(load_ok(with_mta("      smtpd_checks: {spf: off}\n")).find_host("mx.b.example")->mta->smtpd_checks.any());
  CHECK(load_ok(with_mta("")).find_host("mx.b.example")->mta->dkim.empty());
}

TEST_CASE("sender-authentication mistakes are reported where they are", "[loader][auth][errors]") {
  CHECK(load_err(with_mta("      smtpd_checks: {spf: enforce}\n")) ==
        "t.yaml:13:27: error: `spf` must be off, tag, reject, found `enforce`");
  CHECK(load_err(with_mta("      smtpd_checks: {dkim: reject}\n")) ==
        "t.yaml:13:28: error: `dkim` must be off, tag, found `reject`");
  CHECK(load_err(with_mta("      smtpd_checks: {dmarc: reject}\n")) ==
        "t.yaml:13:29: error: `dmarc` must be off, tag, enforce, found `reject`");
  CHECK_THAT(load_err(with_mta("      smtpd_checks: {spff: tag}\n")),
             StartsWith("t.yaml:13:22: error: unknown key `spff` in `smtpd_checks` of host `mx.b.example` "
                        "(did you mean `spf`?)"));
  CHECK_THAT(load_err(with_mta("      dkim: [{domain: b.example}]\n")),
             StartsWith("t.yaml:13:14: error: an item of `dkim` needs `selector`"));
  CHECK_THAT(load_err(with_mta("      dkim: [{domain: B.example, selector: s1}]\n")), StartsWith("t.yaml:13:23: error: domain names are lowercase"));
  CHECK_THAT(load_err(with_mta("      dkim: [{domain: b.example, selector: s_1}]\n")), StartsWith("t.yaml:13:44: error: `selector` must be a selector (lowercase letters"));
  CHECK(load_err(with_mta("      dkim: [{domain: b.example, selector: s1, algorithm: rsa-sha1}]\n")) ==
        "t.yaml:13:59: error: `algorithm` must be rsa-sha256 or ed25519-sha256, found `rsa-sha1`");
  CHECK(load_err(with_mta("      dkim:\n        - {domain: b.example, selector: s1}\n"
                          "        - {domain: b.example, selector: s1, algorithm: ed25519-sha256}\n")) ==
        "t.yaml:15:41: error: selector `s1` of `b.example` appears twice in `dkim`: one key per selector");
  CHECK_THAT(load_err(with_mta("      dkim: {domain: b.example, selector: s1}\n")), StartsWith("t.yaml:13:13: error:"));
  // The same selector on two MTAs is one key: one algorithm.
  CHECK(load_err(with_mta("      dkim: [{domain: b.example, selector: s1}]\n",
                          "  mx2.b.example:\n    address: 192.0.2.21\n"
                          "    mta: {dkim: [{domain: b.example, selector: s1, algorithm: ed25519-sha256}]}\n")) ==
        "t.yaml:16:18: error: selector `s1` of `b.example` is rsa-sha256 at line 13 and ed25519-sha256 here: "
        "one selector names one key");
  CHECK(load_err(with_mta("", "expect:\n  - authenticated: {to: bob@b.example, spf: passed}\n")) ==
        "t.yaml:14:45: error: `spf` must be one of pass, fail, softfail, neutral, none, temperror, permerror, "
        "found `passed` (did you mean `pass`?)");
  CHECK_THAT(load_err(with_mta("", "expect:\n  - authenticated: {spf: pass}\n")),
             StartsWith("t.yaml:14:5: error: `authenticated` needs `to`"));
  CHECK_THAT(load_err(with_mta("", "expect:\n  - authenticated: {to: bob@b.example, arc: pass}\n")),
             StartsWith("t.yaml:14:40: error: unknown key `arc` in `authenticated`"));
}
