// The IMAP client engine against scripted servers: the paths a real server may choose
// (no SASL-IR, no AUTH=PLAIN, no LITERAL+, no IDLE, ESEARCH answers) and the ones a
// broken or hostile one takes (garbage, BYE, huge literals, EOF, silence, unrequested
// data).
#include "protocols/imap/client_session.hpp"

#include <catch2/catch.hpp>

#include "protocols/imap/response_reader.hpp"

using namespace maillab::imap;

namespace {

ClientConfig bob() {
  ClientConfig c;
  c.user = "bob";
  c.password = "builder";
  return c;
}

}  // namespace

TEST_CASE("client: AUTHENTICATE PLAIN with a continuation when there is no SASL-IR", "[imap][client]") {
  ClientSession c(bob());
  c.receive("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] hi\r\n");
  CHECK(c.take_output() == "A1 AUTHENTICATE PLAIN\r\n");
  c.receive("+ \r\n");
  CHECK(c.take_output() == "AGJvYgBidWlsZGVy\r\n");
  c.receive("A1 OK done\r\n");
  CHECK(c.take_output() == "A2 SELECT INBOX\r\n");
}

TEST_CASE("client: LOGIN when AUTH=PLAIN is not offered; CAPABILITY asked when not in the greeting", "[imap][client]") {
  ClientSession c(bob());
  c.receive("* OK hi\r\n");
  CHECK(c.take_output() == "A1 CAPABILITY\r\n");
  c.receive("* CAPABILITY IMAP4rev1\r\nA1 OK\r\n");
  CHECK(c.take_output() == "A2 LOGIN \"bob\" \"builder\"\r\n");
  c.receive("A2 NO [AUTHENTICATIONFAILED] nope\r\n");
  CHECK(c.status() == ClientSession::Status::AuthFailed);
  CHECK(c.take_output() == "A3 LOGOUT\r\n");
  c.receive("* BYE\r\nA3 OK\r\n");
  CHECK(c.closed());
  CHECK(c.status() == ClientSession::Status::AuthFailed);
}

TEST_CASE("client: LOGINDISABLED and no TLS: the password is never sent", "[imap][client]") {
  std::vector<std::string> exchanges;
  ClientSession c(bob());
  c.on_exchange = [&](std::string_view cmd, std::string_view) { exchanges.emplace_back(cmd); };
  c.receive("* OK [CAPABILITY IMAP4rev1 LOGINDISABLED] hi\r\n");
  CHECK(c.take_output() == "A1 LOGOUT\r\n");
  CHECK(c.status() == ClientSession::Status::AuthFailed);
}

TEST_CASE("client: the copy to Sent is APPENDed \\Seen, and the trace line shows the flag", "[imap][client]") {
  // Thunderbird and Roundcube: APPEND Sent (\Seen) {n} (RFC 3501 6.3.11), with or without LITERAL+.
  for (const bool literal_plus : {false, true}) {
    ClientConfig cc = bob();
    cc.append = {"Subject: x\r\n\r\n"};
    cc.fetch = false;
    cc.auth = ClientConfig::Auth::Login;
    ClientSession c(cc);
    std::vector<std::string> exchanges;
    c.on_exchange = [&](std::string_view cmd, std::string_view) { exchanges.emplace_back(cmd); };
    c.receive(literal_plus ? "* OK [CAPABILITY IMAP4rev2 LITERAL+] hi\r\n" : "* OK [CAPABILITY IMAP4rev2] hi\r\n");
    c.take_output();
    c.receive("A1 OK logged in\r\n");
    const std::string line = literal_plus ? "A2 APPEND Sent (\\Seen) {14+}" : "A2 APPEND Sent (\\Seen) {14}";
    CHECK(c.take_output().substr(0, line.size() + 2) == line + "\r\n");
    if (!literal_plus) c.receive("+ go\r\n");
    c.receive("A2 OK [APPENDUID 7 42] done\r\n");
    REQUIRE(!exchanges.empty());
    CHECK(exchanges.back() == line);
  }
}

