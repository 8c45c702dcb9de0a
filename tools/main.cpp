// maillab: the one command (docs/cli.md). Exit codes: 0 success, 1 a check failed,
// 2 bad usage or an invalid scenario. Only the command's own output goes to stdout.
//
// `maillab` alone prints the help on stdout and exits 2 (a usage error, as `git` without
// a command is); `maillab help [COMMAND...]` and `--help` print it and exit 0. A
// command's help ends with its exit codes and where the reference pages are (kHelpPages);
// a number option never takes a sign.
#include <iostream>

#include "tools/commands.hpp"

namespace {

using maillab::tools::kHelpPages;

// What each command's exit codes mean (docs/cli.md), added to its --help.
struct ExitCodes {
  std::string_view command, text;
};
constexpr ExitCodes kExitCodes[] = {
    {"run",
     "Exit codes: 0 every check passed; 1 a check failed; 2 bad usage, an invalid scenario "
     "(FILE:LINE:COLUMN: error: ...) or an output that could not be written."},
    {"list", "Exit codes: 0; 1 a built-in scenario does not load."},
    {"viz", "Exit codes: 0 closed or screenshot written; 2 bad usage, an invalid scenario, no "
            "video driver or a screenshot that could not be written."},
    {"serve", "Exit codes: 0 stopped cleanly (SIGINT, SIGTERM or --until); 2 bad usage, an "
              "invalid scenario or an address that cannot be bound or is not loopback."},
    {"check", "Exit codes: 0 no MUST check failed; 1 a MUST check failed; 2 a bad URL or option."},
    {"chaos", "Exit codes: 0 no invariant violated; 1 a violation (each printed with the command "
              "that replays it); 2 bad usage or an invalid scenario."},
    {"bench", "Exit codes: 0 done; 1 a workload did not verify; 2 bad usage."},
};

void add_footers(CLI::App& app, bool top) {
  std::string footer;
  if (top) {
    footer = "Run `maillab help COMMAND` (or `maillab COMMAND --help`) for a command's options.";
  }
  for (const ExitCodes& e : kExitCodes)
    if (e.command == app.get_name()) footer = std::string(e.text);
  app.footer((footer.empty() ? "" : footer + "\n") + std::string(kHelpPages));
  for (CLI::App* sub : app.get_subcommands({})) add_footers(*sub, false);
}

// CLI11 converts `-1` for an unsigned option to 18446744073709551615: refuse a sign.
void refuse_negative_numbers(CLI::App& app) {
  const CLI::Validator whole_number(
      [](std::string& text) -> std::string {
        if (text.find_first_of("-+") == std::string::npos) return "";
        return "must be a whole number, 0 or more, without a sign; found " + text;
      },
      "", "whole number");
  for (CLI::Option* opt : app.get_options())
    if (opt->get_type_name().rfind("UINT", 0) == 0) opt->check(whole_number);
  for (CLI::App* sub : app.get_subcommands({})) refuse_negative_numbers(*sub);
}

// `maillab help [COMMAND...]`: the help of the app or of that (sub-)command, on stdout.
int print_help(CLI::App& app, const std::vector<std::string>& words) {
  CLI::App* target = &app;
  std::string path = "maillab";
  for (const std::string& w : words) {
    CLI::App* next = nullptr;
    for (CLI::App* sub : target->get_subcommands({}))
      if (sub->get_name() == w) next = sub;
    if (!next || w == "help") {
      std::cerr << "maillab help: no command `" << path << " " << w << "`; commands: ";
      bool first = true;
      for (CLI::App* sub : target->get_subcommands({})) {
        if (sub->get_name() == "help") continue;
        std::cerr << (first ? "" : ", ") << sub->get_name();
        first = false;
      }
      std::cerr << "\n";
      return 2;
    }
    target = next;
    path += " " + w;
  }
  // Not target->help(): once `help` is parsed, CLI11 would print the help of `help`.
  std::cout << target->get_formatter()->make_help(target, path, CLI::AppFormatMode::Normal);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"maillab: a mail protocol simulator and teaching/test lab", "maillab"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "maillab 0.1.0");
  int exit_code = 0;
  using namespace maillab::tools;
  register_run(app, exit_code);
  register_list(app, exit_code);
  register_bench(app, exit_code);
  register_viz(app, exit_code);
  register_serve(app, exit_code);
  register_check(app, exit_code);
  register_chaos(app, exit_code);
  auto* help = app.add_subcommand("help", "Print this help, or a command's: maillab help run");
  std::vector<std::string> help_words;
  help->add_option("COMMAND", help_words, "a command (and its sub-command: bench mail)");
  add_footers(app, true);
  refuse_negative_numbers(app);
  if (argc <= 1) {
    std::cout << app.help();
    return 2;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  if (help->parsed()) return print_help(app, help_words);
  return exit_code;
}
