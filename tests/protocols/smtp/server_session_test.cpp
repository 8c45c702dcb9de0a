#include <catch2/catch.hpp>

#include <random>

#include "smtp_test_support.hpp"

using namespace maillab::smtp;
using namespace maillab::smtp::test;
using State = ServerSession::State;

TEST_CASE("server greets, answers EHLO with its extensions and HELO with one line", "[smtp][server]") {
  RecordingHandler h;
  ServerConfig cfg = server_config();
  ServerSession s(cfg, h);
  CHECK(s.take_output() == "220 mx.example.org ESMTP maillab\r\n");
  CHECK(s.state() == State::Connected);
  s.receive("EHLO client.example.net\r\n");
  CHECK(s.take_output() ==
        "250-mx.example.org\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-ENHANCEDSTATUSCODES\r\n"
        "250-8BITMIME\r\n250-DSN\r\n250-SMTPUTF8\r\n250 CHUNKING\r\n");
  CHECK(s.state() == State::Ready);
  CHECK(s.envelope().helo == "client.example.net");
  CHECK(s.envelope().esmtp);
  s.receive("HELO other.example\r\n");
  CHECK(s.take_output() == "250 mx.example.org\r\n");
  CHECK_FALSE(s.envelope().esmtp);
  REQUIRE(h.exchanges.size() == 3);
  CHECK(h.exchanges[0].first.empty());
  CHECK(h.exchanges[0].second.code == 220);
  CHECK(h.exchanges[1].first == "EHLO client.example.net");

  cfg.auth_mechanisms = {"PLAIN", "LOGIN"};
  cfg.pipelining = cfg.dsn = cfg.eightbitmime = cfg.enhanced_status_codes = cfg.chunking = cfg.smtputf8 = false;
  cfg.size_limit = 0;
  ServerSession t(cfg, h);
  CHECK(converse(t, "ehlo x\r\n") == "220 mx.example.org ESMTP maillab\r\n250-mx.example.org\r\n250-SIZE\r\n250 AUTH PLAIN LOGIN\r\n");
}

TEST_CASE("server runs a whole transaction and hands over the envelope", "[smtp][server]") {
  RecordingHandler h;
  ServerSession s(server_config(), h);
  const std::string out = converse(s,
                                   "EHLO client.example.net\r\n"
                                   "MAIL FROM:<Alice@Example.NET> SIZE=20 BODY=8BITMIME\r\n"
                                   "RCPT TO:<bob@example.org> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;bob@example.org\r\n"
                                   "RCPT TO:<Postmaster>\r\n"
                                   "DATA\r\n"
                                   "Subject: hi\r\n\r\n..dot\r\n.\r\n");
  CHECK(codes_of(out) == std::vector<int>{220, 250, 250, 250, 250, 354, 250});
  CHECK(lines_of(out)[9] == "250 2.1.0 Ok");
  CHECK(lines_of(out)[12] == "354 End data with <CR><LF>.<CR><LF>");
  CHECK(lines_of(out)[13] == "250 2.0.0 Ok: queued");
  REQUIRE(h.delivered.size() == 1);
  const Envelope& e = h.delivered[0].envelope;
  CHECK(h.delivered[0].content == "Subject: hi\r\n\r\n.dot\r\n");
  CHECK(e.mail_from == Path{"Alice", "example.net"});
  CHECK(e.mail_params.size == 20u);
  CHECK(e.mail_params.body == Body::EightBitMime);
  REQUIRE(e.rcpts.size() == 2);
  CHECK(e.rcpts[0].path.address() == "bob@example.org");
  CHECK(e.rcpts[0].params.notify == (RcptParams::notify_success | RcptParams::notify_failure));
  CHECK(e.rcpts[0].params.orcpt == "bob@example.org");
  CHECK(e.rcpts[1].path.address() == "Postmaster");
  // The transaction is over; the session is not.
  CHECK(s.state() == State::Ready);
  CHECK(s.envelope().rcpts.empty());
  CHECK(s.envelope().helo == "client.example.net");
  CHECK(h.exchanges.back().first == "<data>");
  CHECK(h.exchanges.back().second.code == 250);
  s.receive("QUIT\r\n");
  CHECK(s.take_output() == "221 2.0.0 Bye\r\n");
  CHECK(s.closed());
  CHECK(h.close_requests == 1);
  s.receive("NOOP\r\n");  // nothing after closing
  CHECK(s.take_output().empty());
}

