// TLS in a world (scenario format 1.1 "TLS"): byte-identical traces across runs with TLS
// on every hop, the Received header of an encrypted hop, smtpd_tls_security_level =
// encrypt, smtp_tls_security_level = encrypt (an MX without STARTTLS) and verify (an
// expired certificate: 4.7.5, the message waits), smtps, and a MUA that will not submit
// in clear, and one with a password that will not submit without AUTH.
#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <variant>

#include "protocols/message/message.hpp"
#include "scenarios/loader.hpp"
#include "scenarios/world.hpp"
#include "tests/support/lab_hosts.hpp"

using namespace maillab;
using namespace maillab::scenario;

namespace {

constexpr io::Time kSec = 1'000'000'000LL;
namespace ev = io::trace::ev;
namespace key = io::trace::key;

// mail.a.example (submission, tls) relays to mx.b.example; `a_mta`, `b_host` and `b_mta`
// are extra lines for the two hosts; `events` follows.
std::string scenario_text(std::string_view a_mta, std::string_view b_host, std::string_view b_mta,
                          std::string_view events) {
  std::string s = "scenario: tls\nduration: 1h\nhosts:\n" +
                  test::ns_example_host(test::zone_entry("b.example", 300, test::kBExampleRecords));
  s += R"(  mail.a.example:
    address: 192.0.2.10
    resolver: 192.0.2.53
    tls: true
    users: {alice: {password: wonderland}}
    mta:
      domains: [a.example]
      submission: true
)";
  s += a_mta;
  s += R"(  mx.b.example:
    address: 192.0.2.20
    resolver: 192.0.2.53
    users: {bob: {password: builder}}
)";
  s += b_host;
  s += "    mta:\n      domains: [b.example]\n";
  s += b_mta;
  s += "  pc.alice:\n    address: 198.51.100.7\nevents:\n";
  s += events;
  return s;
}

constexpr std::string_view kSend =
    "  - at: 1s\n    send: {from: alice@a.example, to: bob@b.example, subject: Hello, client: pc.alice, "
    "server: mail.a.example}\n";

std::unique_ptr<World> run(const std::string& text, std::uint64_t seed = 1) {
  auto loaded = load_scenario_text(text, "tls.yaml");
  if (auto* e = std::get_if<LoadError>(&loaded)) FAIL(e->str());
  auto built = World::build(std::get<Scenario>(loaded), seed);
  if (auto* e = std::get_if<LoadError>(&built)) FAIL(e->str());
  auto w = std::move(std::get<std::unique_ptr<World>>(built));
  w->run_until(3600 * kSec);
  return w;
}

// The content of the message delivered to bob, "" when none was.
std::string delivered(const World& w) {
  for (const auto& d : w.deliveries())
    if (d.host == "mx.b.example") return *d.record.content;
  return {};
}

bool traced(const World& w, io::trace::Event event, io::trace::Key k, std::string_view prefix) {
  for (const auto& e : w.trace().events())
    if (e.event == event && e.get(k).substr(0, prefix.size()) == prefix) return true;
  return false;
}

}  // namespace

TEST_CASE("TLS on every hop: same seed, same trace bytes; Received says ESMTPS and the cipher", "[scenarios][tls]") {
  const std::string text = scenario_text("", "    tls: true\n", "", std::string(kSend));
  auto first = run(text);
  auto second = run(text);
  CHECK(first->trace().to_jsonl() == second->trace().to_jsonl());
  const std::string content = delivered(*first);
  REQUIRE(!content.empty());
  // mx.b.example's hop (newest first), then the submission's, authenticated.
  CHECK(content.find("\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits))\r\n"
                     "\tby mx.b.example (maillab) with ESMTPS id ") != std::string::npos);
  CHECK(content.find("\tby mail.a.example (maillab) with ESMTPSA id ") != std::string::npos);
  // Another seed: other keys, so other bytes on the wire, the same mail.
  auto other = run(text, 2);
  CHECK(!delivered(*other).empty());
}

TEST_CASE("smtp_tls_security_level may: an MX without a certificate gets the mail in clear", "[scenarios][tls]") {
  auto w = run(scenario_text("", "", "", std::string(kSend)));
  const std::string content = delivered(*w);
  REQUIRE(!content.empty());
  CHECK(content.find("by mx.b.example (maillab) with ESMTP id ") != std::string::npos);
  CHECK(content.find("by mail.a.example (maillab) with ESMTPSA id ") != std::string::npos);
}

