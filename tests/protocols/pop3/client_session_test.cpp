// ClientSession against scripted server bytes: RFC 1939-only servers (no CAPA, no UIDL),
// replies split at every position (inside "\r\n.\r\n" too), the APOP fallback, and the
// ways a server can fail it.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "protocols/pop3/client_session.hpp"

using namespace maillab::pop3;
using Status = ClientSession::Status;
using Auth = ClientConfig::Auth;

namespace {

ClientConfig config(Auth auth = Auth::Best) {
  ClientConfig c;
  c.user = "bob";
  c.password = "secret";
  c.auth = auth;
  return c;
}

// The client must have written exactly `sent` (one line, or nothing when empty); then it
// gets `reply`.
void step(ClientSession& c, std::string_view sent, std::string_view reply) {
  CHECK(c.take_output() == (sent.empty() ? std::string() : std::string(sent) + "\r\n"));
  c.receive(reply);
}

const std::string kCapa = "+OK\r\nUSER\r\nUIDL\r\nTOP\r\n.\r\n";

// Drives a fresh client up to the point where it has just sent "RETR 1".
void up_to_retr(ClientSession& c) {
  step(c, "", "+OK hi\r\n");
  step(c, "CAPA", kCapa);
  step(c, "USER bob", "+OK\r\n");
  step(c, "PASS secret", "+OK\r\n");
  step(c, "STAT", "+OK 1 9\r\n");
  step(c, "UIDL", "+OK\r\n1 abc\r\n.\r\n");
}

}  // namespace

TEST_CASE("an RFC 1939-only server: no CAPA, no UIDL", "[pop3][client]") {
  ClientConfig cc = config();
  cc.only_new = true;
  cc.known_uids = {"whatever"};
  ClientSession c(cc);
  step(c, "", "+OK POP3 server ready\r\n");
  step(c, "CAPA", "-ERR unknown command\r\n");
  step(c, "USER bob", "+OK\r\n");
  step(c, "PASS secret", "+OK 2 messages\r\n");
  step(c, "STAT", "+OK 2 20\r\n");
  step(c, "UIDL", "-ERR unknown command\r\n");
  step(c, "LIST", "+OK 2 messages\r\n1 10\r\n2 10\r\n.\r\n");
  step(c, "RETR 1", "+OK 10 octets\r\n..a\r\nb\r\n.\r\n");
  step(c, "RETR 2", "+OK\r\nc\r\n...\r\n.\r\n");
  step(c, "QUIT", "+OK bye\r\n");
  CHECK(c.take_output().empty());
  REQUIRE(c.status() == Status::Done);
  CHECK(c.closed());
  REQUIRE(c.retrieved().size() == 2);
  CHECK(c.retrieved()[0].uid.empty());
  CHECK(c.retrieved()[0].content == ".a\r\nb\r\n");
  CHECK(c.retrieved()[1].content == "c\r\n..\r\n");
}

TEST_CASE("CAPA without UIDL: LIST directly", "[pop3][client]") {
  ClientSession c(config());
  step(c, "", "+OK\r\n");
  step(c, "CAPA", "+OK\r\nUSER\r\n.\r\n");
  step(c, "USER bob", "+OK\r\n");
  step(c, "PASS secret", "+OK\r\n");
  step(c, "STAT", "+OK 1 3\r\n");
  step(c, "LIST", "+OK\r\n1 3\r\n.\r\n");
  step(c, "RETR 1", "+OK\r\nx\r\n.\r\n");
  step(c, "QUIT", "+OK\r\n");
  CHECK(c.status() == Status::Done);
}

TEST_CASE("a RETR reply split at any one or two positions", "[pop3][client]") {
  const std::string reply = "+OK 9 octets\r\nabc\r\n..\r\n\r\n.\r\n";
  const std::string content = "abc\r\n.\r\n\r\n";
  for (std::size_t i = 0; i <= reply.size(); ++i) {
    for (std::size_t j = i; j <= reply.size(); ++j) {
      ClientSession c(config());
      up_to_retr(c);
      REQUIRE(c.take_output() == "RETR 1\r\n");
      c.receive(reply.substr(0, i));
      c.receive(reply.substr(i, j - i));
      c.receive(reply.substr(j));
      INFO(i << " " << j);
      REQUIRE(c.retrieved().size() == 1);
      CHECK(c.retrieved()[0].content == content);
      CHECK(c.retrieved()[0].uid == "abc");
      CHECK(c.take_output() == "QUIT\r\n");
    }
  }
}

TEST_CASE("line terminators inside a message are kept as received", "[pop3][client]") {
  ClientSession c(config());
  up_to_retr(c);
  step(c, "RETR 1", "+OK\r\na\nb\r\n.\n");
  REQUIRE(c.retrieved().size() == 1);
  CHECK(c.retrieved()[0].content == "a\nb\r\n");
}

