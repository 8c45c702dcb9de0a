// The Postfix staples (scenario-format.md 1.1) as a user sees them: where mail went, reply
// codes and texts, retry times, what the sender is told.
#include <catch2/catch.hpp>

#include <string>

#include "protocols/mta/client_name.hpp"
#include "scenarios/library.hpp"
#include "scenarios/runner.hpp"
#include "world_helpers.hpp"

using namespace maillab;
using namespace maillab::scenario;
using namespace maillab::scenario::test;

namespace {

// The builtin's YAML with `from` replaced by `to` (once; it must be there).
std::string edited(const std::string& name, const std::string& from, const std::string& to) {
  std::string text(find_builtin(name)->text);
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

// The delivery of the message with this subject (a bounce quoting it does not count).
const Delivery* delivery(const World& w, const std::string& subject) {
  for (const auto& d : w.deliveries())
    if (d.record.content && d.record.content->find("Subject: " + subject + "\r\n") != std::string::npos &&
        d.record.content->find("Subject: Undelivered Mail") == std::string::npos)
      return &d;
  return nullptr;
}

}  // namespace

TEST_CASE("relayhost: mail for other domains goes to the smarthost, no MX lookup on the way") {
  auto w = run_world(builtin("relayhost-transport"));
  const Delivery* bob = delivery(*w, "Via the smarthost");
  REQUIRE(bob);
  CHECK(bob->host == "mx.b.example");
  CHECK(bob->record.content->find("by smart.a.example") != std::string::npos);
  const Delivery* carol = delivery(*w, "Straight to the partner");
  REQUIRE(carol);
  CHECK(carol->record.content->find("by smart.a.example") == std::string::npos);
  // mail.a.example asked DNS for the smarthost's and the partner's addresses only.
  for (const auto& e : w->trace().events()) {
    if (e.host != "mail.a.example" || e.event != "dns.query") continue;
    INFO(e.get("name") << " " << e.get("type"));
    CHECK(e.get("type") == "A");
    CHECK((e.get("name") == "smart.a.example" || e.get("name") == "mx.c.example"));
  }
  bool routed = false;
  for (const auto& e : w->trace().events())
    if (e.event == "route.nexthop" && e.get("domain") == "b.example") routed = e.get("mx") == "[smart.a.example]";
  CHECK(routed);
}

TEST_CASE("relayhost with a port and an address: connected there, no DNS at all") {
  auto w = run_world(from_text(edited("relayhost-transport", R"(relayhost: "[smart.a.example]")",
                                      R"(relayhost: "[192.0.2.11]:2525")")));
  bool refused = false;
  for (const auto& e : w->trace().events())
    if (e.host == "mail.a.example" && e.event == "smtp.connect" && e.get("peer") == "192.0.2.11")
      refused = e.get("port") == "2525";
  CHECK(refused);
  CHECK_FALSE(delivery(*w, "Via the smarthost"));
  CHECK(delivery(*w, "Straight to the partner"));
}

TEST_CASE("flush: the deferred message is tried at the flush, not at its due time") {
  auto w = run_world(builtin("flush"));
  REQUIRE(w->deliveries().size() == 1);
  const auto t = w->deliveries()[0].record.time;
  CHECK(t >= 61 * kMinute);
  CHECK(t < 61 * kMinute + kSecond);
}

TEST_CASE("inet_interfaces loopback-only: other hosts are refused at once, 4.4.1 and retried") {
  auto w = run_world(builtin("inet-interfaces"));
  int refused = 0;
  std::string status;
  for (const auto& e : w->trace().events()) {
    if (e.host != "mail.a.example") continue;
    if (e.event == "smtp.connect_failed" && e.get("reason") == "refused") ++refused;
    if (e.event == "relay.deferred") status = e.get("status") + " " + e.get("diagnostic");
  }
  CHECK(refused >= 3);
  CHECK(status == "4.4.1 X-maillab; connect to mx.b.example[192.0.2.20]:25: Connection refused");
  // With `all` the same message goes through at once.
  auto open = run_world(from_text(edited("inet-interfaces", "inet_interfaces: loopback-only", "inet_interfaces: all")));
  const Delivery* d = delivery(*open, "From outside");
  REQUIRE(d);
  CHECK(d->record.time < 3 * kMinute);
}

TEST_CASE("quota: over it the delivery is deferred with 4.2.2; with tempfail off it bounces 5.2.2") {
  auto w = run_world(builtin("mailbox-quota"));
  std::string deferred;
  for (const auto& e : w->trace().events())
    if (e.host == "mx.b.example" && e.event == "queue.deferred") deferred = e.get("reason");
  CHECK(deferred.rfind("X-maillab; Quota exceeded (mailbox for user bob is full", 0) == 0);

  auto hard = run_world(from_text(edited("mailbox-quota", "      domains: [b.example]\n",
                                         "      domains: [b.example]\n      quota_full_tempfail: false\n")));
  CHECK_FALSE(delivery(*hard, "Second"));
  bool bounced = false;
  for (const auto& d : hard->deliveries()) {
    if (d.host != "mail.a.example" || !d.record.content) continue;
    bounced = d.record.content->find("Status: 5.2.2") != std::string::npos &&
              d.record.content->find("Final-Recipient: rfc822; bob@b.example") != std::string::npos;
  }
  CHECK(bounced);
}

TEST_CASE("greylisting: 450 4.2.0 with postgrey's text, then the retry after the delay passes") {
  auto w = run_world(builtin("greylisting"));
  std::vector<std::string> replies;
  for (const auto& e : w->trace().events())
    if (e.host == "mx.b.example" && e.event == "smtp.in" && e.get("command").rfind("RCPT", 0) == 0)
      replies.push_back(e.get("reply"));
  REQUIRE(replies.size() == 2);
  CHECK(replies[0] ==
        "450 4.2.0 <bob@b.example>: Recipient address rejected: Greylisted, see "
        "http://postgrey.schweikert.ch/help/b.example.html");
  CHECK(replies[1].rfind("250 2.1.5", 0) == 0);
  // A longer delay than the first retry: refused at 10m again (age 9m: due 19m), through
  // at the 20m scan, 19 minutes after the first try.
  auto longer = run_world(from_text(edited("greylisting", "greylist: 5m", "greylist: 15m")));
  const Delivery* d = delivery(*longer, "Grey");
  REQUIRE(d);
  CHECK(d->record.time >= 20 * kMinute);
  CHECK(d->record.time < 21 * kMinute);
  // The sender's own network is never greylisted.
  auto trusted = run_world(from_text(edited("greylisting", "greylist: 5m", "greylist: 5m\n      mynetworks: [192.0.2.10/32]")));
  d = delivery(*trusted, "Grey");
  REQUIRE(d);
  CHECK(d->record.time < 2 * kMinute);
}

TEST_CASE("reverse DNS: a forward-confirmed PTR names the client in Received, a lie gives unknown") {
  auto w = run_world(builtin("reverse-dns"));
  const Delivery* good = delivery(*w, "Confirmed");
  REQUIRE(good);
  CHECK(good->record.content->find("Received: from mail.a.example (mail.a.example [192.0.2.10])\r\n\tby mx.b.example") !=
        std::string::npos);
  const Delivery* bad = delivery(*w, "Unconfirmed");
  REQUIRE(bad);
  CHECK(bad->record.content->find("Received: from mail.c.example (unknown [192.0.2.30])\r\n\tby mx.b.example") !=
        std::string::npos);
  // No PTR at all (the reverse zone removed): unknown as well.
  std::string text(find_builtin("reverse-dns")->text);
  const auto at = text.find("          10   IN PTR mail.a.example.\n");
  REQUIRE(at != std::string::npos);
  text.erase(at, std::string("          10   IN PTR mail.a.example.\n").size());
  auto none = run_world(from_text(text));
  good = delivery(*none, "Confirmed");
  REQUIRE(good);
  CHECK(good->record.content->find("Received: from mail.a.example (unknown [192.0.2.10])") != std::string::npos);
}

TEST_CASE("reverse DNS: the name of an address in in-addr.arpa") {
  CHECK(mta::reverse_name("192.0.2.10") == "10.2.0.192.in-addr.arpa");
  CHECK(mta::reverse_name("not an address").empty());
}
