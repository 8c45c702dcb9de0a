// The SMTP server's command table (server_commands.cpp) as a client meets it: every verb
// in every state the engine reads commands in gets the reply the table's row gives -
// served, 503 with Postfix's out-of-order text (RFC 5321 4.1.4, 3.3, 3.1), or 501 with
// the row's usage when the arguments do not fit.
#include <catch2/catch.hpp>

#include "smtp_test_support.hpp"

using namespace maillab::smtp;
using namespace maillab::smtp::test;
using State = ServerSession::State;

namespace {

// How a session gets into each state a command can arrive in.
enum Setup { Rejected, Connected, Ready, Mail, Rcpt, Bdat };

std::unique_ptr<ServerSession> session_in(Setup setup, RecordingHandler& h, ServerConfig cfg = server_config()) {
  if (setup == Rejected) h.greeting_reply = Reply::make(554, "5.3.2", "mx.example.org No SMTP service here");
  auto s = std::make_unique<ServerSession>(std::move(cfg), h);
  const char* lines[] = {"", "", "EHLO c.example\r\n", "EHLO c.example\r\nMAIL FROM:<a@x.example>\r\n",
                         "EHLO c.example\r\nMAIL FROM:<a@x.example>\r\nRCPT TO:<b@y.example>\r\n",
                         "EHLO c.example\r\nMAIL FROM:<a@x.example>\r\nRCPT TO:<b@y.example>\r\nBDAT 1\r\nx"};
  s->receive(lines[setup]);
  s->take_output();
  return s;
}

// The first line of what the session answered.
std::string first_line(ServerSession& s) {
  const std::string out = s.take_output();
  return out.substr(0, out.find("\r\n"));
}

}  // namespace

TEST_CASE("every verb in every state gets its row's reply", "[smtp][server][order]") {
  const std::string no_service = "503 5.5.1 Error: no SMTP service here";
  const std::string hello_first = "503 5.5.1 Error: send HELO/EHLO first";
  const std::string vrfy = "252 2.5.2 Cannot VRFY user, but will accept message and attempt delivery";
  const std::string help = "214-2.0.0 Commands: HELO EHLO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY HELP AUTH";
  const std::string expn = "502 5.5.1 Error: command not implemented";
  const std::string ok = "250 2.0.0 Ok";
  struct Row {
    const char* line;
    // The first reply line in: rejected, connected, ready, mail, rcpt, between BDAT chunks.
    std::string reply[6];
  } rows[] = {
      {"EHLO c.example",
       {no_service, "250-mx.example.org", "250-mx.example.org", "250-mx.example.org", "250-mx.example.org",
        "250-mx.example.org"}},
      {"HELO c.example",
       {no_service, "250 mx.example.org", "250 mx.example.org", "250 mx.example.org", "250 mx.example.org",
        "250 mx.example.org"}},
      {"MAIL FROM:<c@x.example>",
       {no_service, hello_first, "250 2.1.0 Ok", "503 5.5.1 Error: nested MAIL command",
        "503 5.5.1 Error: nested MAIL command", "503 5.5.1 Error: MAIL after BDAT"}},
      {"RCPT TO:<d@y.example>",
       {no_service, hello_first, "503 5.5.1 Error: need MAIL command", "250 2.1.5 Ok", "250 2.1.5 Ok",
        "503 5.5.1 Error: RCPT after BDAT"}},
      // RFC 3030 3: DATA after BDAT is a 503.
      {"DATA",
       {no_service, hello_first, "503 5.5.1 Error: need RCPT command", "503 5.5.1 Error: need RCPT command",
        "354 End data with <CR><LF>.<CR><LF>", "503 5.5.1 Error: DATA after BDAT"}},
      // An empty last chunk: the message so far is the message.
      {"BDAT 0 LAST",
       {no_service, hello_first, "503 5.5.1 Error: need RCPT command", "503 5.5.1 Error: need RCPT command",
        "250 2.0.0 Ok: queued", "250 2.0.0 Ok: queued"}},
      {"RSET", {no_service, ok, ok, ok, ok, ok}},
      {"NOOP", {no_service, ok, ok, ok, ok, ok}},
      {"VRFY bob", {no_service, vrfy, vrfy, vrfy, vrfy, vrfy}},
      {"EXPN staff", {no_service, expn, expn, expn, expn, expn}},
      {"HELP", {no_service, help, help, help, help, help}},
      {"AUTH PLAIN",
       {no_service, hello_first, "334 ", "503 5.5.1 Error: MAIL transaction in progress",
        "503 5.5.1 Error: MAIL transaction in progress", "503 5.5.1 Error: AUTH after BDAT"}},
      {"STARTTLS",
       {no_service, "502 5.5.1 Error: command not implemented", "502 5.5.1 Error: command not implemented",
        "503 5.5.1 Error: MAIL transaction in progress", "503 5.5.1 Error: MAIL transaction in progress", "503 5.5.1 Error: STARTTLS after BDAT"}},
      {"QUIT", {"221 2.0.0 Bye", "221 2.0.0 Bye", "221 2.0.0 Bye", "221 2.0.0 Bye", "221 2.0.0 Bye", "221 2.0.0 Bye"}},
  };
  ServerConfig cfg = server_config();
  cfg.auth_mechanisms = {"PLAIN"};
  for (const auto& row : rows) {
    for (Setup setup : {Rejected, Connected, Ready, Mail, Rcpt, Bdat}) {
      INFO(row.line << " in setup " << setup);
      RecordingHandler h;
      auto s = session_in(setup, h, cfg);
      const State before = s->state();
      const int errors = s->error_count();
      s->receive(std::string(row.line) + "\r\n");
      const std::string got = first_line(*s);
      CHECK(got == row.reply[setup]);
      // A refused command changes nothing but the error count.
      if (got.rfind("503 ", 0) == 0) {
        CHECK(s->state() == before);
        CHECK(s->error_count() == errors + 1);
      }
      CHECK(s->closed() == (std::string(row.line) == "QUIT"));
    }
  }
}

