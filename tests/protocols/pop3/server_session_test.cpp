// ServerSession driven with raw bytes: every command in every wrong state, argument
// syntax, deleted messages, limits, authentication paths, UPDATE, timers, and the
// framing properties (any split gives the same output; pipelined commands).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "pop3_test_support.hpp"
#include "protocols/message/base64.hpp"
#include "protocols/pop3/md5.hpp"

using namespace maillab::pop3;
using namespace maillab::pop3::test;

namespace {

const std::string kGreeting = "+OK pop.example.org POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n";

struct Raw {
  RecordingStore store;
  ServerSession server;
  explicit Raw(ServerConfig config = server_config()) : server(std::move(config), store) {
    fill(store);
    server.start();
    REQUIRE(server.take_output() == kGreeting);
  }
  std::string send(std::string_view bytes) {
    server.receive(bytes);
    return server.take_output();
  }
  void login() {
    REQUIRE(send("USER bob\r\n") == "+OK send PASS\r\n");
    REQUIRE(send("PASS secret\r\n").rfind("+OK maildrop has 3 messages", 0) == 0);
    REQUIRE(server.state() == ServerSession::State::Transaction);
  }
};

std::string plain(std::string_view authzid, std::string_view user, std::string_view pass) {
  std::string s(authzid);
  s += '\0';
  s += user;
  s += '\0';
  s += pass;
  return maillab::message::base64_encode(s);
}

const std::size_t kTotal = kMsg1.size() + kMsg2.size() + kMsg3.size();

}  // namespace

TEST_CASE("greeting carries hostname and APOP timestamp; banner() overrides text", "[pop3][server]") {
  Raw raw;  // checks kGreeting
  CHECK(raw.store.exchanges.at(0) == std::pair<std::string, std::string>{"", kGreeting.substr(0, kGreeting.size() - 2)});

  struct Banner : RecordingStore {
    std::string banner() override { return "hello there"; }
  } store;
  ServerConfig config = server_config();
  config.apop_timestamp.clear();
  ServerSession s(config, store);
  s.start();
  CHECK(s.take_output() == "+OK hello there\r\n");
}

TEST_CASE("commands in the wrong state get -ERR and change nothing", "[pop3][server]") {
  const std::vector<std::string> transaction_only = {"STAT", "LIST", "LIST 1", "RETR 1", "DELE 1",
                                                     "NOOP", "RSET", "TOP 1 1", "UIDL", "UIDL 1"};
  const std::vector<std::string> authorization_only = {"USER bob", "PASS secret", "APOP bob 0123",
                                                       "AUTH PLAIN", "AUTH PLAIN " + plain("", "bob", "secret")};
  SECTION("TRANSACTION commands in AUTHORIZATION") {
    Raw raw;
    for (const auto& cmd : transaction_only) {
      INFO(cmd);
      const std::string keyword = cmd.substr(0, cmd.find(' '));
      CHECK(raw.send(cmd + "\r\n") == "-ERR " + keyword + " not valid in the AUTHORIZATION state\r\n");
      CHECK(raw.server.state() == ServerSession::State::Authorization);
    }
    CHECK_FALSE(raw.store.locked("bob"));
  }
  SECTION("AUTHORIZATION commands in TRANSACTION") {
    Raw raw;
    raw.login();
    for (const auto& cmd : authorization_only) {
      INFO(cmd);
      const std::string keyword = cmd.substr(0, cmd.find(' '));
      CHECK(raw.send(cmd + "\r\n") == "-ERR " + keyword + " not valid in the TRANSACTION state\r\n");
      CHECK(raw.server.state() == ServerSession::State::Transaction);
    }
    CHECK(raw.server.auth_failures() == 0);
  }
  SECTION("nothing is accepted once closed") {
    Raw raw;
    CHECK(raw.send("QUIT\r\n") == "+OK pop.example.org POP3 server signing off\r\n");
    CHECK(raw.server.closed());
    for (const auto& cmd : transaction_only) CHECK(raw.send(cmd + "\r\n").empty());
    for (const auto& cmd : authorization_only) CHECK(raw.send(cmd + "\r\n").empty());
    CHECK(raw.server.timeout() == std::chrono::milliseconds::zero());
  }
}

