// The SMTP rows of `maillab check` against scripted servers (scripted_smtp.hpp): a server
// that closes after repeated errors (Exim's way and Postfix's 421) is reported on the row
// after which it closed and is never the next check's MUST failure; the 512-octet line
// tested with a command the server takes (OpenSMTPD refuses NOOP's argument).

#include "scripted_smtp.hpp"

using namespace maillab;
using namespace maillab::check::test;

namespace {

check::Report probe(const ScriptedSmtp& server, check::Options opt = options()) {
  opt.url = server.url();
  return check::check_smtp(url(opt.url), opt, nullptr);
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
      ScriptedSmtp server(s);
      auto r = probe(server);
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
  ScriptedSmtp server(s);
  auto r = probe(server);
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
    ScriptedSmtp server(s);
    auto r = probe(server);
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
    ScriptedSmtp server(s);
    auto r = probe(server);
    INFO(table(r));
    const auto& at512 = row(r, "command line of 512 octets accepted");
    CHECK(at512.result.outcome == check::Outcome::Fail);
    CHECK(says(at512, "NOOP with an argument, 512 octets: 500 5.5.0 Line too long"));
    CHECK(r.exit_code() == 1);
  }
  SECTION("no limit: 512 passes, over 512 warns") {
    ScriptedSmtp server(SmtpScript{});
    auto r = probe(server);
    CHECK(row(r, "command line of 512 octets accepted").result.outcome == check::Outcome::Pass);
    CHECK(row(r, "command line > 512 octets -> 500").result.outcome == check::Outcome::Warn);
  }
}