TEST_CASE("arguments that do not fit a command get 501 with its usage", "[smtp][server][syntax]") {
  struct Case {
    Setup setup;
    const char* line;
    const char* reply;
  } cases[] = {
      // Arguments required.
      {Connected, "EHLO", "501 5.5.4 Syntax: EHLO hostname"},
      {Ready, "HELO", "501 5.5.4 Syntax: HELO hostname"},
      {Ready, "HELO a\x01" "b", "501 5.5.4 Syntax: HELO hostname"},  // no control byte in a name
      {Ready, "VRFY", "501 5.5.4 Syntax: VRFY address"},
      // No arguments allowed.
      {Rcpt, "DATA now", "501 5.5.4 Syntax: DATA"},
      {Mail, "RSET all", "501 5.5.4 Syntax: RSET"},
      // Read by the command itself.
      {Ready, "MAIL", "501 5.5.4 Syntax: MAIL FROM:<address>"},
      {Mail, "RCPT", "501 5.5.4 Syntax: RCPT TO:<address>"},
      {Ready, "AUTH", "501 5.5.4 Syntax: AUTH mechanism"},
      // Anything goes.
      {Ready, "NOOP now", "250 2.0.0 Ok"},
      {Ready, "HELP MAIL", "214-2.0.0 Commands: HELO EHLO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY HELP AUTH"},
  };
  ServerConfig cfg = server_config();
  cfg.auth_mechanisms = {"PLAIN"};
  for (const auto& c : cases) {
    INFO(c.line);
    RecordingHandler h;
    auto s = session_in(c.setup, h, cfg);
    const State before = s->state();
    s->receive(std::string(c.line) + "\r\n");
    CHECK(first_line(*s) == c.reply);
    CHECK(s->state() == before);
  }
}

TEST_CASE("the order of checks: state first, then arguments, then the command's own", "[smtp][server][order]") {
  // DATA with an argument before any RCPT is out of order, not a syntax error; MAIL on
  // submission says 530 before it looks at its arguments (RFC 4954 6).
  RecordingHandler h;
  auto s = session_in(Ready, h);
  s->receive("DATA now\r\n");
  CHECK(first_line(*s) == "503 5.5.1 Error: need RCPT command");
  ServerConfig submission = server_config();
  submission.auth_mechanisms = {"PLAIN"};
  submission.auth_required = true;
  RecordingHandler h2;
  auto sub = session_in(Ready, h2, submission);
  sub->receive("MAIL\r\n");
  CHECK(first_line(*sub) == "530 5.7.0 Authentication required");
}
