// The receiving side of sender authentication in a world (scenario `mta.smtpd_checks`):
// SPF at MAIL FROM through the host's resolver, DKIM and DMARC at the end of DATA, the
// Authentication-Results field on what is delivered, 550 5.7.23 for an SPF fail under
// `spf: reject`, 550 5.7.1 for DMARC p=reject and the Junk folder for p=quarantine under
// `dmarc: enforce`, and a decision that waits for DNS but never hangs the session.
#include <catch2/catch.hpp>

#include <algorithm>
#include <deque>
#include <memory>
#include <string>
#include <variant>

#include "protocols/message/message.hpp"
#include "scenarios/expectations.hpp"
#include "scenarios/loader.hpp"
#include "scenarios/world.hpp"
#include "tests/support/lab_hosts.hpp"

using namespace maillab;
using namespace maillab::scenario;

namespace {

constexpr io::Time kSec = 1'000'000'000LL;
namespace ev = io::trace::ev;
namespace key = io::trace::key;

std::string scenario_text(std::string_view checks, std::string_view events, std::string_view expect) {
  using namespace maillab::test;
  std::string s = "scenario: checks\nduration: 1h\nhosts:\n";
  s += ns_example_host(zone_entry("a.example", 300,
                                  "@      IN MX  10 mail.a.example.\n"
                                  "@      IN TXT \"v=spf1 ip4:192.0.2.10 -all\"\n"
                                  "_dmarc IN TXT \"v=DMARC1; p=reject\"\n"
                                  "mail   IN A   192.0.2.10\n") +
                       zone_entry("b.example", 300, kBExampleRecords) +
                       zone_entry("c.example", 300,
                                  "@      IN TXT \"v=spf1 ip4:192.0.2.30 ~all\"\n"
                                  "_dmarc IN TXT \"v=DMARC1; p=quarantine\"\n") +
                       zone_entry("evil.example", 300, ""));
  s += R"(  mail.a.example:
    address: 192.0.2.10
    resolver: 192.0.2.53
    mta: {domains: [a.example], submission: true}
    users: {alice: {password: wonderland}}
  mx.b.example:
    address: 192.0.2.20
    resolver: 192.0.2.53
    users: {bob: {password: builder}}
    mta:
      domains: [b.example]
)";
  s += "      smtpd_checks: ";
  s += checks;
  s += "\n  pc.mallory:\n    address: 203.0.113.13\nevents:\n";
  s += events;
  s += "expect:\n";
  s += expect;
  return s;
}

std::unique_ptr<World> build(const std::string& text) {
  auto loaded = load_scenario_text(text, "checks.yaml");
  if (auto* e = std::get_if<LoadError>(&loaded)) FAIL(e->str());
  auto built = World::build(std::get<Scenario>(loaded), 1);
  if (auto* e = std::get_if<LoadError>(&built)) FAIL(e->str());
  return std::move(std::get<std::unique_ptr<World>>(built));
}

void require_expectations(const World& w) {
  for (const auto& r : check_expectations(w)) {
    INFO(r.what << " -- found: " << r.found);
    CHECK(r.passed);
  }
}

// A raw SMTP client on a host of the world: one line after each final reply.
struct Script final : io::ConnectionHandler {
  io::ConnectionPtr conn;
  std::deque<std::string> lines;
  std::string buf;
  std::vector<std::string> replies;
  void on_data(std::string_view bytes) override {
    buf.append(bytes);
    for (std::size_t eol; (eol = buf.find("\r\n")) != std::string::npos;) {
      std::string line = buf.substr(0, eol);
      buf.erase(0, eol + 2);
      if (line.size() > 3 && line[3] == '-') continue;
      replies.push_back(line);
      if (!lines.empty()) {
        conn->send(lines.front());
        lines.pop_front();
      }
    }
  }
  void on_close(io::CloseKind) override {}
};

