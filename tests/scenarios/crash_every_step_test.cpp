// A crash at every step of a transaction: for each moment something happens in a clean
// run of a scenario (every SMTP command and reply, DNS query, queue write, delivery), the
// same run again with one host crashing exactly then (before, and just after, that
// moment's events) and booting a minute later. Whatever the moment, the chaos invariants
// hold (nothing acknowledged is lost, no duplicate without a lost acknowledgement, no DSN
// to <>, queues drained), and a message whose submission was acknowledged with 250
// reaches Bob's mailbox.
#include <catch2/catch.hpp>

#include <set>

#include "scenarios/chaos.hpp"
#include "scenarios/library.hpp"
#include "scenarios/world.hpp"

using namespace maillab::scenario;

namespace {

constexpr std::int64_t kMinuteNs = 60'000'000'000;
constexpr std::int64_t kDayNs = 24 * 60 * kMinuteNs;

Scenario builtin(const std::string& name) {
  auto loaded = load_scenario(name);
  if (auto* e = std::get_if<LoadError>(&loaded)) FAIL(e->str());
  return std::get<Scenario>(loaded);
}

std::unique_ptr<World> build(const Scenario& s) {
  auto built = World::build(s, s.seed);
  REQUIRE(std::holds_alternative<std::unique_ptr<World>>(built));
  return std::move(std::get<std::unique_ptr<World>>(built));
}

// Every distinct moment at which `host` or a peer talking to it did something.
std::set<std::int64_t> moments(const Scenario& s) {
  auto w = build(s);
  w->run_until(s.duration_ns);
  std::set<std::int64_t> out;
  for (const auto& e : w->trace().events()) out.insert(e.t_ns);
  return out;
}

}  // namespace

TEST_CASE("a crash at every step of the journey loses nothing and duplicates nothing") {
  for (const char* name : {"basic-delivery", "alias-forwarding"}) {
    Scenario s = builtin(name);
    const auto when = moments(s);
    REQUIRE(when.size() > 20);  // the clean run is a real conversation
    std::vector<std::string> servers;
    for (const auto& h : s.hosts) {
      if (h.mta || h.dns) servers.push_back(h.name);
    }
    std::size_t runs = 0, acknowledged = 0;
    for (const auto& host : servers) {
      for (std::int64_t t : when) {
        for (std::int64_t offset : {std::int64_t{0}, std::int64_t{1}}) {
          auto w = build(s);
          World* wp = w.get();
          // Scheduled before the run: at time t it runs ahead of t's own events; at t+1 ns
          // it runs right after them (a reply written but not yet on the wire).
          w->simulator().at(t + offset, [wp, host] { wp->inject(HostState{host, false}); });
          w->simulator().at(t + offset + kMinuteNs, [wp, host] { wp->inject(HostState{host, true}); });
          w->run_until(s.duration_ns + 7 * kDayNs);
          ++runs;
          INFO(name << ": " << host << " crashes at " << t + offset << " ns");
          auto violations = check_invariants(*w);
          for (const auto& v : violations) INFO(v.invariant << ": " << v.detail);
          CHECK(violations.empty());
          for (const auto& sub : w->submissions()) {
            if (!sub.accepted) continue;
            ++acknowledged;
            bool arrived = false;
            for (const auto& d : w->deliveries()) {
              arrived = arrived || d.record.content->find("Subject: " + sub.subject) != std::string::npos;
            }
            INFO("submission of \"" << sub.subject << "\" was acknowledged");
            CHECK(arrived);
          }
        }
      }
    }
    INFO(name << ": " << runs << " runs");
    CHECK(runs >= 2 * when.size());
    CHECK(acknowledged > 0);
  }
}