TEST_CASE("argument syntax and message numbers", "[pop3][server]") {
  Raw raw;
  raw.login();
  const std::pair<std::string, std::string> cases[] = {
      {"RETR 1x", "-ERR invalid message number"},
      {"RETR -1", "-ERR invalid message number"},
      {"RETR +1", "-ERR invalid message number"},
      {"RETR 99999999999999999999999", "-ERR invalid message number"},
      {"RETR 0", "-ERR no such message"},
      {"RETR 4", "-ERR no such message"},
      {"RETR 18446744073709551615", "-ERR no such message"},
      {"RETR", "-ERR syntax: RETR msg"},
      {"RETR 1 2", "-ERR syntax: RETR msg"},
      {"RETR  1", "-ERR syntax: RETR msg"},
      {"RETR 1 ", "-ERR syntax: RETR msg"},
      {"DELE x", "-ERR invalid message number"},
      {"LIST 1x", "-ERR invalid message number"},
      {"LIST 9", "-ERR no such message"},
      {"LIST 1 2", "-ERR syntax: LIST [msg]"},
      {"UIDL 0", "-ERR no such message"},
      {"TOP 1", "-ERR syntax: TOP msg n"},
      {"TOP 1 x", "-ERR invalid number of lines"},
      {"TOP 1 -1", "-ERR invalid number of lines"},
      {"TOP 1 99999999999999999999999", "-ERR invalid number of lines"},
      {"TOP x 1", "-ERR invalid message number"},
      {"STAT 1", "-ERR syntax: STAT"},
      {"NOOP x", "-ERR syntax: NOOP"},
      {"QUIT now", "-ERR syntax: QUIT"},
      {"CAPA x", "-ERR syntax: CAPA"},
      {"FOO", "-ERR unknown command"},
      {"RETRIEVE 1", "-ERR unknown command"},
      {"", "-ERR empty command"},
      {" STAT", "-ERR empty command"},
      {std::string("NO\0OP", 5), "-ERR invalid character in command"},
      {"NOOP\r", "-ERR invalid character in command"},
  };
  for (const auto& [cmd, reply] : cases) {
    INFO(cmd);
    CHECK(raw.send(cmd + "\r\n") == reply + "\r\n");
  }
  CHECK(raw.server.state() == ServerSession::State::Transaction);
  CHECK(raw.send("NOOP\r\n") == "+OK\r\n");
}

TEST_CASE("commands are case-insensitive; bare LF ends a line", "[pop3][server]") {
  Raw raw;
  CHECK(raw.send("user bob\r\n") == "+OK send PASS\r\n");
  CHECK(raw.send("pAsS secret\n").rfind("+OK", 0) == 0);
  CHECK(raw.send("stat\r\n") == "+OK 3 " + std::to_string(kTotal) + "\r\n");
  CHECK(raw.send("NoOp\n") == "+OK\r\n");
}

TEST_CASE("STAT, LIST, UIDL, RETR and TOP in TRANSACTION", "[pop3][server]") {
  Raw raw;
  raw.login();
  const auto n1 = std::to_string(kMsg1.size()), n2 = std::to_string(kMsg2.size()), n3 = std::to_string(kMsg3.size());
  CHECK(raw.send("STAT\r\n") == "+OK 3 " + std::to_string(kTotal) + "\r\n");
  CHECK(raw.send("LIST\r\n") == "+OK 3 messages (" + std::to_string(kTotal) + " octets)\r\n1 " + n1 + "\r\n2 " +
                                    n2 + "\r\n3 " + n3 + "\r\n.\r\n");
  CHECK(raw.send("LIST 2\r\n") == "+OK 2 " + n2 + "\r\n");
  CHECK(raw.send("UIDL\r\n") == "+OK unique-id listing follows\r\n1 u1\r\n2 u2\r\n3 u3\r\n.\r\n");
  CHECK(raw.send("UIDL 3\r\n") == "+OK 3 u3\r\n");
  CHECK(raw.send("RETR 1\r\n") ==
        "+OK " + n1 +
            " octets\r\nFrom: alice@example.org\r\nSubject: one\r\n\r\nHello\r\n..\r\n...two dots\r\n..leading\r\n"
            "\r\nbye\r\n.\r\n");
  CHECK(raw.send("RETR 2\r\n") == "+OK " + n2 + " octets\r\nSubject: two\r\n\r\n.\r\n");
  CHECK(raw.send("TOP 3 0\r\n") == "+OK top of message follows\r\nSubject: three\r\nX-A: b\r\n\r\n.\r\n");
  CHECK(raw.send("TOP 3 2\r\n") ==
        "+OK top of message follows\r\nSubject: three\r\nX-A: b\r\n\r\nline1\r\nline2\r\n.\r\n");
  CHECK(raw.send("TOP 3 10\r\n") ==
        "+OK top of message follows\r\nSubject: three\r\nX-A: b\r\n\r\nline1\r\nline2\r\nline3\r\n.\r\n");
  CHECK(raw.send("TOP 1 1\r\n") ==
        "+OK top of message follows\r\nFrom: alice@example.org\r\nSubject: one\r\n\r\nHello\r\n.\r\n");
}

