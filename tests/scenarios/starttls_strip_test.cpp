// STARTTLS stripping (scenario-format.md events `strip_starttls`/`unstrip_starttls`, issue
// 19 item 5) as a user sees it: under smtp_tls_security_level = may the stripped hop's
// Received header says `with ESMTP` and has no `(using ...)`; under verify the message
// waits (4.7.4) and is retried on the backoff schedule until the attacker leaves; an
// expired certificate defers with 4.7.5; a MUA set to starttls gives up instead of
// sending a password in clear; message content that looks like STARTTLS passes untouched.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "scenarios/expectations.hpp"
#include "world_helpers.hpp"

using namespace maillab;
using namespace maillab::scenario;
using namespace maillab::scenario::test;

namespace {

namespace ev = io::trace::ev;
namespace key = io::trace::key;
constexpr io::Time kSec = 1'000'000'000LL, kMin = 60 * kSec;

std::string content_of(const World& w, const std::string& subject) {
  for (const auto& d : w.deliveries())
    if (d.host == "mx.b.example" && d.record.content->find("Subject: " + subject + "\r\n") != std::string::npos)
      return *d.record.content;
  return {};
}

// The Received header mx.b.example added (the first one), up to its date.
std::string top_received(const std::string& content) {
  const auto start = content.find("Received: ");
  return start == std::string::npos ? "" : content.substr(start, content.find(';', start) - start);
}

void all_pass(const World& w) {
  for (const CheckResult& r : check_expectations(w)) {
    INFO(r.what << " -> " << r.found);
    CHECK(r.passed);
  }
}

std::vector<io::Time> attempts_of(const World& w, std::string_view subject) {
  std::vector<io::Time> out;
  for (const auto& e : w.trace().events())
    if (e.host == "mail.a.example" && e.event == ev::kQueueAttempt && e.get(key::kSubject) == subject)
      out.push_back(e.t_ns);
  return out;
}

}  // namespace

TEST_CASE("starttls-opportunistic: the stripped message goes in clear, the others over TLS", "[scenarios][tls][strip]") {
  auto w = run_world(builtin("starttls-opportunistic"));
  all_pass(*w);
  const std::string before = top_received(content_of(*w, "Before the attacker"));
  const std::string stripped = top_received(content_of(*w, "While stripped"));
  const std::string after = top_received(content_of(*w, "After the attacker"));
  CHECK(before.find("\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits))\r\n"
                    "\tby mx.b.example (maillab) with ESMTPS id ") != std::string::npos);
  REQUIRE(!stripped.empty());
  CHECK(stripped.find("(using") == std::string::npos);
  CHECK(stripped.find("\tby mx.b.example (maillab) with ESMTP id ") != std::string::npos);
  CHECK(after.find("with ESMTPS id") != std::string::npos);
  // The attacker is on the timeline: mx.b.example's EHLO answer was rewritten.
  bool seen = false;
  for (const auto& e : w->trace().events())
    if (e.event == ev::kStarttlsStripped && e.host == "mx.b.example" && e.get(key::kTo) == "mail.a.example" &&
        e.get(key::kDetail) == "EHLO reply: 250-STARTTLS -> 250-XXXXXXXA")
      seen = true;
  CHECK(seen);
  // mail.a.example read XXXXXXXA, an unknown keyword: it never sent STARTTLS that time.
  for (const auto& e : w->trace().events())
    if (e.host == "mail.a.example" && e.event == ev::kSmtpOut && e.t_ns > 10 * kMin && e.t_ns < 20 * kMin)
      CHECK(e.get(key::kCommand) != "STARTTLS");
}

TEST_CASE("starttls-enforced: verify waits out the attacker (4.7.4), an expired certificate 4.7.5", "[scenarios][tls][strip]") {
  auto w = run_world(builtin("starttls-enforced"));
  all_pass(*w);
  // Attempts on the backoff schedule (queue_run_delay 5m, backoff 5m .. 4000s): on
  // arrival, then at the queue scans once the wait (the time in queue) is over; the first
  // one after the attacker left (30m) delivers.
  CHECK(attempts_of(*w, "Only over TLS") ==
        std::vector<io::Time>{1 * kMin + 150'000'000, 10 * kMin, 20 * kMin, 40 * kMin});
  CHECK(attempts_of(*w, "Expired certificate") ==
        std::vector<io::Time>{1 * kMin + 150'000'000, 10 * kMin, 20 * kMin, 40 * kMin, 80 * kMin});
  std::vector<std::string> statuses;
  for (const auto& e : w->trace().events())
    if (e.event == ev::kRelayDeferred && e.get(key::kTo) == "bob@b.example") statuses.push_back(e.get(key::kStatus));
  CHECK(statuses == std::vector<std::string>{"4.7.4", "4.7.4", "4.7.4"});
  bool expired = false;
  for (const auto& e : w->trace().events())
    if (e.event == ev::kRelayDeferred && e.get(key::kTo) == "carol@c.example" && e.get(key::kStatus) == "4.7.5" &&
        e.get(key::kDiagnostic).find("Server certificate not verified: mx.c.example[192.0.2.30]: expired") != std::string::npos)
      expired = true;
  CHECK(expired);
  const std::string content = content_of(*w, "Only over TLS");
  CHECK(top_received(content).find("with ESMTPS id") != std::string::npos);
}

