// The lab CA: made from the run seed, PEM for `serve --ca-out`, certificates with the
// host's names and the validity windows of docs/tls.md.
#include <catch2/catch.hpp>

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "protocols/tls/certificate_authority.hpp"
#include "protocols/tls/session_info.hpp"

using namespace maillab::tls;

namespace {

constexpr UnixTime kStart = 1772442000;
constexpr UnixTime kDay = 86400;

X509Ptr parse_pem(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return X509Ptr(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

}  // namespace

TEST_CASE("the CA certificate is PEM, a CA, ECDSA P-256, valid around the run's start") {
  CertificateAuthority ca(LibraryContext::deterministic(1, "ca"), kStart);
  const std::string pem = ca.certificate_pem();
  CHECK(pem.rfind("-----BEGIN CERTIFICATE-----\n", 0) == 0);
  CHECK(pem.find("-----END CERTIFICATE-----\n") == pem.size() - 26);
  X509Ptr cert = parse_pem(pem);
  REQUIRE(cert);
  CHECK(X509_check_ca(cert.get()) == 1);
  CHECK(X509_check_issued(cert.get(), cert.get()) == X509_V_OK);
  EVP_PKEY* key = X509_get0_pubkey(cert.get());
  CHECK(EVP_PKEY_is_a(key, "EC"));
  char group[32] = {};
  size_t len = 0;
  CHECK(EVP_PKEY_get_utf8_string_param(key, "group", group, sizeof group, &len) == 1);
  CHECK(std::string(group) == "prime256v1");
  const PeerCertificate info = describe_certificate(cert.get());
  CHECK(info.subject == "CN=maillab lab CA,O=maillab");
  CHECK(info.not_before == kStart - kDay);
  CHECK(info.not_after == kStart - kDay + 3652 * kDay);
}

TEST_CASE("host certificates carry the host's names and the variant's dates") {
  CertificateAuthority ca(LibraryContext::deterministic(1, "ca"), kStart);
  X509Ptr root = parse_pem(ca.certificate_pem());

  auto valid = ca.issue({"mx.b.example", "mail.b.example"});
  X509Ptr v = parse_pem(valid->certificate_pem());
  REQUIRE(v);
  CHECK(describe_certificate(v.get()).dns_names == std::vector<std::string>{"mx.b.example", "mail.b.example"});
  CHECK(X509_check_issued(root.get(), v.get()) == X509_V_OK);
  CHECK(X509_check_host(v.get(), "mail.b.example", 0, 0, nullptr) == 1);
  CHECK(X509_check_ca(v.get()) == 0);
  CHECK(valid->private_key_pem().rfind("-----BEGIN PRIVATE KEY-----\n", 0) == 0);

  auto expired = ca.issue({"mx.b.example"}, CertificateKind::Expired);
  CHECK(expired->not_after == kStart - kDay);
  CHECK(describe_certificate(parse_pem(expired->certificate_pem()).get()).not_after == kStart - kDay);

  auto self = ca.issue({"mx.b.example"}, CertificateKind::SelfSigned);
  X509Ptr s = parse_pem(self->certificate_pem());
  CHECK(X509_check_issued(s.get(), s.get()) == X509_V_OK);
  CHECK(X509_check_issued(root.get(), s.get()) != X509_V_OK);

  auto wrong = ca.issue({"mx.b.example"}, CertificateKind::WrongName);
  X509Ptr wr = parse_pem(wrong->certificate_pem());
  CHECK(X509_check_host(wr.get(), "mx.b.example", 0, 0, nullptr) == 0);
  CHECK(describe_certificate(wr.get()).common_name == "wrong-name.invalid");
}

TEST_CASE("the CA is a function of the seed") {
  CertificateAuthority a(LibraryContext::deterministic(5, "ca"), kStart);
  CertificateAuthority b(LibraryContext::deterministic(5, "ca"), kStart);
  CertificateAuthority c(LibraryContext::deterministic(6, "ca"), kStart);
  CHECK(a.certificate_der() == b.certificate_der());
  CHECK(a.certificate_der() != c.certificate_der());
  CHECK(a.issue({"mx.b.example"})->certificate_der == b.issue({"mx.b.example"})->certificate_der);
}

TEST_CASE("certificate kinds parse from the scenario's words") {
  CHECK(parse_certificate_kind("valid") == CertificateKind::Valid);
  CHECK(parse_certificate_kind("expired") == CertificateKind::Expired);
  CHECK(parse_certificate_kind("self-signed") == CertificateKind::SelfSigned);
  CHECK(parse_certificate_kind("wrong-name") == CertificateKind::WrongName);
  CHECK_FALSE(parse_certificate_kind("revoked"));
  CHECK(to_string(CertificateKind::SelfSigned) == "self-signed");
}

TEST_CASE("bad names are refused at load time") {
  CertificateAuthority ca(LibraryContext::deterministic(1, "ca"), kStart);
  CHECK_THROWS_AS(ca.issue({}), std::invalid_argument);
  CHECK_THROWS_AS(ca.issue({"mx b.example"}), std::invalid_argument);
  CHECK_THROWS_AS(ca.issue({"m\xc3\xa9l.example"}), std::invalid_argument);
}
