// `relayhost_auth` (scenario-format.md "Smarthost login"): the MTA logs in to its smarthost,
// the lab's own submission server, with AUTH PLAIN after STARTTLS; never in clear; a
// refused login defers (Postfix's smtp_sasl_auth_soft_bounce) instead of bouncing.
#include <catch2/catch.hpp>

#include <string>

#include "scenarios/library.hpp"
#include "world_helpers.hpp"

using namespace maillab;
using namespace maillab::scenario;
using namespace maillab::scenario::test;

namespace {

// relayhost-transport with the smarthost turned into a submission server that relays for
// logged-in users only (no mynetworks) and takes a.example senders from their owners,
// `smart` its TLS setting, `password` the one mail.a.example logs in with.
std::string smarthost_world(const std::string& smart, const std::string& password) {
  std::string text(find_builtin("relayhost-transport")->text);
  auto replace = [&](const std::string& from, const std::string& to) {
    const auto at = text.find(from);
    REQUIRE(at != std::string::npos);
    text.replace(at, from.size(), to);
  };
  replace(R"(relayhost: "[smart.a.example]")",
          R"(relayhost: "[smart.a.example]:587"
      relayhost_auth: {user: alice, password: )" + password + "}");
  replace("    mta:\n      mynetworks: [192.0.2.10/32]   # relays for mail.a.example only\n",
          smart + "    mta:\n      submission: true\n      domains: [a.example]\n    users:\n      alice: {password: wonderland}\n");
  replace("duration: 30m", "duration: 2h");
  return text;
}

std::size_t count(const World& w, const std::string& host, const std::string& event,
                  const std::string& k = "", const std::string& v = "") {
  std::size_t n = 0;
  for (const auto& e : w.trace().events())
    if (e.host == host && e.event == event && (k.empty() || e.get(k) == v)) ++n;
  return n;
}

const Delivery* delivered(const World& w, const std::string& subject) {
  for (const auto& d : w.deliveries())
    if (d.record.content && d.record.content->find("Subject: " + subject + "\r\n") != std::string::npos &&
        d.record.content->find("Subject: Undelivered Mail") == std::string::npos)
      return &d;
  return nullptr;
}

}  // namespace

TEST_CASE("relayhost_auth: STARTTLS, then AUTH PLAIN at the smarthost's port 587, then relayed") {
  auto w = run_world(from_text(smarthost_world("    tls: true\n", "wonderland")));
  const Delivery* bob = delivered(*w, "Via the smarthost");
  REQUIRE(bob);
  CHECK(bob->host == "mx.b.example");
  // The smarthost's Received: TLS and a login, as Postfix writes it.
  CHECK(bob->record.content->find("by smart.a.example (maillab) with ESMTPSA") != std::string::npos);
  CHECK(count(*w, "smart.a.example", "auth.ok", "user", "alice") == 1);
  bool starttls_first = false, saw_auth = false;
  for (const auto& e : w->trace().events()) {
    if (e.host != "mail.a.example" || e.event != "smtp.out") continue;
    if (e.get("command") == "STARTTLS" && !saw_auth) starttls_first = true;
    if (e.get("command").rfind("AUTH PLAIN", 0) == 0) {
      saw_auth = true;
      CHECK(e.get("command") == "AUTH PLAIN ****");  // the password never reaches the trace
      CHECK(e.get("code") == "235");
    }
  }
  CHECK(starttls_first);
  CHECK(saw_auth);
  CHECK(delivered(*w, "Straight to the partner"));  // the transport entry logs in nowhere
  CHECK(count(*w, "mx.c.example", "auth.ok") == 0);
}

TEST_CASE("relayhost_auth: a refused login defers with 4.7.0 and is retried, never bounced") {
  auto w = run_world(from_text(smarthost_world("    tls: true\n", "guess")));
  CHECK_FALSE(delivered(*w, "Via the smarthost"));
  CHECK(count(*w, "smart.a.example", "auth.failed", "user", "alice") >= 2);  // tried, then retried
  CHECK(count(*w, "mail.a.example", "relay.bounced") == 0);
  bool deferred = false;
  for (const auto& e : w->trace().events())
    if (e.host == "mail.a.example" && e.event == "relay.deferred" && e.get("status") == "4.7.0")
      deferred = e.get("diagnostic").find("SASL authentication failed") != std::string::npos &&
                 e.get("diagnostic").find("535") != std::string::npos;
  CHECK(deferred);
  CHECK(w->queue_of("mail.a.example").size() == 1);
}

TEST_CASE("relayhost_auth: a smarthost without TLS never gets the password") {
  // No certificate: the smarthost offers AUTH in clear (smtpd_tls_auth_only is off).
  auto w = run_world(from_text(smarthost_world("", "wonderland")));
  CHECK_FALSE(delivered(*w, "Via the smarthost"));
  for (const auto& e : w->trace().events()) {
    INFO(e.event << " " << e.get("command"));
    if (e.host == "mail.a.example" && e.event == "smtp.out") CHECK(e.get("command").find("AUTH") == std::string::npos);
  }
  CHECK(count(*w, "smart.a.example", "auth.ok") + count(*w, "smart.a.example", "auth.failed") == 0);
  bool deferred = false;
  for (const auto& e : w->trace().events())
    if (e.host == "mail.a.example" && e.event == "relay.deferred" && e.get("status") == "4.7.0")
      deferred = e.get("diagnostic").find("never sent in clear") != std::string::npos;
  CHECK(deferred);
}

TEST_CASE("relayhost_auth: refused without a relayhost, with an empty password, or with unknown fields") {
  auto refused = [](const std::string& text, const std::string& part) {
    auto loaded = load_scenario_text(text, "t.yaml");
    REQUIRE(std::holds_alternative<LoadError>(loaded));
    INFO(std::get<LoadError>(loaded).str());
    CHECK(std::get<LoadError>(loaded).message.find(part) != std::string::npos);
  };
  std::string text = smarthost_world("    tls: true\n", "wonderland");
  std::string no_relayhost = text;
  no_relayhost.replace(no_relayhost.find("relayhost: \"[smart.a.example]:587\"\n      "), 41, "");
  refused(no_relayhost, "has none");
  std::string empty = text;
  empty.replace(empty.find("password: wonderland}"), 21, "password: \"\"}");
  refused(empty, "must not be empty");
  std::string extra = text;
  extra.replace(extra.find("user: alice,"), 12, "user: alice, mech: plain,");
  refused(extra, "unknown key `mech`");
}
