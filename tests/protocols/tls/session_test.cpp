// tls::Session between a lab client and a lab server in memory: the handshake, the
// protocol versions, application bytes both ways, orderly close and truncation, garbage.
#include <catch2/catch.hpp>

#include <openssl/err.h>

#include "tls_pair.hpp"

using namespace maillab::tls;
using namespace maillab::tls::test;

TEST_CASE("a lab client and server agree on TLS 1.3 with a named cipher and carry bytes both ways") {
  World w(1);
  Session server(w.server, kStart);
  Session client(w.client, params_for("mx.b.example"), kStart);
  REQUIRE(client.phase() == Phase::Handshaking);
  REQUIRE_FALSE(client.output().empty());  // the ClientHello, written at once

  REQUIRE(pump(client, server));
  REQUIRE(client.handshake_done());
  REQUIRE(server.handshake_done());
  CHECK(client.phase() == Phase::Open);
  CHECK(client.info().version == "TLSv1.3");
  CHECK(server.info().version == "TLSv1.3");
  CHECK(client.info().cipher == "TLS_AES_256_GCM_SHA384");
  CHECK(client.info().cipher_bits == 256);
  CHECK(received_clause(server.info()) == "using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)");
  CHECK(server.info().server_name == "mx.b.example");  // SNI
  CHECK_FALSE(client.info().resumed);

  REQUIRE(client.send("EHLO pc.a.example\r\n") == Status::Ok);
  REQUIRE(pump(client, server));
  CHECK(server.take_plaintext() == "EHLO pc.a.example\r\n");
  REQUIRE(server.send("250-mx.b.example\r\n250 PIPELINING\r\n") == Status::Ok);
  REQUIRE(pump(client, server));
  CHECK(client.take_plaintext() == "250-mx.b.example\r\n250 PIPELINING\r\n");
}

TEST_CASE("the ciphertext is not the plaintext") {
  World w(2);
  Session server(w.server, kStart);
  Session client(w.client, params_for("mx.b.example"), kStart);
  REQUIRE(pump(client, server));
  Wire wire;
  REQUIRE(client.send("AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n") == Status::Ok);
  REQUIRE(pump(client, server, &wire));
  CHECK(wire.to_server.find("AUTH PLAIN") == std::string::npos);
  CHECK(server.plaintext() == "AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n");
}

TEST_CASE("bytes split one at a time give the same handshake and the same plaintext") {
  World w(3);
  Session server(w.server, kStart);
  Session client(w.client, params_for("mx.b.example"), kStart);
  REQUIRE(client.send("QUIT\r\n") == Status::Ok);  // queued until the handshake is done
  for (int round = 0; round < 16; ++round) {
    for (char c : client.take_output()) REQUIRE(server.receive(std::string_view(&c, 1)) == Status::Ok);
    for (char c : server.take_output()) REQUIRE(client.receive(std::string_view(&c, 1)) == Status::Ok);
  }
  REQUIRE(client.handshake_done());
  REQUIRE(server.handshake_done());
  CHECK(server.plaintext() == "QUIT\r\n");
}

TEST_CASE("TLS 1.2 when the client offers no more, with an ECDHE-ECDSA cipher") {
  World w(4);
  SSL_CTX_set_max_proto_version(w.client.native(), TLS1_2_VERSION);
  Session server(w.server, kStart);
  Session client(w.client, params_for("mx.b.example"), kStart);
  REQUIRE(pump(client, server));
  REQUIRE(client.handshake_done());
  CHECK(client.info().version == "TLSv1.2");
  CHECK(server.info().cipher == "ECDHE-ECDSA-AES256-GCM-SHA384");
  CHECK(client.info().verified());
}

TEST_CASE("a TLS 1.1-only client is refused with a protocol_version alert (RFC 8996)") {
  World w(5);
  Session server(w.server, kStart);

  // An old client, with OpenSSL itself at security level 0 so that only our server refuses.
  SslCtxPtr old(SSL_CTX_new(TLS_client_method()));
  REQUIRE(old);
  SSL_CTX_set_security_level(old.get(), 0);
  REQUIRE(SSL_CTX_set_cipher_list(old.get(), "DEFAULT:@SECLEVEL=0") == 1);
  REQUIRE(SSL_CTX_set_min_proto_version(old.get(), TLS1_1_VERSION) == 1);
  REQUIRE(SSL_CTX_set_max_proto_version(old.get(), TLS1_1_VERSION) == 1);
  SslPtr ssl(SSL_new(old.get()));
  BIO* in = BIO_new(BIO_s_mem());
  BIO* out = BIO_new(BIO_s_mem());
  BIO_set_mem_eof_return(in, -1);
  SSL_set_bio(ssl.get(), in, out);
  SSL_set_connect_state(ssl.get());
  REQUIRE(SSL_get_error(ssl.get(), SSL_do_handshake(ssl.get())) == SSL_ERROR_WANT_READ);
  std::string hello(BIO_ctrl_pending(out), '\0');
  BIO_read(out, hello.data(), static_cast<int>(hello.size()));

  CHECK(server.receive(hello) == Status::Failed);
  CHECK(server.phase() == Phase::Failed);
  CHECK(server.error().kind == ErrorKind::Version);
  CHECK(server.error().alert_sent == "protocol version");
  CHECK_FALSE(server.handshake_done());
  const std::string alert = server.take_output();
  REQUIRE_FALSE(alert.empty());

  BIO_write(in, alert.data(), static_cast<int>(alert.size()));
  ERR_clear_error();
  CHECK(SSL_get_error(ssl.get(), SSL_do_handshake(ssl.get())) == SSL_ERROR_SSL);
  CHECK(ERR_GET_REASON(ERR_peek_error()) == SSL_R_TLSV1_ALERT_PROTOCOL_VERSION);
  ERR_clear_error();
  CHECK(server.receive("more") == Status::Failed);  // a failed session stays failed
}

