// A lab client verifying a server against the lab CA, at the lab's time: the result is
// reported (HandshakeInfo), never enforced, so "may" can go on and "verify" can give up.
#include <catch2/catch.hpp>

#include "tls_pair.hpp"

using namespace maillab::tls;
using namespace maillab::tls::test;

namespace {

constexpr UnixTime kDay = 86400;

HandshakeInfo handshake(World& w, const std::string& name, UnixTime now = kStart) {
  Session server(w.server, now);
  Session client(w.client, params_for(name, ""), now);
  REQUIRE(pump(client, server));
  REQUIRE(client.handshake_done());  // verification never stops the handshake
  return client.info();
}

}  // namespace

TEST_CASE("a valid lab certificate verifies for each of its names") {
  World w(11, CertificateKind::Valid, {"mx.b.example", "mail.b.example"});
  for (const char* name : {"mx.b.example", "mail.b.example", "MX.B.EXAMPLE"}) {
    const HandshakeInfo info = handshake(w, name);
    CHECK(info.verification == Verification::Ok);
    CHECK(info.verified());
    CHECK(info.verify_detail == "ok");
  }
  SECTION("another name is a mismatch") {
    const HandshakeInfo info = handshake(w, "mx.c.example");
    CHECK(info.verification == Verification::HostnameMismatch);
    CHECK(info.verify_code == X509_V_ERR_HOSTNAME_MISMATCH);
  }
  SECTION("without expected names only the chain is checked") {
    Session server(w.server, kStart);
    Session client(w.client, ClientParams{"mx.b.example", {}, ""}, kStart);
    REQUIRE(pump(client, server));
    CHECK(client.info().verified());
  }
}

TEST_CASE("the peer certificate shows its names, issuer and dates") {
  World w(12, CertificateKind::Valid, {"mx.b.example", "mail.b.example"});
  Session server(w.server, kStart);
  Session client(w.client, params_for("mx.b.example"), kStart);
  REQUIRE(pump(client, server));
  const PeerCertificate cert = client.peer_certificate();
  REQUIRE(cert.present);
  CHECK(cert.common_name == "mx.b.example");
  CHECK(cert.dns_names == std::vector<std::string>{"mx.b.example", "mail.b.example"});
  CHECK(cert.subject == "CN=mx.b.example,O=maillab");
  CHECK(cert.issuer == "CN=maillab lab CA,O=maillab");
  CHECK(cert.not_before == kStart - kDay);
  CHECK(cert.not_after == kStart - kDay + 3652 * kDay);
  CHECK_FALSE(server.peer_certificate().present);  // no client certificate is asked for
  CHECK(server.info().verification == Verification::NoCertificate);
}

TEST_CASE("each broken certificate fails verification with its own reason") {
  SECTION("expired") {
    World w(13, CertificateKind::Expired);
    const HandshakeInfo info = handshake(w, "mx.b.example");
    CHECK(info.verification == Verification::Expired);
    CHECK(info.verify_code == X509_V_ERR_CERT_HAS_EXPIRED);
    CHECK(info.verify_detail == "certificate has expired");
  }
  SECTION("self-signed") {
    World w(14, CertificateKind::SelfSigned);
    const HandshakeInfo info = handshake(w, "mx.b.example");
    CHECK(info.verification == Verification::SelfSigned);
    CHECK(info.verify_code == X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT);
  }
  SECTION("wrong-name") {
    World w(15, CertificateKind::WrongName);
    const HandshakeInfo info = handshake(w, "mx.b.example");
    CHECK(info.verification == Verification::HostnameMismatch);
    CHECK(w.credentials->names == std::vector<std::string>{"wrong-name.invalid"});
  }
  SECTION("signed by another CA") {
    World w(16);
    World other(17);
    ClientContext stranger(w.lib, other.ca.certificate_pem());
    Session server(w.server, kStart);
    Session client(stranger, params_for("mx.b.example", ""), kStart);
    REQUIRE(pump(client, server));
    CHECK(client.info().verification == Verification::Untrusted);
  }
}

TEST_CASE("certificates are judged at the lab's time, not the wall clock's") {
  World w(18);
  CHECK(handshake(w, "mx.b.example", kStart + 9 * 365 * kDay).verification == Verification::Ok);
  CHECK(handshake(w, "mx.b.example", kStart + 11 * 365 * kDay).verification == Verification::Expired);
  CHECK(handshake(w, "mx.b.example", kStart - 2 * kDay).verification == Verification::NotYetValid);
}
