// smtp::ServerReplies: a listener builds its greeting, EHLO, 354 and 221 once and its
// sessions send them; a client sees the same bytes as from a session that built its own,
// whatever the configuration, and sessions of different listeners never mix them.
#include <catch2/catch.hpp>

#include "smtp_test_support.hpp"

using namespace maillab::smtp;
using namespace maillab::smtp::test;

namespace {

// Everything a client reads in one whole transaction.
std::string transcript(const ServerConfig& cfg) {
  RecordingHandler h;
  ServerSession s(cfg, h);
  s.receive("EHLO c.example\r\nMAIL FROM:<a@x.example>\r\nRCPT TO:<b@y.example>\r\nDATA\r\n");
  s.receive("Subject: hi\r\n\r\nhello\r\n.\r\nQUIT\r\n");
  return s.take_output();
}

std::vector<ServerConfig> variants() {
  std::vector<ServerConfig> out;
  ServerConfig c = server_config();
  out.push_back(c);
  c.hostname = "";  // a session says "localhost"; so do the listener's replies
  out.push_back(c);
  c.hostname = "a-much-longer-name.mx.example";
  c.pipelining = false;
  c.size_limit = 0;
  out.push_back(c);
  c.auth_mechanisms = {"PLAIN", "LOGIN"};
  c.dsn = false;
  c.eightbitmime = false;
  out.push_back(c);
  c.enhanced_status_codes = false;
  out.push_back(c);
  return out;
}

}  // namespace

TEST_CASE("a listener's replies are the bytes a session would build itself", "[smtp][server][replies]") {
  for (ServerConfig cfg : variants()) {
    INFO("host '" << cfg.hostname << "'");
    const std::string own = transcript(cfg);
    cfg.replies = make_server_replies(cfg);
    CHECK(transcript(cfg) == own);
    const std::string host = cfg.hostname.empty() ? "localhost" : cfg.hostname;
    CHECK(own.rfind("220 " + host + " ESMTP maillab\r\n250-" + host + "\r\n", 0) == 0);
    CHECK(own.find("354 End data with <CR><LF>.<CR><LF>\r\n") != std::string::npos);
    CHECK(own.size() > 9);
    CHECK(own.substr(own.size() - (cfg.enhanced_status_codes ? 15 : 9)) ==
          (cfg.enhanced_status_codes ? "221 2.0.0 Bye\r\n" : "221 Bye\r\n"));
  }
}

TEST_CASE("the EHLO reply lists the listener's extensions, one line each", "[smtp][server][replies]") {
  ServerConfig cfg = server_config();
  cfg.size_limit = 12345;
  cfg.auth_mechanisms = {"PLAIN", "LOGIN"};
  cfg.replies = make_server_replies(cfg);
  CHECK(cfg.replies->ehlo.wire ==
        "250-mx.example.org\r\n250-PIPELINING\r\n250-SIZE 12345\r\n250-AUTH PLAIN LOGIN\r\n"
        "250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-DSN\r\n250-SMTPUTF8\r\n250 CHUNKING\r\n");
  CHECK(cfg.replies->greeting.wire == "220 mx.example.org ESMTP maillab\r\n");
  CHECK(cfg.replies->go_ahead.wire == "354 End data with <CR><LF>.<CR><LF>\r\n");
  CHECK(cfg.replies->bye.wire == "221 2.0.0 Bye\r\n");
}

TEST_CASE("sessions of two listeners interleaved keep their own replies", "[smtp][server][replies]") {
  // Port 25 and 587 of one host: the same name, different extensions. Sessions of both,
  // open at once, each get their listener's EHLO (an engine cache keyed by the name
  // could hand one the other's).
  ServerConfig mx = server_config();
  ServerConfig submission = server_config();
  submission.auth_mechanisms = {"PLAIN", "LOGIN"};
  submission.auth_required = true;
  mx.replies = make_server_replies(mx);
  submission.replies = make_server_replies(submission);
  std::vector<std::unique_ptr<RecordingHandler>> handlers;
  std::vector<std::unique_ptr<ServerSession>> sessions;
  for (int i = 0; i < 6; ++i) {
    handlers.push_back(std::make_unique<RecordingHandler>());
    sessions.push_back(std::make_unique<ServerSession>(i % 2 ? submission : mx, *handlers.back()));
    sessions.back()->take_output();
  }
  for (int i = 5; i >= 0; --i) {
    INFO("session " << i);
    sessions[i]->receive("EHLO c.example\r\n");
    const std::string out = sessions[i]->take_output();
    CHECK((out.find("250-AUTH PLAIN LOGIN\r\n") != std::string::npos) == (i % 2 == 1));
    CHECK(out.rfind("250-mx.example.org\r\n", 0) == 0);
  }
}
