#include "protocols/tls/certificate_authority.hpp"

#include <stdexcept>
#include <utility>

#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

namespace maillab::tls {

namespace {

constexpr UnixTime kDay = 86400;
constexpr UnixTime kTenYears = 3652 * kDay;

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  return n > 0 ? std::string(data, static_cast<std::size_t>(n)) : std::string();
}

std::string to_der(X509* x) {
  unsigned char* buf = nullptr;
  const int n = i2d_X509(x, &buf);
  check_setup(n > 0, "encoding a certificate");
  std::string out(reinterpret_cast<char*>(buf), static_cast<std::size_t>(n));
  OPENSSL_free(buf);
  return out;
}

std::string key_to_der(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  check_setup(bio && i2d_PKCS8PrivateKey_bio(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 1,
              "encoding a private key");
  return bio_text(bio.get());
}

std::string certificate_der_to_pem(const std::string& der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  X509Ptr x(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  BioPtr bio(BIO_new(BIO_s_mem()));
  check_setup(x && bio && PEM_write_bio_X509(bio.get(), x.get()) == 1, "writing a certificate as PEM");
  return bio_text(bio.get());
}

PkeyPtr new_p256_key(OSSL_LIB_CTX* ctx) {
  PkeyPtr key(EVP_PKEY_Q_keygen(ctx, nullptr, "EC", "P-256"));
  check_setup(key != nullptr, "making an ECDSA P-256 key");
  return key;
}

void add_text_ext(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX v3;
  X509V3_set_ctx(&v3, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_nconf_nid(nullptr, &v3, nid, value);
  check_setup(ext != nullptr && X509_add_ext(cert, ext, -1) == 1, "adding a certificate extension");
  X509_EXTENSION_free(ext);
}

void add_names(X509* cert, const std::vector<std::string>& names) {
  GENERAL_NAMES* gens = sk_GENERAL_NAME_new_null();
  check_setup(gens != nullptr, "allocating subjectAltName");
  bool ok = true;
  for (const std::string& name : names) {
    GENERAL_NAME* gen = GENERAL_NAME_new();
    ASN1_IA5STRING* ia5 = ASN1_IA5STRING_new();
    if (gen == nullptr || ia5 == nullptr ||
        ASN1_STRING_set(ia5, name.data(), static_cast<int>(name.size())) != 1) {
      GENERAL_NAME_free(gen);
      ASN1_IA5STRING_free(ia5);
      ok = false;
      break;
    }
    GENERAL_NAME_set0_value(gen, GEN_DNS, ia5);
    sk_GENERAL_NAME_push(gens, gen);
  }
  ok = ok && X509_add1_ext_i2d(cert, NID_subject_alt_name, gens, 0, X509V3_ADD_DEFAULT) == 1;
  GENERAL_NAMES_free(gens);
  check_setup(ok, "adding subjectAltName");
}

void set_name(X509_NAME* name, std::string_view common_name) {
  check_setup(X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                                         reinterpret_cast<const unsigned char*>("maillab"), -1, -1, 0) == 1 &&
                  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                             reinterpret_cast<const unsigned char*>(common_name.data()),
                                             static_cast<int>(common_name.size()), -1, 0) == 1,
              "setting a certificate name");
}

// A certificate with a fresh serial (RFC 5280 4.1.2.2: positive, at most 20 octets), the
// dates, the subject's key and name; issuer and extensions are the caller's.
X509Ptr new_certificate(OSSL_LIB_CTX* ctx, EVP_PKEY* subject_key, std::string_view common_name,
                        UnixTime not_before, UnixTime not_after) {
  X509Ptr cert(X509_new_ex(ctx, nullptr));
  check_setup(cert != nullptr, "allocating a certificate");
  unsigned char serial[16];
  check_setup(RAND_bytes_ex(ctx, serial, sizeof serial, 0) == 1, "drawing a serial number");
  serial[0] = static_cast<unsigned char>((serial[0] & 0x7f) | 0x01);  // positive, non-zero
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  const bool ok = bn != nullptr && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get())) != nullptr &&
                  X509_set_version(cert.get(), X509_VERSION_3) == 1 &&
                  ASN1_TIME_set(X509_getm_notBefore(cert.get()), static_cast<time_t>(not_before)) != nullptr &&
                  ASN1_TIME_set(X509_getm_notAfter(cert.get()), static_cast<time_t>(not_after)) != nullptr &&
                  X509_set_pubkey(cert.get(), subject_key) == 1;
  BN_free(bn);
  check_setup(ok, "filling in a certificate");
  set_name(X509_get_subject_name(cert.get()), common_name);
  return cert;
}

