// The SMTP check table of `maillab check smtp://HOST[:PORT]` and its session checks (the
// transaction and extension checks are in smtp_transaction_checks.cpp, the shared state
// and the handling of a server that closes the connection in smtp_ctx.hpp).
//
//   check                         RFC section            level   how
//   greeting 220                  5321 3.1, 4.2          MUST    ClientSession: the first reply is 220
//   EHLO 250 + keywords           5321 4.1.1.1, 4.5.1    MUST    ClientSession: 250, every keyword line parses
//   AUTH (--user/--password)      4954 4, 6              MUST    ClientSession: PLAIN (LOGIN if only that) -> 235;
//                                                                skips without credentials, AUTH, or before STARTTLS
//   HELO accepted                 5321 4.1.1.1, 4.5.1    MUST    fresh connection, HELO -> 250
//   case-insensitive commands     5321 2.4               MUST    "nOoP", "rSeT" -> 250
//   NOOP 250                      5321 4.1.1.9           MUST    NOOP -> 250
//   unknown command -> 500        5321 4.2.4             MUST    500 pass, other 5xx warn (4.2.4 prefers
//                                                                500 to 502), 2xx-4xx FAIL; NOOP then 250
//   512-octet command line        5321 4.5.3.1, .1.4     MUST    differential: a command the server accepts
//                                                                short (NOOP with an argument, else MAIL with a
//                                                                trailing space) padded to exactly 512 octets
//                                                                must get a reply of the same class
//   command line > 512 octets     5321 4.5.3.1.4, 4.2.2  SHOULD  the same command at 600 octets: 500/501 pass,
//                                                                2xx warn (4.5.3.1 encourages no limit); NOOP then 250
//   RCPT before MAIL -> 503       5321 3.3, 4.1.4        MUST    503 pass, other 5xx warn, 2xx FAIL
//   DATA without recipient        5321 3.3               MUST    MAIL ok, DATA -> 503/554 pass, 354 FAIL
//   RSET clears the transaction   5321 4.1.1.5           MUST    MAIL, RSET -> 250, RCPT -> 503
//   MAIL FROM:<> accepted         5321 4.5.5, 6.1        MUST    250 (bounces must be accepted)
//   Postmaster accepted           5321 4.5.1             MUST    RCPT TO:<Postmaster>, and postmaster@ the --rcpt domain
//   VRFY answered                 5321 3.5.3, 7.3        SHOULD  250/251/252/550/551/553 pass, 502 warn
//   MAIL syntax error -> 501      5321 4.1.2, 4.3.2      SHOULD  "MAIL FROM:<broken": 501 pass, other 5xx warn
//                                                                (4.3.2 lists 501; no MUST says a bad path is refused)
//   SIZE over limit -> 552        RFC 1870 6             SHOULD  if SIZE n announced: SIZE=n+1 -> 552
//   DSN parameters accepted       RFC 3461 4.1-4.4       MUST    if DSN announced: RET, ENVID, NOTIFY, ORCPT -> 250
//   PIPELINING replies in order   RFC 2920 3.1           MUST    if announced: MAIL+RCPT+DATA in one write,
//                                                                three replies, each of a class its command
//                                                                may get (DATA 354 only if RCPT was 2xx)
//   998-octet line transaction    5321 4.5.3.1.6         MUST    ClientSession (--rcpt): 250 after the dot
//   dot-stuffing transaction      5321 4.5.2             MUST    ClientSession (--rcpt): ".", "..", ".x" lines
//   dot-stuffing round trip       5321 4.5.2             MUST    --fetch: read it back by POP3, body bytes equal
//   enhanced status codes         RFC 2034 4, 3463       MUST    if announced: every 2xx/4xx/5xx after EHLO has one
//   QUIT 221, then close          5321 4.1.1.10          MUST    ClientSession: 221, then the server closes
//
// The raw probes share one connection (reopened when a probe or the server ends it).
// A MAIL refused with 530 (AUTH or STARTTLS first) skips the checks that need MAIL.
// Nothing is delivered without --rcpt: PIPELINING's DATA is cut by closing the
// connection after 354 (an unterminated message must not be delivered, 4.1.1.4).
#include <array>
#include <cctype>

#include "bridge/check/check.hpp"
#include "bridge/check/check_table.hpp"
#include "bridge/check/smtp_ctx.hpp"

