#include <catch2/catch.hpp>

#include "protocols/message/base64.hpp"
#include "smtp_test_support.hpp"

using namespace maillab::smtp;
using namespace maillab::smtp::test;
using maillab::message::base64_encode;

namespace {

struct AuthServer : LineServer {
  explicit AuthServer(std::vector<std::string> mechs = {"PLAIN", "LOGIN"}) : LineServer(config(std::move(mechs))) {
    h.passwords["bob"] = "secret";
    say("EHLO c");
  }
  static ServerConfig config(std::vector<std::string> mechs) {
    ServerConfig cfg = server_config();
    cfg.auth_mechanisms = std::move(mechs);
    cfg.auth_required = true;
    return cfg;
  }
};

}  // namespace

TEST_CASE("AUTH PLAIN with an initial response (RFC 4954, RFC 4616)", "[smtp][server][auth]") {
  AuthServer a;
  CHECK(a.say("MAIL FROM:<bob@example.org>") == "530 5.7.0 Authentication required\r\n");
  CHECK(a.say("AUTH PLAIN " + plain_response("", "bob", "wrong")) == "535 5.7.8 Error: authentication failed\r\n");
  CHECK(a.say("AUTH PLAIN " + plain_response("alice", "bob", "secret")) == "535 5.7.8 Error: authentication failed\r\n");
  CHECK(a.say("AUTH PLAIN " + plain_response("bob", "bob", "secret")) == "235 2.7.0 Authentication successful\r\n");
  CHECK(a.s->envelope().auth_user == "bob");
  CHECK(a.say("AUTH PLAIN " + plain_response("", "bob", "secret")) == "503 5.5.1 Error: already authenticated\r\n");
  CHECK(a.say("MAIL FROM:<bob@example.org> AUTH=bob@example.org") == "250 2.1.0 Ok\r\n");
  CHECK(a.s->state() == ServerSession::State::Mail);
  // Credentials never reach the trace.
  for (const auto& [line, reply] : a.h.exchanges) CHECK(line.find(plain_response("", "bob", "wrong")) == std::string::npos);
  CHECK(a.h.exchanges[3].first == "AUTH PLAIN ****");
}

TEST_CASE("AUTH PLAIN with a 334 continuation, cancel and bad base64", "[smtp][server][auth]") {
  AuthServer a;
  CHECK(a.say("AUTH PLAIN") == "334 \r\n");
  CHECK(a.s->state() == ServerSession::State::Auth);
  CHECK(a.say("*") == "501 5.7.0 Authentication aborted\r\n");
  CHECK(a.say("AUTH plain") == "334 \r\n");
  CHECK(a.say("!!!notbase64") == "501 5.5.2 Cannot Base64-decode Client responses\r\n");
  CHECK(a.say("AUTH PLAIN =") == "535 5.7.8 Error: authentication failed\r\n");
  CHECK(a.say("AUTH PLAIN") == "334 \r\n");
  CHECK(a.say(plain_response("", "bob", "secret")) == "235 2.7.0 Authentication successful\r\n");
}

TEST_CASE("AUTH LOGIN (RFC 4954 examples, draft-murchison-sasl-login)", "[smtp][server][auth]") {
  AuthServer a;
  CHECK(a.say("AUTH LOGIN") == "334 VXNlcm5hbWU6\r\n");
  CHECK(a.say(base64_encode("bob")) == "334 UGFzc3dvcmQ6\r\n");
  CHECK(a.say(base64_encode("nope")) == "535 5.7.8 Error: authentication failed\r\n");
  CHECK(a.say("AUTH LOGIN " + base64_encode("bob")) == "334 UGFzc3dvcmQ6\r\n");
  CHECK(a.say("*") == "501 5.7.0 Authentication aborted\r\n");
  CHECK(a.say("AUTH LOGIN") == "334 VXNlcm5hbWU6\r\n");
  CHECK(a.say(base64_encode("bob")) == "334 UGFzc3dvcmQ6\r\n");
  CHECK(a.say(base64_encode("secret")) == "235 2.7.0 Authentication successful\r\n");
  CHECK(a.s->envelope().auth_user == "bob");
  for (const auto& [line, reply] : a.h.exchanges) CHECK(line.find(base64_encode("secret")) == std::string::npos);
}

TEST_CASE("AUTH errors: unknown mechanism, syntax, long line, HELO", "[smtp][server][auth]") {
  AuthServer a({"PLAIN"});
  CHECK(a.say("AUTH CRAM-MD5") == "504 5.5.4 Unrecognized authentication type\r\n");
  CHECK(a.say("AUTH LOGIN") == "504 5.5.4 Unrecognized authentication type\r\n");  // not offered
  CHECK(a.say("AUTH") == "501 5.5.4 Syntax: AUTH mechanism\r\n");
  CHECK(a.say("AUTH PLAIN") == "334 \r\n");
  // AUTH lines may be long (12288 octets), longer ones are refused.
  CHECK(a.say(std::string(20000, 'A')) == "500 5.5.6 Authentication exchange line is too long\r\n");
  CHECK(a.s->state() == ServerSession::State::Ready);
  CHECK(a.say("AUTH PLAIN") == "334 \r\n");
  CHECK(a.say(std::string(1000, 'A')) == "535 5.7.8 Error: authentication failed\r\n");
  CHECK(a.say("HELO c") == "250 mx.example.org\r\n");
  CHECK(a.say("AUTH PLAIN " + plain_response("", "bob", "secret")) == "503 5.5.1 Error: authentication not enabled\r\n");
}
