#include "protocols/tls/session_info.hpp"

#include <openssl/bio.h>
#include <openssl/x509v3.h>

#include "protocols/tls/openssl_util.hpp"

namespace maillab::tls {

namespace {

std::string name_text(const X509_NAME* name) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253) < 0) return {};
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return n > 0 ? std::string(data, static_cast<std::size_t>(n)) : std::string();
}

UnixTime unix_time(const ASN1_TIME* t) {
  struct tm tm {};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return 0;
  return static_cast<UnixTime>(timegm(&tm));
}

}  // namespace

std::string_view to_string(Verification v) {
  switch (v) {
    case Verification::Ok: return "ok";
    case Verification::NoCertificate: return "no certificate";
    case Verification::Expired: return "expired";
    case Verification::NotYetValid: return "not yet valid";
    case Verification::SelfSigned: return "self-signed";
    case Verification::Untrusted: return "untrusted";
    case Verification::HostnameMismatch: return "hostname mismatch";
    case Verification::Other: return "other";
  }
  return "other";
}

Verification classify_verify_result(long code) {
  switch (code) {
    case X509_V_OK: return Verification::Ok;
    case X509_V_ERR_CERT_HAS_EXPIRED: return Verification::Expired;
    case X509_V_ERR_CERT_NOT_YET_VALID: return Verification::NotYetValid;
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN: return Verification::SelfSigned;
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_CERT_UNTRUSTED: return Verification::Untrusted;
    case X509_V_ERR_HOSTNAME_MISMATCH: return Verification::HostnameMismatch;
    default: return Verification::Other;
  }
}

std::string received_clause(const HandshakeInfo& info) {
  std::string out = "using ";
  out.append(info.version);
  out += " with cipher ";
  out.append(info.cipher);
  out += " (" + std::to_string(info.cipher_bits) + "/" + std::to_string(info.cipher_alg_bits) + " bits)";
  return out;
}

PeerCertificate describe_certificate(const X509* cert) {
  PeerCertificate out;
  if (cert == nullptr) return out;
  out.present = true;
  out.subject = name_text(X509_get_subject_name(cert));
  out.issuer = name_text(X509_get_issuer_name(cert));
  const X509_NAME* subject = X509_get_subject_name(cert);
  if (int i = X509_NAME_get_index_by_NID(subject, NID_commonName, -1); i >= 0) {
    const ASN1_STRING* cn = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, i));
    out.common_name.assign(reinterpret_cast<const char*>(ASN1_STRING_get0_data(cn)),
                           static_cast<std::size_t>(ASN1_STRING_length(cn)));
  }
  auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  for (int i = 0; names != nullptr && i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* gen = sk_GENERAL_NAME_value(names, i);
    if (gen->type != GEN_DNS) continue;
    const ASN1_STRING* s = gen->d.dNSName;
    out.dns_names.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                               static_cast<std::size_t>(ASN1_STRING_length(s)));
  }
  GENERAL_NAMES_free(names);
  out.not_before = unix_time(X509_get0_notBefore(cert));
  out.not_after = unix_time(X509_get0_notAfter(cert));
  return out;
}

std::string_view to_string(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::None: return "none";
    case ErrorKind::Version: return "protocol version";
    case ErrorKind::PeerAlert: return "peer alert";
    case ErrorKind::Protocol: return "protocol error";
    case ErrorKind::Truncated: return "truncated";
    case ErrorKind::Internal: return "internal error";
  }
  return "none";
}

}  // namespace maillab::tls
