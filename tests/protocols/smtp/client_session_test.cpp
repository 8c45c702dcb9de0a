// ClientSession against scripted server replies: what it sends, and what it reports.
#include <catch2/catch.hpp>

#include "smtp_test_support.hpp"

using namespace maillab::smtp;
using namespace maillab::smtp::test;
using namespace std::chrono_literals;
using CState = ClientSession::State;

namespace {

const std::string kEhloFull =
    "250-mx.example.org\r\n250-PIPELINING\r\n250-SIZE 1000\r\n250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250 DSN\r\n";
const std::string kEhloPlain = "250-mx.example.org\r\n250 ENHANCEDSTATUSCODES\r\n";

struct Scripted {
  ClientSession c;
  std::vector<std::string> sent_lines;
  explicit Scripted(ClientConfig cfg = client_config()) : c(std::move(cfg)) {
    c.on_exchange = [this](std::string_view line, const Reply&) { sent_lines.emplace_back(line); };
  }
  // The server says `bytes`; returns what the client answers.
  std::string server(std::string_view bytes) {
    c.receive(bytes);
    return c.take_output();
  }
};

}  // namespace

TEST_CASE("client: EHLO, then one command at a time without PIPELINING", "[smtp][client]") {
  Scripted s;
  s.c.add(message("alice@example.net", {"bob@example.org", "carol@example.org"}, "Hello\r\n.dot\r\n"));
  s.c.finish();
  CHECK(s.c.take_output().empty());  // the server speaks first
  CHECK(s.c.timeout() == 300000ms);
  CHECK(s.server("220 mx.example.org ESMTP\r\n") == "EHLO client.example.net\r\n");
  CHECK(s.c.timeout() == 300000ms);
  CHECK(s.server(kEhloPlain) == "MAIL FROM:<alice@example.net>\r\n");
  CHECK(s.c.extensions() == std::set<std::string>{"ENHANCEDSTATUSCODES"});
  CHECK(s.c.timeout() == 300000ms);
  CHECK(s.server("250 2.1.0 Ok\r\n") == "RCPT TO:<bob@example.org>\r\n");
  CHECK(s.server("250 2.1.5 Ok\r\n") == "RCPT TO:<carol@example.org>\r\n");
  CHECK(s.server("550 5.1.1 <carol@example.org>: User unknown\r\n") == "DATA\r\n");
  CHECK(s.c.timeout() == 120000ms);
  CHECK(s.server("354 go ahead\r\n") == "Hello\r\n..dot\r\n.\r\n");
  CHECK(s.c.timeout() == 600000ms);
  CHECK(s.server("250 2.0.0 Ok: queued as 12345\r\n") == "QUIT\r\n");
  CHECK(s.c.state() == CState::Quitting);
  CHECK(s.server("221 2.0.0 Bye\r\n").empty());
  CHECK(s.c.closed());
  REQUIRE(s.c.outcomes().size() == 1);
  const auto& o = s.c.outcomes()[0];
  CHECK(o.mail_reply.code == 250);
  CHECK(o.data_sent);
  CHECK(o.data_acknowledged);
  REQUIRE(o.rcpts.size() == 2);
  CHECK(o.rcpts[0].rcpt.address() == "bob@example.org");
  CHECK(o.rcpts[0].reply.summary() == "250 2.0.0 Ok: queued as 12345");
  CHECK(o.rcpts[1].reply.summary() == "550 5.1.1 <carol@example.org>: User unknown");
  CHECK(s.sent_lines == std::vector<std::string>{"", "EHLO client.example.net", "MAIL FROM:<alice@example.net>",
                                                 "RCPT TO:<bob@example.org>", "RCPT TO:<carol@example.org>", "DATA",
                                                 "<data>", "QUIT"});
}

