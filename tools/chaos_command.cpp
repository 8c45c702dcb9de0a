// maillab chaos SCENARIO --seeds A-B (cli.md; scenarios/chaos.hpp): randomised faults per
// seed, invariants checked, every violation printed with the command that replays it.
// Seeds run on local threads (--jobs); the report is printed in seed order, so the output
// does not depend on the number of threads.
#include <atomic>
#include <charconv>
#include <iostream>
#include <thread>

#include "scenarios/chaos.hpp"
#include "scenarios/library.hpp"
#include "tools/commands.hpp"

namespace maillab::tools {

namespace {

bool parse_range(const std::string& text, std::uint64_t& a, std::uint64_t& b) {
  auto dash = text.find('-');
  std::string_view first = std::string_view(text).substr(0, dash);
  std::string_view last = dash == std::string::npos ? first : std::string_view(text).substr(dash + 1);
  auto r1 = std::from_chars(first.data(), first.data() + first.size(), a);
  auto r2 = std::from_chars(last.data(), last.data() + last.size(), b);
  return r1.ec == std::errc() && r1.ptr == first.data() + first.size() && r2.ec == std::errc() &&
         r2.ptr == last.data() + last.size() && a <= b;
}

}  // namespace

void register_chaos(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("chaos", "Randomised faults over many seeds, invariants checked");
  struct Args {
    std::string scenario, seeds = "1-100", plant;
    unsigned jobs = std::max(1u, std::thread::hardware_concurrency());
    int max_faults = 4;
    bool verbose = false;
  };
  auto args = std::make_shared<Args>();
  cmd->add_option("SCENARIO", args->scenario, "a scenario file, a built-in name, or `all`")->required();
  cmd->add_option("--seeds", args->seeds, "a seed range A-B (inclusive)");
  cmd->add_option("--jobs", args->jobs, "threads to run seeds on");
  cmd->add_option("--max-faults", args->max_faults, "at most this many faults per seed (default 4)");
  cmd->add_flag("--verbose", args->verbose, "print every seed's faults");
  cmd->add_option("--plant", args->plant,
                  "plant a bug to show chaos finds it: forget-queue (a crash wipes the queue)");
  cmd->callback([args, &exit_code] {
    std::uint64_t first = 0, last = 0;
    if (!parse_range(args->seeds, first, last)) {
      std::cerr << "maillab chaos: --seeds: expected A-B, found '" << args->seeds << "'\n";
      exit_code = 2;
      return;
    }
    if (!args->plant.empty() && args->plant != "forget-queue") {
      std::cerr << "maillab chaos: --plant: the only planted bug is forget-queue\n";
      exit_code = 2;
      return;
    }
    std::vector<scenario::Scenario> scenarios;
    if (args->scenario == "all") {
      for (const auto& b : scenario::builtin_scenarios()) {
        auto loaded = scenario::load_scenario_text(b.text, "builtin:" + std::string(b.name));
        scenarios.push_back(std::get<scenario::Scenario>(std::move(loaded)));
      }
    } else {
      auto loaded = scenario::load_scenario(args->scenario);
      if (auto* e = std::get_if<scenario::LoadError>(&loaded)) {
        std::cerr << e->str() << "\n";
        exit_code = 2;
        return;
      }
      scenarios.push_back(std::get<scenario::Scenario>(std::move(loaded)));
    }
    scenario::ChaosOptions opt;
    opt.max_faults = std::max(1, args->max_faults);
    if (args->plant == "forget-queue") {
      opt.prepare = [](scenario::World& w) {
        w.on_crash = [](scenario::HostNode& h) {
          for (const auto& path : h.disk.list("queue/")) h.disk.remove(path);
        };
      };
    }
    const std::uint64_t count = last - first + 1;
    const std::size_t total = scenarios.size() * count;
    std::vector<scenario::SeedReport> reports(total);
    std::atomic<std::size_t> next{0};
    auto worker = [&] {
      for (std::size_t i = next++; i < total; i = next++) {
        reports[i] = scenario::run_chaos_seed(scenarios[i / count], first + i % count, opt);
      }
    };
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < std::max(1u, args->jobs); ++t) pool.emplace_back(worker);
    for (auto& t : pool) t.join();

    std::size_t failed = 0, messages = 0, faults = 0;
    for (std::size_t i = 0; i < total; ++i) {
      const auto& r = reports[i];
      const auto& s = scenarios[i / count];
      messages += r.messages;
      faults += static_cast<std::size_t>(r.faults);
      if (args->verbose || !r.violations.empty()) {
        std::cout << s.id << " seed " << r.seed << ": " << r.faults << " fault(s)";
        for (const auto& f : r.fault_log) std::cout << "\n    " << f;
        std::cout << "\n";
      }
      for (const auto& v : r.violations) {
        std::cout << "  VIOLATION " << v.invariant << ": " << v.detail << "\n";
      }
      if (!r.violations.empty()) {
        ++failed;
        std::cout << "  replay: maillab chaos " << (args->scenario == "all" ? s.id : args->scenario)
                  << " --seeds " << r.seed << "-" << r.seed << " --verbose"
                  << (args->plant.empty() ? "" : " --plant " + args->plant) << "\n";
      }
    }
    std::cout << "chaos: " << scenarios.size() << " scenario(s) x " << count << " seed(s), "
              << faults << " faults, " << messages << " messages queued\n";
    std::cout << (total - failed) << " passed, " << failed << " failed\n";
    exit_code = failed == 0 ? 0 : 1;
  });
}

}  // namespace maillab::tools
