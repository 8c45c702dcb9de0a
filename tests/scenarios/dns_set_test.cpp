// The `dns_set` event (docs/scenario-format.md "Changing a zone"): the DNS host serves the
// new records at once, a receiver that cached the old ones keeps them for their TTL, and
// a record that cannot go in is a load error at its line; the dmarc-rollout scenario.
#include <catch2/catch.hpp>

#include <algorithm>
#include <memory>
#include <string>
#include <variant>

#include "protocols/message/message.hpp"
#include "scenarios/duration.hpp"
#include "scenarios/library.hpp"
#include "scenarios/loader.hpp"
#include "scenarios/world.hpp"
#include "tests/support/lab_hosts.hpp"

using namespace maillab;
using namespace maillab::scenario;

namespace {

namespace ev = io::trace::ev;
namespace key = io::trace::key;
constexpr io::Time kMin = 60'000'000'000LL;

// a.example publishes p=none with a 10-minute TTL; Bob's MX enforces DMARC. `events` are
// appended to the events list.
std::string world_text(std::string_view events) {
  using namespace maillab::test;
  std::string s = "scenario: dns-set\nduration: 1h\nhosts:\n";
  s += ns_example_host(zone_entry("a.example", 600,
                                  "@      IN TXT \"v=spf1 ip4:192.0.2.10 -all\"\n"
                                  "_dmarc IN TXT \"v=DMARC1; p=none\"\n") +
                       zone_entry("b.example", 600, kBExampleRecords));
  s += R"(  mx.b.example:
    address: 192.0.2.20
    resolver: 192.0.2.53
    users: {bob: {password: builder}}
    mta:
      domains: [b.example]
      smtpd_checks: {spf: tag, dmarc: enforce}
  pc.mallory:
    address: 203.0.113.13
events:
)";
  s += events;
  return s;
}

std::string forgery(std::string_view at, std::string_view subject) {
  return "  - at: " + std::string(at) + "\n    send: {from: alice@a.example, to: bob@b.example, subject: " +
         std::string(subject) + ", client: pc.mallory, server: mx.b.example}\n";
}

std::variant<std::unique_ptr<World>, LoadError> build(const std::string& text) {
  auto loaded = load_scenario_text(text, "dns.yaml");
  if (auto* e = std::get_if<LoadError>(&loaded)) return *e;
  return World::build(std::get<Scenario>(loaded), 1);
}

std::unique_ptr<World> run(const std::string& text) {
  auto built = build(text);
  if (auto* e = std::get_if<LoadError>(&built)) FAIL(e->str());
  auto w = std::move(std::get<std::unique_ptr<World>>(built));
  w->run_until(60 * kMin);
  return w;
}

LoadError load_error(const std::string& text) {
  auto built = build(text);
  REQUIRE(std::holds_alternative<LoadError>(built));
  return std::get<LoadError>(built);
}

bool delivered(const World& w, std::string_view subject) {
  return std::any_of(w.deliveries().begin(), w.deliveries().end(), [&](const Delivery& d) {
    return message::Message::parse(*d.record.content).header("Subject").value_or("") == subject;
  });
}

std::vector<const sim::TraceEvent*> events(const World& w, io::trace::Event event, std::string_view name = "") {
  std::vector<const sim::TraceEvent*> out;
  for (const auto& e : w.trace().events())
    if (e.event == event && (name.empty() || e.get(key::kName) == name)) out.push_back(&e);
  return out;
}

const std::string kReject =
    "  - at: 2m\n    dns_set: {server: ns.example, record: '_dmarc.a.example. 60 IN TXT \"v=DMARC1; p=reject\"'}\n";

}  // namespace

TEST_CASE("dns_set: a receiver that cached the old record keeps it for its TTL, then sees the new one",
          "[scenarios][dns_set]") {
  // 1m: Bob's MX reads p=none (TTL 600 s: kept until 11m). 2m: the operator publishes
  // p=reject. 5m: still p=none from the cache, delivered. 12m: asked again, refused.
  auto w = run(world_text(forgery("1m", "First") + kReject + forgery("5m", "Cached") + forgery("12m", "Fresh")));
  CHECK(delivered(*w, "First"));
  CHECK(delivered(*w, "Cached"));
  CHECK_FALSE(delivered(*w, "Fresh"));
  const auto updates = events(*w, ev::kDnsUpdate);
  REQUIRE(updates.size() == 1);
  CHECK(updates[0]->t_ns == 2 * kMin);
  CHECK(updates[0]->host == "ns.example");
  CHECK(updates[0]->get(key::kName) == "_dmarc.a.example");
  CHECK(updates[0]->get(key::kType) == "TXT");
  CHECK(updates[0]->get(key::kTtl) == "60");
  CHECK(updates[0]->get(key::kRecords) == "\"v=DMARC1; p=reject\"");
  // The DMARC record was asked of the server twice (1m and 12m) and answered from the
  // cache once (5m).
  const auto queries = events(*w, ev::kDnsQuery, "_dmarc.a.example");
  REQUIRE(queries.size() == 3);
  CHECK(queries[0]->get(key::kCached).empty());
  CHECK(queries[1]->get(key::kCached) == "yes");
  CHECK(queries[1]->t_ns > 5 * kMin);
  CHECK(queries[2]->get(key::kCached).empty());
  const auto dmarc = events(*w, ev::kDmarcChecked);
  REQUIRE(dmarc.size() == 3);
  CHECK(dmarc[0]->get(key::kPolicy) == "none");
  CHECK(dmarc[1]->get(key::kPolicy) == "none");
  CHECK(dmarc[2]->get(key::kPolicy) == "reject");
  CHECK(dmarc[2]->get(key::kDisposition) == "reject");
}

