// sim::Simulator: the discrete-event kernel. A value, not a singleton: several can live in
// one process. Events are ordered by (time, sequence number): two events at the same time
// run in the order they were scheduled, so a run is a pure function of its inputs and seed.
//
// Invariants:
// - now() never goes backwards; at() with a time in the past is a local misuse (assert).
// - Scheduling allocates nothing per event on the hot path once the pools have grown
//   (callbacks up to kInlineCallback bytes are stored inline).
// - A TimerId is always safe to cancel: cancelling one that already ran or was already
//   cancelled is a no-op that returns false.
// - rng(purpose) gives an independent stream per purpose, derived from (seed, purpose),
//   so a draw added in one place does not reshuffle the others.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <string_view>

#include "sim/small_function.hpp"
#include "sim/time.hpp"

namespace maillab::sim {

struct TimerId {
  std::uint32_t slot = ~0u;
  std::uint32_t generation = 0;
  bool valid() const { return slot != ~0u; }
  friend bool operator==(TimerId, TimerId) = default;
};

using Callback = SmallFunction<void()>;
using Rng = std::mt19937_64;

class EventQueue;  // sim/event_queue.hpp

class Simulator {
 public:
  explicit Simulator(std::uint64_t seed = 1);
  ~Simulator();
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  Time now() const { return now_; }
  std::uint64_t seed() const { return seed_; }

  TimerId at(Time when, Callback cb);
  TimerId after(Time delay, Callback cb) { return at(now_ + delay, std::move(cb)); }
  bool cancel(TimerId id);
  // Moves a pending event to `when`, keeping its callback: the same as cancel(id) and
  // at(when, that callback), cheaper. An invalid TimerId when `id` was not pending.
  TimerId reschedule(TimerId id, Time when);

  bool step();              // run the next event; false when none is pending
  void run_until(Time end); // run every event with time <= end, then now() == end
  void run();               // until nothing is pending
  void stop();              // make the current run()/run_until() return after this event

  std::size_t pending() const;
  std::uint64_t events_run() const { return events_run_; }
  Time next_event_time() const;  // INT64_MAX when none

  Rng rng(std::string_view purpose) const;

 private:
  Time now_ = 0;
  std::uint64_t seed_;
  std::uint64_t events_run_ = 0;
  bool stop_ = false;
  EventQueue* queue_;
};

}  // namespace maillab::sim
