// Sub-commands of cli.md whose issues are still open: they exist, say so clearly and
// exit 2, rather than being unknown words. Each moves to its own file when it lands.
#include <iostream>

#include "tools/commands.hpp"

namespace maillab::tools {

namespace {
void pending(CLI::App& app, const char* name, const char* what, int& exit_code) {
  auto* cmd = app.add_subcommand(name, what);
  cmd->allow_extras();
  cmd->callback([name, &exit_code] {
    std::cerr << "maillab " << name << ": not supported yet in this version\n";
    exit_code = 2;
  });
}
}  // namespace

void register_check(CLI::App& app, int& exit_code) {
  pending(app, "check", "Conformance probe of an external SMTP, POP3 or DNS server", exit_code);
}

}  // namespace maillab::tools