namespace {

const char* const kSetups[] = {
    "",                                                          // connected
    "EHLO c.example\r\n",                                        // ready
    "EHLO c.example\r\nMAIL FROM:<a@x.example>\r\n",             // mail
    "EHLO c.example\r\nMAIL FROM:<a@x.example>\r\nRCPT TO:<b@y.example>\r\n",  // rcpt
};

std::unique_ptr<ServerSession> session_in(int setup, RecordingHandler& h, ServerConfig cfg = server_config()) {
  auto s = std::make_unique<ServerSession>(cfg, h);
  s->receive(kSetups[setup]);
  s->take_output();
  return s;
}

}  // namespace

TEST_CASE("every command in a wrong state gets 503 and changes nothing", "[smtp][server][order]") {
  struct Case {
    int setup;
    const char* line;
    const char* reply;
  } cases[] = {
      {0, "MAIL FROM:<a@x.example>", "503 5.5.1 Error: send HELO/EHLO first"},
      {0, "RCPT TO:<b@y.example>", "503 5.5.1 Error: send HELO/EHLO first"},
      {0, "DATA", "503 5.5.1 Error: send HELO/EHLO first"},
      {0, "AUTH PLAIN", "503 5.5.1 Error: send HELO/EHLO first"},
      {1, "RCPT TO:<b@y.example>", "503 5.5.1 Error: need MAIL command"},
      {1, "DATA", "503 5.5.1 Error: need RCPT command"},
      {2, "MAIL FROM:<a@x.example>", "503 5.5.1 Error: nested MAIL command"},
      {2, "DATA", "503 5.5.1 Error: need RCPT command"},
      {2, "AUTH PLAIN", "503 5.5.1 Error: MAIL transaction in progress"},
      {3, "MAIL FROM:<a@x.example>", "503 5.5.1 Error: nested MAIL command"},
      {3, "AUTH LOGIN", "503 5.5.1 Error: MAIL transaction in progress"},
  };
  const State states[] = {State::Connected, State::Ready, State::Mail, State::Rcpt};
  for (const auto& c : cases) {
    INFO(c.setup << ": " << c.line);
    RecordingHandler h;
    auto s = session_in(c.setup, h);
    REQUIRE(s->state() == states[c.setup]);
    s->receive(std::string(c.line) + "\r\n");
    CHECK(s->take_output() == std::string(c.reply) + "\r\n");
    CHECK(s->state() == states[c.setup]);
    CHECK(s->error_count() == 1);
  }
}

TEST_CASE("after a 554 greeting only QUIT is served (RFC 5321 3.1)", "[smtp][server][order]") {
  for (const char* line : {"EHLO c", "HELO c", "MAIL FROM:<a@b.example>", "RCPT TO:<a@b.example>", "DATA", "RSET",
                           "NOOP", "VRFY a", "EXPN a", "HELP", "AUTH PLAIN", "STARTTLS"}) {
    INFO(line);
    RecordingHandler h;
    h.greeting_reply = Reply::make(554, "5.3.2", "mx.example.org No SMTP service here");
    ServerSession s(server_config(), h);
    CHECK(s.take_output() == "554 5.3.2 mx.example.org No SMTP service here\r\n");
    s.receive(std::string(line) + "\r\n");
    CHECK(s.take_output() == "503 5.5.1 Error: no SMTP service here\r\n");
    s.receive("QUIT\r\n");
    CHECK(s.take_output() == "221 2.0.0 Bye\r\n");
    CHECK(s.closed());
  }
  RecordingHandler h;
  h.greeting_reply = Reply::make(421, "4.3.2", "mx.example.org Service not available");
  ServerSession s(server_config(), h);
  CHECK(s.closed());
  CHECK(s.take_output() == "421 4.3.2 mx.example.org Service not available\r\n");
}

