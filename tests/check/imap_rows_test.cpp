// `maillab check imap://` (issue 20 item 5): every row passes against the lab's own IMAP
// server on a loopback port and the check's folder is gone afterwards with the INBOX
// untouched; a server that answers OK to everything fails the state and unknown-command
// MUSTs.
#include "check_fixture.hpp"
#include "bridge/check/imap_probe.hpp"

using namespace maillab;
using namespace maillab::check::test;

namespace {

const char* kImapLab = R"(scenario: check-imap
duration: 1d
hosts:
  mx.b.example:
    address: 192.0.2.20
    mta:
      domains: [b.example]
      auth_failure_delay: 100ms
    imap: true
    users:
      bob: {password: builder}
)";

}  // namespace

TEST_CASE("imap:// URLs: default port 143, no path") {
  auto u = url("imap://bob:builder@127.0.0.1");
  CHECK(u.scheme == check::Url::Scheme::Imap);
  CHECK(u.port == 143);
  CHECK(u.user == "bob");
  std::string error;
  CHECK_FALSE(check::parse_url("imap://bob:builder@127.0.0.1/INBOX", &error));
}

TEST_CASE("every IMAP row passes against the lab's server; nothing is left behind") {
  bridge::ServeOptions o;
  o.listen.push_back(listen_on("mx.b.example", scenario::Service::Smtp));
  o.listen.push_back(listen_on("mx.b.example", scenario::Service::Imap));
  Lab lab(kImapLab, o);
  const auto target = url("imap://bob:builder@127.0.0.1:" + std::to_string(lab.port(1)));

  TestClient c(lab.port(0));
  REQUIRE(c.reply().rfind("220", 0) == 0);
  REQUIRE(c.cmd("EHLO seed.example").rfind("250", 0) == 0);
  REQUIRE(c.cmd("MAIL FROM:<alice@a.example>").rfind("250", 0) == 0);
  REQUIRE(c.cmd("RCPT TO:<bob@b.example>").rfind("250", 0) == 0);
  REQUIRE(c.cmd("DATA").rfind("354", 0) == 0);
  REQUIRE(c.cmd("Subject: keep me\r\n\r\nbob keeps this\r\n.").rfind("250", 0) == 0);
  c.cmd("QUIT");
  REQUIRE(lab.wait_for([&] { return lab.world().deliveries().size() >= 1; }));

  auto r = check::check_imap(target, options());
  require_no_must_failure(r);
  CHECK(r.count(check::Outcome::Pass) == r.rows().size());
  CHECK(row(r, "IDLE: other session's APPEND").result.said.find("* 2 EXISTS") != std::string::npos);
  CHECK(row(r, "LITERAL+ {n+}: no + awaited").result.outcome == check::Outcome::Pass);

  // Afterwards: no maillab-check folder, and bob's INBOX still holds his unread message.
  check::ImapLine l(target, std::chrono::milliseconds(5000));
  REQUIRE(l.open());
  REQUIRE(l.command("LOGIN bob builder")->ok());
  auto list = l.command("LIST \"\" *");
  REQUIRE(list);
  for (const auto& u : list->untagged) CHECK(u.find("maillab-check") == std::string::npos);
  auto sel = l.command("EXAMINE INBOX");
  REQUIRE(sel);
  CHECK(sel->number_of("EXISTS") == 1u);
  auto f = l.command("FETCH 1 (FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])");
  REQUIRE(f);
  REQUIRE(f->untagged.size() == 1);
  CHECK(f->untagged[0].find("keep me") != std::string::npos);
  CHECK(f->untagged[0].find("\\Seen") == std::string::npos);
}

TEST_CASE("an IMAP server answering OK to everything fails the state and unknown-command MUSTs") {
  FakeTcp fake([](int fd) {
    Lines io{fd, {}};
    io.say("* OK fake IMAP\r\n");
    while (auto l = io.line()) {
      const std::string tag = l->substr(0, l->find(' '));
      const std::string rest = l->find(' ') == std::string::npos ? "" : l->substr(l->find(' ') + 1);
      const std::string verb = upper_verb(rest);
      if (verb == "CAPABILITY") io.say("* CAPABILITY IMAP4rev1\r\n");
      if (verb == "LOGOUT") {
        io.say("* BYE bye\r\n" + tag + " OK done\r\n");
        break;
      }
      io.say(tag + " OK done\r\n");
    }
  });
  auto r = check::check_imap(url("imap://127.0.0.1:" + std::to_string(fake.port())), options());
  INFO(table(r));
  CHECK(row(r, "greeting * OK").result.outcome == check::Outcome::Pass);
  CHECK(row(r, "CAPABILITY: IMAP4rev1/IMAP4rev2").result.outcome == check::Outcome::Pass);
  CHECK(row(r, "SELECT before login -> NO/BAD").result.outcome == check::Outcome::Fail);
  CHECK(row(r, "unknown command -> BAD").result.outcome == check::Outcome::Fail);
  CHECK(row(r, "LOGIN -> OK").result.outcome == check::Outcome::Skip);
  CHECK(row(r, "LOGOUT: BYE, then OK").result.outcome == check::Outcome::Pass);
  CHECK(r.exit_code() == 1);
}

TEST_CASE("ImapValue: BODYSTRUCTURE-like lists, quoted escapes, literals, NIL") {
  std::size_t pos = 0;
  const std::string text = "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 12 2) \"MIXED\") rest";
  auto v = check::parse_imap_value(text, pos);
  REQUIRE(v);
  CHECK(v->at(0).at(0).is("text"));
  CHECK(v->at(0).at(2).at(1).text == "us-ascii");
  CHECK(v->at(0).at(3).kind == check::ImapValue::Kind::Nil);
  CHECK(v->at(1).is("MIXED"));
  CHECK(text.substr(pos) == " rest");
  auto f = check::fetch_attribute("1 FETCH (UID 7 BODY[] {5}\r\na\"b\\c FLAGS (\\Seen))", "BODY[]");
  REQUIRE(f);
  CHECK(f->text == "a\"b\\c");
  CHECK(check::fetch_attribute("1 FETCH (UID 7 BODY[] {5}\r\na\"b\\c FLAGS (\\Seen))", "FLAGS")->at(0).is("\\Seen"));
  pos = 0;
  CHECK_FALSE(check::parse_imap_value("((\"unterminated)", pos));
  pos = 0;
  CHECK_FALSE(check::parse_imap_value("{99}\r\nshort", pos));
}
