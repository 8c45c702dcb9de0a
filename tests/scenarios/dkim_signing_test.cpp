// The sending side of sender authentication in a world (scenario `mta.dkim`): keys made
// from the run seed and published in the zone that holds the domain (unless the zone has
// that name already), mail of the domain signed once as the MTA queues it from a client it
// relays for (here a local submission), never a stranger's message from port 25, and the
// signatures verified by the receiving MTA through DNS.
#include <catch2/catch.hpp>

#include <algorithm>
#include <memory>
#include <string>
#include <variant>

#include "protocols/message/message.hpp"
#include "scenarios/dkim_keys.hpp"
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

std::string scenario_text(std::string_view extra_a_records) {
  using namespace maillab::test;
  std::string s = "scenario: signing\nduration: 1h\nhosts:\n";
  s += ns_example_host(zone_entry("a.example", 300,
                                  "@      IN MX  10 mail.a.example.\n"
                                  "mail   IN A   192.0.2.10\n"
                                  "@      IN TXT \"v=spf1 ip4:192.0.2.10 -all\"\n") +
                       std::string(extra_a_records) + zone_entry("b.example", 300, kBExampleRecords));
  s += R"(  mail.a.example:
    address: 192.0.2.10
    resolver: 192.0.2.53
    mta:
      domains: [a.example]
      smtpd_checks: {dkim: tag}
      dkim:
        - {domain: a.example, selector: s1}
        - {domain: a.example, selector: ed, algorithm: ed25519-sha256}
    users: {alice: {password: wonderland}}
  mx.b.example:
    address: 192.0.2.20
    resolver: 192.0.2.53
    users: {bob: {password: builder}}
    mta:
      domains: [b.example]
      smtpd_checks: {dkim: tag}
  pc.alice:
    address: 192.0.2.100
  pc.mallory:
    address: 203.0.113.13
events:
  - at: 1s
    send: {from: alice@a.example, to: bob@b.example, subject: Signed, server: mail.a.example}
  - at: 2s
    send: {from: alice@a.example, to: alice@a.example, subject: Not ours to sign, client: pc.mallory, server: mail.a.example, auth: none}
)";
  return s;
}

Scenario load(const std::string& text) {
  auto loaded = load_scenario_text(text, "signing.yaml");
  if (auto* e = std::get_if<LoadError>(&loaded)) FAIL(e->str());
  return std::get<Scenario>(std::move(loaded));
}

std::unique_ptr<World> run(const std::string& text) {
  auto built = World::build(load(text), 1);
  if (auto* e = std::get_if<LoadError>(&built)) FAIL(e->str());
  auto w = std::move(std::get<std::unique_ptr<World>>(built));
  w->run_until(10 * 60 * kSec);
  return w;
}

const Delivery* delivered(const World& w, std::string_view subject) {
  for (const auto& d : w.deliveries())
    if (message::Message::parse(*d.record.content).header("Subject").value_or("") == subject) return &d;
  return nullptr;
}

std::vector<std::string> results(const World& w, io::trace::Event event) {
  std::vector<std::string> out;
  for (const auto& e : w.trace().events())
    if (e.event == event) out.push_back(std::string(e.get(key::kSelector)) + "=" + std::string(e.get(key::kResult)));
  return out;
}

}  // namespace

TEST_CASE("mail of a dkim domain leaves signed with every key and verifies through the lab's DNS",
          "[scenarios][auth][dkim]") {
  auto w = run(scenario_text(""));
  const Delivery* signed_msg = delivered(*w, "Signed");
  REQUIRE(signed_msg);
  const auto msg = message::Message::parse(*signed_msg->record.content);
  const auto sigs = msg.headers("DKIM-Signature");
  REQUIRE(sigs.size() == 2);
  CHECK(sigs[0].find("a=ed25519-sha256") != std::string::npos);  // the last key added is on top
  CHECK(sigs[1].find("a=rsa-sha256") != std::string::npos);
  CHECK(sigs[1].find("c=relaxed/relaxed") != std::string::npos);
  CHECK(sigs[1].find("d=a.example") != std::string::npos);
  CHECK(sigs[1].find("s=s1") != std::string::npos);
  // Signed once, as mail.a.example queued it: the receiver found both keys in DNS.
  std::vector<std::string> signed_events;
  for (const auto& e : w->trace().events())
    if (e.event == ev::kDkimSigned)
      signed_events.push_back(e.host + " " + std::string(e.get(key::kSelector)) + " " + std::string(e.get(key::kAlgorithm)));
  CHECK(signed_events == std::vector<std::string>{"mail.a.example s1 rsa-sha256", "mail.a.example ed ed25519-sha256"});
  CHECK(msg.header("Authentication-Results").value_or("").find("dkim=pass header.d=a.example header.s=ed") !=
        std::string::npos);
  CHECK(msg.header("Authentication-Results").value_or("").find("dkim=pass header.d=a.example header.s=s1") !=
        std::string::npos);
  // Mallory's message to Alice came in on port 25 from a stranger: never signed, though its
  // From is a.example (signing it would vouch for a forgery).
  const Delivery* forged = delivered(*w, "Not ours to sign");
  REQUIRE(forged);
  CHECK(message::Message::parse(*forged->record.content).count("DKIM-Signature") == 0);
  CHECK(results(*w, ev::kDkimChecked) == std::vector<std::string>{"ed=pass", "s1=pass", "=none"});
}

