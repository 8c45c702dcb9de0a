// The visualiser's queues from the trace alone: at every moment of the built-in scenarios
// they hold what the hosts' disks hold (ids, states, attempts, next retry, the recipients
// still pending), without reading a queue file.
#include "viz/queue_view.hpp"

#include "viz_fixture.hpp"

using namespace maillab;
using namespace maillab::viz;

namespace {

std::string describe(const std::string& host, const std::string& id, mta::QueueState state, int attempts,
                     Time next, const std::vector<std::string>& pending) {
  // While active, the disk still counts the attempts before this one (the queue file is
  // rewritten when it ends); the trace counts the one in progress too.
  std::string out = host + " " + id + " " + std::string(mta::queue_state_name(state));
  if (state != mta::QueueState::Active) out += " attempts=" + std::to_string(attempts);
  if (state == mta::QueueState::Deferred) out += " next=" + std::to_string(next);
  for (const auto& p : pending) out += " " + p;
  return out;
}

std::vector<std::string> from_disk(const scenario::World& w) {
  std::vector<std::string> out;
  for (const auto& [name, node] : w.hosts()) {
    auto q = w.queue_of(name);
    std::sort(q.begin(), q.end(), [](const mta::QueueFile& a, const mta::QueueFile& b) {
      return a.arrival != b.arrival ? a.arrival < b.arrival : a.id < b.id;
    });
    for (const auto& f : q) {
      std::vector<std::string> pending;
      for (const auto& r : f.rcpts)
        if (r.state == mta::RcptState::Pending) pending.push_back(r.address);
      out.push_back(describe(name, f.id, f.state, f.attempts, f.next_attempt, pending));
    }
  }
  return out;
}

std::vector<std::string> from_trace(const scenario::World& w, Time now) {
  std::vector<std::string> out;
  for (const auto& [name, q] : queues_from_trace(w.trace().events(), now)) {
    for (const auto& m : q) {
      std::vector<std::string> pending;
      for (const auto& r : m.rcpts)
        if (r.pending) pending.push_back(r.address);
      out.push_back(describe(name, m.id, m.state, m.attempts, m.next_attempt, pending));
    }
  }
  return out;
}

}  // namespace

TEST_CASE("queues from the trace match the disks at every step of the built-in scenarios") {
  // disk-full refuses queue writes on purpose: the disk then keeps an older state than the
  // trace says (queue_view.hpp); every other built-in must match exactly.
  int nonempty = 0;
  for (const char* name : {"mx-failover", "retry-after-outage", "give-up-bounce", "delay-warning",
                           "partition", "bounce-after-accept", "two-domains", "dns-servfail"}) {
    INFO(name);
    auto s = viz_test::load(name);
    auto built = scenario::World::build(s, s.seed);
    REQUIRE(std::holds_alternative<std::unique_ptr<scenario::World>>(built));
    auto& w = *std::get<std::unique_ptr<scenario::World>>(built);
    int compared = 0;
    const Time step = std::max<Time>(s.duration_ns / 200, 1'000'000);
    for (Time t = 0; t <= s.duration_ns; t += step) {
      w.run_until(t);
      INFO(name << " at " << t);
      const auto disk = from_disk(w);
      CHECK(from_trace(w, t) == disk);
      ++compared;
      if (!disk.empty()) ++nonempty;
    }
    CHECK(compared > 100);
  }
  CHECK(nonempty > 500);  // most of these runs have mail waiting most of the time
}

TEST_CASE("a deferred message shows its attempts, next retry and why it waits") {
  auto s = viz_test::load(viz_test::kData + "mx-failover.yaml");
  auto w = viz_test::run_world(s);
  constexpr Time kMin = 60'000'000'000;
  auto queues = queues_from_trace(w->trace().events(), 12 * kMin);
  REQUIRE(queues.count("mx2.b.example"));
  const auto& q = queues.at("mx2.b.example");
  REQUIRE(q.size() == 1);
  CHECK(q[0].state == mta::QueueState::Deferred);
  CHECK(q[0].attempts >= 1);
  CHECK(q[0].next_attempt > 12 * kMin);
  CHECK_FALSE(q[0].subject.empty());
  REQUIRE(q[0].rcpts.size() == 1);
  CHECK(q[0].rcpts[0].pending);
  CHECK_FALSE(q[0].rcpts[0].diagnostic.empty());
  CHECK(queues_from_trace(w->trace().events(), s.duration_ns).empty());
}