TEST_CASE("client: PIPELINING sends MAIL, RCPTs and DATA as one group with the ESMTP parameters", "[smtp][client]") {
  Scripted s;
  OutgoingMessage m = message("alice@example.net", {"bob@example.org", "carol@example.org"}, "caf\xc3\xa9\r\n");
  m.params.ret = DsnRet::Hdrs;
  m.params.envid = "ID 1";
  m.rcpts[0].params.notify = RcptParams::notify_failure;
  s.c.add(m);
  s.server("220 mx ESMTP\r\n");
  CHECK(s.server(kEhloFull) ==
        "MAIL FROM:<alice@example.net> SIZE=7 BODY=8BITMIME RET=HDRS ENVID=ID+201\r\n"
        "RCPT TO:<bob@example.org> NOTIFY=FAILURE\r\nRCPT TO:<carol@example.org>\r\nDATA\r\n");
  CHECK(s.c.size_limit() == 1000);
  CHECK(s.server("250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n").empty());
  CHECK(s.server("250 2.1.5 Ok\r\n354 End data\r\n") == "caf\xc3\xa9\r\n.\r\n");
  CHECK(s.server("250 2.0.0 Ok\r\n").empty());
  CHECK(s.c.idle());

  // Without the extensions, the parameters are left out.
  Scripted t;
  t.c.add(m);
  t.server("220 mx ESMTP\r\n");
  CHECK(t.server(kEhloPlain) == "MAIL FROM:<alice@example.net>\r\n");
}

TEST_CASE("client: falls back to HELO on 500/502 (RFC 5321 3.2)", "[smtp][client]") {
  for (const char* refusal : {"500 5.5.2 Syntax error, command unrecognized\r\n", "502 Command not implemented\r\n"}) {
    Scripted s;
    s.c.add(message("a@x.example", {"b@y.example"}, "x\r\n"));
    s.server("220 old.example SMTP\r\n");
    CHECK(s.server(refusal) == "HELO client.example.net\r\n");
    CHECK(s.server("250 old.example\r\n") == "MAIL FROM:<a@x.example>\r\n");
    CHECK(s.c.extensions().empty());
  }
}

TEST_CASE("client: a refused greeting or HELO is reported as the server said it", "[smtp][client]") {
  {
    Scripted s;
    s.c.add(message("a@x.example", {"b@y.example", "c@y.example"}, "x\r\n"));
    CHECK(s.server("554 5.7.1 mx.example.org No SMTP service for you\r\n") == "QUIT\r\n");
    REQUIRE(s.c.outcomes().size() == 1);
    for (const auto& r : s.c.outcomes()[0].rcpts) CHECK(r.reply.summary() == "554 5.7.1 mx.example.org No SMTP service for you");
    CHECK_FALSE(s.c.outcomes()[0].data_sent);
    s.server("221 Bye\r\n");
    CHECK(s.c.closed());
  }
  {
    Scripted s;
    s.c.add(message("a@x.example", {"b@y.example"}, "x\r\n"));
    CHECK(s.server("421 4.3.2 busy\r\n").empty());
    CHECK(s.c.closed());
    CHECK(s.c.outcomes()[0].rcpts[0].reply.summary() == "421 4.3.2 busy");
  }
  {
    Scripted s;
    s.c.add(message("a@x.example", {"b@y.example"}, "x\r\n"));
    s.server("220 mx\r\n");
    CHECK(s.server("550 5.7.1 go away\r\n") == "QUIT\r\n");
    CHECK(s.c.outcomes()[0].rcpts[0].reply.summary() == "550 5.7.1 go away");
    // Messages added later get the same outcome at once.
    s.c.add(message("a@x.example", {"z@y.example"}, "x\r\n"));
    REQUIRE(s.c.outcomes().size() == 2);
    CHECK(s.c.outcomes()[1].rcpts[0].reply.summary() == "550 5.7.1 go away");
  }
}

