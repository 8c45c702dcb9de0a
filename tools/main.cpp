// maillab: the one command (shared/spec/cli.md). Exit codes: 0 success, 1 a check failed,
// 2 bad usage or an invalid scenario. Only the command's own output goes to stdout.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>

#include "scenarios/library.hpp"
#include "scenarios/runner.hpp"
#include "sim/hold_benchmark.hpp"

using namespace maillab;

namespace {

// CLI11 validator/transform for durations written as the scenario format writes them.
bool parse_duration_arg(const std::string& text, std::int64_t& out, std::string& error) {
  auto d = scenario::parse_duration(text, &error);
  if (!d) return false;
  out = *d;
  return true;
}

int cmd_list() {
  for (const auto& b : scenario::builtin_scenarios()) {
    auto loaded = scenario::load_scenario_text(b.text, "builtin:" + std::string(b.name));
    if (auto* s = std::get_if<scenario::Scenario>(&loaded)) {
      std::cout << s->id << "\t" << s->title << "\n";
    } else {
      std::cout << b.name << "\t(invalid: " << std::get<scenario::LoadError>(loaded).str() << ")\n";
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"maillab: a mail protocol simulator and teaching/test lab"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "maillab 0.1.0");

  // run
  auto* run = app.add_subcommand("run", "Run a scenario headless: timeline, checks, exit code");
  std::string scenario_arg;
  scenario::RunOptions opt;
  std::uint64_t seed = 0;
  std::string until;
  run->add_option("SCENARIO", scenario_arg, "a scenario file or a built-in name")->required();
  auto* seed_opt = run->add_option("--seed", seed, "override the scenario's seed");
  run->add_option("--until", until, "stop earlier or later than the scenario's duration");
  run->add_flag("--quiet", opt.quiet, "no timeline, only the checks and the closing line");
  run->add_option("--trace", opt.trace_file, "every trace event as JSON Lines");
  run->add_option("--mailboxes", opt.mailboxes_dir, "write every mailbox as real files here");
  run->add_option("--queue", opt.queue_dir, "write every queued message here");
  run->add_option("--junit", opt.junit_file, "expectations as JUnit XML");
  std::string pcap, svg;
  run->add_option("--pcap", pcap, "the virtual packets as a pcap capture (not supported yet)");
  run->add_option("--svg", svg, "the timeline as an SVG sequence chart (not supported yet)");

  auto* list = app.add_subcommand("list", "The built-in scenarios, one line each: id and title");

  auto* bench = app.add_subcommand("bench", "Performance workloads (shared/bench/README.md)");
  bench->require_subcommand(1);
  auto* kernel = bench->add_subcommand("kernel", "The hold model on the event kernel");
  std::uint64_t pending = 100000, events = 10000000;
  kernel->add_option("--pending", pending, "events pending at any time (P)");
  kernel->add_option("--events", events, "events to run (N)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }

  if (*list) return cmd_list();
  if (*kernel) {
    std::uint64_t ran = 0;
    double eps = sim::run_hold_benchmark(pending, events, &ran);
    std::printf("pending=%llu events=%llu events_per_s=%.0f\n",
                static_cast<unsigned long long>(pending), static_cast<unsigned long long>(ran), eps);
    return 0;
  }
  if (*run) {
    if (!pcap.empty() || !svg.empty()) {
      std::cerr << "maillab: --pcap and --svg are not supported yet (see the open issues)\n";
      return 2;
    }
    if (*seed_opt) opt.seed = seed;
    if (!until.empty()) {
      std::int64_t ns = 0;
      std::string error;
      if (!parse_duration_arg(until, ns, error)) {
        std::cerr << "maillab: --until: " << error << "\n";
        return 2;
      }
      opt.until_ns = ns;
    }
    auto loaded = scenario::load_scenario(scenario_arg);
    if (auto* e = std::get_if<scenario::LoadError>(&loaded)) {
      std::cerr << e->str() << "\n";
      return 2;
    }
    return scenario::run(std::get<scenario::Scenario>(loaded), opt, std::cout, std::cerr);
  }
  return 2;
}