std::shared_ptr<Script> talk(World& w, const std::string& from, const std::string& to_address,
                             std::deque<std::string> lines) {
  auto s = std::make_shared<Script>();
  s->lines = std::move(lines);
  w.host(from)->runtime->connect(to_address, 25, 5 * kSec, [s](io::ConnectStatus st, io::ConnectionPtr c) {
    REQUIRE(st == io::ConnectStatus::Connected);
    s->conn = c;
    c->set_handler(s.get());
  });
  return s;
}

std::size_t count_events(const World& w, io::trace::Event event, io::trace::Key k, std::string_view value) {
  const auto& events = w.trace().events();
  return static_cast<std::size_t>(std::count_if(events.begin(), events.end(), [&](const sim::TraceEvent& e) {
    return e.event == event && e.get(k) == value;
  }));
}

const Delivery* delivered(const World& w, std::string_view subject) {
  for (const auto& d : w.deliveries())
    if (message::Message::parse(*d.record.content).header("Subject").value_or("") == subject) return &d;
  return nullptr;
}

}  // namespace

TEST_CASE("SPF at MAIL FROM: the genuine mail passes, the forgery is refused, a softfail is tagged",
          "[scenarios][auth]") {
  auto w = build(scenario_text("{spf: reject, dkim: tag, dmarc: enforce}",
                               R"(  - at: 1s
    send: {from: alice@a.example, to: bob@b.example, subject: Genuine, client: pc.mallory, server: mail.a.example}
  - at: 2s
    send: {from: alice@a.example, to: bob@b.example, subject: Forged, client: pc.mallory, server: mx.b.example, auth: none}
  - at: 3s
    send: {from: carol@c.example, to: bob@b.example, subject: Soft, client: pc.mallory, server: mx.b.example, auth: none}
)",
                               R"(  - authenticated: {to: bob@b.example, subject: Genuine, spf: pass, dkim: none, dmarc: pass}
  - not_delivered: {to: bob@b.example, subject: Forged}
  - reply: {host: mx.b.example, code: 550, count: 1}
  - authenticated: {to: bob@b.example, subject: Soft, spf: softfail, dmarc: fail}
  - queue_empty: all
)"));
  w->run_until(10 * 60 * kSec);
  require_expectations(*w);
  // The forgery's MAIL FROM got RFC 7372's code.
  bool refused = false;
  for (const auto& e : w->trace().events())
    if (e.event == ev::kSmtpIn && e.host == "mx.b.example" && e.get(key::kCode) == "550")
      refused = e.get(key::kReply).find("550 5.7.23 <alice@a.example>: Sender address rejected: SPF fail") == 0;
  CHECK(refused);
  // Every check is traced: three SPF checks, and DKIM/DMARC for the two messages that got
  // past MAIL FROM.
  CHECK(count_events(*w, ev::kSpfChecked, key::kResult, "pass") == 1);
  CHECK(count_events(*w, ev::kSpfChecked, key::kResult, "fail") == 1);
  CHECK(count_events(*w, ev::kSpfChecked, key::kResult, "softfail") == 1);
  CHECK(count_events(*w, ev::kDkimChecked, key::kResult, "none") == 2);
  CHECK(count_events(*w, ev::kDmarcChecked, key::kResult, "fail") == 1);
  // p=quarantine under enforce: delivered, into the Junk folder (Maildir++).
  const Delivery* soft = delivered(*w, "Soft");
  REQUIRE(soft);
  CHECK(soft->record.folder == "Junk");
  CHECK(count_events(*w, ev::kDeliver, key::kFolder, "Junk") == 1);
  const auto& disk = w->host("mx.b.example")->disk;
  CHECK(disk.exists("mail/bob/.Junk/maildirfolder"));
  CHECK(disk.list("mail/bob/.Junk/new/").size() == 1);
  CHECK(disk.list("mail/bob/new/").size() == 1);  // the genuine one
  const Delivery* genuine = delivered(*w, "Genuine");
  REQUIRE(genuine);
  CHECK(genuine->record.folder.empty());
  // The field names the receiving host and sits under its Received.
  const auto msg = message::Message::parse(*genuine->record.content);
  CHECK(msg.header("Authentication-Results") ==
        "mx.b.example; spf=pass smtp.mailfrom=alice@a.example; dkim=none; dmarc=pass (p=reject dis=none) "
        "header.from=a.example");
}

