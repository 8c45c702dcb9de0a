// STLS (RFC 2595 4) in the POP3 engines: what the server announces before and after TLS,
// the refusal of a clear password on a TLS host (Dovecot's disable_plaintext_auth), the
// CVE-2011-0411 discard of what is pipelined behind STLS, and a client that never sends
// a credential in clear. The handshake itself is the driver's (tests/protocols/services).
#include <catch2/catch.hpp>

#include "pop3_test_support.hpp"

using namespace maillab::pop3;
using namespace maillab::pop3::test;
using maillab::tls::HandshakeInfo;
using maillab::tls::Verification;

namespace {

ServerConfig tls_host() {
  ServerConfig c = server_config();
  c.stls = true;
  c.plaintext_auth = false;
  return c;
}

HandshakeInfo verified(bool ok = true) {
  HandshakeInfo info;
  info.version = "TLSv1.3";
  info.verification = ok ? Verification::Ok : Verification::Expired;
  return info;
}

std::string say(ServerSession& s, std::string_view line) {
  s.receive(line);
  return s.take_output();
}

}  // namespace

TEST_CASE("STLS: announced before TLS only, clear passwords refused, then a login inside TLS", "[pop3][tls]") {
  RecordingStore store;
  fill(store);
  ServerSession s(tls_host(), store);
  s.start();
  s.take_output();
  const std::string capa = say(s, "CAPA\r\n");
  CHECK(capa.find("\r\nSTLS\r\n") != std::string::npos);
  CHECK(capa.find("\r\nUSER\r\n") == std::string::npos);
  CHECK(capa.find("SASL PLAIN") == std::string::npos);
  const std::string refused = "-ERR [AUTH] Plaintext authentication disallowed on non-secure (SSL/TLS) connections.\r\n";
  CHECK(say(s, "USER bob\r\n") == refused);
  CHECK(say(s, "PASS secret\r\n") == refused);
  CHECK(say(s, "AUTH PLAIN AGJvYgBzZWNyZXQ=\r\n") == refused);
  CHECK(s.state() == ServerSession::State::Authorization);
  CHECK(say(s, "STLS\r\n") == "+OK Begin TLS negotiation now.\r\n");
  CHECK(s.wants_tls());
  s.on_tls_started(verified());
  CHECK_FALSE(s.wants_tls());
  const std::string after = say(s, "CAPA\r\n");
  CHECK(after.find("STLS") == std::string::npos);
  CHECK(after.find("\r\nUSER\r\n") != std::string::npos);
  CHECK(say(s, "STLS\r\n") == "-ERR [IN-USE] TLS is already active.\r\n");
  CHECK(say(s, "USER bob\r\n") == "+OK send PASS\r\n");
  CHECK(say(s, "PASS secret\r\n").rfind("+OK maildrop has 3 messages", 0) == 0);
}

TEST_CASE("STLS: USER pipelined behind STLS in one write gets no reply (CVE-2011-0411)", "[pop3][tls]") {
  RecordingStore store;
  fill(store);
  ServerConfig cfg = tls_host();
  cfg.plaintext_auth = true;  // even where USER would be allowed in clear
  ServerSession s(cfg, store);
  s.start();
  s.take_output();
  const std::string data = "STLS\r\nUSER bob\r\n";
  // As the driver feeds it: in steps, consuming everything once STLS was answered.
  CHECK(s.receive_some(data, 1 << 16) == data.size());
  CHECK(s.take_output() == "+OK Begin TLS negotiation now.\r\n");
  s.on_tls_started(verified());
  CHECK(s.take_output().empty());
  CHECK(say(s, "PASS secret\r\n") == "-ERR give USER first\r\n");
}

TEST_CASE("STLS: not offered without TLS; not valid after login; implicit TLS needs none", "[pop3][tls]") {
  RecordingStore store;
  fill(store);
  ServerSession plain(server_config(), store);
  plain.start();
  plain.take_output();
  CHECK(say(plain, "CAPA\r\n").find("STLS") == std::string::npos);
  CHECK(say(plain, "STLS\r\n") == "-ERR TLS support isn't enabled.\r\n");
  CHECK(say(plain, "USER bob\r\n") == "+OK send PASS\r\n");
  CHECK(say(plain, "PASS secret\r\n").rfind("+OK", 0) == 0);
  CHECK(say(plain, "STLS\r\n") == "-ERR STLS not valid in the TRANSACTION state\r\n");

  ServerConfig implicit = tls_host();
  implicit.stls = false;
  implicit.tls_active = true;
  ServerSession s(implicit, store);
  s.start();
  s.take_output();
  const std::string capa = say(s, "CAPA\r\n");
  CHECK(capa.find("STLS") == std::string::npos);
  CHECK(capa.find("\r\nUSER\r\n") != std::string::npos);
}

TEST_CASE("client with require_tls: STLS, CAPA again, then the login; never a password in clear", "[pop3][tls]") {
  RecordingStore store;
  fill(store);
  ServerSession server(tls_host(), store);
  server.start();
  ClientConfig cc = client_config();
  cc.require_tls = true;
  ClientSession client(cc);
  std::string clear_wire;
  bool tls_on = false;
  for (int round = 0; round < 100 && !client.closed(); ++round) {
    const std::string s2c = server.take_output();
    if (!s2c.empty()) client.receive(s2c);
    if (server.wants_tls() && client.wants_tls()) {
      server.on_tls_started(verified());
      client.on_tls_started(verified());
      tls_on = true;
    }
    const std::string c2s = client.take_output();
    if (!tls_on) clear_wire += c2s;
    if (!c2s.empty()) server.receive(c2s);
    if (s2c.empty() && c2s.empty()) break;
  }
  CHECK(client.status() == ClientSession::Status::Done);
  CHECK(client.retrieved().size() == 3);
  CHECK(clear_wire == "CAPA\r\nSTLS\r\n");
}

TEST_CASE("client with require_tls: no STLS offered, or a certificate that fails, and it gives up", "[pop3][tls]") {
  RecordingStore store;
  fill(store);
  {
    ServerSession server(server_config(), store);  // offers no STLS (a stripping attacker, too)
    server.start();
    ClientConfig cc = client_config();
    cc.require_tls = true;
    ClientSession client(cc);
    std::string wire;
    Pump pump;
    pump.run(client, server);
    CHECK(client.status() == ClientSession::Status::NoTls);
    CHECK(client.error() == "the server offers no STLS: the password is not sent in clear");
    CHECK(store.exchanges.back().first == "QUIT");
    for (const auto& [line, reply] : store.exchanges) CHECK(line.find("USER") == std::string::npos);
  }
  {
    ClientConfig cc = client_config();
    cc.require_tls = true;
    ClientSession client(cc);
    client.receive("+OK ready\r\n");
    CHECK(client.take_output() == "CAPA\r\n");
    client.receive("+OK\r\nSTLS\r\nUSER\r\n.\r\n+OK Begin TLS\r\n+OK injected\r\n");
    CHECK(client.take_output() == "STLS\r\n");
    CHECK(client.wants_tls());
    client.on_tls_started(verified(false));
    CHECK(client.status() == ClientSession::Status::NoTls);
    CHECK(client.error() == "server certificate not verified: expired");
    CHECK(client.take_output() == "QUIT\r\n");  // inside TLS; no USER
  }
}