TEST_CASE("dns_set: with nothing cached the change is seen at once; a new TTL applies from then on",
          "[scenarios][dns_set]") {
  // Nobody asked before 2m: the forgery at 3m reads p=reject. The record's TTL is now 60 s,
  // so a change back to p=none at 4m is seen by 5m.
  auto w = run(world_text(kReject + forgery("3m", "Refused") +
                          "  - at: 4m\n    dns_set: {server: ns.example, record: ['_dmarc.a.example 60 TXT \"v=DMARC1; "
                          "p=none\"']}\n" +
                          forgery("5m", "Back to none")));
  CHECK_FALSE(delivered(*w, "Refused"));
  CHECK(delivered(*w, "Back to none"));
  CHECK(events(*w, ev::kDnsUpdate).size() == 2);
}

TEST_CASE("dns_set: a record the server cannot take is a load error at its line", "[scenarios][dns_set]") {
  // Outside every zone of the server.
  LoadError e = load_error(world_text("  - at: 2m\n    dns_set: {server: ns.example, record: 'www.c.example. 60 IN A 192.0.2.9'}\n"));
  CHECK(e.line == 33);
  CHECK(e.column == 44);
  CHECK(e.message.find("cannot go into the zones of `ns.example`") != std::string::npos);
  CHECK(e.message.find("www.c.example") != std::string::npos);
  // A zone-file error, placed inside the quoted record (the TTL is missing).
  e = load_error(world_text("  - at: 2m\n    dns_set: {server: ns.example, record: \"a.example. IN A 192.0.2.9\"}\n"));
  CHECK(e.line == 33);
  CHECK(e.column == 44);
  CHECK(e.message.find("no TTL") != std::string::npos);
  e = load_error(world_text("  - at: 2m\n    dns_set:\n      server: ns.example\n      record: a.example. 60 IN A 192.0.2\n"));
  CHECK(e.line == 35);
  CHECK(e.column == 34);
  CHECK(e.message.find("IPv4") != std::string::npos);
  // A SOA; a server that serves no zones; a missing record.
  e = load_error(world_text("  - at: 2m\n    dns_set: {server: ns.example, record: 'a.example. 60 SOA ns. h. 2 1 1 1 1'}\n"));
  CHECK(e.message.find("SOA") != std::string::npos);
  e = load_error(world_text("  - at: 2m\n    dns_set: {server: mx.b.example, record: 'a.example. 60 A 192.0.2.9'}\n"));
  CHECK(e.line == 33);
  CHECK(e.message.find("serves no zones") != std::string::npos);
  e = load_error(world_text("  - at: 2m\n    dns_set: {server: ns.example}\n"));
  CHECK(e.message.find("record") != std::string::npos);
}

TEST_CASE("dmarc-rollout: inbox at p=none, Junk at quarantine once the TTL ran out, 550 5.7.1 at reject",
          "[scenarios][dns_set][auth]") {
  auto loaded = load_scenario("dmarc-rollout");
  if (auto* e = std::get_if<LoadError>(&loaded)) FAIL(e->str());
  const Scenario& s = std::get<Scenario>(loaded);
  auto built = World::build(s, s.seed);
  REQUIRE(std::holds_alternative<std::unique_ptr<World>>(built));
  auto& w = *std::get<std::unique_ptr<World>>(built);
  w.run_until(s.duration_ns);
  auto folder = [&](std::string_view subject) -> std::string {
    for (const Delivery& d : w.deliveries())
      if (message::Message::parse(*d.record.content).header("Subject").value_or("") == subject)
        return d.record.folder.empty() ? "INBOX" : d.record.folder;
    return "(not delivered)";
  };
  // p=none: everything in the inbox, the failures only reported.
  CHECK(folder("Day 1 from Alice") == "INBOX");
  CHECK(folder("Day 1 newsletter") == "INBOX");
  CHECK(folder("Day 1 invoice (forged)") == "INBOX");
  // p=quarantine published at 10d; Bob's MX cached p=none at 9d23h30m for 3600 s.
  CHECK(folder("Day 10 invoice (forged early)") == "INBOX");
  CHECK(folder("Day 10 invoice (forged)") == "Junk");
  CHECK(folder("Day 10 from Alice") == "INBOX");
  // p=reject: refused at the end of DATA with 550 5.7.1; the genuine mail still arrives.
  CHECK(folder("Day 20 invoice (forged)") == "(not delivered)");
  CHECK(folder("Day 20 newsletter") == "INBOX");
  CHECK(folder("Day 20 from Alice") == "INBOX");
  std::vector<std::string> refusals;
  for (const auto& e : w.trace().events())
    if (e.event == ev::kSmtpIn && e.host == "mx.b.example" && e.get(key::kCode) == "550")
      refusals.push_back(format_duration(e.t_ns) + " " + e.get(key::kReply));
  REQUIRE(refusals.size() == 1);
  CHECK(refusals[0].rfind("20d2h", 0) == 0);
  CHECK(refusals[0].find("550 5.7.1") != std::string::npos);
}