TEST_CASE("client: APPEND with a synchronizing literal, ESEARCH, FETCH, no IDLE", "[imap][client]") {
  ClientConfig cc = bob();
  cc.append = {"Subject: x\r\n\r\n"};
  cc.idle = true;
  cc.auth = ClientConfig::Auth::Login;
  ClientSession c(cc);
  c.receive("* OK [CAPABILITY IMAP4rev2] hi\r\n");
  CHECK(c.take_output() == "A1 LOGIN \"bob\" \"builder\"\r\n");
  c.receive("A1 OK logged in\r\n");
  CHECK(c.take_output() == "A2 APPEND Sent (\\Seen) {14}\r\n");
  c.receive("+ go\r\n");
  CHECK(c.take_output() == "Subject: x\r\n\r\n\r\n");
  c.receive("A2 OK [APPENDUID 7 42] done\r\n");
  CHECK(c.appended_uids() == std::vector<std::uint32_t>{42});
  CHECK(c.take_output() == "A3 SELECT INBOX\r\n");
  c.receive("* 3 EXISTS\r\nA3 OK\r\n");
  CHECK(c.exists() == 3);
  CHECK(c.take_output() == "A4 UID SEARCH UNSEEN\r\n");
  c.receive("* ESEARCH (TAG \"A4\") UID ALL 5,7:8\r\nA4 OK\r\n");
  CHECK(c.take_output() == "A5 UID FETCH 5,7:8 (UID BODY[])\r\n");
  // Items in any order, flags and other data skipped, an unrequested UID ignored, a
  // repeated one kept once.
  c.receive("* 1 FETCH (FLAGS (\\Seen) BODY[] {3}\r\nabc UID 5)\r\n"
            "* 2 FETCH (UID 6 BODY[] \"zzz\")\r\n"
            "* 3 FETCH (UID 7 BODY[] \"q\\\"q\" ENVELOPE (NIL \"s\" NIL NIL NIL NIL NIL NIL NIL NIL))\r\n"
            "* 1 FETCH (UID 5 BODY[] {3}\r\nxyz)\r\n"
            "A5 NO [EXPUNGEISSUED] some are gone\r\n");
  REQUIRE(c.fetched().size() == 2);
  CHECK(c.fetched()[0].uid == 5);
  CHECK(c.fetched()[0].content == "abc");
  CHECK(c.fetched()[1].content == "q\"q");
  CHECK(c.take_output() == "A6 LOGOUT\r\n");  // no IDLE capability
  CHECK(c.status() == ClientSession::Status::Error);
}

TEST_CASE("client: delete to Trash: UID COPY, STORE and EXPUNGE when MOVE is not announced", "[imap][client]") {
  ClientConfig cc = bob();
  cc.delete_after_fetch = true;
  cc.delete_to = "Trash";
  ClientSession c(cc);
  c.receive("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR UIDPLUS] hi\r\n");
  CHECK(c.take_output() == "A1 AUTHENTICATE PLAIN AGJvYgBidWlsZGVy\r\n");
  c.receive("A1 OK in\r\n");
  CHECK(c.take_output() == "A2 SELECT INBOX\r\n");
  c.receive("* 1 EXISTS\r\nA2 OK\r\n");
  CHECK(c.take_output() == "A3 UID SEARCH UNSEEN\r\n");
  c.receive("* SEARCH 4\r\nA3 OK\r\n");
  CHECK(c.take_output() == "A4 UID FETCH 4 (UID BODY[])\r\n");
  c.receive("* 1 FETCH (UID 4 BODY[] {3}\r\nabc)\r\nA4 OK\r\n");
  CHECK(c.take_output() == "A5 UID COPY 4 Trash\r\n");
  c.receive("A5 OK [COPYUID 9 4 1] copied\r\n");
  CHECK(c.take_output() == "A6 UID STORE 4 +FLAGS.SILENT (\\Deleted)\r\n");
  c.receive("A6 OK\r\n");
  CHECK(c.take_output() == "A7 EXPUNGE\r\n");
  c.receive("* 1 EXPUNGE\r\nA7 OK\r\n");
  CHECK(c.take_output() == "A8 LOGOUT\r\n");
  c.receive("* BYE\r\nA8 OK\r\n");
  CHECK(c.status() == ClientSession::Status::Done);
  REQUIRE(c.fetched().size() == 1);
}