TEST_CASE("client: no recipient accepted means RSET, not DATA", "[smtp][client]") {
  Scripted s;
  s.c.add(message("a@x.example", {"b@y.example"}, "x\r\n"));
  s.c.add(message("a@x.example", {"c@y.example"}, "second\r\n"));
  s.c.finish();
  s.server("220 mx\r\n");
  CHECK(s.server(kEhloPlain) == "MAIL FROM:<a@x.example>\r\n");
  CHECK(s.server("250 Ok\r\n") == "RCPT TO:<b@y.example>\r\n");
  CHECK(s.server("550 5.1.1 unknown\r\n") == "RSET\r\n");
  CHECK(s.server("250 2.0.0 Ok\r\n") == "MAIL FROM:<a@x.example>\r\n");
  CHECK(s.server("250 Ok\r\n") == "RCPT TO:<c@y.example>\r\n");
  CHECK(s.server("250 Ok\r\n") == "DATA\r\n");
  CHECK(s.server("354 Go\r\n") == "second\r\n.\r\n");
  CHECK(s.server("250 2.0.0 Ok\r\n") == "QUIT\r\n");
  auto outcomes = s.c.take_outcomes();
  REQUIRE(outcomes.size() == 2);
  CHECK(outcomes[0].rcpts[0].reply.code == 550);
  CHECK_FALSE(outcomes[0].data_sent);
  CHECK(outcomes[1].rcpts[0].reply.code == 250);
  CHECK(s.c.outcomes().empty());
}

TEST_CASE("client: rset_between_transactions sends RSET after a delivered message, as smtp-source does", "[smtp][client]") {
  ClientConfig cfg = client_config();
  cfg.rset_between_transactions = true;
  Scripted s(cfg);
  s.c.add(message("a@x.example", {"b@y.example"}, "one\r\n"));
  s.server("220 mx\r\n");
  CHECK(s.server(kEhloFull) == "MAIL FROM:<a@x.example> SIZE=5\r\nRCPT TO:<b@y.example>\r\nDATA\r\n");
  CHECK(s.server("250 Ok\r\n250 Ok\r\n354 Go\r\n") == "one\r\n.\r\n");
  CHECK(s.server("250 2.0.0 Ok: queued\r\n") == "RSET\r\n");
  CHECK_FALSE(s.c.idle());
  CHECK(s.server("250 2.0.0 Ok\r\n").empty());
  CHECK(s.c.idle());
  // A message queued meanwhile: the RSET goes in front of its MAIL (pipelined).
  s.c.add(message("a@x.example", {"b@y.example"}, "two\r\n"));
  s.c.add(message("a@x.example", {"b@y.example"}, "three\r\n"));
  CHECK(s.c.take_output() == "MAIL FROM:<a@x.example> SIZE=5\r\nRCPT TO:<b@y.example>\r\nDATA\r\n");
  CHECK(s.server("250 Ok\r\n250 Ok\r\n354 Go\r\n") == "two\r\n.\r\n");
  CHECK(s.server("250 2.0.0 Ok\r\n") ==
        "RSET\r\nMAIL FROM:<a@x.example> SIZE=7\r\nRCPT TO:<b@y.example>\r\nDATA\r\n");
  CHECK(s.c.take_outcomes().size() == 2);
}

TEST_CASE("client: pipelined transaction whose recipients all fail, then RSET before the next MAIL", "[smtp][client]") {
  Scripted s;
  s.c.add(message("a@x.example", {"b@y.example"}, "x\r\n"));
  s.c.add(message("a@x.example", {"c@y.example"}, "y\r\n"));
  s.server("220 mx\r\n");
  CHECK(s.server(kEhloFull) == "MAIL FROM:<a@x.example> SIZE=3\r\nRCPT TO:<b@y.example>\r\nDATA\r\n");
  CHECK(s.server("250 2.1.0 Ok\r\n550 5.1.1 unknown\r\n554 5.5.1 Error: no valid recipients\r\n") ==
        "RSET\r\nMAIL FROM:<a@x.example> SIZE=3\r\nRCPT TO:<c@y.example>\r\nDATA\r\n");
  CHECK(s.c.outcomes().size() == 1);
  CHECK(s.c.outcomes()[0].rcpts[0].reply.code == 550);
  // MAIL refused: every recipient gets the MAIL reply; the RCPT/DATA replies are ignored.
  CHECK(s.server("250 Ok\r\n451 4.3.0 try later\r\n503 5.5.1 need MAIL\r\n503 5.5.1 need RCPT\r\n").empty());
  REQUIRE(s.c.outcomes().size() == 2);
  CHECK(s.c.outcomes()[1].mail_reply.summary() == "451 4.3.0 try later");
  CHECK(s.c.outcomes()[1].rcpts[0].reply.summary() == "451 4.3.0 try later");
  CHECK(s.c.idle());
}