void sign(X509* cert, EVP_PKEY* key) {
  check_setup(X509_sign(cert, key, EVP_sha256()) > 0, "signing a certificate");
}

}  // namespace

std::string_view to_string(CertificateKind kind) {
  switch (kind) {
    case CertificateKind::Valid: return "valid";
    case CertificateKind::Expired: return "expired";
    case CertificateKind::SelfSigned: return "self-signed";
    case CertificateKind::WrongName: return "wrong-name";
  }
  return "valid";
}

std::optional<CertificateKind> parse_certificate_kind(std::string_view text) {
  for (CertificateKind k : {CertificateKind::Valid, CertificateKind::Expired, CertificateKind::SelfSigned,
                            CertificateKind::WrongName}) {
    if (to_string(k) == text) return k;
  }
  return std::nullopt;
}

std::string Credentials::certificate_pem() const { return certificate_der_to_pem(certificate_der); }

std::string Credentials::private_key_pem() const {
  const auto* p = reinterpret_cast<const unsigned char*>(private_key_der.data());
  PkeyPtr key(d2i_AutoPrivateKey(nullptr, &p, static_cast<long>(private_key_der.size())));
  BioPtr bio(BIO_new(BIO_s_mem()));
  check_setup(key && bio && PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1,
              "writing a private key as PEM");
  return bio_text(bio.get());
}

CertificateAuthority::CertificateAuthority(std::shared_ptr<LibraryContext> lib, UnixTime start)
    : lib_(std::move(lib)), start_(start), not_before_(start - kDay), not_after_(start - kDay + kTenYears) {
  key_ = new_p256_key(lib_->get());
  cert_ = new_certificate(lib_->get(), key_.get(), kSubjectName, not_before_, not_after_);
  X509* c = cert_.get();
  check_setup(X509_set_issuer_name(c, X509_get_subject_name(c)) == 1, "naming the CA");
  add_text_ext(c, c, NID_basic_constraints, "critical,CA:TRUE");
  add_text_ext(c, c, NID_key_usage, "critical,keyCertSign,cRLSign");
  add_text_ext(c, c, NID_subject_key_identifier, "hash");
  sign(c, key_.get());
  der_ = to_der(c);
}

std::string CertificateAuthority::certificate_pem() const { return certificate_der_to_pem(der_); }

std::shared_ptr<const Credentials> CertificateAuthority::issue(const std::vector<std::string>& names,
                                                               CertificateKind kind) {
  if (names.empty()) throw std::invalid_argument("tls: a certificate needs at least one name");
  for (const std::string& n : names) {
    if (n.empty()) throw std::invalid_argument("tls: empty certificate name");
    for (unsigned char ch : n) {
      if (ch < 0x21 || ch > 0x7e) throw std::invalid_argument("tls: certificate name is not printable ASCII: " + n);
    }
  }
  auto out = std::make_shared<Credentials>();
  out->kind = kind;
  out->names = kind == CertificateKind::WrongName ? std::vector<std::string>{std::string(kWrongName)} : names;
  out->not_before = not_before_;
  out->not_after = not_after_;
  if (kind == CertificateKind::Expired) {
    out->not_before = start_ - 731 * kDay;
    out->not_after = start_ - kDay;
  }

  PkeyPtr key = new_p256_key(lib_->get());
  X509Ptr cert = new_certificate(lib_->get(), key.get(), out->names.front(), out->not_before, out->not_after);
  X509* c = cert.get();
  const bool self_signed = kind == CertificateKind::SelfSigned;
  X509* issuer = self_signed ? c : cert_.get();
  check_setup(X509_set_issuer_name(c, X509_get_subject_name(issuer)) == 1, "naming the issuer");
  add_text_ext(c, issuer, NID_basic_constraints, "critical,CA:FALSE");
  if (!self_signed) {
    add_text_ext(c, issuer, NID_key_usage, "critical,digitalSignature");
    add_text_ext(c, issuer, NID_authority_key_identifier, "keyid:always");
  }
  add_text_ext(c, issuer, NID_ext_key_usage, "serverAuth,clientAuth");
  add_text_ext(c, issuer, NID_subject_key_identifier, "hash");
  add_names(c, out->names);
  sign(c, self_signed ? key.get() : key_.get());

  out->certificate_der = to_der(c);
  out->private_key_der = key_to_der(key.get());
  return out;
}

}  // namespace maillab::tls
