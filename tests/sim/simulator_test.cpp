// sim::Simulator: (time, sequence) order, cancellation, run_until/stop, RNG streams, and
// the no-allocation-per-event promise. The random tests run the kernel against a plain
// reference scheduler (std::map keyed by (time, sequence)) on the same random program.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <map>
#include <new>
#include <random>
#include <string>
#include <vector>

#include "sim/hold_benchmark.hpp"
#include "sim/simulator.hpp"

using namespace maillab::sim;

// Counts every allocation made through the global operator new in this test binary (the
// sanitizers still see malloc/free underneath). Every unaligned form is replaced, so that
// each new meets its own delete.
namespace {
std::atomic<std::size_t> g_allocations{0};
void* counted_malloc(std::size_t n) noexcept {
  ++g_allocations;
  return std::malloc(n ? n : 1);
}
}  // namespace
void* operator new(std::size_t n) {
  if (void* p = counted_malloc(n)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) {
  if (void* p = counted_malloc(n)) return p;
  throw std::bad_alloc();
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return counted_malloc(n); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return counted_malloc(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }

namespace {

// Delays from nothing (same time) through nanoseconds to days: the queue must keep
// (time, sequence) order over any spread.
Time draw_delay(std::mt19937_64& rng) {
  const int kind = static_cast<int>(rng() % 10);
  if (kind < 2) return 0;
  if (kind < 4) return static_cast<Time>(rng() % 10);
  std::uniform_real_distribution<double> exponent(0.0, std::log(3.0 * kDay));
  return static_cast<Time>(std::exp(exponent(rng)));
}

struct Run {
  std::vector<std::pair<Time, int>> fired;
  std::vector<bool> cancels;
  std::vector<bool> moves;
  friend bool operator==(const Run&, const Run&) = default;
};

// The same random program over any scheduler: each event may schedule up to two more and
// cancel an earlier id (possibly already run or cancelled); with `moves`, it may also
// reschedule one (the kernel's reschedule() against the reference's cancel + at).
template <class Sched>
Run random_program(Sched& s, std::uint64_t seed, int initial, int budget, bool moves = false) {
  Run out;
  std::mt19937_64 rng(seed);
  std::vector<typename Sched::Id> ids;
  std::function<void(int)> fire;
  auto schedule = [&](Time when) {
    const int id = static_cast<int>(ids.size());
    ids.push_back(s.at(when, [&fire, id] { fire(id); }));
  };
  fire = [&](int id) {
    out.fired.emplace_back(s.now(), id);
    const int children = static_cast<int>(rng() % 3);
    for (int i = 0; i < children && budget > 0; ++i, --budget) schedule(s.now() + draw_delay(rng));
    if (rng() % 4 == 0) out.cancels.push_back(s.cancel(ids[rng() % ids.size()]));
    if (moves && rng() % 2 == 0) {
      // Mostly recent ids (still pending), sometimes any (run, cancelled or moved already).
      const std::size_t recent = std::min<std::size_t>(ids.size(), 8);
      const std::size_t k = rng() % 3 ? ids.size() - 1 - rng() % recent : rng() % ids.size();
      const auto moved = s.reschedule(ids[k], s.now() + draw_delay(rng));
      out.moves.push_back(Sched::ok(moved));
      if (Sched::ok(moved)) ids[k] = moved;
    }
  };
  for (int i = 0; i < initial; ++i) schedule(draw_delay(rng));
  s.run();
  return out;
}

struct KernelSched {
  using Id = TimerId;
  Simulator sim;
  bool chunked = false;  // run in random run_until() slices, peeking in between
  Time now() const { return sim.now(); }
  Id at(Time t, std::function<void()> f) { return sim.at(t, std::move(f)); }
  bool cancel(Id id) { return sim.cancel(id); }
  Id reschedule(Id id, Time t) { return sim.reschedule(id, t); }
  static bool ok(Id id) { return id.valid(); }
  void run() {
    if (!chunked) return sim.run();
    std::mt19937_64 slices(99);
    while (sim.pending()) {
      (void)sim.next_event_time();
      sim.run_until(sim.now() + draw_delay(slices));
    }
  }
};

struct ReferenceSched {
  using Id = std::uint64_t;
  std::map<std::pair<Time, std::uint64_t>, std::function<void()>> q;
  std::map<std::uint64_t, Time> when;
  std::uint64_t seq = 0;
  Time t = 0;
  Time now() const { return t; }
  Id at(Time w, std::function<void()> f) {
    q.emplace(std::make_pair(w, seq), std::move(f));
    when[seq] = w;
    return seq++;
  }
  bool cancel(Id id) {
    auto it = when.find(id);
    if (it == when.end()) return false;
    q.erase({it->second, id});
    when.erase(it);
    return true;
  }
  // What reschedule() promises to equal: cancel, then schedule the same callback anew.
  Id reschedule(Id id, Time w) {
    auto it = when.find(id);
    if (it == when.end()) return ~Id{0};
    auto node = q.extract({it->second, id});
    when.erase(it);
    return at(w, std::move(node.mapped()));
  }
  static bool ok(Id id) { return id != ~Id{0}; }
  void run() {
    while (!q.empty()) {
      auto it = q.begin();
      t = it->first.first;
      auto f = std::move(it->second);
      when.erase(it->first.second);
      q.erase(it);
      f();
    }
  }
};

}  // namespace

TEST_CASE("events at the same time run in scheduling order", "[sim][kernel]") {
  Simulator sim;
  std::vector<int> order;
  for (int i = 0; i < 1000; ++i) {
    sim.at(5 * kSecond, [&order, &sim, i] {
      order.push_back(i);
      // scheduled at the current time from inside a callback: after everything queued
      if (i == 0) sim.after(0, [&order] { order.push_back(-1); });
    });
  }
  sim.at(kSecond, [&order] { order.push_back(-2); });
  sim.run();
  REQUIRE(order.size() == 1002);
  CHECK(order.front() == -2);
  for (int i = 0; i < 1000; ++i) CHECK(order[static_cast<std::size_t>(i) + 1] == i);
  CHECK(order.back() == -1);
  CHECK(sim.now() == 5 * kSecond);
  CHECK(sim.events_run() == 1002);
}

TEST_CASE("the kernel matches a reference scheduler on mixed spreads", "[sim][kernel]") {
  for (std::uint64_t seed : {1u, 2u, 3u, 42u, 101u, 102u}) {
    KernelSched k;
    k.chunked = seed > 100;
    ReferenceSched r;
    const Run a = random_program(k, seed, 2000, 40000);
    const Run b = random_program(r, seed, 2000, 40000);
    INFO("seed " << seed);
    REQUIRE(a.fired.size() == b.fired.size());
    CHECK(a == b);
    CHECK(k.sim.pending() == 0);
  }
}

TEST_CASE("reschedule equals cancel and a new event with the same callback", "[sim][kernel]") {
  for (std::uint64_t seed : {5u, 6u, 7u, 103u, 104u}) {
    KernelSched k;
    k.chunked = seed > 100;
    ReferenceSched r;
    // Enough moves that the stale entries they leave behind get swept several times.
    const Run a = random_program(k, seed, 2000, 120000, true);
    const Run b = random_program(r, seed, 2000, 120000, true);
    INFO("seed " << seed);
    REQUIRE(a.fired.size() == b.fired.size());
    CHECK(a == b);
    CHECK(std::count(a.moves.begin(), a.moves.end(), true) > 15000);
    CHECK(std::count(a.moves.begin(), a.moves.end(), false) > 100);
    CHECK(k.sim.pending() == 0);
  }
}

TEST_CASE("reschedule moves a pending event and refuses any other id", "[sim][kernel]") {
  Simulator sim;
  std::vector<std::string> order;
  const TimerId a = sim.after(10, [&] { order.push_back("a@" + std::to_string(sim.now())); });
  sim.after(30, [&] { order.push_back("b@" + std::to_string(sim.now())); });
  const TimerId a2 = sim.reschedule(a, 30);
  REQUIRE(a2.valid());
  CHECK(a2 != a);
  CHECK_FALSE(sim.cancel(a));                   // the old id is stale
  CHECK_FALSE(sim.reschedule(a, 40).valid());
  CHECK_FALSE(sim.reschedule(TimerId{}, 40).valid());
  CHECK_FALSE(sim.reschedule(TimerId{123456, 1}, 40).valid());
  CHECK(sim.pending() == 2);
  sim.run();
  // Moved to b's time, after b was scheduled: it runs second, as a new event would.
  CHECK(order == std::vector<std::string>{"b@30", "a@30"});
  CHECK_FALSE(sim.reschedule(a2, 50).valid());  // already ran
  CHECK(sim.events_run() == 2);
}

TEST_CASE("scheduling before a peeked future event keeps the order", "[sim][kernel]") {
  Simulator sim;
  std::vector<std::pair<Time, int>> seen;
  auto record = [&](int id) { return [&, id] { seen.emplace_back(sim.now(), id); }; };
  const TimerId far = sim.at(kHour, record(0));
  sim.at(2 * kHour, record(1));
  sim.at(2 * kHour, record(2));
  CHECK(sim.cancel(far));
  CHECK(sim.next_event_time() == 2 * kHour);  // drained the cancelled one
  sim.after(10, record(3));
  sim.after(10, record(4));
  sim.run_until(kMinute);  // stops short of the 2 h events
  CHECK(sim.now() == kMinute);
  sim.after(5, record(5));
  sim.at(2 * kHour, record(6));
  sim.run();
  CHECK(seen == std::vector<std::pair<Time, int>>{
                    {10, 3}, {10, 4}, {kMinute + 5, 5}, {2 * kHour, 1}, {2 * kHour, 2},
                    {2 * kHour, 6}});
}

TEST_CASE("times from nanoseconds to days come out sorted", "[sim][kernel]") {
  Simulator sim;
  std::mt19937_64 rng(7);
  std::vector<Time> seen;
  for (int i = 0; i < 20000; ++i) {
    sim.at(draw_delay(rng) + (i % 3 == 0 ? 30 * kDay : 0), [&] { seen.push_back(sim.now()); });
  }
  sim.run();
  REQUIRE(seen.size() == 20000);
  CHECK(std::is_sorted(seen.begin(), seen.end()));
}

TEST_CASE("cancel is safe for any id", "[sim][kernel]") {
  Simulator sim;
  int ran = 0;
  const TimerId a = sim.after(10, [&] { ran += 1; });
  const TimerId b = sim.after(20, [&] { ran += 10; });
  CHECK(sim.pending() == 2);

  SECTION("before it runs") {
    CHECK(sim.cancel(a));
    CHECK(sim.pending() == 1);
    CHECK_FALSE(sim.cancel(a));  // twice
    sim.run();
    CHECK(ran == 10);
  }
  SECTION("after it ran") {
    sim.run();
    CHECK(ran == 11);
    CHECK_FALSE(sim.cancel(a));
    CHECK_FALSE(sim.cancel(b));
  }
  SECTION("a default id and a foreign id") {
    CHECK_FALSE(sim.cancel(TimerId{}));
    CHECK_FALSE(sim.cancel(TimerId{123456, 1}));
    sim.run();
    CHECK(ran == 11);
  }
  SECTION("its slot reused by a new event") {
    CHECK(sim.cancel(a));
    const TimerId c = sim.after(5, [&] { ran += 100; });
    CHECK(c.slot == a.slot);  // the free list hands the slot back...
    CHECK(c != a);            // ...under a new generation
    CHECK_FALSE(sim.cancel(a));
    sim.run();
    CHECK(ran == 110);
  }
  SECTION("its own id, from inside the callback") {
    TimerId self;
    bool result = true;
    self = sim.after(30, [&] { result = sim.cancel(self); });
    sim.run();
    CHECK_FALSE(result);
  }
}

TEST_CASE("mass cancellation keeps order and frees the queue", "[sim][kernel]") {
  Simulator sim;
  std::mt19937_64 rng(3);
  std::vector<TimerId> ids;
  std::vector<Time> when;
  std::vector<Time> seen;
  for (int i = 0; i < 5000; ++i) {
    const Time t = draw_delay(rng);
    when.push_back(t);
    ids.push_back(sim.at(t, [&] { seen.push_back(sim.now()); }));
  }
  std::vector<Time> expected;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (i % 10 == 0) {
      expected.push_back(when[i]);
    } else {
      REQUIRE(sim.cancel(ids[i]));
    }
  }
  CHECK(sim.pending() == 500);
  std::sort(expected.begin(), expected.end());
  CHECK(sim.next_event_time() == expected.front());
  sim.run();
  CHECK(seen == expected);
}

TEST_CASE("run_until runs up to and including the end time", "[sim][kernel]") {
  Simulator sim;
  std::vector<Time> seen;
  for (Time t : {Time{5}, Time{10}, Time{10}, Time{11}, Time{50}}) {
    sim.at(t, [&] { seen.push_back(sim.now()); });
  }
  CHECK(sim.next_event_time() == 5);
  sim.run_until(10);
  CHECK(seen == std::vector<Time>{5, 10, 10});
  CHECK(sim.now() == 10);
  CHECK(sim.pending() == 2);
  sim.run_until(30);
  CHECK(sim.now() == 30);  // the clock moves to the end even without events
  CHECK(seen.size() == 4);
  sim.run_until(20);  // never backwards
  CHECK(sim.now() == 30);
  sim.run_until(-1);
  CHECK(sim.now() == 30);
  CHECK(seen.size() == 4);
  sim.after(1, [&] { seen.push_back(sim.now()); });  // relative to the advanced clock
  sim.run();
  CHECK(seen == std::vector<Time>{5, 10, 10, 11, 31, 50});
  CHECK(sim.next_event_time() == INT64_MAX);
  CHECK_FALSE(sim.step());
}

TEST_CASE("stop returns from run after the current event", "[sim][kernel]") {
  Simulator sim;
  int ran = 0;
  for (int i = 1; i <= 5; ++i) {
    sim.at(i * kSecond, [&, i] {
      ++ran;
      if (i == 2) sim.stop();
    });
  }
  sim.run();
  CHECK(ran == 2);
  CHECK(sim.now() == 2 * kSecond);
  CHECK(sim.pending() == 3);
  sim.at(4 * kSecond, [&] { sim.stop(); });
  sim.run_until(10 * kSecond);
  CHECK(ran == 4);
  CHECK(sim.now() == 4 * kSecond);  // stopped: the clock stays at the stopping event
  sim.run();
  CHECK(ran == 5);
}

TEST_CASE("rng streams are per purpose, seeded and stable", "[sim][kernel][rng]") {
  Simulator one(1), again(1), other(2);
  Rng mx = one.rng("mx");
  // Pinned: a change here reshuffles every scenario's random choices.
  CHECK(mx() == 11838141886774623124ull);
  // The derivation: splitmix64(seed ^ splitmix64(fnv1a64(purpose))) seeds mt19937_64.
  CHECK(one.rng("mx") == Rng(10753231699065122307ull));
  CHECK(one.rng("mx") == again.rng("mx"));
  CHECK(one.rng("mx") != one.rng("loss"));
  CHECK(one.rng("mx") != other.rng("mx"));
  CHECK(one.rng("") != one.rng("mx"));
  // Drawing from one stream does not move another.
  Rng a = one.rng("loss");
  Rng b = one.rng("mx");
  for (int i = 0; i < 100; ++i) b();
  CHECK(a == one.rng("loss"));
  CHECK(one.seed() == 1);
}

TEST_CASE("two simulators in one process are independent", "[sim][kernel]") {
  Simulator a, b(99);
  std::vector<std::string> log;
  a.at(10, [&] { log.push_back("a10"); });
  b.at(5, [&] { log.push_back("b5"); });
  b.at(20, [&] { log.push_back("b20"); });
  a.run();
  CHECK(a.now() == 10);
  CHECK(b.now() == 0);
  CHECK(b.pending() == 2);
  b.run();
  CHECK(log == std::vector<std::string>{"a10", "b5", "b20"});
  CHECK(a.events_run() == 1);
  CHECK(b.events_run() == 2);
}

TEST_CASE("pending events are destroyed with the simulator", "[sim][kernel]") {
  auto token = std::make_shared<int>(1);
  {
    Simulator sim;
    sim.after(kDay, [token] {});
    CHECK(token.use_count() == 2);
  }
  CHECK(token.use_count() == 1);
}

TEST_CASE("scheduling allocates nothing once warmed up", "[sim][kernel]") {
  Simulator sim;
  std::uint64_t count = 0;
  struct Tick {
    Simulator* sim;
    std::uint64_t* count;
    std::uint64_t pad[3];  // a 40-byte closure: still inline
    void operator()() const {
      if (++*count % 7 == 0) sim->cancel(sim->after(3, Tick{*this}));
      sim->after(1 + static_cast<Time>(*count % 1000), Tick{*this});
    }
  };
  for (int i = 0; i < 1000; ++i) sim.at(i, Tick{&sim, &count, {}});
  for (int i = 0; i < 200000; ++i) sim.step();  // warm-up: pools and buckets grow
  const std::size_t warm = g_allocations.load();
  for (int i = 0; i < 200000; ++i) sim.step();
  const std::size_t before = g_allocations.load();
  for (int i = 0; i < 200000; ++i) sim.step();
  const std::size_t after = g_allocations.load();
  CHECK(before - warm == 0);
  CHECK(after - before == 0);
  CHECK(sim.pending() == 1000);
}

TEST_CASE("the hold benchmark runs the ns-3 model", "[sim][kernel][bench]") {
  std::uint64_t run = 0;
  const double rate = run_hold_benchmark(1000, 20000, &run);
  CHECK(rate > 0);
  CHECK(run == 20000 + 1000 - 1);  // as ns3_hold.cc: the P pending still run after N
}
