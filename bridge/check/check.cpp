// check::run: URL and option validation, then the protocol's check table.
#include "bridge/check/check.hpp"

#include "bridge/check/tls_probe.hpp"
#include "protocols/dns/name.hpp"
#include "protocols/smtp/path.hpp"

namespace maillab::check {

int run(const Options& options, std::ostream& out, std::ostream& err) {
  std::string error;
  auto url = parse_url(options.url, &error);
  if (!url) {
    err << "maillab check: " << error << "\n";
    return 2;
  }
  if (options.timeout.count() <= 0) {
    err << "maillab check: --timeout must be positive\n";
    return 2;
  }
  std::optional<Url> fetch;
  if (!options.fetch.empty()) {
    fetch = parse_url(options.fetch, &error);
    if (!fetch) {
      err << "maillab check: --fetch: " << error << "\n";
      return 2;
    }
    if (fetch->scheme != Url::Scheme::Pop3 || !fetch->has_credentials) {
      err << "maillab check: --fetch needs a pop3://USER:PASS@HOST[:PORT] URL\n";
      return 2;
    }
  }
  if (options.user.empty() != options.password.empty()) {
    err << "maillab check: --user and --password go together (and neither may be empty)\n";
    return 2;
  }
  if (!options.user.empty()) {
    if (url->scheme == Url::Scheme::Dns) {
      err << "maillab check: --user and --password are for smtp://, pop3:// and imap:// URLs\n";
      return 2;
    }
    if (url->has_credentials) {
      err << "maillab check: the URL carries USER:PASS already; give the credentials once\n";
      return 2;
    }
    for (char ch : options.user + options.password) {
      if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) {
        err << "maillab check: --user and --password must not hold control characters\n";
        return 2;
      }
    }
    if (url->scheme == Url::Scheme::Pop3 || url->scheme == Url::Scheme::Imap) {
      url->user = options.user;
      url->password = options.password;
      url->has_credentials = true;
    }
  }
  const bool smtp = url->scheme == Url::Scheme::Smtp;
  if (!smtp && (!options.rcpt.empty() || !options.fetch.empty() || !options.helo.empty())) {
    err << "maillab check: --rcpt, --helo and --fetch are for smtp:// URLs\n";
    return 2;
  }
  if (url->scheme != Url::Scheme::Dns && !options.name.empty()) {
    err << "maillab check: --name is for dns:// URLs\n";
    return 2;
  }
  if (smtp) {
    if (!smtp::parse_reverse_path("<" + options.from + ">").ok()) {
      err << "maillab check: --from '" << options.from << "' is not a mailbox (local@domain)\n";
      return 2;
    }
    if (!options.rcpt.empty() && !smtp::parse_forward_path("<" + options.rcpt + ">").ok()) {
      err << "maillab check: --rcpt '" << options.rcpt << "' is not a mailbox (local@domain)\n";
      return 2;
    }
    if (fetch && options.rcpt.empty()) {
      err << "maillab check: --fetch needs --rcpt (the mailbox it reads)\n";
      return 2;
    }
  }
  if (url->scheme == Url::Scheme::Dns) {
    if (!dns::canonical_name(url->path, &error)) {
      err << "maillab check: zone '" << url->path << "': " << error << "\n";
      return 2;
    }
    if (!options.name.empty() && !dns::canonical_name(options.name, &error)) {
      err << "maillab check: --name '" << options.name << "': " << error << "\n";
      return 2;
    }
  }

  if (url->scheme == Url::Scheme::Dns && (options.starttls || !options.cafile.empty())) {
    err << "maillab check: --starttls and --cafile are for smtp, pop3 and imap URLs\n";
    return 2;
  }
  if (options.starttls) {
    if (url->tls == Url::Tls::Implicit) {
      err << "maillab check: --starttls is for the plain URLs (smtp://, pop3://, imap://); "
             "smtps://, pop3s:// and imaps:// are TLS from the first byte\n";
      return 2;
    }
    url->tls = Url::Tls::Required;
  }
  if (url->scheme != Url::Scheme::Dns) {
    url->tls_setup = make_tls_setup(options.cafile, &error);
    if (!url->tls_setup) {
      err << "maillab check: " << error << "\n";
      return 2;
    }
    if (fetch) fetch->tls_setup = url->tls_setup;  // pop3s:// (the engine does no opportunistic STLS)
  }

  Report report;
  if (url->scheme != Url::Scheme::Dns) report = check_tls(*url, options);
  // A TLS URL (smtps, pop3s, imaps, --starttls) without TLS: the TLS rows say why, and
  // the protocol's rows are not run (each would fail the same way).
  bool tls_failed = false;
  for (const Row& r : report.rows()) tls_failed = tls_failed || (r.name == kTlsHandshakeRow && r.result.outcome != Outcome::Pass);
  Report rows;
  if (!tls_failed) {
    switch (url->scheme) {
      case Url::Scheme::Smtp: rows = check_smtp(*url, options, fetch ? &*fetch : nullptr); break;
      case Url::Scheme::Pop3: rows = check_pop3(*url, options); break;
      case Url::Scheme::Imap: rows = check_imap(*url, options); break;
      case Url::Scheme::Dns: rows = check_dns(*url, options); break;
    }
  }
  for (const Row& r : rows.rows()) report.add(r.name, r.section, r.level, r.result);
  if (options.markdown) {
    report.print_markdown(out);
  } else {
    report.print_text(out);
  }
  return report.exit_code();
}

}  // namespace maillab::check
