// maillab run SCENARIO (cli.md) and maillab list.
#include <iostream>
#include <memory>
#include <string>

#include "scenarios/library.hpp"
#include "scenarios/runner.hpp"
#include "tools/commands.hpp"
#include "viz/exports.hpp"

namespace maillab::tools {

void register_run(CLI::App& app, int& exit_code) {
  auto* run = app.add_subcommand("run", "Run a scenario headless: timeline, checks, exit code");
  struct Args {
    std::string scenario, until;
    std::uint64_t seed = 0;
    std::string pcap_file, svg_file;
    scenario::RunOptions opt;
  };
  auto args = std::make_shared<Args>();
  run->add_option("SCENARIO", args->scenario, "a scenario file or a built-in name")->required();
  auto* seed_opt = run->add_option("--seed", args->seed, "override the scenario's seed");
  run->add_option("--until", args->until, "stop earlier or later than the scenario's duration");
  run->add_flag("--quiet", args->opt.quiet, "no timeline, only the checks and the closing line");
  run->add_option("--trace", args->opt.trace_file, "every trace event as JSON Lines");
  run->add_option("--mailboxes", args->opt.mailboxes_dir, "write every mailbox as real files here");
  run->add_option("--queue", args->opt.queue_dir, "write every queued message here");
  run->add_option("--junit", args->opt.junit_file, "expectations as JUnit XML");
  run->add_option("--pcap", args->pcap_file, "the virtual packets as a pcap capture");
  run->add_option("--svg", args->svg_file, "the timeline as an SVG sequence chart");
  run->add_option("--keylog", args->opt.keylog_file,
                  "append the TLS secrets in the NSS key log format (Wireshark decrypts a --pcap with it)");
  run->callback([args, seed_opt, &exit_code] {
    scenario::RunOptions opt = args->opt;
    if (*seed_opt) opt.seed = args->seed;
    if (!args->until.empty()) {
      std::string error;
      auto ns = scenario::parse_duration(args->until, &error);
      if (!ns) {
        std::cerr << "maillab: --until: " << error << "\n";
        exit_code = 2;
        return;
      }
      opt.until_ns = *ns;
    }
    // --svg and --pcap (viz/exports.hpp): the recorder is attached once the world is built.
    viz::add_export_hooks(opt, args->svg_file, args->pcap_file);
    auto loaded = scenario::load_scenario(args->scenario);
    if (auto* e = std::get_if<scenario::LoadError>(&loaded)) {
      std::cerr << e->str() << "\n";
      if (!opt.junit_file.empty()) scenario::write_junit_error(opt.junit_file, args->scenario, e->str(), std::cerr);
      exit_code = 2;
      return;
    }
    exit_code = scenario::run(std::get<scenario::Scenario>(loaded), opt, std::cout, std::cerr);
  });
}

void register_list(CLI::App& app, int& exit_code) {
  auto* list = app.add_subcommand("list", "The built-in scenarios, one line each: id and title");
  list->callback([&exit_code] {
    for (const auto& b : scenario::builtin_scenarios()) {
      auto loaded = scenario::load_scenario_text(b.text, "builtin:" + std::string(b.name));
      if (auto* s = std::get_if<scenario::Scenario>(&loaded)) {
        std::cout << s->id << "\t" << s->title << "\n";
      } else {
        std::cout << b.name << "\t(invalid: " << std::get<scenario::LoadError>(loaded).str()
                  << ")\n";
        exit_code = 1;
      }
    }
  });
}

}  // namespace maillab::tools