TEST_CASE("client: 354 although nothing was accepted ends DATA with an empty message", "[smtp][client]") {
  Scripted s;
  s.c.add(message("a@x.example", {"b@y.example"}, "secret content\r\n"));
  s.server("220 mx\r\n");
  s.server(kEhloFull);
  CHECK(s.server("250 Ok\r\n550 no\r\n354 go\r\n") == ".\r\n");
  CHECK(s.server("554 no recipients\r\n").empty());
  REQUIRE(s.c.outcomes().size() == 1);
  CHECK(s.c.outcomes()[0].rcpts[0].reply.code == 550);
  CHECK_FALSE(s.c.outcomes()[0].data_sent);
}

TEST_CASE("client: SIZE announced by the server is honoured (RFC 1870 5)", "[smtp][client]") {
  Scripted s;
  s.c.add(message("a@x.example", {"b@y.example"}, std::string(2000, 'x')));
  s.c.add(message("a@x.example", {"c@y.example"}, "small\r\n"));
  s.server("220 mx\r\n");
  CHECK(s.server(kEhloFull) == "MAIL FROM:<a@x.example> SIZE=7\r\nRCPT TO:<c@y.example>\r\nDATA\r\n");
  REQUIRE(s.c.outcomes().size() == 1);
  const Reply& r = s.c.outcomes()[0].rcpts[0].reply;
  CHECK(r.code == 552);
  CHECK(r.enhanced == "5.3.4");
  CHECK(r.text().find("Message size exceeds fixed limit") == 0);
}

TEST_CASE("client: lost connection and timeouts give 421 4.4.2 with Postfix's wording", "[smtp][client]") {
  struct Case {
    std::vector<std::string> replies;  // server replies before the failure
    bool timeout;
    std::string text;
    bool data_sent;
  } cases[] = {
      {{}, false, "lost connection with mx.example.org[192.0.2.25] while receiving the initial server greeting", false},
      {{}, true, "conversation with mx.example.org[192.0.2.25] timed out while receiving the initial server greeting", false},
      {{"220 mx\r\n"}, false, "lost connection with mx.example.org[192.0.2.25] while performing the EHLO handshake", false},
      {{"220 mx\r\n", kEhloPlain}, true, "conversation with mx.example.org[192.0.2.25] timed out while sending MAIL FROM", false},
      {{"220 mx\r\n", kEhloPlain, "250 ok\r\n"}, false, "lost connection with mx.example.org[192.0.2.25] while sending RCPT TO", false},
      {{"220 mx\r\n", kEhloPlain, "250 ok\r\n", "250 ok\r\n"}, true,
       "conversation with mx.example.org[192.0.2.25] timed out while sending DATA command", false},
      {{"220 mx\r\n", kEhloPlain, "250 ok\r\n", "250 ok\r\n", "354 go\r\n"}, false,
       "lost connection with mx.example.org[192.0.2.25] while sending end of data -- message may be sent more than once",
       true},
      {{"220 mx\r\n", kEhloPlain, "250 ok\r\n", "250 ok\r\n", "354 go\r\n", "250-partial"}, false,
       "lost connection with mx.example.org[192.0.2.25] while sending end of data -- message may be sent more than once",
       true},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    Scripted s;
    s.c.add(message("a@x.example", {"b@y.example"}, "x\r\n"));
    s.c.add(message("a@x.example", {"c@y.example"}, "y\r\n"));
    for (const auto& r : c.replies) s.server(r);
    if (c.timeout) s.c.on_timeout();
    else s.c.receive_eof();
    CHECK(s.c.closed());
    CHECK(s.c.timeout() == 0ms);
    REQUIRE(s.c.outcomes().size() == 2);
    for (const auto& o : s.c.outcomes()) {
      CHECK_FALSE(o.data_acknowledged);
      REQUIRE(o.rcpts.size() == 1);
      CHECK(o.rcpts[0].reply.code == 421);
      CHECK(o.rcpts[0].reply.enhanced == "4.4.2");
      CHECK(o.rcpts[0].reply.text() == c.text);
    }
    CHECK(s.c.outcomes()[0].data_sent == c.data_sent);
    CHECK(s.c.take_output().find("QUIT") == std::string::npos);
  }
}

