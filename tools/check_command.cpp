// maillab check URL (cli.md): a conformance probe of an external SMTP, POP3, IMAP or DNS
// server (bridge/check/check.hpp). stdout: the table and the closing line; stderr: a bad
// URL or option (exit 2). Exit 1 when a MUST check failed, else 0.
#include <iostream>
#include <memory>

#include "bridge/check/check.hpp"
#include "tools/commands.hpp"

namespace maillab::tools {

namespace {
struct CheckArgs {
  check::Options opt;
  std::string format = "text";
  double timeout_s = 10;
};
}  // namespace

void register_check(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("check", "Conformance probe of an external SMTP, POP3, IMAP or DNS server");
  auto args = std::make_shared<CheckArgs>();
  cmd->add_option("URL", args->opt.url,
                  "smtp[s]://HOST[:PORT], pop3[s]://USER:PASS@HOST[:PORT], imap[s]://USER:PASS@HOST[:PORT] or "
                  "dns://HOST[:PORT]/ZONE")
      ->required();
  cmd->add_option("--format", args->format, "text (default) or markdown (a GitHub table)");
  cmd->add_option("--timeout", args->timeout_s, "seconds to wait for each reply (default 10)");
  cmd->add_option("--from", args->opt.from, "SMTP: envelope sender (default check@maillab.test)");
  cmd->add_option("--rcpt", args->opt.rcpt,
                  "SMTP: a recipient the server accepts (enables the transaction checks)");
  cmd->add_option("--helo", args->opt.helo, "SMTP: the EHLO/HELO name (default maillab.check)");
  cmd->add_option("--fetch", args->opt.fetch,
                  "SMTP: pop3://USER:PASS@HOST:PORT where --rcpt's mail arrives (dot-stuffing round trip)");
  cmd->add_option("--user", args->opt.user,
                  "SMTP: AUTH PLAIN (LOGIN as fallback) when offered; POP3, IMAP: instead of USER in the URL");
  cmd->add_option("--password", args->opt.password, "the password for --user (both or neither)");
  cmd->add_option("--name", args->opt.name, "DNS: an extra name that should resolve");
  cmd->add_flag("--starttls", args->opt.starttls,
                "smtp, pop3, imap: require STARTTLS (STLS); without it, it is used when offered");
  cmd->add_option("--cafile", args->opt.cafile,
                  "CA certificates (PEM) the server's certificate must chain to (serve --ca-out writes one)");
  cmd->callback([args, &exit_code] {
    if (args->format != "text" && args->format != "markdown") {
      std::cerr << "maillab check: --format must be text or markdown, not '" << args->format << "'\n";
      exit_code = 2;
      return;
    }
    if (!(args->timeout_s > 0) || args->timeout_s > 3600) {
      std::cerr << "maillab check: --timeout must be between 0 and 3600 seconds\n";
      exit_code = 2;
      return;
    }
    args->opt.markdown = args->format == "markdown";
    args->opt.timeout = std::chrono::milliseconds(static_cast<long long>(args->timeout_s * 1000 + 0.5));
    if (args->opt.timeout.count() == 0) args->opt.timeout = std::chrono::milliseconds(1);
    exit_code = check::run(args->opt, std::cout, std::cerr);
  });
}

}  // namespace maillab::tools
