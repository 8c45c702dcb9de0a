// The SMTP rows of `maillab check` against scripted servers (scripted_smtp.hpp): a server
// that closes after repeated errors (Exim's way and Postfix's 421) is reported on the row
// after which it closed and is never the next check's MUST failure; the 512-octet line
// tested with a command the server takes (OpenSMTPD refuses NOOP's argument); AUTH with
// --user/--password (and nothing sent without them, or before STARTTLS); Postmaster; the
// DSN parameters; the option checks.
#include <sstream>

#include "scripted_smtp.hpp"

using namespace maillab;
using namespace maillab::check::test;

namespace {

check::Report probe(const ScriptedSmtp& server, check::Options opt = options()) {
  opt.url = server.url();
  return check::check_smtp(url(opt.url), opt, nullptr);
}

// A server of its own for one probe.
check::Report probe(SmtpScript script, check::Options opt = options()) {
  ScriptedSmtp server(std::move(script));
  return probe(server, std::move(opt));
}

std::size_t rows_saying(const check::Report& r, std::string_view text) {
  std::size_t n = 0;
  for (const auto& row : r.rows()) n += row.result.said.find(text) != std::string::npos;
  return n;
}

bool says(const check::Row& row, std::string_view text) { return row.result.said.find(text) != std::string::npos; }

}  // namespace

TEST_CASE("a server that closes after its third error (Exim): the row that caused it warns, the next check passes") {
  SmtpScript s;
  s.close_at_error = 3;
  ScriptedSmtp server(s);
  auto r = probe(server);
  INFO(table(r));
  require_no_must_failure(r);
  // The third error is DATA without a recipient (after the unknown command and RCPT
  // before MAIL): its 554 passes the check, then the server closes without a 421.
  const auto& data = row(r, "DATA without recipient -> 503/554");
  CHECK(data.result.outcome == check::Outcome::Warn);
  CHECK(says(data, "closed by the server after 3 errors (no 421)"));
  CHECK(row(r, "RSET 250, clears the transaction").result.outcome == check::Outcome::Pass);
  CHECK(row(r, "MAIL FROM:<> accepted").result.outcome == check::Outcome::Pass);
  // On the next connection the third error is SIZE's 552 (after RSET's 503 and the
  // MAIL syntax error's 501).
  const auto& size = row(r, "SIZE: over the limit -> 552");
  CHECK(size.result.outcome == check::Outcome::Warn);
  CHECK(says(size, "closed by the server after 3 errors (no 421); 552 5.3.4"));
  CHECK(rows_saying(r, "closed by the server") == 2);
  CHECK(server.connections() == 5);  // base session, HELO, three raw connections
}

TEST_CASE("closing after every number of errors: never a false MUST failure, one note per close") {
  for (int n : {1, 2, 4, 5}) {
    for (bool with_421 : {false, true}) {
      SmtpScript s;
      s.close_at_error = n;
      s.close_with_421 = with_421;
      auto r = probe(s);
      INFO("close at error " << n << (with_421 ? " with 421" : " without 421") << "\n" << table(r));
      require_no_must_failure(r);
      CHECK(rows_saying(r, with_421 ? "421, closed after" : "closed by the server after") >= 1);
      CHECK(row(r, "QUIT 221, then close").result.outcome == check::Outcome::Pass);
    }
  }
}

TEST_CASE("a 421 after the third error (Postfix's hard error limit): information on that row, its result kept") {
  SmtpScript s;
  s.close_at_error = 3;
  s.close_with_421 = true;
  auto r = probe(s);
  INFO(table(r));
  require_no_must_failure(r);
  const auto& data = row(r, "DATA without recipient -> 503/554");
  CHECK(data.result.outcome == check::Outcome::Pass);
  CHECK(says(data, "421, closed after 3 errors"));
  CHECK(row(r, "RSET 250, clears the transaction").result.outcome == check::Outcome::Pass);
}