TEST_CASE("client: hostile or broken servers end the session, never the process", "[imap][client][robust]") {
  SECTION("BYE greeting") {
    ClientSession c(bob());
    c.receive("* BYE go away\r\n");
    CHECK(c.closed());
    CHECK(c.status() == ClientSession::Status::Error);
  }
  SECTION("a literal over the limit") {
    ClientConfig cc = bob();
    cc.limits.max_literal = 100;
    ClientSession c(cc);
    c.receive("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR] hi\r\n");
    c.take_output();
    c.receive("* 1 FETCH (BODY[] {1000}\r\n");
    CHECK(c.closed());
    CHECK(c.status() == ClientSession::Status::Error);
  }
  SECTION("an endless line") {
    ClientSession c(bob());
    for (int i = 0; i < 100 && !c.closed(); ++i) c.receive(std::string(1000, 'x'));
    CHECK(c.closed());
  }
  SECTION("EOF and timeouts") {
    ClientSession a(bob());
    a.receive("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR] hi\r\n");
    a.receive_eof();
    CHECK(a.status() == ClientSession::Status::ConnectionLost);
    ClientSession b(bob());
    b.on_timeout();
    CHECK(b.status() == ClientSession::Status::TimedOut);
    CHECK(b.timeout().count() == 0);
  }
  SECTION("garbage, wrong tags, responses out of place") {
    ClientSession c(bob());
    c.receive("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR] hi\r\n");
    c.take_output();
    c.receive("\r\n* \r\n*\r\n+\r\nX9 OK what\r\n* 99999999999 EXISTS\r\n* 1 FETCH (((((\r\n* SEARCH 1 2 x\r\n"
              "* ESEARCH ALL 1:4294967295\r\n\x01\x02\xff\r\n");
    CHECK_FALSE(c.closed());
    c.receive("A1 OK\r\n");
    CHECK(c.take_output() == "A2 SELECT INBOX\r\n");
  }
}

TEST_CASE("response reader: literals at every split; limits", "[imap][client][reader]") {
  const std::string stream = "* 1 FETCH (BODY[] {5}\r\nab\r\nc UID 1)\r\nA1 OK {0}\r\n done\r\n* OK\n";
  for (std::size_t split = 0; split <= stream.size(); ++split) {
    ResponseReader r;
    std::vector<std::string> got;
    r.feed(stream.substr(0, split));
    while (auto i = r.next()) got.push_back(i->text);
    r.feed(stream.substr(split));
    while (auto i = r.next()) got.push_back(i->text);
    CHECK(got == std::vector<std::string>{"* 1 FETCH (BODY[] {5}\r\nab\r\nc UID 1)", "A1 OK {0}\r\n done", "* OK"});
  }
  // The same line limit whether a line arrives whole or a byte at a time.
  for (std::size_t content : {10u, 11u}) {
    for (bool bytewise : {false, true}) {
      ResponseLimits limits;
      limits.max_line = 10;
      ResponseReader r(limits);
      const std::string line = std::string(content, 'x') + "\r\n";
      bool error = false;
      if (bytewise) {
        for (char ch : line) {
          r.feed(std::string(1, ch));
          while (auto i = r.next()) error = error || i->error;
        }
      } else {
        r.feed(line);
        while (auto i = r.next()) error = error || i->error;
      }
      INFO("content " << content << (bytewise ? " byte by byte" : " whole"));
      CHECK(error == (content > 10));
    }
  }
  ResponseLimits small;
  small.max_line = 10;
  ResponseReader r(small);
  r.feed("0123456789012345");
  auto item = r.next();
  REQUIRE(item);
  CHECK(item->error);
  CHECK(r.failed());
  CHECK_FALSE(r.next());
}
