// tls::CertificateAuthority: the lab's own CA and the certificate of every TLS host, made
// once per world at load time (never per connection). ECDSA P-256 keys, SHA-256
// signatures, X.509 v3 (RFC 5280) with subjectAltName dNSName entries (RFC 6125).
//
// Made in a LibraryContext of its own (LibraryContext::deterministic(seed, "ca") in a
// world, so the CA, its keys and its serials are a function of the run seed and of the
// order of issue(), and adding a connection never changes a certificate).
//
// Validity (chosen relative to the run's start, `start`, in Unix seconds):
// - the CA and every valid certificate: notBefore = start - 1 day, notAfter = notBefore +
//   3652 days (ten years), so a run of any realistic length stays inside the window and
//   a clock a little behind still accepts it;
// - `expired`: notBefore = start - 731 days, notAfter = start - 1 day (ended before the
//   run starts);
// - `self-signed`: the host's names, valid dates, signed by its own key instead of the
//   CA's (basicConstraints CA:FALSE, no keyUsage, as a quick `openssl req -x509` gives);
// - `wrong-name`: signed by the CA, valid dates, but for `wrong-name.invalid` (RFC 2606)
//   instead of the host's names.
// For `maillab serve`, `start` is the wall clock at start-up so that real clients accept
// the certificates; in the simulation it is the simulated start.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/tls/library_context.hpp"
#include "protocols/tls/openssl_util.hpp"

namespace maillab::tls {

using UnixTime = std::int64_t;  // seconds since 1970-01-01T00:00:00Z

// scenario-format.md: `tls: {certificate: valid | expired | self-signed | wrong-name}`.
enum class CertificateKind { Valid, Expired, SelfSigned, WrongName };
std::string_view to_string(CertificateKind kind);
std::optional<CertificateKind> parse_certificate_kind(std::string_view text);

inline constexpr std::string_view kWrongName = "wrong-name.invalid";

// A host's certificate and private key, as DER (immutable; shared by every connection of
// the host). A ServerContext loads them into its own library context.
struct Credentials {
  std::vector<std::string> names;  // the names the certificate carries (SANs; CN = first)
  CertificateKind kind = CertificateKind::Valid;
  UnixTime not_before = 0;
  UnixTime not_after = 0;
  std::string certificate_der;
  std::string private_key_der;  // PKCS#8

  std::string certificate_pem() const;
  std::string private_key_pem() const;
};

class CertificateAuthority {
 public:
  static constexpr std::string_view kSubjectName = "maillab lab CA";

  CertificateAuthority(std::shared_ptr<LibraryContext> lib, UnixTime start);

  // A certificate for `names` (at least one; ASCII host names; the first is the CN).
  // Throws std::invalid_argument on an empty list or a non-ASCII name (a loader checks
  // host names first), std::runtime_error when OpenSSL fails.
  std::shared_ptr<const Credentials> issue(const std::vector<std::string>& names,
                                           CertificateKind kind = CertificateKind::Valid);

  const std::string& certificate_der() const { return der_; }
  std::string certificate_pem() const;  // for `serve --ca-out FILE` and ClientContext
  UnixTime not_before() const { return not_before_; }
  UnixTime not_after() const { return not_after_; }

 private:
  std::shared_ptr<LibraryContext> lib_;
  UnixTime start_;
  UnixTime not_before_;
  UnixTime not_after_;
  PkeyPtr key_;
  X509Ptr cert_;
  std::string der_;
};

}  // namespace maillab::tls
