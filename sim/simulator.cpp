// sim::Simulator: the event loop over EventQueue, and the per-purpose RNG streams.
#include "sim/simulator.hpp"

#include <cassert>

#include "sim/event_queue.hpp"

namespace maillab::sim {
namespace {

// Stable across compilers and platforms (std::hash is not): FNV-1a over the purpose,
// mixed with the seed by splitmix64's finaliser.
std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// Returns the slot to the pool even if the callback throws (it must not; see DESIGN.md).
struct FinishGuard {
  EventQueue* q;
  std::uint32_t slot;
  ~FinishGuard() { q->finish(slot); }
};

}  // namespace

Simulator::Simulator(std::uint64_t seed) : seed_(seed), queue_(new EventQueue) {}

Simulator::~Simulator() { delete queue_; }

TimerId Simulator::at(Time when, Callback cb) {
  assert(when >= now_ && "Simulator::at: time in the past");
  return queue_->push(when, now_, std::move(cb));
}

bool Simulator::cancel(TimerId id) { return queue_->cancel(id); }

TimerId Simulator::reschedule(TimerId id, Time when) {
  assert(when >= now_ && "Simulator::reschedule: time in the past");
  return queue_->reschedule(id, when, now_);
}

bool Simulator::step() {
  Time t;
  std::uint32_t slot;
  if (!queue_->pop(t, slot)) return false;
  now_ = t;
  ++events_run_;
  FinishGuard guard{queue_, slot};
  queue_->callback(slot)();
  return true;
}

void Simulator::run_until(Time end) {
  stop_ = false;
  while (!stop_ && queue_->due_by(end)) step();
  if (!stop_ && end > now_) now_ = end;
  stop_ = false;
}

void Simulator::run() {
  stop_ = false;
  while (!stop_ && step()) {
  }
  stop_ = false;
}

void Simulator::stop() { stop_ = true; }

std::size_t Simulator::pending() const { return queue_->size(); }

Time Simulator::next_event_time() const { return queue_->next_time(); }

Rng Simulator::rng(std::string_view purpose) const {
  return Rng(splitmix64(seed_ ^ splitmix64(fnv1a(purpose))));
}

}  // namespace maillab::sim
