// sim::run_hold_benchmark: the classic hold model (shared/bench/README.md section 1), the
// same model as shared/bench/ns3_hold.cc so that the two kernels can be compared.
//
// P events are scheduled at 1 + Exp(mean 100 ns) (truncated to whole ns); each handler
// schedules one successor the same way until N handlers have run; the remaining pending
// events still run (and only count), exactly as in ns3_hold.cc. The delays come from
// std::mt19937_64 seeded 1 and std::exponential_distribution<double>, like the reference.
#pragma once

#include <cstdint>

namespace maillab::sim {

// Returns events/s of the run phase (set-up excluded); *events_run gets the handler count.
double run_hold_benchmark(std::uint64_t pending, std::uint64_t events,
                          std::uint64_t* events_run = nullptr);

}  // namespace maillab::sim