TEST_CASE("the 512-octet command line: carried by a command the server accepts, judged against its short form") {
  SECTION("NOOP with an argument refused whatever its length (OpenSMTPD): MAIL carries it") {
    SmtpScript s;
    s.noop_args = false;
    s.line_limit = 512;
    auto r = probe(s);
    INFO(table(r));
    const auto& at512 = row(r, "command line of 512 octets accepted");
    CHECK(at512.result.outcome == check::Outcome::Pass);
    CHECK(says(at512, "MAIL with trailing spaces, 512 octets: 250"));
    const auto& over = row(r, "command line > 512 octets -> 500");
    CHECK(over.result.outcome == check::Outcome::Pass);
    CHECK(says(over, "600 octets: 500 5.5.0 Line too long"));
  }
  SECTION("a limit under 512 octets fails the MUST") {
    SmtpScript s;
    s.line_limit = 500;
    auto r = probe(s);
    INFO(table(r));
    const auto& at512 = row(r, "command line of 512 octets accepted");
    CHECK(at512.result.outcome == check::Outcome::Fail);
    CHECK(says(at512, "NOOP with an argument, 512 octets: 500 5.5.0 Line too long"));
    CHECK(r.exit_code() == 1);
  }
  SECTION("no limit: 512 passes, over 512 warns") {
    auto r = probe(SmtpScript{});
    CHECK(row(r, "command line of 512 octets accepted").result.outcome == check::Outcome::Pass);
    CHECK(row(r, "command line > 512 octets -> 500").result.outcome == check::Outcome::Warn);
  }
  SECTION("nothing can carry it: both skip with the reason") {
    SmtpScript s;
    s.noop_args = false;
    s.auth = "PLAIN";  // MAIL refused without AUTH
    auto r = probe(s);
    INFO(table(r));
    CHECK(row(r, "command line of 512 octets accepted").result.outcome == check::Outcome::Skip);
    CHECK(row(r, "command line of 512 octets accepted").result.said ==
          "refused short: NOOP with an argument 500, MAIL with trailing spaces 530");
    CHECK(row(r, "command line > 512 octets -> 500").result.outcome == check::Outcome::Skip);
  }
}

TEST_CASE("AUTH with --user/--password: a submission server checked past AUTH; nothing sent without them") {
  SmtpScript s;
  s.auth = "LOGIN";  // PLAIN not offered: LOGIN is the fallback
  s.ehlo.push_back("DSN");
  SECTION("with credentials") {
    auto opt = options();
    opt.user = "bob";
    opt.password = "builder";
    opt.rcpt = "bob@b.example";
    auto r = probe(s, opt);
    INFO(table(r));
    require_no_must_failure(r);
    CHECK(row(r, "AUTH (--user/--password)").result.outcome == check::Outcome::Pass);
    CHECK(says(row(r, "AUTH (--user/--password)"), "235 2.7.0 Authentication successful (LOGIN)"));
    for (const char* name : {"MAIL FROM:<> accepted", "RSET 250, clears the transaction", "Postmaster accepted",
                             "DSN parameters accepted", "dot-stuffing transaction", "998-octet line accepted"}) {
      INFO(name << ": " << row(r, name).result.said);
      CHECK(row(r, name).result.outcome == check::Outcome::Pass);
    }
  }
  SECTION("without credentials: the rows that need MAIL skip and say why; no AUTH is sent") {
    ScriptedSmtp server(s);
    auto r = probe(server);
    INFO(table(r));
    require_no_must_failure(r);
    CHECK(row(r, "AUTH (--user/--password)").result.outcome == check::Outcome::Skip);
    CHECK(row(r, "MAIL FROM:<> accepted").result.outcome == check::Outcome::Skip);
    CHECK(row(r, "MAIL FROM:<> accepted").result.said ==
          "needs AUTH (--user/--password): 530 5.7.0 Authentication required");
    CHECK_FALSE(server.auth_seen());
  }
  SECTION("a wrong password: the AUTH row fails and says so") {
    auto opt = options();
    opt.user = "bob";
    opt.password = "wrong";
    auto r = probe(s, opt);
    INFO(table(r));
    CHECK(row(r, "AUTH (--user/--password)").result.outcome == check::Outcome::Fail);
    CHECK(says(row(r, "AUTH (--user/--password)"), "credentials refused (LOGIN): 535 5.7.8"));
  }
  SECTION("AUTH only after STARTTLS: skipped, said clearly, no credentials sent") {
    SmtpScript tls = s;
    tls.auth.clear();
    tls.starttls_only = true;
    ScriptedSmtp server(tls);
    auto opt = options();
    opt.user = "bob";
    opt.password = "builder";
    auto r = probe(server, opt);
    INFO(table(r));
    require_no_must_failure(r);
    CHECK(row(r, "AUTH (--user/--password)").result.outcome == check::Outcome::Skip);
    CHECK(says(row(r, "AUTH (--user/--password)"), "only after STARTTLS"));
    CHECK(says(row(r, "MAIL FROM:<> accepted"), "needs STARTTLS (not offered, or refused): 530"));
    CHECK_FALSE(server.auth_seen());
  }
}

