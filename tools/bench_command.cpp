// maillab bench kernel|mail|hosts|tls (docs/cli.md, docs/performance.md); mail, hosts and
// tls are in bench_mail.cpp, bench_hosts.cpp and bench_tls.cpp.
#include <cstdio>

#include "sim/hold_benchmark.hpp"
#include "tools/bench_commands.hpp"
#include "tools/commands.hpp"

namespace maillab::tools {

void register_bench(CLI::App& app, int& exit_code) {
  auto* bench = app.add_subcommand("bench", "Performance workloads (how each is run and what it measured: docs/performance.md)");
  bench->require_subcommand(1);
  auto* kernel = bench->add_subcommand("kernel", "The hold model on the event kernel");
  struct Args {
    std::uint64_t pending = 100000, events = 10000000;
  };
  auto args = std::make_shared<Args>();
  kernel->add_option("--pending", args->pending, "events pending at any time (P)");
  kernel->add_option("--events", args->events, "events to run (N)");
  kernel->callback([args, &exit_code] {
    std::uint64_t ran = 0;
    double eps = sim::run_hold_benchmark(args->pending, args->events, &ran);
    std::printf("pending=%llu events=%llu events_per_s=%.0f\n",
                static_cast<unsigned long long>(args->pending),
                static_cast<unsigned long long>(ran), eps);
    exit_code = 0;
  });
  register_bench_mail(*bench, exit_code);
  register_bench_hosts(*bench, exit_code);
  register_bench_tls(*bench, exit_code);
}

}  // namespace maillab::tools