namespace maillab::check {

namespace {

Result greeting(SmtpCtx& c) {
  c.base = run_smtp_session(c.url, c.opt.timeout, c.helo, {}, c.auth());
  if (!c.base.connected) {
    c.stop = "server not reachable";
    return Result::fail(c.base.error);
  }
  const SmtpExchange* g = c.base.find("");
  if (!g) {
    c.stop = "no usable greeting";
    std::string got = c.base.received.substr(0, c.base.received.find('\n'));
    return Result::fail(got.empty() ? "no greeting: " + c.base.error : "malformed greeting: " + got);
  }
  if (g->reply.code != 220) {
    // 3.1 lets a server refuse every session with 554, but then it offers no SMTP service
    // to check: the probe fails here.
    c.stop = "the server refused the session";
    return Result::fail(first_line(g->reply));
  }
  return Result::pass(first_line(g->reply));
}

bool valid_keyword(std::string_view k) {
  // 4.1.1.1: ehlo-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
  if (k.empty() || !std::isalnum(static_cast<unsigned char>(k[0]))) return false;
  for (char ch : k)
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '-') return false;
  return true;
}

Result ehlo(SmtpCtx& c) {
  const SmtpExchange* e = c.base.find("EHLO");
  for (const auto& x : c.base.exchanges)  // the last: inside TLS after STARTTLS
    if (x.sent.rfind("EHLO", 0) == 0) e = &x;
  if (!e) return Result::fail("no EHLO reply: " + c.base.error);
  if (e->reply.code != 250) return Result::fail(first_line(e->reply));
  std::string keys;
  bool empty_line = false;
  for (std::size_t i = 1; i < e->reply.lines.size(); ++i) {
    const std::string l(e->reply.lines[i]);
    if (l.empty()) {
      empty_line = true;  // smtp-sink ends with "250 ": not an ehlo-line, but harmless
      continue;
    }
    std::string k = l.substr(0, l.find(' '));
    if (!valid_keyword(k)) return Result::fail("bad EHLO keyword line '" + l + "'");
    if (!keys.empty()) keys += ' ';
    keys += k;
  }
  if (empty_line) return Result::warn("250 [" + keys + "] with an empty line (4.1.1.1 ehlo-line)");
  return Result::pass("250 [" + keys + "]");
}

Result helo(SmtpCtx& c) {
  SmtpLine l(c.url, c.opt.timeout);
  if (!l.open()) return Result::fail(l.error());
  auto r = l.command("HELO " + c.helo);
  if (!r) return Result::fail("HELO: " + l.error());
  l.command("QUIT");
  if (r->code != 250) return Result::fail(first_line(*r));
  return Result::pass(first_line(*r));
}

Result case_insensitive(SmtpCtx& c) {
  std::string why;
  for (const char* v : {"nOoP", "rSeT"}) {
    auto r = cmd(c, v, &why);
    if (!r) return Result::fail(why);
    if (r->code != 250) return Result::fail(std::string(v) + " -> " + first_line(*r));
  }
  return Result::pass("nOoP, rSeT -> 250");
}

Result noop(SmtpCtx& c) {
  std::string why;
  auto r = cmd(c, "NOOP", &why);
  if (!r) return Result::fail(why);
  return r->code == 250 ? Result::pass(first_line(*r)) : Result::fail(first_line(*r));
}

Result unknown_command(SmtpCtx& c) {
  std::string why;
  auto r = cmd(c, "XMAILLABCHECK", &why);
  if (!r) return Result::fail(why);
  const std::string said = first_line(*r);
  if (!r->permanent()) return Result::fail(said);
  if (auto broken = session_continues(c, said)) return *broken;
  if (r->code == 500) return Result::pass(said);
  return Result::warn(said + " (4.2.4: 500 for a command not recognized)");
}

// The 512-octet command line (4.5.3.1.4: "The maximum total length of a command line
// including the command word and the <CRLF> is 512 octets"; 4.5.3.1: every implementation
// MUST receive objects of at least these sizes). Differential: a command whose short form
// this server accepts, padded to exactly 512 octets, must get a reply of the same class.
// NOOP takes an argument the server SHOULD ignore (4.1.1.9); OpenSMTPD refuses any, so
// MAIL FROM with a trailing space is the second carrier (short: one space; long: spaces
// up to 512), cleared with RSET. Neither accepted short: nothing can carry the line (skip).
Result line_512(SmtpCtx& c) {
  const std::array<LineCarrier, 2> carriers{{
      {"NOOP with an argument", "NOOP maillab-check", "NOOP ", 'x', false},
      {"MAIL with trailing spaces", "MAIL FROM:" + c.from() + " ", "MAIL FROM:" + c.from(), ' ', true},
  }};
  std::string why, refused;
  for (const LineCarrier& k : carriers) {
    auto s = cmd(c, k.short_form, &why);
    if (!s) return Result::fail(why);
    if (k.opens_transaction) cmd(c, "RSET", &why);
    if (!s->positive_completion()) {
      refused += (refused.empty() ? "" : ", ") + k.what + " " + std::to_string(s->code);
      continue;
    }
    c.carrier = k;
    auto l = cmd(c, k.padded(512), &why);
    if (!l) return Result::fail("512 octets: " + why);
    if (k.opens_transaction) cmd(c, "RSET", &why);
    const std::string said = k.what + ", 512 octets: " + first_line(*l);
    if (l->positive_completion()) return Result::pass(said);
    if (l->permanent()) return Result::fail(said + " (short: " + std::to_string(s->code) + ")");
    return Result::warn(said + " (short: " + std::to_string(s->code) + ")");
  }
  return Result::skip("refused short: " + refused);
}

Result line_over_512(SmtpCtx& c) {
  if (!c.carrier) return Result::skip("no command carried a long line (see the 512-octet row)");
  std::string why;
  auto r = cmd(c, c.carrier->padded(600), &why);
  if (!r) return Result::fail(why);
  if (c.carrier->opens_transaction) cmd(c, "RSET", &why);
  const std::string said = c.carrier->what + ", 600 octets: " + first_line(*r);
  if (auto broken = session_continues(c, said)) return *broken;
  if (r->code == 500 || r->code == 501) return Result::pass(said);
  if (r->positive_completion()) return Result::warn(said + " (accepted: no limit, 4.5.3.1)");
  return Result::warn(said);
}

Result rcpt_before_mail(SmtpCtx& c) {
  std::string why;
  if (!cmd(c, "RSET", &why)) return Result::fail(why);
  auto r = cmd(c, "RCPT TO:" + c.rcpt(), &why);
  if (!r) return Result::fail(why);
  const std::string said = first_line(*r);
  if (r->code == 503) return Result::pass(said);
  if (r->permanent()) return Result::warn(said + " (3.3: 503)");
  return Result::fail(said);
}

Result data_without_rcpt(SmtpCtx& c) {
  std::string why;
  if (!cmd(c, "RSET", &why)) return Result::fail(why);
  auto m = cmd(c, "MAIL FROM:" + c.from(), &why);
  if (!m) return Result::fail(why);
  if (m->code == 530) return *mail_refused(c, *m);
  auto r = cmd(c, "DATA", &why);
  if (!r) return Result::fail(why);
  const std::string said = first_line(*r);
  if (r->code == 354) {
    c.line->close();  // never end this message: an unterminated DATA is discarded
    return Result::fail(said + " (DATA accepted with no recipient)");
  }
  cmd(c, "RSET", &why);
  if (r->code == 503 || r->code == 554) return Result::pass(said);
  return Result::warn(said + " (3.3: 503 or 554)");
}

Result rset(SmtpCtx& c) {
  std::string why;
  if (!cmd(c, "RSET", &why)) return Result::fail(why);
  auto m = cmd(c, "MAIL FROM:" + c.from(), &why);
  if (!m) return Result::fail(why);
  if (auto refused = mail_refused(c, *m)) return *refused;
  auto r = cmd(c, "RSET", &why);
  if (!r) return Result::fail(why);
  if (r->code != 250) return Result::fail("RSET -> " + first_line(*r));
  auto after = cmd(c, "RCPT TO:" + c.rcpt(), &why);
  if (!after) return Result::fail(why);
  const std::string said = "RSET " + first_line(*r) + "; RCPT " + first_line(*after);
  if (after->positive_completion()) {
    cmd(c, "RSET", &why);
    return Result::fail(said + " (the transaction survived RSET)");
  }
  if (after->code == 503) return Result::pass(said);
  return Result::warn(said + " (3.3: 503)");
}

Result null_sender(SmtpCtx& c) {
  std::string why;
  if (!cmd(c, "RSET", &why)) return Result::fail(why);
  auto r = cmd(c, "MAIL FROM:<>", &why);
  if (!r) return Result::fail(why);
  cmd(c, "RSET", &why);
  if (r->code == 530) return *mail_refused(c, *r);
  return r->code == 250 ? Result::pass(first_line(*r)) : Result::fail(first_line(*r));
}

Result vrfy(SmtpCtx& c) {
  std::string why;
  auto r = cmd(c, "VRFY postmaster", &why);
  if (!r) return Result::fail(why);
  const std::string said = first_line(*r);
  switch (r->code) {
    case 250: case 251: case 252: case 550: case 551: case 553: return Result::pass(said);
    case 502: return Result::warn(said + " (VRFY disabled; 3.5.3/7.3 prefer 252)");
    default: return Result::fail(said);
  }
}

Result mail_syntax(SmtpCtx& c) {
  std::string why;
  if (!cmd(c, "RSET", &why)) return Result::fail(why);
  auto r = cmd(c, "MAIL FROM:<no-closing-bracket@maillab.test", &why);
  if (!r) return Result::fail(why);
  const std::string said = first_line(*r);
  if (r->positive_completion()) {
    cmd(c, "RSET", &why);
    return Result::fail(said + " (a malformed path was accepted)");
  }
  if (r->code == 501) return Result::pass(said);
  if (r->code == 530) return *mail_refused(c, *r);
  if (r->permanent()) return Result::warn(said + " (4.3.2: 501)");
  return Result::fail(said);
}

Result size_limit(SmtpCtx& c) {
  if (!c.base.extensions.count("SIZE")) return Result::skip("SIZE not announced");
  if (c.base.size_limit == 0) return Result::skip("SIZE announced without a fixed limit");
  std::string why;
  if (!cmd(c, "RSET", &why)) return Result::fail(why);
  auto r = cmd(c, "MAIL FROM:" + c.from() + " SIZE=" + std::to_string(c.base.size_limit + 1), &why);
  if (!r) return Result::fail(why);
  const std::string said = first_line(*r);
  cmd(c, "RSET", &why);
  if (r->code == 530) return *mail_refused(c, *r);
  if (r->code == 552) return Result::pass(said);
  if (r->positive_completion()) return Result::fail(said + " (limit " + std::to_string(c.base.size_limit) + ")");
  return Result::warn(said + " (RFC 1870: 552)");
}

constexpr std::array<CheckSpec<SmtpCtx>, 24> kChecks{{
    {"greeting 220", "5321 3.1, 4.2", Level::Must, greeting},
    {"EHLO 250, keywords parse", "5321 4.1.1.1, 4.5.1", Level::Must, ehlo},
    {"AUTH (--user/--password)", "4954 4, 6", Level::Must, auth},
    {"HELO accepted", "5321 4.1.1.1, 4.5.1", Level::Must, helo},
    {"commands case-insensitive", "5321 2.4", Level::Must, case_insensitive},
    {"NOOP 250", "5321 4.1.1.9", Level::Must, noop},
    {"unknown command -> 500, session goes on", "5321 4.2.4", Level::Must, unknown_command},
    {"command line of 512 octets accepted", "5321 4.5.3.1, 4.5.3.1.4", Level::Must, line_512},
    {"command line > 512 octets -> 500", "5321 4.5.3.1.4, 4.2.2", Level::Should, line_over_512},
    {"RCPT before MAIL -> 503", "5321 3.3, 4.1.4", Level::Must, rcpt_before_mail},
    {"DATA without recipient -> 503/554", "5321 3.3", Level::Must, data_without_rcpt},
    {"RSET 250, clears the transaction", "5321 4.1.1.5", Level::Must, rset},
    {"MAIL FROM:<> accepted", "5321 4.5.5, 6.1", Level::Must, null_sender},
    {"Postmaster accepted", "5321 4.5.1", Level::Must, postmaster},
    {"VRFY answered", "5321 3.5.3, 7.3", Level::Should, vrfy},
    {"MAIL syntax error -> 501", "5321 4.1.2, 4.3.2", Level::Should, mail_syntax},
    {"SIZE: over the limit -> 552", "1870 6", Level::Should, size_limit},
    {"DSN parameters accepted", "3461 4.1-4.4", Level::Must, dsn_parameters},
    {"PIPELINING: replies in order", "2920 3.1", Level::Must, pipelining},
    {"998-octet line accepted", "5321 4.5.3.1.6", Level::Must, long_text_line},
    {"dot-stuffing transaction", "5321 4.5.2", Level::Must, dot_stuffing},
    {"dot-stuffing round trip (--fetch)", "5321 4.5.2", Level::Must, round_trip},
    {"enhanced status codes", "2034 4, 3463", Level::Must, enhanced_codes},
    {"QUIT 221, then close", "5321 4.1.1.10", Level::Must, quit},
}};

}  // namespace

Report check_smtp(const Url& url, const Options& options, const Url* fetch) {
  SmtpCtx c(url, options, fetch);
  return run_table<SmtpCtx>(kChecks, c);
}

}  // namespace maillab::check