TEST_CASE("smtp_tls_security_level encrypt: no STARTTLS at the MX, no delivery (4.7.4)", "[scenarios][tls]") {
  auto w = run(scenario_text("      smtp_tls_security_level: encrypt\n", "", "", std::string(kSend)));
  CHECK(delivered(*w).empty());
  CHECK(traced(*w, ev::kRelayDeferred, key::kStatus, "4.7.4"));
}

TEST_CASE("smtp_tls_security_level verify: an expired certificate defers with 4.7.5", "[scenarios][tls]") {
  auto w = run(scenario_text("      smtp_tls_security_level: verify\n", "    tls: {certificate: expired}\n", "",
                             std::string(kSend)));
  CHECK(delivered(*w).empty());
  CHECK(traced(*w, ev::kRelayDeferred, key::kStatus, "4.7.5"));
  // ... where may still delivers, encrypted, to the same certificate (Postfix).
  auto may = run(scenario_text("", "    tls: {certificate: expired}\n", "", std::string(kSend)));
  CHECK(delivered(*may).find("with ESMTPS id") != std::string::npos);
}

TEST_CASE("smtpd_tls_security_level encrypt: a client in clear gets 530 at MAIL", "[scenarios][tls]") {
  auto w = run(scenario_text("", "    tls: true\n", "      smtpd_tls_security_level: encrypt\n",
                             "  - at: 1s\n    send: {from: alice@a.example, to: bob@b.example, subject: Clear, "
                             "client: pc.alice, server: mx.b.example, tls: none}\n"));
  CHECK(delivered(*w).empty());
  CHECK(traced(*w, ev::kSmtpIn, key::kReply, "530 5.7.0 Must issue a STARTTLS command first"));
}

TEST_CASE("smtps: implicit TLS on 465; a MUA set to starttls will not submit in clear", "[scenarios][tls]") {
  auto w = run(scenario_text("      smtps: true\n", "", "",
                             "  - at: 1s\n    send: {from: alice@a.example, to: bob@b.example, subject: Implicit, "
                             "client: pc.alice, server: mail.a.example, tls: implicit}\n"
                             "  - at: 2s\n    send: {from: bob@b.example, to: alice@a.example, subject: Refused, "
                             "client: pc.alice, server: mx.b.example, auth: none, tls: starttls}\n"));
  REQUIRE(w->submissions().size() == 2);
  CHECK(w->submissions()[0].accepted);
  CHECK(delivered(*w).find("by mail.a.example (maillab) with ESMTPSA id ") != std::string::npos);
  CHECK_FALSE(w->submissions()[1].accepted);
  INFO(w->submissions()[1].detail);
  CHECK(w->submissions()[1].detail.find("TLS is required") != std::string::npos);
  // Nothing of the refused message went over the wire: no MAIL to mx.b.example.
  CHECK_FALSE(traced(*w, ev::kSmtpIn, key::kCommand, "MAIL FROM:<bob@b.example>"));
}

TEST_CASE("a MUA with a password sends nothing where AUTH is not offered (smtpd_tls_auth_only, tls: none)",
          "[scenarios][tls]") {
  // mail.a.example has tls, so AUTH only after STARTTLS; this MUA stays in clear.
  auto w = run(scenario_text("", "", "",
                             "  - at: 1s\n    send: {from: alice@a.example, to: bob@b.example, subject: Clear, "
                             "client: pc.alice, server: mail.a.example, tls: none}\n"));
  REQUIRE(w->submissions().size() == 1);
  CHECK_FALSE(w->submissions()[0].accepted);
  CHECK(traced(*w, ev::kSubmitFailed, key::kReply,
               "421 cannot authenticate to server mail.a.example[192.0.2.10]: the server does not support authentication"));
  CHECK_FALSE(traced(*w, ev::kSmtpIn, key::kCommand, "MAIL FROM:<alice@a.example>"));
  CHECK(traced(*w, ev::kSmtpIn, key::kCommand, "QUIT"));
  CHECK(delivered(*w).empty());
}
