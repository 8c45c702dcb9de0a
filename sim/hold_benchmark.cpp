// sim::run_hold_benchmark (see hold_benchmark.hpp).
#include "sim/hold_benchmark.hpp"

#include <chrono>
#include <random>

#include "sim/simulator.hpp"

namespace maillab::sim {
namespace {

struct HoldState {
  Simulator* sim;
  std::mt19937_64 rng{1};
  std::exponential_distribution<double> exp{1.0 / 100.0};
  std::uint64_t done = 0;
  std::uint64_t total = 0;

  Time delay() { return static_cast<Time>(1 + static_cast<std::uint64_t>(exp(rng))); }
};

struct Hold {
  HoldState* s;
  void operator()() const {
    if (++s->done >= s->total) return;
    s->sim->after(s->delay(), Hold{s});
  }
};

}  // namespace

double run_hold_benchmark(std::uint64_t pending, std::uint64_t events,
                          std::uint64_t* events_run) {
  Simulator sim;
  HoldState st{&sim};
  st.total = events;
  for (std::uint64_t i = 0; i < pending; ++i) sim.after(st.delay(), Hold{&st});
  const auto t0 = std::chrono::steady_clock::now();
  sim.run();
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (events_run) *events_run = st.done;
  return s > 0 ? static_cast<double>(st.done) / s : 0.0;
}

}  // namespace maillab::sim