TEST_CASE("client: a rejected recipient keeps its 5xx when the connection drops later", "[smtp][client]") {
  Scripted s;
  s.c.add(message("a@x.example", {"b@y.example", "c@y.example"}, "x\r\n"));
  s.server("220 mx\r\n");
  s.server(kEhloFull);
  s.server("250 Ok\r\n550 5.1.1 unknown\r\n250 Ok\r\n354 go\r\n");
  s.c.receive_eof();
  const auto& o = s.c.outcomes().at(0);
  CHECK(o.rcpts[0].reply.code == 550);
  CHECK(o.rcpts[1].reply.code == 421);
  CHECK(o.data_sent);
  CHECK_FALSE(o.data_acknowledged);
}

TEST_CASE("client: malformed, unexpected and 421 replies end the session", "[smtp][client]") {
  {
    Scripted s;
    s.c.add(message("a@x.example", {"b@y.example"}, "x\r\n"));
    s.server("220 mx\r\n");
    s.server(kEhloPlain);
    s.server("250 ok\r\n");
    CHECK(s.server("hello there\r\n").empty());
    CHECK(s.c.closed());
    CHECK(s.c.outcomes()[0].rcpts[0].reply.summary() ==
          "421 4.5.0 malformed reply from mx.example.org[192.0.2.25] while sending RCPT TO");
  }
  {
    // A reply of the wrong class is no acceptance: 250 to DATA, 354 to RCPT.
    for (const char* replies : {"250 ok\r\n250 ok\r\n250 ok\r\n", "250 ok\r\n354 what\r\n"}) {
      Scripted s;
      s.c.add(message("a@x.example", {"b@y.example"}, "x\r\n"));
      s.server("220 mx\r\n");
      s.server(kEhloFull);
      s.server(replies);
      CHECK(s.c.closed());
      const auto& o = s.c.outcomes().at(0);
      CHECK_FALSE(o.data_sent);
      CHECK(o.rcpts[0].reply.code == 421);
      CHECK(o.rcpts[0].reply.enhanced == "4.5.0");
      CHECK(o.rcpts[0].reply.text().find("protocol error: unexpected reply from mx.example.org[192.0.2.25]") == 0);
    }
  }
  {
    Scripted s;
    s.server("220 mx\r\n");
    s.server(kEhloPlain);
    CHECK(s.c.idle());
    s.server("250 surprise\r\n");
    CHECK(s.c.closed());
    s.c.add(message("a@x.example", {"b@y.example"}, "x\r\n"));
    CHECK(s.c.outcomes()[0].rcpts[0].reply.code == 421);
  }
  {
    Scripted s;
    s.server("220 mx\r\n");
    s.server(kEhloPlain);
    s.server("421 4.4.2 mx Error: timeout exceeded\r\n");
    CHECK(s.c.closed());
  }
  {
    Scripted s;
    s.c.add(message("a@x.example", {"b@y.example", "c@y.example"}, "x\r\n"));
    s.c.add(message("a@x.example", {"d@y.example"}, "x\r\n"));
    s.server("220 mx\r\n");
    s.server(kEhloFull);
    CHECK(s.server("250 ok\r\n421 4.7.0 mx Error: too many errors\r\n").empty());
    CHECK(s.c.closed());
    REQUIRE(s.c.outcomes().size() == 2);
    CHECK(s.c.outcomes()[0].rcpts[0].reply.summary() == "421 4.7.0 mx Error: too many errors");
    CHECK(s.c.outcomes()[0].rcpts[1].reply.summary() == "421 4.7.0 mx Error: too many errors");
    CHECK(s.c.outcomes()[1].rcpts[0].reply.code == 421);
  }
}