TEST_CASE("Best falls back to APOP when USER is refused", "[pop3][client]") {
  ClientConfig cc = config();
  cc.user = "mrose";
  cc.password = "tanstaaf";
  ClientSession c(cc);
  step(c, "", "+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n");
  step(c, "CAPA", "-ERR\r\n");
  step(c, "USER mrose", "-ERR USER not available\r\n");
  step(c, "APOP mrose c4c9334bac560ecc979e58001b3e22fb", "+OK\r\n");
  step(c, "STAT", "+OK 0 0\r\n");
  step(c, "QUIT", "+OK\r\n");
  CHECK(c.status() == Status::Done);
  CHECK(c.auth_used() == Auth::Apop);
}

TEST_CASE("APOP asked of a server without a timestamp", "[pop3][client]") {
  ClientSession c(config(Auth::Apop));
  step(c, "", "+OK ready <no-at-sign>\r\n");
  step(c, "CAPA", "-ERR\r\n");
  CHECK(c.status() == Status::AuthFailed);
  CHECK(c.error().find("APOP") != std::string::npos);
  step(c, "QUIT", "+OK\r\n");
  CHECK(c.closed());
  CHECK(c.status() == Status::AuthFailed);
}

TEST_CASE("login replies are classified by response code", "[pop3][client]") {
  const std::pair<std::string, Status> cases[] = {
      {"-ERR [IN-USE] locked", Status::InUse},
      {"-ERR [SYS/TEMP] try later", Status::Error},
      {"-ERR [AUTH] bad", Status::AuthFailed},
      {"-ERR no", Status::AuthFailed},  // no response codes: assume credentials
  };
  for (const auto& [reply, status] : cases) {
    INFO(reply);
    ClientSession c(config(Auth::UserPass));
    step(c, "", "+OK\r\n");
    step(c, "CAPA", "-ERR\r\n");
    step(c, "USER bob", "+OK\r\n");
    step(c, "PASS secret", reply + "\r\n");
    CHECK(c.status() == status);
    CHECK(c.error() == reply);
    CHECK(c.take_output() == "QUIT\r\n");
    c.receive_eof();  // the server hangs up instead of answering: status is kept
    CHECK(c.closed());
    CHECK(c.status() == status);
  }
}

TEST_CASE("server misbehaviour ends the session with Error", "[pop3][client]") {
  SECTION("a greeting that is not +OK") {
    ClientSession c(config());
    c.receive("-ERR go away\r\n");
    CHECK(c.status() == Status::Error);
    CHECK(c.closed());
    CHECK(c.take_output().empty());
  }
  SECTION("garbage instead of a status indicator") {
    ClientSession c(config());
    c.receive("+OK\r\n");
    step(c, "CAPA", "HELLO\r\n");
    CHECK(c.status() == Status::Error);
    CHECK(c.closed());
  }
  SECTION("a continuation outside AUTH") {
    ClientSession c(config());
    c.receive("+OK\r\n");
    step(c, "CAPA", "+ \r\n");
    CHECK(c.status() == Status::Error);
  }
  SECTION("a malformed STAT") {
    ClientSession c(config());
    c.receive("+OK\r\n");
    step(c, "CAPA", kCapa);
    step(c, "USER bob", "+OK\r\n");
    step(c, "PASS secret", "+OK\r\n");
    step(c, "STAT", "+OK lots\r\n");
    CHECK(c.status() == Status::Error);
    CHECK(c.take_output() == "QUIT\r\n");
  }
  SECTION("a malformed UIDL listing") {
    ClientSession d(config());
    d.receive("+OK\r\n");
    step(d, "CAPA", kCapa);
    step(d, "USER bob", "+OK\r\n");
    step(d, "PASS secret", "+OK\r\n");
    step(d, "STAT", "+OK 1 9\r\n");
    step(d, "UIDL", "+OK\r\nx abc\r\n.\r\n");
    CHECK(d.status() == Status::Error);
  }
  SECTION("RETR refused") {
    ClientSession c(config());
    up_to_retr(c);
    step(c, "RETR 1", "-ERR no such message\r\n");
    CHECK(c.status() == Status::Error);
    CHECK(c.take_output() == "QUIT\r\n");
    CHECK(c.retrieved().empty());
  }
}

TEST_CASE("EOF and timeout in the middle of a RETR", "[pop3][client]") {
  const bool timeout = GENERATE(false, true);
  ClientSession c(config());
  up_to_retr(c);
  CHECK(c.timeout() == std::chrono::minutes(10));
  step(c, "RETR 1", "+OK\r\npartial\r\n");
  if (timeout) {
    c.on_timeout();
    CHECK(c.status() == Status::TimedOut);
  } else {
    c.receive_eof();
    CHECK(c.status() == Status::ConnectionLost);
  }
  CHECK(c.closed());
  CHECK(c.retrieved().empty());
  CHECK(c.timeout() == std::chrono::milliseconds::zero());
  c.receive(".\r\n");  // ignored once closed
  CHECK(c.retrieved().empty());
}