TEST_CASE("a MUA set to starttls behind a stripping attacker gives up, its password stays home", "[scenarios][tls][strip]") {
  Scenario s = builtin("starttls-opportunistic");
  s.events.clear();
  Event strip;
  strip.at_ns = 1 * kSec;
  strip.action = Strip{"pc.alice", "mail.a.example", false};
  Event send;
  send.at_ns = 2 * kSec;
  Send m;
  m.from = "alice@a.example";
  m.to = {"bob@b.example"};
  m.subject = "Password";
  m.client = "pc.alice";
  m.server = "mail.a.example";
  send.action = m;
  s.events = {strip, send};
  auto w = run_world(s);
  REQUIRE(w->submissions().size() == 1);
  CHECK_FALSE(w->submissions()[0].accepted);
  CHECK(w->submissions()[0].detail.find("TLS is required") != std::string::npos);
  for (const auto& e : w->trace().events()) {
    if (e.host == "mail.a.example" && e.event == ev::kSmtpIn) {
      CHECK(e.get(key::kCommand).rfind("AUTH", 0) != 0);
      CHECK(e.get(key::kCommand).rfind("MAIL", 0) != 0);
    }
  }
}

TEST_CASE("the attacker rewrites the SMTP commands and the EHLO reply, never the message", "[scenarios][tls][strip]") {
  // A body whose lines are what the attacker looks for, sent while it is on the path; with
  // DATA (dot-stuffed content) and with BDAT (RFC 3030: the octets of a chunk).
  for (const bool chunking : {false, true}) {
    INFO("BDAT: " << chunking);
    Scenario s = builtin("starttls-opportunistic");
    for (auto& h : s.hosts)
      if (h.mta) h.mta->smtp_chunking = chunking;
    Send send;
    send.from = "alice@a.example";
    send.to = {"bob@b.example"};
    send.subject = "Looks like a session";
    send.body = "EHLO mx.b.example\nSTARTTLS\n250-STARTTLS\n250 STARTTLS\n.STARTTLS\nstarttls\n";
    send.client = "pc.alice";
    send.server = "mail.a.example";
    Event e;
    e.at_ns = 12 * kMin;
    e.action = send;
    s.events.push_back(e);
    auto w = run_world(s);
    all_pass(*w);
    const std::string delivered = content_of(*w, "Looks like a session");
    REQUIRE(!delivered.empty());
    CHECK(top_received(delivered).find("with ESMTP id ") != std::string::npos);  // in clear: stripped
    std::string submitted;
    for (const auto& sub : w->submissions())
      if (sub.content.find("Subject: Looks like a session\r\n") != std::string::npos) submitted = sub.content;
    REQUIRE(!submitted.empty());
    const auto body = [](const std::string& m) { return m.substr(m.find("\r\n\r\n")); };
    CHECK(body(delivered) == body(submitted));
    CHECK(body(delivered) ==
          "\r\n\r\nEHLO mx.b.example\r\nSTARTTLS\r\n250-STARTTLS\r\n250 STARTTLS\r\n.STARTTLS\r\nstarttls\r\n");
    // The attacker did act on that session: the EHLO reply, not the body.
    std::size_t stripped = 0;
    for (const auto& t : w->trace().events())
      if (t.event == ev::kStarttlsStripped && t.t_ns >= 12 * kMin && t.t_ns < 13 * kMin) ++stripped;
    CHECK(stripped == 1);
    bool bdat = false;
    for (const auto& t : w->trace().events())
      if (t.event == ev::kSmtpOut && t.host == "mail.a.example" && t.get(key::kCommand).rfind("BDAT ", 0) == 0)
        bdat = true;
    CHECK(bdat == chunking);
  }
}
