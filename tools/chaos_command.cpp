// maillab chaos SCENARIO --seeds A-B (cli.md; scenarios/chaos.hpp): randomised faults per
// seed, invariants checked, every violation printed with the command that replays it.
// Seeds run on local threads (--jobs) and, under `mpirun -np N`, over N processes
// (tools/mpi_sweep.hpp: rank r takes items r, r+N, ...; rank 0 gathers and prints). The
// report is printed in seed order, so the output does not depend on threads or ranks.
#include <atomic>
#include <charconv>
#include <iostream>
#include <system_error>
#include <thread>

#include "protocols/message/peer_text.hpp"
#include "scenarios/chaos.hpp"
#include "tools/mpi_sweep.hpp"
#include "scenarios/library.hpp"
#include "tools/commands.hpp"

namespace maillab::tools {

namespace {

// More threads than this is a typing mistake, not a machine (--jobs 100000 once aborted).
constexpr unsigned kMaxJobs = 1024;

bool parse_range(const std::string& text, std::uint64_t& a, std::uint64_t& b) {
  auto dash = text.find('-');
  std::string_view first = std::string_view(text).substr(0, dash);
  std::string_view last = dash == std::string::npos ? first : std::string_view(text).substr(dash + 1);
  auto r1 = std::from_chars(first.data(), first.data() + first.size(), a);
  auto r2 = std::from_chars(last.data(), last.data() + last.size(), b);
  return r1.ec == std::errc() && r1.ptr == first.data() + first.size() && r2.ec == std::errc() &&
         r2.ptr == last.data() + last.size() && a <= b;
}

// One rank's results for the gather: (item index, report) records with length-prefixed
// strings, so details with any bytes survive the trip.
void put_string(std::string& out, const std::string& s) {
  out += std::to_string(s.size());
  out += ':';
  out += s;
}

void put_number(std::string& out, std::uint64_t n) {
  out += std::to_string(n);
  out += ';';
}

std::uint64_t take_number(std::string_view& in) {
  auto end = in.find(';');
  std::uint64_t n = 0;
  std::from_chars(in.data(), in.data() + end, n);
  in.remove_prefix(end + 1);
  return n;
}

std::string take_string(std::string_view& in) {
  auto colon = in.find(':');
  std::size_t n = 0;
  std::from_chars(in.data(), in.data() + colon, n);
  std::string s(in.substr(colon + 1, n));
  in.remove_prefix(colon + 1 + n);
  return s;
}

std::string encode_reports(const std::vector<scenario::SeedReport>& reports,
                           const std::vector<bool>& ran) {
  std::string out;
  for (std::size_t i = 0; i < reports.size(); ++i) {
    if (!ran[i]) continue;
    const auto& r = reports[i];
    put_number(out, i);
    put_number(out, r.seed);
    put_number(out, static_cast<std::uint64_t>(r.faults));
    put_number(out, r.messages);
    put_number(out, r.fault_log.size());
    for (const auto& f : r.fault_log) put_string(out, f);
    put_number(out, r.violations.size());
    for (const auto& v : r.violations) {
      put_string(out, v.invariant);
      put_string(out, v.detail);
    }
  }
  return out;
}

void decode_reports(std::string_view in, std::vector<scenario::SeedReport>& reports) {
  while (!in.empty()) {
    auto& r = reports.at(take_number(in));
    r.seed = take_number(in);
    r.faults = static_cast<int>(take_number(in));
    r.messages = take_number(in);
    r.fault_log.resize(take_number(in));
    for (auto& f : r.fault_log) f = take_string(in);
    r.violations.resize(take_number(in));
    for (auto& v : r.violations) {
      v.invariant = take_string(in);
      v.detail = take_string(in);
    }
  }
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
  cmd->add_option("--jobs", args->jobs, "threads to run seeds on (1-1024)");
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
    if (args->jobs < 1 || args->jobs > kMaxJobs) {
      std::cerr << "maillab chaos: --jobs: expected 1 to " << kMaxJobs << " threads, found " << args->jobs << "\n";
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
    MpiSweep sweep;
    std::vector<std::size_t> items;  // this rank's share
    for (std::size_t i = 0; i < total; ++i) {
      if (sweep.mine(i)) items.push_back(i);
    }
    if (sweep.active() && sweep.rank() == 0) {
      std::cerr << "chaos: " << sweep.size() << " MPI rank(s) x " << args->jobs
                << " thread(s)\n";
    }
    std::vector<scenario::SeedReport> reports(total);
    std::vector<bool> ran(total, false);
    std::atomic<std::size_t> next{0};
    auto worker = [&] {
      for (std::size_t k = next++; k < items.size(); k = next++) {
        std::size_t i = items[k];
        reports[i] = scenario::run_chaos_seed(scenarios[i / count], first + i % count, opt);
      }
    };
    // No more threads than seeds. A thread the system refuses (EAGAIN: a limit on threads
    // or memory) is said on stderr, never thrown: the seeds go to the threads that did
    // start, or to this one.
    const std::size_t jobs = std::min<std::size_t>(args->jobs, std::max<std::size_t>(1, items.size()));
    std::vector<std::thread> pool;
    for (std::size_t t = 0; t < jobs; ++t) {
      try {
        pool.emplace_back(worker);
      } catch (const std::system_error& e) {
        std::cerr << "maillab chaos: --jobs " << args->jobs << ": started " << pool.size()
                  << " thread(s), the system refused more (" << e.what() << ")\n";
        break;
      }
    }
    if (pool.empty()) worker();
    for (auto& t : pool) t.join();
    for (std::size_t i : items) ran[i] = true;
    if (sweep.size() > 1) {
      auto blobs = sweep.gather(encode_reports(reports, ran));
      for (std::size_t r = 1; r < blobs.size(); ++r) decode_reports(blobs[r], reports);
      if (sweep.rank() != 0) {
        exit_code = sweep.broadcast(0);
        return;
      }
    }

    std::size_t failed = 0, messages = 0, faults = 0;
    for (std::size_t i = 0; i < total; ++i) {
      const auto& r = reports[i];
      const auto& s = scenarios[i / count];
      messages += r.messages;
      faults += static_cast<std::size_t>(r.faults);
      if (args->verbose || !r.violations.empty()) {
        std::cout << s.id << " seed " << r.seed << ": " << r.faults << " fault(s)";
        for (const auto& f : r.fault_log) std::cout << "\n    " << message::terminal_safe(f);
        std::cout << "\n";
      }
      for (const auto& v : r.violations) {
        std::cout << "  VIOLATION " << v.invariant << ": " << message::terminal_safe(v.detail) << "\n";
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
    exit_code = sweep.broadcast(failed == 0 ? 0 : 1);
  });
}

}  // namespace maillab::tools