TEST_CASE("syntax errors: 500, 501, 555 and the other commands", "[smtp][server][syntax]") {
  struct Case {
    int setup;
    const char* line;
    const char* reply;
  } cases[] = {
      {1, "FOO", "500 5.5.2 Error: command not recognized"},
      {1, "", "500 5.5.2 Error: bad syntax"},
      {1, "   ", "500 5.5.2 Error: bad syntax"},
      {0, "HELO", "501 5.5.4 Syntax: HELO hostname"},
      {0, "EHLO", "501 5.5.4 Syntax: EHLO hostname"},
      {1, "MAIL TO:<a@x.example>", "501 5.5.4 Syntax: MAIL FROM:<address>"},
      {1, "MAIL FROM:a@x.example", "501 5.1.7 Bad sender address syntax"},
      {1, "MAIL FROM:<a@x.example> FOO=1", "555 5.5.4 Unsupported option: FOO=1"},
      {1, "MAIL FROM:<a@x.example> SIZE=x", "501 5.5.4 Bad message size syntax"},
      {1, "RSET x", "501 5.5.4 Syntax: RSET"},
      {1, "VRFY", "501 5.5.4 Syntax: VRFY address"},
      {2, "RCPT TO:<>", "501 5.1.3 Bad recipient address syntax"},
      {2, "RCPT FROM:<b@y.example>", "501 5.5.4 Syntax: RCPT TO:<address>"},
      {2, "RCPT TO:<b@y.example> NOTIFY=SOMETIMES", "501 5.5.4 Bad NOTIFY parameter syntax"},
      {2, "RCPT TO:<b@y.example> FOO", "555 5.5.4 Unsupported option: FOO"},
      {3, "DATA now", "501 5.5.4 Syntax: DATA"},
      {1, "AUTH PLAIN", "503 5.5.1 Error: authentication not enabled"},
      {1, "EXPN list", "502 5.5.1 Error: command not implemented"},
      {1, "STARTTLS", "502 5.5.1 Error: command not implemented"},
  };
  for (const auto& c : cases) {
    INFO(c.line);
    RecordingHandler h;
    auto s = session_in(c.setup, h);
    s->receive(std::string(c.line) + "\r\n");
    CHECK(s->take_output() == std::string(c.reply) + "\r\n");
    CHECK(s->error_count() == 1);
  }
  RecordingHandler h;
  auto s = session_in(1, h);
  s->receive("VRFY bob\r\nNOOP anything\r\nhelp\r\nmail from: <a@x.example>\r\n");
  CHECK(lines_of(s->take_output()) ==
        std::vector<std::string>{"252 2.5.2 Cannot VRFY user, but will accept message and attempt delivery",
                                 "250 2.0.0 Ok", "214-2.0.0 Commands: HELO EHLO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY HELP AUTH",
                                 "214 2.0.0 See RFC 5321", "250 2.1.0 Ok"});
  CHECK(s->error_count() == 0);
}

TEST_CASE("path limits answer 553, distinct from syntax errors", "[smtp][server][syntax]") {
  RecordingHandler h;
  auto s = session_in(2, h);
  s->receive("RCPT TO:<" + std::string(65, 'a') + "@y.example>\r\n");
  CHECK(s->take_output() == "553 5.1.3 Bad recipient address: local part exceeds 64 octets\r\n");
  s->receive("RCPT TO:<" + std::string(64, 'a') + "@y.example>\r\n");
  CHECK(s->take_output() == "250 2.1.5 Ok\r\n");
}

TEST_CASE("parameters need EHLO; the ESMTP extensions can be switched off", "[smtp][server][syntax]") {
  RecordingHandler h;
  ServerSession s(server_config(), h);
  s.take_output();
  s.receive("HELO c\r\nMAIL FROM:<a@x.example> SIZE=10\r\nMAIL FROM:<a@x.example>\r\n");
  CHECK(codes_of(s.take_output()) == std::vector<int>{250, 555, 250});

  ServerConfig cfg = server_config();
  cfg.eightbitmime = cfg.dsn = cfg.chunking = cfg.smtputf8 = false;
  cfg.enhanced_status_codes = false;
  ServerSession t(cfg, h);
  t.take_output();
  t.receive("EHLO c\r\nMAIL FROM:<a@x.example> BODY=8BITMIME\r\nMAIL FROM:<a@x.example> RET=FULL\r\nFOO\r\n");
  CHECK(lines_of(t.take_output()) == std::vector<std::string>{"250-mx.example.org", "250-PIPELINING",
                                                              "250 SIZE 10240000", "555 Unsupported option: BODY=8BITMIME",
                                                              "555 Unsupported option: RET=FULL",
                                                              "500 Error: command not recognized"});
}