TEST_CASE("deleted messages are invisible until RSET; nothing leaves before QUIT", "[pop3][server]") {
  Raw raw;
  raw.login();
  CHECK(raw.send("DELE 2\r\n") == "+OK message 2 deleted\r\n");
  for (const char* cmd : {"RETR 2", "LIST 2", "UIDL 2", "TOP 2 0", "DELE 2"}) {
    INFO(cmd);
    CHECK(raw.send(std::string(cmd) + "\r\n") == "-ERR message 2 already deleted\r\n");
  }
  const std::size_t visible = kMsg1.size() + kMsg3.size();
  CHECK(raw.send("STAT\r\n") == "+OK 2 " + std::to_string(visible) + "\r\n");
  CHECK(raw.send("LIST\r\n") == "+OK 2 messages (" + std::to_string(visible) + " octets)\r\n1 " +
                                    std::to_string(kMsg1.size()) + "\r\n3 " + std::to_string(kMsg3.size()) +
                                    "\r\n.\r\n");
  CHECK(raw.send("UIDL\r\n") == "+OK unique-id listing follows\r\n1 u1\r\n3 u3\r\n.\r\n");
  CHECK(raw.store.messages("bob").size() == 3);
  CHECK(raw.send("RSET\r\n") == "+OK maildrop has 3 messages (" + std::to_string(kTotal) + " octets)\r\n");
  CHECK(raw.send("LIST 2\r\n") == "+OK 2 " + std::to_string(kMsg2.size()) + "\r\n");
  CHECK(raw.send("DELE 1\r\n") == "+OK message 1 deleted\r\n");
  CHECK(raw.send("DELE 3\r\n") == "+OK message 3 deleted\r\n");
  CHECK(raw.store.messages("bob").size() == 3);
  CHECK(raw.send("QUIT\r\n") == "+OK pop.example.org POP3 server signing off (1 messages left)\r\n");
  CHECK(raw.server.closed());
  REQUIRE(raw.store.messages("bob").size() == 1);
  CHECK(raw.store.messages("bob")[0].uid == "u2");
  CHECK_FALSE(raw.store.locked("bob"));
}

TEST_CASE("QUIT with every message deleted says the maildrop is empty", "[pop3][server]") {
  Raw raw;
  raw.login();
  raw.send("DELE 1\r\nDELE 2\r\nDELE 3\r\n");
  CHECK(raw.send("QUIT\r\n") == "+OK pop.example.org POP3 server signing off (maildrop empty)\r\n");
  CHECK(raw.store.messages("bob").empty());
}

TEST_CASE("UPDATE reports messages it could not remove", "[pop3][server]") {
  Raw raw;
  raw.login();
  raw.send("DELE 1\r\n");
  raw.store.fail_removes = true;
  CHECK(raw.send("QUIT\r\n") == "-ERR [SYS/TEMP] some deleted messages not removed\r\n");
  CHECK(raw.server.closed());
  CHECK_FALSE(raw.store.locked("bob"));
}

