// check::run: URL and option validation, then the protocol's check table.
#include "bridge/check/check.hpp"

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

  Report report;
  switch (url->scheme) {
    case Url::Scheme::Smtp: report = check_smtp(*url, options, fetch ? &*fetch : nullptr); break;
    case Url::Scheme::Pop3: report = check_pop3(*url, options); break;
    case Url::Scheme::Imap: report = check_imap(*url, options); break;
    case Url::Scheme::Dns: report = check_dns(*url, options); break;
  }
  if (options.markdown) {
    report.print_markdown(out);
  } else {
    report.print_text(out);
  }
  return report.exit_code();
}

}  // namespace maillab::check