TEST_CASE("an over-long command line gets 500 and the session goes on", "[smtp][server][limits]") {
  for (std::size_t chunk : {0, 1, 100}) {
    INFO("chunk " << chunk);
    RecordingHandler h;
    ServerSession s(server_config(), h);
    s.take_output();
    const std::string ok_line = "NOOP " + std::string(505, 'x') + "\r\n";  // 512 octets with CRLF
    const std::string long_line = "NOOP " + std::string(506, 'x') + "\r\n";  // 513
    const std::string huge = "MAIL FROM:<" + std::string(100000, 'a') + "@x.example>\r\n";
    const std::string input = ok_line + long_line + huge + "EHLO c\r\n";
    if (chunk == 0) {
      s.receive(input);
    } else {
      for (std::size_t i = 0; i < input.size(); i += chunk) s.receive(std::string_view(input).substr(i, chunk));
    }
    const auto lines = lines_of(s.take_output());
    REQUIRE(lines.size() >= 4);
    CHECK(lines[0] == "250 2.0.0 Ok");
    CHECK(lines[1] == "500 5.5.0 Line too long");
    CHECK(lines[2] == "500 5.5.0 Line too long");
    CHECK(lines[3] == "250-mx.example.org");
    CHECK(s.state() == State::Ready);
    CHECK(h.exchanges[2].first.size() == 510 + 3);  // the kept start, then "..."
  }
}

TEST_CASE("NUL bytes in a command get 500", "[smtp][server][syntax]") {
  RecordingHandler h;
  ServerSession s(server_config(), h);
  s.take_output();
  s.receive(std::string("EH\0LO c\r\nEHLO c\r\n", 17));
  auto lines = lines_of(s.take_output());
  CHECK(lines[0] == "500 5.5.2 Error: NUL character in command");
  CHECK(lines[1] == "250-mx.example.org");
  CHECK(h.exchanges[1].first == "EH?LO c");
}

TEST_CASE("bare LF ends a command line (Postfix normalize), CRLF is the norm", "[smtp][server]") {
  RecordingHandler h;
  ServerSession s(server_config(), h);
  s.take_output();
  s.receive("EHLO c\nNOOP\r\n");
  CHECK(codes_of(s.take_output()) == std::vector<int>{250, 250});
}

TEST_CASE("SMTP smuggling sequences inside DATA give one message, not two", "[smtp][server][smuggling]") {
  const char* sequences[] = {"\n.\n", "\n.\r\n", "\r.\r\n", "\r\n.\n", "\r.\r", "\n.\r"};
  for (const char* seq : sequences) {
    for (std::size_t chunk : {0, 1, 3}) {
      RecordingHandler h;
      ServerSession s(server_config(), h);
      s.take_output();
      const std::string smuggled =
          "MAIL FROM:<admin@example.org>\r\nRCPT TO:<victim@example.org>\r\nDATA\r\nFrom: admin\r\n\r\nspoofed\r\n";
      const std::string input = std::string("EHLO attacker.example\r\nMAIL FROM:<a@attacker.example>\r\n") +
                                "RCPT TO:<b@example.org>\r\nDATA\r\nSubject: one\r\n\r\nbody" + seq + smuggled +
                                ".\r\nQUIT\r\n";
      if (chunk == 0) {
        s.receive(input);
      } else {
        for (std::size_t i = 0; i < input.size(); i += chunk) s.receive(std::string_view(input).substr(i, chunk));
      }
      INFO("chunk " << chunk);
      CHECK(codes_of(s.take_output()) == std::vector<int>{250, 250, 250, 354, 250, 221});
      REQUIRE(h.delivered.size() == 1);
      CHECK(h.delivered[0].envelope.rcpts.size() == 1);
      CHECK(h.delivered[0].content.find("MAIL FROM:<admin@example.org>\r\n") != std::string::npos);
      CHECK(h.delivered[0].content.find("spoofed\r\n") != std::string::npos);
      CHECK(h.delivered[0].content.find('\n') == h.delivered[0].content.find("\r\n") + 1);  // CRLF only
      for (std::size_t i = 0; i < h.delivered[0].content.size(); ++i) {
        const char c = h.delivered[0].content[i];
        if (c == '\r') CHECK(h.delivered[0].content[i + 1] == '\n');
        if (c == '\n') CHECK(h.delivered[0].content[i - 1] == '\r');
      }
    }
  }
}