TEST_CASE("EOF, timeout and destruction in TRANSACTION remove nothing", "[pop3][server]") {
  const int how = GENERATE(0, 1, 2);
  RecordingStore store;
  fill(store);
  {
    ServerSession server(server_config(), store);
    server.start();
    server.receive("USER bob\r\nPASS secret\r\nDELE 1\r\nDELE 2\r\n");
    CHECK(server.timeout() == std::chrono::minutes(10));
    CHECK(store.locked("bob"));
    server.take_output();
    if (how == 0) server.receive_eof();
    if (how == 1) server.on_timeout();
    if (how != 2) {
      CHECK(server.closed());
      CHECK(server.take_output().empty());  // RFC 1939 3: autologout sends nothing
      CHECK_FALSE(store.locked("bob"));
    }
  }
  CHECK(store.messages("bob").size() == 3);
  CHECK_FALSE(store.locked("bob"));
}

TEST_CASE("USER/PASS login paths", "[pop3][server]") {
  Raw raw;
  CHECK(raw.send("PASS secret\r\n") == "-ERR give USER first\r\n");
  CHECK(raw.send("USER nobody\r\n") == "-ERR [AUTH] no such mailbox\r\n");
  CHECK(raw.send("USER bob\r\nNOOP\r\nPASS secret\r\n") ==
        "+OK send PASS\r\n-ERR NOOP not valid in the AUTHORIZATION state\r\n-ERR give USER first\r\n");
  CHECK(raw.send("USER bob\r\nPASS\r\n") == "+OK send PASS\r\n-ERR syntax: PASS string\r\n");
  CHECK(raw.server.auth_failures() == 1);
  CHECK(raw.store.failures == std::vector<std::string>{"nobody"});
  SECTION("a password may contain spaces (RFC 1939 7)") {
    raw.store.add_user("carol", "two words");
    CHECK(raw.send("USER carol\r\nPASS two words\r\n") == "+OK send PASS\r\n+OK maildrop has 0 messages (0 octets)\r\n");
    CHECK(raw.server.user() == "carol");
  }
  SECTION("secrets never reach on_exchange") {
    raw.send("USER bob\r\nPASS secret\r\n");
    CHECK(raw.store.exchanges.back().first == "PASS ****");
  }
}

TEST_CASE("failed logins are counted and the session closes at the limit", "[pop3][server]") {
  Raw raw;
  CHECK(raw.send("USER bob\r\nPASS wrong\r\n") == "+OK send PASS\r\n-ERR [AUTH] invalid user name or password\r\n");
  CHECK(raw.send("APOP bob 00000000000000000000000000000000\r\n") == "-ERR [AUTH] invalid user name or digest\r\n");
  CHECK(raw.server.auth_failures() == 2);
  CHECK(raw.send("AUTH PLAIN " + plain("", "bob", "nope") + "\r\nUSER bob\r\n") ==
        "-ERR [AUTH] too many failures\r\n");
  CHECK(raw.server.closed());
  CHECK(raw.server.auth_failures() == 3);
  CHECK(raw.store.failures.size() == 3);
  CHECK(raw.send("USER bob\r\nPASS secret\r\n").empty());
}

TEST_CASE("APOP with RFC 1939's own example", "[pop3][server]") {
  Raw raw;
  raw.store.add_user("mrose", "pw", "tanstaaf");
  CHECK(raw.send("APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n") == "+OK maildrop has 1 messages (" +
                                                                            std::to_string(kMsg3.size()) + " octets)\r\n");
  CHECK(raw.server.user() == "mrose");
  SECTION("upper-case hex digest accepted") {
    Raw r2;
    CHECK(r2.send("APOP mrose C4C9334BAC560ECC979E58001B3E22FB\r\n").rfind("+OK", 0) == 0);
  }
  SECTION("not offered without a timestamp") {
    RecordingStore store;
    fill(store);
    ServerConfig config = server_config();
    config.apop_timestamp.clear();
    ServerSession s(config, store);
    s.start();
    CHECK(s.take_output() == "+OK pop.example.org POP3 server ready\r\n");
    s.receive("APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n");
    CHECK(s.take_output() == "-ERR APOP not available\r\n");
    CHECK(s.auth_failures() == 0);
  }
}

