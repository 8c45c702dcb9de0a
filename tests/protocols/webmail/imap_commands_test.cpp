// webmail::ImapCommands against scripted server bytes: the commands it writes (LOGIN
// quoted, the password hidden in the trace, a literal after "+"), what it keeps per
// command, how a refused login, a broken stream and a timeout end it; and the FETCH
// helpers, which never read items out of a literal.
#include <catch2/catch.hpp>

#include "protocols/webmail/imap_commands.hpp"
#include "protocols/webmail/pages.hpp"

using namespace maillab::webmail;

TEST_CASE("ImapCommands: login, commands with untagged data, a literal after +, logout") {
  ImapCommands c("bob", "pa\"ss", {{"LIST \"\" \"*\"", {}}, {"APPEND Sent (\\Seen)", "Hello\r\n"}});
  std::vector<std::string> shown;
  c.on_exchange = [&](std::string_view cmd, std::string_view) { shown.emplace_back(cmd); };
  CHECK(c.take_output().empty());
  c.receive("* OK ready\r\n");
  CHECK(c.take_output() == "w1 LOGIN \"bob\" \"pa\\\"ss\"\r\n");
  c.receive("w1 OK done\r\n");
  CHECK(c.take_output() == "w2 LIST \"\" \"*\"\r\n");
  c.receive("* LIST () \"/\" INBOX\r\n* LIST (\\Sent) \"/\" {4}\r\nSent\r\nw2 OK List\r\n");
  CHECK(c.take_output() == "w3 APPEND Sent (\\Seen) {7}\r\n");
  c.receive("+ go\r\n");
  CHECK(c.take_output() == "Hello\r\n\r\n");
  c.receive("w3 OK [APPENDUID 1 1] done\r\n");
  CHECK(c.take_output() == "w4 LOGOUT\r\n");
  c.receive("* BYE\r\nw4 OK bye\r\n");
  CHECK(c.closed());
  CHECK(c.status() == ImapCommands::Status::Done);
  REQUIRE(c.replies().size() == 2);
  CHECK(c.replies()[0].untagged.size() == 2);
  CHECK(c.replies()[1].status == "OK");
  CHECK(shown.front() == "LOGIN bob ****");
}

TEST_CASE("ImapCommands: a refused login sends nothing but LOGOUT") {
  ImapCommands c("bob", "wrong", {{"SELECT INBOX", {}}});
  c.receive("* OK ready\r\n");
  c.take_output();
  c.receive("w1 NO [AUTHENTICATIONFAILED] no\r\n");
  CHECK(c.take_output() == "w2 LOGOUT\r\n");
  CHECK(c.status() == ImapCommands::Status::AuthFailed);
  c.receive_eof();
  CHECK(c.closed());
  CHECK(c.status() == ImapCommands::Status::AuthFailed);
}

TEST_CASE("ImapCommands: bad input ends the session") {
  SECTION("a password with CR LF is never sent") {
    ImapCommands c("bob", "x\r\ny", {});
    c.receive("* OK ready\r\n");
    CHECK(c.take_output().empty());
    CHECK(c.status() == ImapCommands::Status::AuthFailed);
  }
  SECTION("no greeting") {
    ImapCommands c("bob", "p", {});
    c.receive("HTTP/1.1 200 OK\r\n");
    CHECK(c.status() == ImapCommands::Status::Error);
    CHECK(c.closed());
  }
  SECTION("a tag it never sent") {
    ImapCommands c("bob", "p", {});
    c.receive("* OK\r\nzz OK\r\n");
    CHECK(c.status() == ImapCommands::Status::Error);
  }
  SECTION("the connection ends early, or the server is silent") {
    ImapCommands c("bob", "p", {});
    c.receive("* OK\r\n");
    ImapCommands d = ImapCommands("bob", "p", {});
    c.receive_eof();
    CHECK(c.status() == ImapCommands::Status::ConnectionLost);
    d.on_timeout();
    CHECK(d.status() == ImapCommands::Status::TimedOut);
    CHECK(d.timeout().count() == 0);
  }
}

TEST_CASE("FETCH helpers read items outside literals only") {
  const std::string body = "UID 99 FLAGS (\\Deleted) {5}\r\n";
  const std::string r = "3 FETCH (FLAGS (\\Seen) BODY[] {" + std::to_string(body.size()) + "}\r\n" + body + " UID 7)";
  CHECK(fetch_number(r, "UID") == 7);
  CHECK(fetch_flags(r) == "\\Seen");
  CHECK(fetch_literal(r) == body);
  CHECK(fetch_number("1 FETCH (FLAGS ())", "UID") == 0);
  CHECK(fetch_literal("1 FETCH (BODY[] {999}\r\nshort)").empty());
}

TEST_CASE("html_escape") {
  CHECK(html_escape("<a href=\"x\" title='y'>&</a>") == "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
  CHECK(html_escape(std::string("a\0b\x1b" "c\td\n", 8)) == "a\xEF\xBF\xBD" "b\xEF\xBF\xBD" "c\td\n");
  CHECK(html_escape("h\xC3\xA9llo") == "h\xC3\xA9llo");
}