namespace {

// A selection of sessions, exercising every reader (commands, DATA, AUTH, long lines).
std::vector<std::string> scripts() {
  return {
      "EHLO c\r\nMAIL FROM:<a@x.example>\r\nRCPT TO:<b@y.example>\r\nRCPT TO:<c@y.example>\r\nDATA\r\n"
      "Subject: t\r\n\r\n..hello\r\n\r\n.\r\nQUIT\r\n",
      "HELO c\r\nFOO\r\nMAIL FROM:<>\r\nRCPT TO:<x@y.example>\r\nDATA\r\na\nb\r.c\r\n.\r\nRSET\r\nNOOP\r\n",
      "EHLO c\r\nAUTH PLAIN AGJvYgBzZWNyZXQ=\r\nAUTH LOGIN\r\nMAIL FROM:<a@x.example>\r\n",
      "EHLO c\r\nAUTH LOGIN\r\nYm9i\r\nc2VjcmV0\r\nMAIL FROM:<a@x.example>\r\nRCPT TO:<b@y.example>\r\n"
      "DATA\r\n" + std::string(3000, 'z') + "\r\n.\r\n",
      "EHLO c\r\nNOOP " + std::string(600, 'n') + "\r\nAUTH PLAIN\r\n*\r\nMAIL FROM:<a@x.example> SIZE=1\r\n"
      "RCPT TO:<nobody@y.example>\r\nDATA\r\nRCPT TO:<b@y.example>\r\nDATA\r\n\r\n.\r\n",
      "\r\n\n\r\r\nEHLO\r\nHELO h\r\nDATA\r\n.\r\n.\r\nQUIT",
      "EHLO c\r\nMAIL FROM:<a@x.example>\r\nRCPT TO:<b@y.example>\r\nBDAT 7\r\nab\r\n.\r\nBDAT 3 LAST\r\nc\r\n"
      "BDAT 2\r\nxyDATA\r\nBDAT x\r\n",
  };
}

struct Run {
  std::string output;
  std::vector<std::string> contents;
};

Run run_script(const std::string& input, std::size_t chunk) {
  RecordingHandler h;
  h.passwords["bob"] = "secret";
  h.unknown_users.insert("nobody@y.example");
  ServerConfig cfg = server_config();
  cfg.auth_mechanisms = {"PLAIN", "LOGIN"};
  ServerSession s(cfg, h);
  Run r;
  r.output = s.take_output();
  if (chunk == 0) chunk = input.size();
  for (std::size_t i = 0; i < input.size(); i += chunk) {
    s.receive(std::string_view(input).substr(i, chunk));
    r.output += s.take_output();
  }
  for (auto& d : h.delivered) r.contents.push_back(d.content);
  return r;
}

}  // namespace

TEST_CASE("one byte at a time, odd chunks and all at once give identical outputs", "[smtp][server][pipelining]") {
  for (const auto& script : scripts()) {
    INFO(script.substr(0, 60));
    const Run whole = run_script(script, 0);
    CHECK(whole.output.size() > 40);
    for (std::size_t chunk : {1, 2, 7, 64}) {
      const Run split = run_script(script, chunk);
      CHECK(split.output == whole.output);
      CHECK(split.contents == whole.contents);
    }
  }
}

TEST_CASE("a pipelined burst is answered in order (RFC 2920)", "[smtp][server][pipelining]") {
  RecordingHandler h;
  h.unknown_users.insert("nobody@example.org");
  ServerSession s(server_config(), h);
  s.take_output();
  s.receive(
      "EHLO c\r\nMAIL FROM:<a@x.example>\r\nRCPT TO:<b@example.org>\r\nRCPT TO:<nobody@example.org>\r\n"
      "RCPT TO:<c@example.org>\r\nDATA\r\nhello\r\n.\r\nMAIL FROM:<a@x.example>\r\nRCPT TO:<d@example.org>\r\n"
      "DATA\r\nsecond\r\n.\r\nQUIT\r\n");
  const auto out = s.take_output();
  CHECK(codes_of(out) == std::vector<int>{250, 250, 250, 550, 250, 354, 250, 250, 250, 354, 250, 221});
  REQUIRE(h.delivered.size() == 2);
  CHECK(h.delivered[0].envelope.rcpts.size() == 2);
  CHECK(h.delivered[0].content == "hello\r\n");
  CHECK(h.delivered[1].content == "second\r\n");
}