TEST_CASE("client: AUTH PLAIN, AUTH LOGIN and their failures", "[smtp][client][auth]") {
  ClientConfig cfg = client_config();
  cfg.auth = std::make_pair(std::string("bob"), std::string("secret"));
  {
    Scripted s(cfg);
    s.server("220 mx\r\n");
    CHECK(s.server("250-mx\r\n250 AUTH LOGIN PLAIN\r\n") == "AUTH PLAIN AGJvYgBzZWNyZXQ=\r\n");
    CHECK(s.c.state() == CState::Auth);
    s.server("235 2.7.0 Authentication successful\r\n");
    CHECK(s.c.authenticated());
    CHECK(s.c.idle());
    CHECK(s.sent_lines[2] == "AUTH PLAIN ****");
  }
  {
    Scripted s(cfg);
    s.server("220 mx\r\n");
    CHECK(s.server("250-mx\r\n250 AUTH LOGIN\r\n") == "AUTH LOGIN\r\n");
    CHECK(s.server("334 VXNlcm5hbWU6\r\n") == "Ym9i\r\n");
    CHECK(s.server("334 UGFzc3dvcmQ6\r\n") == "c2VjcmV0\r\n");
    s.server("235 2.7.0 Authentication successful\r\n");
    CHECK(s.c.authenticated());
  }
  {
    Scripted s(cfg);
    s.c.add(message("bob@example.org", {"x@y.example"}, "x\r\n"));
    s.server("220 mx\r\n");
    s.server("250-mx\r\n250 AUTH PLAIN\r\n");
    CHECK(s.server("535 5.7.8 Error: authentication failed\r\n") == "QUIT\r\n");
    CHECK_FALSE(s.c.authenticated());
    CHECK(s.c.outcomes()[0].rcpts[0].reply.summary() == "535 5.7.8 Error: authentication failed");
  }
  {
    // Found by fuzzing: any 2xx ends AUTH successfully and is never a recipient's outcome.
    Scripted s(cfg);
    s.c.add(message("bob@example.org", {"x@y.example"}, "x\r\n"));
    s.server("220 mx\r\n");
    s.server("250-mx\r\n250 AUTH PLAIN\r\n");
    CHECK(s.server("230 ok\r\n") == "MAIL FROM:<bob@example.org>\r\n");
    CHECK(s.c.authenticated());
  }
  {
    // No usable mechanism: go on without (the server decides).
    Scripted s(cfg);
    s.c.add(message("bob@example.org", {"x@y.example"}, "x\r\n"));
    s.server("220 mx\r\n");
    CHECK(s.server("250-mx\r\n250 AUTH CRAM-MD5\r\n") == "MAIL FROM:<bob@example.org>\r\n");
  }
}

TEST_CASE("client: idle timeout says QUIT; add after close gets an outcome at once", "[smtp][client]") {
  Scripted s;
  s.server("220 mx\r\n");
  s.server(kEhloPlain);
  CHECK(s.c.idle());
  CHECK(s.c.timeout() == 300000ms);
  s.c.on_timeout();
  CHECK(s.c.take_output() == "QUIT\r\n");
  CHECK(s.c.closed());
  CHECK(s.c.timeout() == 0ms);
  CHECK(s.c.outcomes().empty());
  s.c.add(message("a@x.example", {"b@y.example"}, "x\r\n"));
  REQUIRE(s.c.outcomes().size() == 1);
  CHECK(s.c.outcomes()[0].rcpts[0].reply.transient());
}