TEST_CASE("AUTH PLAIN (RFC 5034, RFC 4616)", "[pop3][server]") {
  Raw raw;
  SECTION("initial response") {
    CHECK(raw.send("AUTH PLAIN " + plain("", "bob", "secret") + "\r\n").rfind("+OK maildrop has 3", 0) == 0);
    CHECK(raw.store.exchanges.back().first == "AUTH PLAIN ****");
  }
  SECTION("authzid equal to authcid, mechanism in lower case") {
    CHECK(raw.send("auth plain " + plain("bob", "bob", "secret") + "\r\n").rfind("+OK", 0) == 0);
  }
  SECTION("continuation") {
    CHECK(raw.send("AUTH PLAIN\r\n") == "+ \r\n");
    CHECK(raw.send(plain("", "bob", "secret") + "\r\n").rfind("+OK maildrop has 3", 0) == 0);
    CHECK(raw.store.exchanges.back().first == "****");
  }
  SECTION("a long continuation response is allowed past 255 octets") {
    const std::string pw(400, 'p');
    raw.store.add_user("long", pw);
    CHECK(raw.send("AUTH PLAIN\r\n" + plain("", "long", pw) + "\r\n") == "+ \r\n+OK maildrop has 0 messages (0 octets)\r\n");
  }
  SECTION("* cancels; the session goes on") {
    CHECK(raw.send("AUTH PLAIN\r\n*\r\nNOOP\r\n") ==
          "+ \r\n-ERR authentication cancelled\r\n-ERR NOOP not valid in the AUTHORIZATION state\r\n");
    CHECK(raw.server.auth_failures() == 0);
  }
  SECTION("bad responses are [AUTH] failures") {
    CHECK(raw.send("AUTH PLAIN\r\n!!!\r\n") == "+ \r\n-ERR [AUTH] invalid base64 in authentication response\r\n");
    CHECK(raw.send("AUTH PLAIN " + maillab::message::base64_encode("bob") + "\r\n") ==
          "-ERR [AUTH] malformed PLAIN response\r\n");
    CHECK_FALSE(raw.server.closed());
    CHECK(raw.send("AUTH PLAIN =\r\n") == "-ERR [AUTH] too many failures\r\n");  // "=": empty response
    CHECK(raw.server.closed());
  }
  SECTION("proxy authorization refused") {
    CHECK(raw.send("AUTH PLAIN " + plain("mrose", "bob", "secret") + "\r\n") == "-ERR [AUTH] authentication failed\r\n");
  }
  SECTION("unknown mechanism") {
    CHECK(raw.send("AUTH CRAM-MD5\r\n") == "-ERR unsupported authentication mechanism\r\n");
    CHECK(raw.server.auth_failures() == 0);
  }
}

TEST_CASE("maildrop lock and open errors", "[pop3][server]") {
  Raw raw;
  std::unique_ptr<Maildrop> held;
  REQUIRE(raw.store.open_maildrop("bob", held) == ServerHandler::OpenResult::Ok);
  CHECK(raw.send("USER bob\r\nPASS secret\r\n") == "+OK send PASS\r\n-ERR [IN-USE] maildrop already locked\r\n");
  CHECK(raw.server.state() == ServerSession::State::Authorization);
  held.reset();
  raw.store.fail_opens = true;
  CHECK(raw.send("USER bob\r\nPASS secret\r\n") == "+OK send PASS\r\n-ERR [SYS/TEMP] unable to open maildrop\r\n");
  raw.store.fail_opens = false;
  CHECK(raw.send("USER bob\r\nPASS secret\r\n").rfind("+OK send PASS\r\n+OK", 0) == 0);
  CHECK(raw.server.auth_failures() == 0);
}

TEST_CASE("disabled mechanisms", "[pop3][server]") {
  ServerConfig config = server_config();
  config.user_pass = false;
  config.sasl_plain = false;
  Raw raw(config);
  CHECK(raw.send("USER bob\r\n") == "-ERR USER not available, use AUTH or APOP\r\n");
  CHECK(raw.send("AUTH PLAIN\r\n") == "-ERR unsupported authentication mechanism\r\n");
  CHECK(raw.send("CAPA\r\n") ==
        "+OK capability list follows\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\nPIPELINING\r\n"
        "IMPLEMENTATION maillab\r\n.\r\n");
}

