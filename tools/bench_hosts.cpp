// maillab bench hosts --hosts N (shared/bench/README.md section 2): what an idle MTA host
// costs. Builds N hosts the way the simulation does (a network node named like
// "mx123456.example" with its address, a virtual disk, a SimRuntime, an mta::Mta started
// with an empty queue: listening on port 25, its queue scan armed, no connection open) and
// prints `hosts=N bytes_per_host=B peak_rss_mb=R` last.
//
// bytes_per_host is the heap delta (glibc mallinfo2: bytes handed out by malloc, chunk
// headers included) around building the N hosts, divided by N: it counts every allocation
// the hosts make (names, maps, the host table itself, the scan timer's event slot) and
// nothing the process had before. The line before it gives the RSS delta per host too.
// The MTAs share one configuration (as a scenario's hosts with the same `mta:` block
// would): each takes its myhostname from its runtime.
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "protocols/mta/mta.hpp"
#include "scenarios/sim_runtime.hpp"
#include "sim/network.hpp"
#include "sim/simulator.hpp"
#include "sim/trace_recorder.hpp"
#include "tools/bench_commands.hpp"
#include "tools/bench_memory.hpp"

namespace maillab::tools {

namespace {

std::size_t current_rss_bytes() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (!f) return 0;
  unsigned long size = 0, resident = 0;
  int got = std::fscanf(f, "%lu %lu", &size, &resident);
  std::fclose(f);
  return got == 2 ? resident * 4096 : 0;
}

struct IdleHost {
  io::MemoryDisk disk;
  std::unique_ptr<scenario::SimRuntime> rt;
  std::unique_ptr<mta::Mta> mta;
};

}  // namespace

void register_bench_hosts(CLI::App& bench, int& exit_code) {
  auto* hosts = bench.add_subcommand("hosts", "Memory per idle MTA host");
  auto n = std::make_shared<std::uint64_t>(1000000);
  hosts->add_option("--hosts", *n, "idle MTA hosts to build (N)")->check(CLI::Range(1, 4000000));
  hosts->callback([n, &exit_code] {
    sim::Simulator sim(1);
    sim::TraceRecorder trace;
    trace.set_enabled(false);
    auto cfg = std::make_shared<mta::MtaConfig>();
    cfg->domains = {"example"};
    cfg->resolver = "172.16.0.1";
    std::shared_ptr<const mta::MtaConfig> shared = cfg;

    const std::size_t heap0 = heap_in_use();
    const std::size_t rss0 = current_rss_bytes();
    const auto t0 = std::chrono::steady_clock::now();
    {
      sim::Network net(sim);
      std::vector<IdleHost> all(*n);
      for (std::uint64_t i = 0; i < *n; ++i) {
        const auto address = static_cast<sim::Address>(0x0A000000u + i + 1);
        std::string name = "mx" + std::to_string(i) + ".example";
        net.add_host(name, address);
        IdleHost& h = all[i];
        h.rt = std::make_unique<scenario::SimRuntime>(sim, net, trace, std::move(name),
                                                      sim::format_address(address), h.disk);
        h.mta = std::make_unique<mta::Mta>(*h.rt, shared);
        h.mta->start();
      }
      const std::size_t heap1 = heap_in_use();
      const std::size_t rss1 = current_rss_bytes();
      const double build_s =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      // The hosts are idle, not dead: one simulated second passes with them all up.
      sim.run_until(1'000'000'000);
      std::printf("build_s=%.2f heap_bytes=%zu rss_bytes_per_host=%.0f pending_events=%zu "
                  "method=mallinfo2\n",
                  build_s, heap1 - heap0, static_cast<double>(rss1 - rss0) / static_cast<double>(*n),
                  sim.pending());
      std::printf("hosts=%llu bytes_per_host=%.0f peak_rss_mb=%.1f\n",
                  static_cast<unsigned long long>(*n),
                  static_cast<double>(heap1 - heap0) / static_cast<double>(*n), peak_rss_mb());
      std::fflush(stdout);
      for (auto& h : all) h.mta.reset();
    }
    exit_code = 0;
  });
}

}  // namespace maillab::tools