TEST_CASE("client: messages added while others are in flight all get their outcome, in order", "[smtp][client]") {
  // A long-lived connection whose queue never runs empty: every message is sent once, in
  // add() order, and the trace names each command as it was sent.
  for (const bool pipelining : {true, false}) {
    RecordingHandler h;
    h.unknown_users = {"nobody@example.org"};
    ServerConfig server_cfg = server_config();
    server_cfg.hard_error_limit = 1000;  // the refused recipients count as errors
    ServerSession server(server_cfg, h);
    ClientConfig cfg = client_config();
    cfg.pipelining = pipelining;
    ClientSession client(cfg);
    std::vector<std::string> trace;
    client.on_exchange = [&trace](std::string_view line, const Reply&) { trace.emplace_back(line); };
    const auto step = [&] {
      if (std::string out = server.take_output(); !out.empty()) client.receive(out);
      if (std::string out = client.take_output(); !out.empty()) server.receive(out);
    };
    const int kMessages = 120;
    for (int i = 0; i < kMessages; ++i) {
      const std::string n = std::to_string(i);
      std::vector<std::string> rcpts = {"u" + n + "@example.org"};
      if (i % 3 == 0) rcpts.insert(rcpts.begin(), "nobody@example.org");
      if (i % 10 == 7) rcpts = {"nobody@example.org"};  // refused: RSET follows
      client.add(message("s" + n + "@example.net", rcpts, "Message " + n + "\r\n"));
      if (i % 2) step();
    }
    client.finish();
    Pump pump(client, server);
    REQUIRE(pump.run());
    INFO("pipelining " << pipelining);
    REQUIRE(client.closed());
    const auto& outcomes = client.outcomes();
    REQUIRE(outcomes.size() == kMessages);
    std::size_t delivered = 0;
    for (int i = 0; i < kMessages; ++i) {
      const std::string n = std::to_string(i);
      const auto& o = outcomes[static_cast<std::size_t>(i)];
      CHECK(o.mail_reply.code == 250);
      for (const auto& r : o.rcpts) {
        if (r.rcpt.local == "nobody") {
          CHECK(r.reply.code == 550);
        } else {
          CHECK(r.rcpt.address() == "u" + n + "@example.org");
          CHECK(r.reply.summary() == "250 2.0.0 Ok: queued");
          REQUIRE(delivered < h.delivered.size());
          CHECK(h.delivered[delivered++].content == "Message " + n + "\r\n");
        }
      }
    }
    CHECK(delivered == h.delivered.size());
    // Every MAIL in order in the trace, each exactly once.
    std::vector<std::string> mails;
    for (const auto& l : trace)
      if (l.rfind("MAIL FROM:", 0) == 0) mails.push_back(l);
    REQUIRE(mails.size() == kMessages);
    for (int i = 0; i < kMessages; ++i)
      CHECK(mails[static_cast<std::size_t>(i)].rfind("MAIL FROM:<s" + std::to_string(i) + "@example.net>", 0) == 0);
    CHECK(trace.back() == "QUIT");
  }
}

namespace {

const std::string kEhloChunking =
    "250-mx.example.org\r\n250-PIPELINING\r\n250-SIZE 1000\r\n250-8BITMIME\r\n250 CHUNKING\r\n";

ClientConfig chunking_client(bool pipelining = true) {
  ClientConfig cfg = client_config();
  cfg.chunking = true;
  cfg.pipelining = pipelining;
  return cfg;
}

}  // namespace

TEST_CASE("client: DATA even when CHUNKING is offered, unless configured (Postfix's default)", "[smtp][client][bdat]") {
  Scripted s;
  s.c.add(message("alice@example.net", {"bob@example.org"}, "hi\r\n"));
  s.server("220 mx ESMTP\r\n");
  CHECK(s.server(kEhloChunking) == "MAIL FROM:<alice@example.net> SIZE=4\r\nRCPT TO:<bob@example.org>\r\nDATA\r\n");
}

