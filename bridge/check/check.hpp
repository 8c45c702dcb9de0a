// check::run: `maillab check URL` (cli.md), a conformance probe of an external SMTP,
// POP3, IMAP or DNS server. The server is driven with the lab's own engines (smtp::ClientSession
// and smtp::ReplyParser, pop3::ClientSession and pop3::LineBuffer, dns::encode/decode)
// through a table of checks per protocol ({name, RFC section, level, function}: see
// smtp_checks.cpp, pop3_checks.cpp, imap_checks.cpp, dns_checks.cpp), and the results are printed as a
// table (report.hpp).
// Exit codes: 0 no MUST failed, 1 a MUST failed (an unreachable server fails the first
// check as a MUST, the rest skip), 2 bad URL or options (message on `err`).
#pragma once

#include <chrono>
#include <ostream>
#include <string>

#include "bridge/check/report.hpp"
#include "bridge/check/url.hpp"

namespace maillab::check {

struct Options {
  std::string url;
  bool markdown = false;
  std::chrono::milliseconds timeout{10000};  // per read
  // SMTP
  std::string from = "check@maillab.test";
  std::string rcpt;   // a recipient the server accepts: enables the transaction checks
  std::string helo;   // default: "maillab.check"
  std::string fetch;  // pop3:// URL where --rcpt's mail can be read back (dot-stuffing round trip)
  // SMTP: AUTH (PLAIN, else LOGIN) when offered; POP3, IMAP: instead of USER:PASS in the URL.
  // Both or neither; never sent unless given.
  std::string user, password;
  // DNS
  std::string name;   // an extra name to resolve
  // TLS (tls_checks.cpp): --starttls requires STARTTLS/STLS on a plain URL (used when
  // offered without it); --cafile: the CA certificates (PEM) the server's must chain to.
  bool starttls = false;
  std::string cafile;
};

// Each protocol's checks; `fetch` is the parsed --fetch URL (SMTP only). check_pop3 and
// check_imap take the credentials from the URL (run() puts --user/--password there).
Report check_smtp(const Url& url, const Options& options, const Url* fetch);
Report check_pop3(const Url& url, const Options& options);
Report check_imap(const Url& url, const Options& options);
Report check_dns(const Url& url, const Options& options);
// The TLS rows' handshake row: when it does not pass, run() shows no protocol rows.
inline constexpr std::string_view kTlsHandshakeRow = "TLS handshake (TLS 1.2 or 1.3)";
// The TLS rows (version, certificate, CVE-2011-0411, AUTH before STARTTLS) of a mail URL;
// empty when the URL is plain and the server offers no STARTTLS.
Report check_tls(const Url& url, const Options& options);

// Parses the URLs, runs the checks, prints the table to `out`; returns the exit code.
int run(const Options& options, std::ostream& out, std::ostream& err);

}  // namespace maillab::check
