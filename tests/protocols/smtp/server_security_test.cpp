// What an attacker sees of the SMTP server engine: a HELO with a control byte, an ENVID
// or ORCPT that decodes to a line break, an empty password the host would accept, and
// the error sleep (Postfix smtpd_error_sleep_time / smtpd_soft_error_limit /
// smtpd_hard_error_limit) held in the engine as a timer request, not a sleep.
#include <catch2/catch.hpp>

#include "protocols/message/base64.hpp"
#include "smtp_test_support.hpp"

using namespace maillab::smtp;
using namespace maillab::smtp::test;
using maillab::message::base64_encode;

namespace {

using Server = LineServer;

std::string plain(std::string_view user, std::string_view pass) { return plain_response("", user, pass); }

}  // namespace

TEST_CASE("HELO/EHLO with a control byte or over 255 octets is refused with 501", "[smtp][server][security]") {
  Server a;
  CHECK(a.say("EHLO evil.example\rX-Injected: yes") == "501 5.5.4 Syntax: EHLO hostname\r\n");
  CHECK(a.say("HELO evil\x01.example") == "501 5.5.4 Syntax: HELO hostname\r\n");
  CHECK(a.say("HELO " + std::string(256, 'a')) == "501 5.5.4 Syntax: HELO hostname\r\n");
  CHECK(a.s->state() == ServerSession::State::Connected);
  CHECK(a.say("EHLO good.example").rfind("250-mx.example.org\r\n", 0) == 0);
  CHECK(a.s->envelope().helo == "good.example");
}

TEST_CASE("ENVID, ORCPT and AUTH= that decode to control bytes get 501", "[smtp][server][security]") {
  Server a;
  a.say("EHLO c.example");
  CHECK(a.say("MAIL FROM:<a@c.example> ENVID=x+0D+0AX-Injected:+20yes") ==
        "501 5.5.4 Bad ENVID parameter syntax\r\n");
  CHECK(a.say("MAIL FROM:<a@c.example> ENVID=x+00") == "501 5.5.4 Bad ENVID parameter syntax\r\n");
  CHECK(a.say("MAIL FROM:<a@c.example> ENVID=ok+2Bfine") == "250 2.1.0 Ok\r\n");
  CHECK(a.s->envelope().mail_params.envid == "ok+fine");
  CHECK(a.say("RCPT TO:<b@c.example> ORCPT=rfc822;b@c.example+0AX-Injected:+20yes") ==
        "501 5.5.4 Bad ORCPT parameter syntax\r\n");
  CHECK(a.say("RCPT TO:<b@c.example> ORCPT=rfc822;b@c.example") == "250 2.1.5 Ok\r\n");
}

TEST_CASE("an empty password never authenticates, whatever the host says", "[smtp][server][security]") {
  ServerConfig cfg = server_config();
  cfg.auth_mechanisms = {"PLAIN", "LOGIN"};
  cfg.auth_required = true;
  Server a(cfg);
  a.h.passwords["alice"] = "";  // a careless host that would say yes
  a.say("EHLO c.example");
  CHECK(a.say("AUTH PLAIN " + plain("alice", "")) == "535 5.7.8 Error: authentication failed\r\n");
  CHECK(a.say("AUTH LOGIN " + base64_encode("alice")) == "334 UGFzc3dvcmQ6\r\n");
  CHECK(a.say("=") == "535 5.7.8 Error: authentication failed\r\n");
  CHECK(a.say("AUTH PLAIN " + plain("al\rice", "x")) == "535 5.7.8 Error: authentication failed\r\n");
  CHECK(a.s->envelope().auth_user.empty());
  CHECK(a.say("MAIL FROM:<alice@c.example>") == "530 5.7.0 Authentication required\r\n");
}

TEST_CASE("past the soft error limit every reply waits error_sleep_time; the hard limit closes",
          "[smtp][server][security]") {
  ServerConfig cfg = server_config();
  cfg.auth_mechanisms = {"PLAIN"};
  cfg.soft_error_limit = 3;
  cfg.hard_error_limit = 5;
  cfg.error_sleep_time = std::chrono::milliseconds(1500);
  Server a(cfg);
  a.h.passwords["bob"] = "secret";
  a.say("EHLO c.example");
  // Three fast failures.
  for (int i = 0; i < 3; ++i) CHECK(a.say("AUTH PLAIN " + plain("bob", "guess")) == "535 5.7.8 Error: authentication failed\r\n");
  CHECK_FALSE(a.s->paused());
  // The fourth reply is held: the engine asks for the sleep as its timer, and reads
  // nothing meanwhile (a pipelined guess waits).
  const std::size_t traced = a.h.exchanges.size();
  CHECK(a.say("AUTH PLAIN " + plain("bob", "guess")).empty());
  CHECK(a.s->paused());
  CHECK(a.s->timeout() == std::chrono::milliseconds(1500));
  CHECK(a.h.exchanges.size() == traced);  // traced when it is sent, not before
  CHECK(a.say("AUTH PLAIN " + plain("bob", "secret")).empty());
  a.s->on_timeout();
  CHECK(a.s->take_output() == "535 5.7.8 Error: authentication failed\r\n");
  CHECK(a.h.exchanges.size() == traced + 1);
  // The waiting (correct) guess is read now, and its reply waits too.
  CHECK(a.s->paused());
  a.s->on_timeout();
  CHECK(a.s->take_output() == "235 2.7.0 Authentication successful\r\n");
  CHECK_FALSE(a.s->closed());
  // Errors go on: the fifth closes with 421 after its own wait.
  CHECK(a.say("AUTH PLAIN " + plain("bob", "x")).empty());
  a.s->on_timeout();
  CHECK(a.s->take_output() == "503 5.5.1 Error: already authenticated\r\n"
                              "421 4.7.0 mx.example.org Error: too many errors\r\n");
  CHECK(a.s->closed());
}

TEST_CASE("a paused session that keeps sending is cut off, input is bounded", "[smtp][server][security]") {
  ServerConfig cfg = server_config();
  cfg.soft_error_limit = 1;
  Server a(cfg);
  a.say("EHLO c.example");
  a.say("FOO");  // one error
  CHECK(a.say("BAR").empty());
  REQUIRE(a.s->paused());
  const std::string junk(ServerSession::kMaxHeldInput, 'x');
  a.s->receive(junk);
  a.s->receive(junk);
  a.s->on_timeout();
  CHECK(a.s->take_output() == "500 5.5.2 Error: command not recognized\r\n"
                              "421 4.7.0 mx.example.org Error: too much pipelined input\r\n");
  CHECK(a.s->closed());
}

TEST_CASE("a delivered message starts the error count over", "[smtp][server][security]") {
  ServerConfig cfg = server_config();
  cfg.soft_error_limit = 2;
  Server a(cfg);
  a.say("EHLO c.example");
  a.say("FOO");
  CHECK(a.say("MAIL FROM:<a@c.example>") == "250 2.1.0 Ok\r\n");
  CHECK(a.say("RCPT TO:<b@c.example>") == "250 2.1.5 Ok\r\n");
  CHECK(a.say("DATA").rfind("354", 0) == 0);
  CHECK(a.say("Subject: x\r\n\r\nbody\r\n.") == "250 2.0.0 Ok: queued\r\n");
  CHECK(a.s->error_count() == 0);
  CHECK(a.say("FOO") == "500 5.5.2 Error: command not recognized\r\n");
  CHECK_FALSE(a.s->paused());
}
