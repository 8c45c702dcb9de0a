#include "protocols/services/tls_trace.hpp"

namespace maillab::services {

namespace ev = io::trace::ev;
namespace key = io::trace::key;

namespace {

std::string host_name_chars(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, 253)) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '-' || c == '*';
    out += ok ? c : '?';
  }
  return out;
}

// The names a client checks (RFC 6125 6.4: subjectAltName dNSName; the CN only without them).
std::string certificate_names(const tls::ServerContext* context) {
  if (context == nullptr || !context->certificate().present) return {};
  const auto& cert = context->certificate();
  if (cert.dns_names.empty()) return host_name_chars(cert.common_name);
  std::string out;
  for (const auto& name : cert.dns_names) out += (out.empty() ? "" : " ") + host_name_chars(name);
  return out;
}

}  // namespace

void trace_tls_established(io::Runtime& rt, io::trace::Agent agent, const std::string& peer,
                           const tls::HandshakeInfo& info, const tls::ServerContext* context) {
  if (!rt.tracing()) return;
  rt.trace(agent, ev::kTlsEstablished,
           {{key::kPeer, peer},
            {key::kVersion, std::string(info.version)},
            {key::kCipher, std::string(info.cipher) + " (" + std::to_string(info.cipher_bits) + "/" +
                               std::to_string(info.cipher_alg_bits) + " bits)"},
            {key::kResumed, info.resumed ? "yes" : "no"},
            {key::kSni, host_name_chars(info.server_name)},
            {key::kCertificate, certificate_names(context)}});
}

}  // namespace maillab::services