TEST_CASE("a key revoked with dns_set: the receiver keeps the cached key for its TTL, then sees the revocation",
          "[scenarios][auth][dkim][dns_set]") {
  // The key record was fetched at 1s (the lab publishes keys with a TTL of 3600 s). 2m:
  // the operator revokes s1. 4m: the receiver still has the old record (and its parsed
  // key) from its cache: pass. 62m: the record is asked again and is revoked: permerror,
  // although the key parsed before is still in the MTA's cache of parsed keys (which
  // follows what DNS answers, never the name alone).
  std::string text = scenario_text("") +
                     "  - at: 2m\n    dns_set: {server: ns.example, record: 's1._domainkey.a.example. 60 IN TXT "
                     "\"v=DKIM1; k=rsa; p=\"'}\n"
                     "  - at: 4m\n    send: {from: alice@a.example, to: bob@b.example, subject: Cached, server: "
                     "mail.a.example}\n"
                     "  - at: 62m\n    send: {from: alice@a.example, to: bob@b.example, subject: Fresh, server: "
                     "mail.a.example}\n";
  text.replace(text.find("duration: 1h"), 12, "duration: 2h");
  auto built = World::build(load(text), 1);
  if (auto* e = std::get_if<LoadError>(&built)) FAIL(e->str());
  auto w = std::move(std::get<std::unique_ptr<World>>(built));
  w->run_until(70 * 60 * kSec);
  REQUIRE(delivered(*w, "Cached"));
  REQUIRE(delivered(*w, "Fresh"));
  CHECK(results(*w, ev::kDkimChecked) ==
        std::vector<std::string>{"ed=pass", "s1=pass", "=none", "ed=pass", "s1=pass", "ed=pass", "s1=permerror"});
}

TEST_CASE("a zone that already has the key's name keeps its own record", "[scenarios][auth][dkim]") {
  // A revoked key (p= empty) published by the scenario: the lab does not overwrite it, so
  // the RSA signature is permerror and the Ed25519 one (published by the lab) passes.
  auto w = run(scenario_text("          s1._domainkey IN TXT \"v=DKIM1; k=rsa; p=\"\n"));
  const Delivery* d = delivered(*w, "Signed");
  REQUIRE(d);
  const std::string ar = message::Message::parse(*d->record.content).header("Authentication-Results").value_or("");
  CHECK(ar.find("dkim=pass") != std::string::npos);
  CHECK(ar.find("dkim=permerror") != std::string::npos);
  CHECK(results(*w, ev::kDkimChecked).front() == "ed=pass");
}

TEST_CASE("DKIM keys come from the run seed: the same seed publishes the same key", "[scenarios][auth][dkim]") {
  const Scenario s = load(scenario_text(""));
  const DkimKeys one(s, 1), again(s, 1), other(s, 2);
  REQUIRE(one.find("a.example", "s1"));
  CHECK(one.find("a.example", "s1")->dns_record() == again.find("a.example", "s1")->dns_record());
  CHECK(one.find("a.example", "ed")->dns_record() == again.find("a.example", "ed")->dns_record());
  CHECK(one.find("a.example", "s1")->dns_record() != other.find("a.example", "s1")->dns_record());
  CHECK(one.find("a.example", "s1")->dns_record().rfind("v=DKIM1; k=rsa; p=", 0) == 0);
  CHECK_FALSE(one.find("a.example", "s2"));
  // Published where the zone holds the name, split into TXT strings of at most 255 octets.
  dns::Zone a{"a.example", {}}, sub{"mail.a.example", {}}, other_zone{"c.example", {}};
  CHECK(one.publish({&a, &sub, &other_zone}) == 2);
  REQUIRE(a.records.size() == 2);
  CHECK(sub.records.empty());
  CHECK(other_zone.records.empty());
  const auto& rsa = std::find_if(a.records.begin(), a.records.end(),
                                 [](const dns::ResourceRecord& r) { return r.name == "s1._domainkey.a.example"; });
  REQUIRE(rsa != a.records.end());
  const auto& strings = std::get<dns::TxtData>(rsa->data).strings;
  CHECK(strings.size() >= 2);
  std::string joined;
  for (const auto& part : strings) {
    CHECK(part.size() <= 255);
    joined += part;
  }
  CHECK(joined == one.find("a.example", "s1")->dns_record());
  CHECK(one.publish({&a}) == 0);  // the names are taken now
}