TEST_CASE("DATA: 554 when every recipient was refused, handler refusals keep the state", "[smtp][server]") {
  RecordingHandler h;
  h.unknown_users.insert("nobody@example.org");
  ServerSession s(server_config(), h);
  s.take_output();
  s.receive("EHLO c\r\nMAIL FROM:<a@x.example>\r\nRCPT TO:<nobody@example.org>\r\nDATA\r\n");
  auto lines = lines_of(s.take_output());
  CHECK(lines.back() == "554 5.5.1 Error: no valid recipients");
  CHECK(s.state() == State::Mail);

  h.data_reply = Reply::make(554, "5.7.1", "Go away");
  s.receive("RCPT TO:<b@example.org>\r\nDATA\r\n");
  CHECK(s.take_output() == "250 2.1.5 Ok\r\n554 5.7.1 Go away\r\n");
  CHECK(s.state() == State::Rcpt);
  s.receive("RSET\r\n");
  CHECK(s.take_output() == "250 2.0.0 Ok\r\n");
  CHECK(s.state() == State::Ready);
  CHECK(s.envelope().rcpts.empty());
}

TEST_CASE("EHLO during a transaction resets it (RFC 5321 4.1.4)", "[smtp][server]") {
  RecordingHandler h;
  auto s = session_in(3, h);
  s->receive("EHLO again\r\nRCPT TO:<b@y.example>\r\n");
  const auto lines = lines_of(s->take_output());
  CHECK(lines.back() == "503 5.5.1 Error: need MAIL command");
  CHECK(s->envelope().helo == "again");
}

TEST_CASE("timeouts: command and data timeouts, 421 4.4.2, nothing delivered", "[smtp][server][timeout]") {
  ServerConfig cfg = server_config();
  cfg.command_timeout = std::chrono::milliseconds(1000);
  cfg.data_timeout = std::chrono::milliseconds(2000);
  RecordingHandler h;
  ServerSession s(cfg, h);
  s.take_output();
  CHECK(s.timeout() == std::chrono::milliseconds(1000));
  s.receive("EHLO c\r\nMAIL FROM:<a@x.example>\r\nRCPT TO:<b@y.example>\r\nDATA\r\npartial line\r\nmore");
  s.take_output();
  CHECK(s.state() == State::Data);
  CHECK(s.timeout() == std::chrono::milliseconds(2000));
  s.on_timeout();
  CHECK(s.take_output() == "421 4.4.2 mx.example.org Error: timeout exceeded\r\n");
  CHECK(s.closed());
  CHECK(s.timeout() == std::chrono::milliseconds(0));
  CHECK(h.delivered.empty());
  CHECK(h.close_requests == 1);
  s.receive("\r\n.\r\n");
  CHECK(h.delivered.empty());
  CHECK(s.take_output().empty());
  s.on_timeout();
  CHECK(s.take_output().empty());

  RecordingHandler h2;
  ServerSession idle(cfg, h2);
  idle.take_output();
  idle.on_timeout();
  CHECK(idle.take_output() == "421 4.4.2 mx.example.org Error: timeout exceeded\r\n");
  CHECK(h2.exchanges.back().first.empty());
}

TEST_CASE("EOF in the middle of DATA delivers nothing", "[smtp][server]") {
  for (const char* partial : {"", "Subject: x\r\n", "body\r\n.", "body\r\n.\r", "a\n.\n"}) {
    RecordingHandler h;
    ServerSession s(server_config(), h);
    s.receive("EHLO c\r\nMAIL FROM:<a@x.example>\r\nRCPT TO:<b@y.example>\r\nDATA\r\n");
    s.receive(partial);
    s.take_output();
    s.receive_eof();
    CHECK(s.closed());
    CHECK(h.delivered.empty());
    CHECK(s.take_output().empty());
    CHECK(h.close_requests == 0);
  }
}

TEST_CASE("size limit: declared SIZE at MAIL, actual size after the dot", "[smtp][server][limits]") {
  ServerConfig cfg = server_config();
  cfg.size_limit = 100;
  RecordingHandler h;
  ServerSession s(cfg, h);
  s.take_output();
  s.receive("EHLO c\r\nMAIL FROM:<a@x.example> SIZE=101\r\nMAIL FROM:<a@x.example> SIZE=100\r\n");
  auto lines = lines_of(s.take_output());
  CHECK(lines[8] == "552 5.3.4 Message size exceeds fixed limit");
  CHECK(lines[9] == "250 2.1.0 Ok");
  s.receive("RCPT TO:<b@y.example>\r\nDATA\r\n" + std::string(200, 'x') + "\r\n.\r\n");
  CHECK(s.take_output() == "250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n552 5.3.4 Error: message file too big\r\n");
  CHECK(h.delivered.empty());
  CHECK(s.state() == State::Ready);
  s.receive("MAIL FROM:<a@x.example>\r\nRCPT TO:<b@y.example>\r\nDATA\r\nsmall\r\n.\r\n");
  CHECK(codes_of(s.take_output()) == std::vector<int>{250, 250, 354, 250});
  REQUIRE(h.delivered.size() == 1);
  CHECK(h.delivered[0].content == "small\r\n");
}

