// STARTTLS in the server engine (RFC 3207): what is announced before and after TLS, the
// CVE-2011-0411 rule (nothing pipelined behind STARTTLS is answered), the reset to the
// state after the greeting, smtpd_tls_auth_only and smtpd_tls_security_level = encrypt.
// The handshake itself is the driver's (tests/protocols/services).
#include <catch2/catch.hpp>

#include <string>

#include "smtp_test_support.hpp"

using namespace maillab;
using namespace maillab::smtp;
using namespace maillab::smtp::test;

namespace {

ServerConfig tls_config() {
  ServerConfig c = server_config();
  c.starttls = true;
  c.auth_mechanisms = {"PLAIN", "LOGIN"};
  return c;
}

tls::HandshakeInfo tls13() {
  tls::HandshakeInfo info;
  info.version = "TLSv1.3";
  info.cipher = "TLS_AES_256_GCM_SHA384";
  info.cipher_bits = info.cipher_alg_bits = 256;
  return info;
}

}  // namespace

TEST_CASE("STARTTLS is announced before TLS and not after; STARTTLS answered 220", "[smtp][server][tls]") {
  RecordingHandler h;
  ServerSession s(tls_config(), h);
  s.take_output();
  s.receive("EHLO c.example\r\n");
  const std::string before = s.take_output();
  CHECK(before.find("250-STARTTLS\r\n") != std::string::npos);
  CHECK(before.find("AUTH PLAIN LOGIN") != std::string::npos);
  s.receive("STARTTLS\r\n");
  CHECK(s.take_output() == "220 2.0.0 Ready to start TLS\r\n");
  CHECK(s.wants_tls());
  s.on_tls_started(tls13());
  CHECK_FALSE(s.wants_tls());
  // RFC 3207 4.2: the EHLO argument is forgotten: MAIL needs EHLO again.
  s.receive("MAIL FROM:<a@c.example>\r\n");
  CHECK(s.take_output() == "503 5.5.1 Error: send HELO/EHLO first\r\n");
  s.receive("EHLO c.example\r\n");
  const std::string after = s.take_output();
  CHECK(after.find("STARTTLS") == std::string::npos);
  CHECK(after.find("AUTH PLAIN LOGIN") != std::string::npos);
  s.receive("STARTTLS\r\n");
  CHECK(s.take_output() == "554 5.5.1 Error: TLS already active\r\n");
  CHECK(s.envelope().tls == "using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)");
}

TEST_CASE("commands pipelined behind STARTTLS are dropped, never answered (CVE-2011-0411)", "[smtp][server][tls]") {
  RecordingHandler h;
  ServerSession s(tls_config(), h);
  s.take_output();
  s.receive("EHLO c.example\r\n");
  s.take_output();
  SECTION("in one write") {
    s.receive("STARTTLS\r\nRSET\r\n");
  }
  SECTION("through receive_some, as the driver feeds it") {
    const std::string burst = "STARTTLS\r\nRSET\r\nMAIL FROM:<a@c.example>\r\n";
    CHECK(s.receive_some(burst, 65536) == burst.size());
  }
  CHECK(s.take_output() == "220 2.0.0 Ready to start TLS\r\n");
  s.receive("NOOP\r\n");  // still in clear: the session reads nothing until TLS is on
  CHECK(s.take_output().empty());
  s.on_tls_started(tls13());
  s.receive("EHLO c.example\r\nRSET\r\n");
  const std::string out = s.take_output();
  CHECK(out.rfind("250-mx.example.org\r\n", 0) == 0);
  CHECK(out.find("250 2.0.0 Ok\r\n") != std::string::npos);  // exactly one RSET answered
  CHECK(out.find("250 2.0.0 Ok\r\n") == out.rfind("250 2.0.0 Ok\r\n"));
}

TEST_CASE("smtpd_tls_auth_only: no AUTH before TLS", "[smtp][server][tls]") {
  ServerConfig cfg = tls_config();
  cfg.tls_auth_only = true;
  RecordingHandler h;
  h.passwords["alice"] = "secret";
  ServerSession s(cfg, h);
  s.take_output();
  s.receive("EHLO c.example\r\n");
  CHECK(s.take_output().find("AUTH") == std::string::npos);
  s.receive("AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n");
  CHECK(s.take_output() == "503 5.5.1 Error: authentication not enabled\r\n");
  s.receive("STARTTLS\r\n");
  s.take_output();
  s.on_tls_started(tls13());
  s.receive("EHLO c.example\r\n");
  CHECK(s.take_output().find("250-AUTH PLAIN LOGIN\r\n") != std::string::npos);
  s.receive("AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n");
  CHECK(s.take_output() == "235 2.7.0 Authentication successful\r\n");
}

TEST_CASE("smtpd_tls_security_level = encrypt: MAIL before STARTTLS gets 530", "[smtp][server][tls]") {
  ServerConfig cfg = tls_config();
  cfg.tls_required = true;
  RecordingHandler h;
  ServerSession s(cfg, h);
  s.take_output();
  s.receive("EHLO c.example\r\nMAIL FROM:<a@c.example>\r\n");
  CHECK(s.take_output().find("530 5.7.0 Must issue a STARTTLS command first\r\n") != std::string::npos);
  s.receive("STARTTLS\r\n");
  s.take_output();
  s.on_tls_started(tls13());
  s.receive("EHLO c.example\r\nMAIL FROM:<a@c.example>\r\n");
  CHECK(s.take_output().find("250 2.1.0 Ok\r\n") != std::string::npos);
}
