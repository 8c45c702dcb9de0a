// maillab: the one command (shared/spec/cli.md). Exit codes: 0 success, 1 a check failed,
// 2 bad usage or an invalid scenario. Only the command's own output goes to stdout.
#include "tools/commands.hpp"

int main(int argc, char** argv) {
  CLI::App app{"maillab: a mail protocol simulator and teaching/test lab"};
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
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  return exit_code;
}
