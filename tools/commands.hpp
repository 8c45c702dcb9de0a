// The sub-commands of `maillab` (docs/cli.md), one file each. Every register_* adds its
// sub-command to the app and sets `exit_code` from its callback when it runs.
#pragma once

#include <CLI/CLI.hpp>

#include <string_view>

namespace maillab::tools {

// The last line of every --help: where the complete reference is.
inline constexpr std::string_view kHelpPages =
    "Reference (in the maillab source tree): docs/cli.md (every command, option and exit "
    "code) and docs/scenario-format.md (every scenario key, event and check).";

void register_run(CLI::App& app, int& exit_code);
void register_list(CLI::App& app, int& exit_code);
void register_bench(CLI::App& app, int& exit_code);
void register_viz(CLI::App& app, int& exit_code);
void register_serve(CLI::App& app, int& exit_code);
void register_check(CLI::App& app, int& exit_code);
void register_chaos(CLI::App& app, int& exit_code);

}  // namespace maillab::tools
