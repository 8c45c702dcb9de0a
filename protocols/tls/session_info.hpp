// What a tls::Session reports: "TLS is on" (HandshakeInfo: version, cipher, resumption,
// the verification of the peer's certificate), the peer's certificate (PeerCertificate),
// and why a session failed (Error). Plain values for engines, the trace and the policy.
//
// Verification (client side; RFC 5280 6 path validation at the lab's time, RFC 6125
// names): the first failure OpenSSL's chain and name checks found, mapped to the reasons
// the lab teaches, with OpenSSL's own code and text beside it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <openssl/x509.h>

#include "protocols/tls/session_cache.hpp"

namespace maillab::tls {

enum class Verification {
  Ok,
  NoCertificate,     // the peer sent none (a server never asks clients for one)
  Expired,           // notAfter before the lab's time
  NotYetValid,       // notBefore after the lab's time
  SelfSigned,        // signed by its own key, not by a trusted CA
  Untrusted,         // no path to a trusted CA
  HostnameMismatch,  // none of the expected names is in the certificate
  Other,
};
std::string_view to_string(Verification v);
Verification classify_verify_result(long x509_verify_code);

struct HandshakeInfo {
  std::string_view version;  // "TLSv1.3", "TLSv1.2" (OpenSSL's static strings)
  std::string_view cipher;   // "TLS_AES_256_GCM_SHA384", "ECDHE-ECDSA-AES256-GCM-SHA384"
  int cipher_bits = 0;       // secret bits / algorithm bits, as Postfix logs "(256/256 bits)"
  int cipher_alg_bits = 0;
  std::string_view group;    // key exchange group ("x25519"); empty for a resumed TLS 1.2 session
  bool resumed = false;      // SSL_session_reused
  std::string server_name;   // SNI: what the client sent / what the server received
  Verification verification = Verification::NoCertificate;
  long verify_code = X509_V_OK;  // X509_V_ERR_*
  std::string_view verify_detail;  // X509_verify_cert_error_string

  bool verified() const { return verification == Verification::Ok; }
};

// Postfix's Received clause: "using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)".
std::string received_clause(const HandshakeInfo& info);

struct PeerCertificate {
  bool present = false;
  std::string subject;   // RFC 2253 ("CN=mx.b.example,O=maillab")
  std::string issuer;
  std::string common_name;
  std::vector<std::string> dns_names;  // subjectAltName dNSName entries, in order
  UnixTime not_before = 0;
  UnixTime not_after = 0;
};
PeerCertificate describe_certificate(const X509* cert);  // present = false for nullptr

enum class ErrorKind {
  None,
  Version,    // no protocol version in common (a TLS 1.1 peer: RFC 8996)
  PeerAlert,  // the peer ended the handshake/session with a fatal alert
  Protocol,   // the peer's bytes are not valid TLS for this state (garbage, bad MAC, ...)
  Truncated,  // the connection ended without close_notify (RFC 8446 6.1)
  Internal,   // local failure (memory, misuse)
};
std::string_view to_string(ErrorKind kind);

struct Error {
  ErrorKind kind = ErrorKind::None;
  std::string detail;               // OpenSSL's reasons, e.g. "unsupported protocol"
  std::string_view alert_sent;      // "protocol version" when we sent a fatal alert
  std::string_view alert_received;  // the fatal alert the peer sent, if any
};

}  // namespace maillab::tls