TEST_CASE("too many recipients: 452 4.5.3, the accepted ones go on", "[smtp][server][limits]") {
  ServerConfig cfg = server_config();
  cfg.max_recipients = 3;
  RecordingHandler h;
  ServerSession s(cfg, h);
  s.take_output();
  std::string input = "EHLO c\r\nMAIL FROM:<a@x.example>\r\n";
  for (int i = 0; i < 5; ++i) input += "RCPT TO:<r" + std::to_string(i) + "@y.example>\r\n";
  s.receive(input + "DATA\r\nx\r\n.\r\n");
  auto lines = lines_of(s.take_output());
  CHECK(lines[lines.size() - 4] == "452 4.5.3 Error: too many recipients");
  CHECK(lines[lines.size() - 3] == "452 4.5.3 Error: too many recipients");
  REQUIRE(h.delivered.size() == 1);
  CHECK(h.delivered[0].envelope.rcpts.size() == 3);
}

TEST_CASE("hard error limit: 421 4.7.0 and close", "[smtp][server][limits]") {
  ServerConfig cfg = server_config();
  cfg.hard_error_limit = 3;
  RecordingHandler h;
  ServerSession s(cfg, h);
  s.take_output();
  s.receive("EHLO c\r\nBAD1\r\nRCPT TO:<b@y.example>\r\nNOOP\r\nMAIL FROM:bad\r\nNOOP\r\nNOOP\r\n");
  // EHLO, then: 500, 503, 250, 501 (the third error), then the limit.
  CHECK(codes_of(s.take_output()) == std::vector<int>{250, 500, 503, 250, 501, 421});
  CHECK(s.closed());
  CHECK(h.exchanges.back().second.summary() == "421 4.7.0 mx.example.org Error: too many errors");
  CHECK(h.close_requests == 1);
}

TEST_CASE("a handler's 421 closes the session; auth_required gives 530", "[smtp][server]") {
  RecordingHandler h;
  h.mail_reply = Reply::make(421, "4.7.0", "mx.example.org Service shutting down");
  auto s = session_in(1, h);
  s->receive("MAIL FROM:<a@x.example>\r\nNOOP\r\n");
  CHECK(s->take_output() == "421 4.7.0 mx.example.org Service shutting down\r\n");
  CHECK(s->closed());

  ServerConfig cfg = server_config();
  cfg.auth_required = true;
  cfg.auth_mechanisms = {"PLAIN"};
  RecordingHandler h2;
  auto t = session_in(1, h2, cfg);
  t->receive("MAIL FROM:<a@x.example>\r\n");
  CHECK(t->take_output() == "530 5.7.0 Authentication required\r\n");
}

TEST_CASE("content notes: long lines and bare line ends are accepted and reported", "[smtp][server]") {
  RecordingHandler h;
  auto s = session_in(3, h);
  s->receive("DATA\r\n" + std::string(1500, 'L') + "\r\nbare\nlf\r\n.\r\n");
  CHECK(codes_of(s->take_output()) == std::vector<int>{354, 250});
  REQUIRE(h.delivered.size() == 1);
  CHECK(h.delivered[0].envelope.notes.long_lines == 1);
  CHECK(h.delivered[0].envelope.notes.bare_lf == 1);
  CHECK(h.delivered[0].content == std::string(1500, 'L') + "\r\nbare\r\nlf\r\n");
}