TEST_CASE("close_notify is an orderly close; an end without it is a truncation") {
  World w(6);
  SECTION("client closes") {
    Session server(w.server, kStart);
    Session client(w.client, params_for("mx.b.example"), kStart);
    REQUIRE(pump(client, server));
    REQUIRE(client.send("QUIT\r\n") == Status::Ok);
    client.close();
    CHECK(client.close_sent());
    REQUIRE(pump(client, server));
    CHECK(server.plaintext() == "QUIT\r\n");  // what came before close_notify arrives
    CHECK(server.peer_closed());
    CHECK(server.phase() == Phase::Closed);
    CHECK(server.receive_eof() == Status::Ok);
    CHECK(client.send("late") == Status::Failed);
  }
  SECTION("the transport ends first") {
    Session server(w.server, kStart);
    Session client(w.client, params_for("mx.b.example"), kStart);
    REQUIRE(pump(client, server));
    CHECK(server.receive_eof() == Status::Failed);
    CHECK(server.error().kind == ErrorKind::Truncated);
  }
  SECTION("during the handshake") {
    Session server(w.server, kStart);
    Session client(w.client, params_for("mx.b.example"), kStart);
    REQUIRE(server.receive(client.take_output()) == Status::Ok);
    CHECK(client.receive_eof() == Status::Failed);
    CHECK(client.error().kind == ErrorKind::Truncated);
    CHECK(client.error().detail == "connection closed during the handshake");
  }
}

TEST_CASE("garbage bytes are an error result, never an exception") {
  World w(7);
  SECTION("instead of a ClientHello") {
    Session server(w.server, kStart);
    CHECK(server.receive("EHLO pc.a.example\r\n") == Status::Failed);
    CHECK(server.error().kind == ErrorKind::Protocol);
    CHECK_FALSE(server.error().detail.empty());
    CHECK(server.plaintext().empty());
  }
  SECTION("a corrupted record after the handshake") {
    Session server(w.server, kStart);
    Session client(w.client, params_for("mx.b.example"), kStart);
    REQUIRE(pump(client, server));
    REQUIRE(client.send("MAIL FROM:<alice@a.example>\r\n") == Status::Ok);
    std::string record = client.take_output();
    record[record.size() - 3] ^= 0x55;  // inside the AEAD tag
    CHECK(server.receive(record) == Status::Failed);
    CHECK(server.error().kind == ErrorKind::Protocol);
    CHECK(server.error().alert_sent == "bad record mac");
    CHECK(server.plaintext().empty());
    // The peer learns why from the alert.
    CHECK(client.receive(server.take_output()) == Status::Failed);
    CHECK(client.error().kind == ErrorKind::PeerAlert);
    CHECK(client.error().alert_received == "bad record mac");
  }
}

TEST_CASE("the key log callback gets NSS key log lines") {
  World w(8);
  std::vector<std::string> lines;
  w.client.set_key_log([&](std::string_view line) { lines.emplace_back(line); });
  Session server(w.server, kStart);
  Session client(w.client, params_for("mx.b.example"), kStart);
  REQUIRE(pump(client, server));

  // https://developer.mozilla.org/en-US/docs/Mozilla/Projects/NSS/Key_Log_Format:
  // "<label> <64 hex: client random> <hex: secret>"; TLS 1.3 labels.
  REQUIRE(lines.size() == 5);
  std::vector<std::string> labels;
  for (const std::string& line : lines) {
    const auto sp1 = line.find(' ');
    const auto sp2 = line.find(' ', sp1 + 1);
    REQUIRE(sp1 != std::string::npos);
    REQUIRE(sp2 == sp1 + 65);
    const std::string random = line.substr(sp1 + 1, 64);
    const std::string secret = line.substr(sp2 + 1);
    CHECK(random.find_first_not_of("0123456789abcdef") == std::string::npos);
    CHECK(secret.size() == 96);  // SHA-384 for TLS_AES_256_GCM_SHA384
    CHECK(secret.find_first_not_of("0123456789abcdef") == std::string::npos);
    CHECK(line.find('\n') == std::string::npos);
    labels.push_back(line.substr(0, sp1));
  }
  for (const char* want : {"CLIENT_HANDSHAKE_TRAFFIC_SECRET", "SERVER_HANDSHAKE_TRAFFIC_SECRET",
                           "CLIENT_TRAFFIC_SECRET_0", "SERVER_TRAFFIC_SECRET_0", "EXPORTER_SECRET"}) {
    CHECK(std::find(labels.begin(), labels.end(), want) != labels.end());
  }

  SECTION("TLS 1.2: CLIENT_RANDOM and the 48-byte master secret") {
    lines.clear();
    SSL_CTX_set_max_proto_version(w.client.native(), TLS1_2_VERSION);
    Session s2(w.server, kStart);
    Session c2(w.client, params_for("mx.b.example", ""), kStart);
    REQUIRE(pump(c2, s2));
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].rfind("CLIENT_RANDOM ", 0) == 0);
    CHECK(lines[0].size() == std::string("CLIENT_RANDOM ").size() + 64 + 1 + 96);
  }
}

TEST_CASE("a moved session keeps working") {
  World w(9);
  Session server(w.server, kStart);
  Session first(w.client, params_for("mx.b.example"), kStart);
  Session client(std::move(first));
  REQUIRE(pump(client, server));
  REQUIRE(client.handshake_done());
  REQUIRE(client.send("NOOP\r\n") == Status::Ok);
  REQUIRE(pump(client, server));
  CHECK(server.plaintext() == "NOOP\r\n");
}