TEST_CASE("client: BDAT <n> LAST carries the content unstuffed, one command at a time", "[smtp][client][bdat]") {
  Scripted s(chunking_client(false));
  // A leading dot stays as it is, a bare LF becomes CRLF, a missing last line end is added.
  s.c.add(message("alice@example.net", {"bob@example.org", "carol@example.org"}, ".dot\nbare\r\nend"));
  s.c.finish();
  s.server("220 mx ESMTP\r\n");
  CHECK(s.server(kEhloChunking) == "MAIL FROM:<alice@example.net> SIZE=14\r\n");
  CHECK(s.server("250 2.1.0 Ok\r\n") == "RCPT TO:<bob@example.org>\r\n");
  CHECK(s.server("250 2.1.5 Ok\r\n") == "RCPT TO:<carol@example.org>\r\n");
  CHECK(s.server("550 5.1.1 <carol@example.org>: User unknown\r\n") == "BDAT 17 LAST\r\n.dot\r\nbare\r\nend\r\n");
  CHECK(s.c.timeout() == 600000ms);  // as after the dot (RFC 5321 4.5.3.2.6)
  CHECK(s.server("250 2.0.0 Ok: queued as 77\r\n") == "QUIT\r\n");
  s.server("221 2.0.0 Bye\r\n");
  REQUIRE(s.c.outcomes().size() == 1);
  const auto& o = s.c.outcomes()[0];
  CHECK(o.data_sent);
  CHECK(o.data_acknowledged);
  CHECK(o.rcpts[0].reply.summary() == "250 2.0.0 Ok: queued as 77");
  CHECK(o.rcpts[1].reply.summary() == "550 5.1.1 <carol@example.org>: User unknown");
  CHECK(s.sent_lines == std::vector<std::string>{"", "EHLO client.example.net", "MAIL FROM:<alice@example.net> SIZE=14",
                                                 "RCPT TO:<bob@example.org>", "RCPT TO:<carol@example.org>",
                                                 "BDAT 17 LAST", "QUIT"});
}

TEST_CASE("client: pipelined BDAT ends the group; a refusal reaches the accepted recipients", "[smtp][client][bdat]") {
  Scripted s(chunking_client());
  s.c.add(message("alice@example.net", {"bob@example.org", "carol@example.org"}, "one\r\n"));
  s.c.add(message("alice@example.net", {"dan@example.org"}, "two\r\n"));
  s.c.add(message("alice@example.net", {"eve@example.org"}, "three\r\n"));
  s.c.finish();
  s.server("220 mx ESMTP\r\n");
  CHECK(s.server(kEhloChunking) ==
        "MAIL FROM:<alice@example.net> SIZE=5\r\nRCPT TO:<bob@example.org>\r\nRCPT TO:<carol@example.org>\r\n"
        "BDAT 5 LAST\r\none\r\n");
  // The chunk is refused: the accepted recipient gets the refusal; the server's state is
  // unknown (RFC 3030 3), so the next transaction starts with RSET.
  CHECK(s.server("250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n550 5.1.1 unknown\r\n552 5.3.4 Chunk exceeds message size limit\r\n") ==
        "RSET\r\nMAIL FROM:<alice@example.net> SIZE=5\r\nRCPT TO:<dan@example.org>\r\nBDAT 5 LAST\r\ntwo\r\n");
  // No recipient accepted: the server reads the chunk and refuses it; nothing to report.
  CHECK(s.server("250 2.0.0 Ok\r\n250 2.1.0 Ok\r\n550 5.1.1 unknown\r\n554 5.5.1 Error: no valid recipients\r\n") ==
        "MAIL FROM:<alice@example.net> SIZE=7\r\nRCPT TO:<eve@example.org>\r\nBDAT 7 LAST\r\nthree\r\n");
  CHECK(s.server("250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.0.0 Ok: queued as 9\r\n") == "QUIT\r\n");
  REQUIRE(s.c.outcomes().size() == 3);
  CHECK(s.c.outcomes()[0].rcpts[0].reply.summary() == "552 5.3.4 Chunk exceeds message size limit");
  CHECK(s.c.outcomes()[0].rcpts[1].reply.summary() == "550 5.1.1 unknown");
  CHECK(s.c.outcomes()[1].rcpts[0].reply.summary() == "550 5.1.1 unknown");
  CHECK(s.c.outcomes()[2].rcpts[0].reply.summary() == "250 2.0.0 Ok: queued as 9");
}

TEST_CASE("client: no CHUNKING offered, DATA as ever", "[smtp][client][bdat]") {
  Scripted s(chunking_client());
  s.c.add(message("alice@example.net", {"bob@example.org"}, "hi\r\n"));
  s.server("220 mx ESMTP\r\n");
  CHECK(s.server(kEhloFull) == "MAIL FROM:<alice@example.net> SIZE=4\r\nRCPT TO:<bob@example.org>\r\nDATA\r\n");
}