TEST_CASE("CAPA is the same in both states", "[pop3][server]") {
  Raw raw;
  const std::string capa =
      "+OK capability list follows\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\nPIPELINING\r\nUSER\r\n"
      "SASL PLAIN\r\nIMPLEMENTATION maillab\r\n.\r\n";
  CHECK(raw.send("CAPA\r\n") == capa);
  raw.login();
  CHECK(raw.send("capa\r\n") == capa);
}

TEST_CASE("over-long lines are refused and the session goes on", "[pop3][server]") {
  Raw raw;
  CHECK(raw.send(std::string(253, 'N') + "\r\n") == "-ERR unknown command\r\n");  // 255 with CRLF: fits
  CHECK(raw.send("USER " + std::string(300, 'x') + "\r\n") == "-ERR line too long\r\n");
  // Sent in pieces, the over-long line is dropped as it comes, then the next line works.
  for (int i = 0; i < 20; ++i) CHECK(raw.send(std::string(100, 'y')).empty());
  CHECK(raw.send("\r\nCAPA\r\n").rfind("-ERR line too long\r\n+OK capability list follows\r\n", 0) == 0);
  CHECK(raw.server.auth_failures() == 0);
  raw.login();
}

TEST_CASE("host content out of normal form and invalid uids are repaired", "[pop3][server]") {
  RecordingStore store;
  store.add_user("eve", "pw");
  store.deliver("eve", "bad uid with spaces", "Subject: x\n\nno final crlf");
  store.deliver("eve", "ok", "");
  ServerSession s(server_config(), store);
  s.start();
  s.receive("USER eve\r\nPASS pw\r\n");
  s.take_output();
  const std::string fixed = "Subject: x\r\n\r\nno final crlf\r\n";
  s.receive("LIST 1\r\nRETR 1\r\nRETR 2\r\nUIDL 1\r\n");
  CHECK(s.take_output() == "+OK 1 " + std::to_string(fixed.size()) + "\r\n+OK " + std::to_string(fixed.size()) +
                               " octets\r\n" + fixed + ".\r\n+OK 0 octets\r\n.\r\n+OK 1 " +
                               Md5::hex("bad uid with spaces") + "\r\n");
}

TEST_CASE("pipelined commands in one buffer get ordered replies (RFC 2449 6.6)", "[pop3][server]") {
  Raw raw;
  const std::string out = raw.send("USER bob\r\nPASS secret\r\nSTAT\r\nDELE 1\r\nLIST 1\r\nNOOP\r\nQUIT\r\nNOOP\r\n");
  CHECK(out == "+OK send PASS\r\n+OK maildrop has 3 messages (" + std::to_string(kTotal) + " octets)\r\n+OK 3 " +
                   std::to_string(kTotal) +
                   "\r\n+OK message 1 deleted\r\n-ERR message 1 already deleted\r\n+OK\r\n"
                   "+OK pop.example.org POP3 server signing off (2 messages left)\r\n");
  CHECK(raw.server.closed());
  CHECK(raw.store.messages("bob").size() == 2);
}

TEST_CASE("one byte at a time gives the same output as all at once", "[pop3][server]") {
  const std::string script =
      "CAPA\r\nFOO\r\nUSER bob\r\nPASS wrong\r\nAUTH PLAIN\r\n" + plain("", "bob", "secret") +
      "\r\nSTAT\r\nLIST\r\nUIDL\r\nRETR 1\r\nTOP 3 1\r\nDELE 2\r\nRETR 2\r\n" + std::string(300, 'z') +
      "\r\nRSET\r\nDELE 3\r\nQUIT\r\n";
  auto run = [&](std::size_t chunk) {
    RecordingStore store;
    fill(store);
    ServerSession s(server_config(), store);
    s.start();
    std::string out = s.take_output();
    for (std::size_t i = 0; i < script.size(); i += chunk) {
      s.receive(std::string_view(script).substr(i, chunk));
      out += s.take_output();
    }
    CHECK(s.closed());
    CHECK(store.messages("bob").size() == 2);
    return out;
  };
  const std::string whole = run(script.size());
  CHECK(whole.find("-ERR line too long") != std::string::npos);
  for (std::size_t chunk : {1, 2, 3, 5, 7, 64}) {
    INFO(chunk);
    CHECK(run(chunk) == whole);
  }
}