TEST_CASE("DMARC at the end of DATA: p=reject refused with 550 5.7.1, a forged field replaced",
          "[scenarios][auth]") {
  auto w = build(scenario_text("{dmarc: enforce}", "", "  - queue_empty: all\n"));
  const std::string data_end = "\r\n.\r\n";
  // The envelope is Mallory's own (no SPF record: none), the From is Alice's.
  auto forged = talk(*w, "pc.mallory", "192.0.2.20",
                     {"EHLO pc.mallory\r\n", "MAIL FROM:<m@evil.example>\r\n", "RCPT TO:<bob@b.example>\r\n", "DATA\r\n",
                      "From: alice@a.example\r\nSubject: Pay now\r\n\r\nNow." + data_end, "QUIT\r\n"});
  // Mallory's own domain, with a field that claims this host already passed it.
  auto claimed = talk(*w, "pc.mallory", "192.0.2.20",
                      {"EHLO pc.mallory\r\n", "MAIL FROM:<m@evil.example>\r\n", "RCPT TO:<bob@b.example>\r\n",
                       "DATA\r\n",
                       "Authentication-Results: mx.b.example; dkim=pass header.d=a.example\r\n"
                       "Authentication-Results: elsewhere.example; spf=pass\r\n"
                       "From: m@evil.example\r\nSubject: Trust me\r\n\r\nHi." + data_end,
                       "QUIT\r\n"});
  w->run_until(10 * 60 * kSec);
  REQUIRE(forged->replies.size() == 7);
  CHECK(forged->replies[5] == "550 5.7.1 rejected by DMARC policy for a.example");
  CHECK(forged->replies[3] == "250 2.1.5 Ok");  // SPF off: MAIL FROM and RCPT answered as before
  CHECK_FALSE(delivered(*w, "Pay now"));
  const Delivery* trust = delivered(*w, "Trust me");
  REQUIRE(trust);
  const auto msg = message::Message::parse(*trust->record.content);
  // DMARC ran SPF and DKIM for itself: both in the field. The forged field naming this
  // host is gone, the other host's is kept.
  CHECK(msg.headers("Authentication-Results") ==
        std::vector<std::string>{"mx.b.example; spf=none smtp.mailfrom=m@evil.example; dkim=none; dmarc=none "
                                 "header.from=evil.example",
                                 "elsewhere.example; spf=pass"});
  require_expectations(*w);
}

TEST_CASE("a name server that does not answer makes SPF temperror after the resolver's retries, not a hang",
          "[scenarios][auth]") {
  auto w = build(scenario_text("{spf: reject}",
                               R"(  - at: 0s
    refuse: {host: ns.example, service: dns}
  - at: 1s
    send: {from: alice@a.example, to: bob@b.example, subject: Slow, client: pc.mallory, server: mx.b.example, auth: none}
)",
                               "  - authenticated: {to: bob@b.example, subject: Slow, spf: temperror}\n"));
  w->run_until(10 * 60 * kSec);
  require_expectations(*w);
  // MAIL FROM waited for DNS (two tries of 5 s), then the session went on.
  for (const auto& e : w->trace().events()) {
    if (e.event == ev::kSmtpIn && e.host == "mx.b.example" && e.get(key::kCommand).rfind("MAIL", 0) == 0) {
      CHECK(e.get(key::kCode) == "250");
      CHECK(e.t_ns >= 11 * kSec);
      CHECK(e.t_ns < 13 * kSec);
    }
  }
}