TEST_CASE("Postmaster: RCPT TO:<Postmaster> refused is a MUST failure; postmaster@ the --rcpt domain is tried too") {
  SmtpScript s;
  s.postmaster_ok = false;
  auto opt = options();
  opt.rcpt = "bob@b.example";
  auto r = probe(s, opt);
  INFO(table(r));
  const auto& pm = row(r, "Postmaster accepted");
  CHECK(pm.result.outcome == check::Outcome::Fail);
  CHECK(pm.result.said == "Postmaster 550, postmaster@b.example 250: 550 5.1.1 <Postmaster>: unk...");
  CHECK(r.exit_code() == 1);

  auto ok = probe(SmtpScript{});
  CHECK(row(ok, "Postmaster accepted").result.outcome == check::Outcome::Pass);
  CHECK(row(ok, "Postmaster accepted").result.said == "Postmaster 250");
}

TEST_CASE("DSN parameters: refused by a server that announces DSN is a MUST failure; not announced skips") {
  SmtpScript s;
  s.ehlo.push_back("DSN");
  s.dsn_params_ok = false;
  auto r = probe(s);
  INFO(table(r));
  CHECK(row(r, "DSN parameters accepted").result.outcome == check::Outcome::Fail);
  CHECK(says(row(r, "DSN parameters accepted"), "MAIL with RET, ENVID: 555 5.5.4 Unsupported option (without: 250)"));

  s.dsn_params_ok = true;
  const auto accepted = probe(s);
  CHECK(row(accepted, "DSN parameters accepted").result.outcome == check::Outcome::Pass);

  const auto without = probe(SmtpScript{});
  CHECK(row(without, "DSN parameters accepted").result.outcome == check::Outcome::Skip);
  CHECK(row(without, "DSN parameters accepted").result.said == "DSN not announced");
}

TEST_CASE("--user and --password: together, not for DNS, not twice for POP3, never empty") {
  auto run = [](check::Options o) {
    std::ostringstream out, err;
    const int rc = check::run(o, out, err);
    INFO(err.str());
    CHECK_FALSE(err.str().empty());
    return rc;
  };
  check::Options o = options();
  o.url = "smtp://127.0.0.1:1";
  o.user = "bob";
  CHECK(run(o) == 2);  // no --password
  o.user.clear();
  o.password = "x";
  CHECK(run(o) == 2);  // no --user
  o.user = "bob";
  o.url = "dns://127.0.0.1:1/b.example";
  CHECK(run(o) == 2);
  o.url = "pop3://bob:builder@127.0.0.1:1";
  CHECK(run(o) == 2);  // the URL has credentials already
}