TEST_CASE("EHLO replies of servers with different names, handlers and settings never mix", "[smtp][server]") {
  // Sessions of several servers interleaved on one thread: each EHLO reply is its own
  // server's, whatever the one before was (each listener's replies are prepared once,
  // server_replies.hpp; a handler's own EHLO text gets the keywords per session).
  struct Server {
    ServerConfig cfg;
    std::optional<Reply> ehlo;
    std::string expected;
  };
  std::vector<Server> servers;
  for (const char* host : {"mx.a.example", "mx.b.example", "a-much-longer-name.mx.c.example"}) {
    ServerConfig cfg = server_config();
    cfg.hostname = host;
    servers.push_back({cfg, std::nullopt,
                       "250-" + std::string(host) +
                           "\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-DSN\r\n250-SMTPUTF8\r\n250 CHUNKING\r\n"});
    cfg.pipelining = false;
    cfg.size_limit = 12345;
    servers.push_back({cfg, std::nullopt,
                       "250-" + std::string(host) + "\r\n250-SIZE 12345\r\n250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-DSN\r\n250-SMTPUTF8\r\n250 CHUNKING\r\n"});
    cfg.auth_mechanisms = {"PLAIN"};
    cfg.dsn = false;
    servers.push_back({cfg, std::nullopt,
                       "250-" + std::string(host) +
                           "\r\n250-SIZE 12345\r\n250-AUTH PLAIN\r\n250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 CHUNKING\r\n"});
    // The handler's own greeting line(s) lead; an enhanced code is dropped.
    servers.push_back({cfg, Reply::make(250, "2.0.0", std::string(host) + "\nhello there"),
                       "250-" + std::string(host) +
                           "\r\n250-hello there\r\n250-SIZE 12345\r\n250-AUTH PLAIN\r\n250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 CHUNKING\r\n"});
    servers.push_back({cfg, Reply::make(251, "", host),
                       "251-" + std::string(host) +
                           "\r\n251-SIZE 12345\r\n251-AUTH PLAIN\r\n251-ENHANCEDSTATUSCODES\r\n251-8BITMIME\r\n251-SMTPUTF8\r\n251 CHUNKING\r\n"});
  }
  std::mt19937 rng(3);
  for (int round = 0; round < 200; ++round) {
    const Server& sv = servers[rng() % servers.size()];
    RecordingHandler h;
    h.ehlo_reply = sv.ehlo;
    ServerSession s(sv.cfg, h);
    REQUIRE(s.take_output() == "220 " + sv.cfg.hostname + " ESMTP maillab\r\n");
    s.receive("EHLO client.example\r\n");
    INFO("round " << round << " host " << sv.cfg.hostname);
    REQUIRE(s.take_output() == sv.expected);
    REQUIRE(h.exchanges.size() == 2);
    CHECK(h.exchanges[1].first == "EHLO client.example");
    CHECK(h.exchanges[1].second.wire() == sv.expected);
    s.receive("HELO client.example\r\n");  // HELO is not affected
    CHECK(s.take_output() == "250 " + sv.cfg.hostname + "\r\n");
  }
}

TEST_CASE("greetings with the standard text follow the host name and the handler's code", "[smtp][server]") {
  // The standard greeting is prepared once per listener (220): a different name, code or
  // enhanced code must still give its own greeting, and its consequences.
  std::mt19937 rng(4);
  for (int round = 0; round < 100; ++round) {
    ServerConfig cfg = server_config();
    cfg.hostname = rng() % 2 ? "mx.one.example" : "mx.two.example";
    RecordingHandler h;
    const int pick = static_cast<int>(rng() % 4);
    if (pick == 1) h.greeting_reply = Reply{554, "5.3.2", {}};
    if (pick == 2) h.greeting_reply = Reply{421, "", {}};
    if (pick == 3) h.greeting_reply = Reply{220, "2.0.0", {}};
    ServerSession s(cfg, h);
    const std::string text = cfg.hostname + " ESMTP maillab\r\n";
    INFO("round " << round << " pick " << pick);
    switch (pick) {
      case 0:
        CHECK(s.take_output() == "220 " + text);
        CHECK(s.state() == State::Connected);
        break;
      case 1:
        CHECK(s.take_output() == "554 5.3.2 " + text);
        CHECK(s.state() == State::Rejected);
        break;
      case 2:
        CHECK(s.take_output() == "421 " + text);
        CHECK(s.closed());
        CHECK(h.close_requests == 1);
        break;
      default:
        CHECK(s.take_output() == "220 2.0.0 " + text);
        CHECK(s.state() == State::Connected);
    }
    REQUIRE(h.exchanges.size() == 1);
    CHECK(as_strings(h.exchanges[0].second.lines) == std::vector<std::string>{cfg.hostname + " ESMTP maillab"});
  }
}
