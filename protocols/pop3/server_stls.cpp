// ServerSession: STLS (RFC 2595 4) and the refusal of clear passwords on a TLS host
// (Dovecot's disable_plaintext_auth). The engine answers and resets; the handshake is the
// driver's (services::SessionDriver, docs/tls.md). Dovecot's wording.
#include "protocols/pop3/server_session.hpp"

namespace maillab::pop3 {

void ServerSession::cmd_stls(const CommandLine&) {
  if (tls_) return reply("-ERR [IN-USE] TLS is already active.");
  if (!config_.stls) return reply("-ERR TLS support isn't enabled.");
  reply("+OK Begin TLS negotiation now.");
  // RFC 2595 4 / CVE-2011-0411: what the client pipelined behind STLS came in clear and
  // is dropped; nothing more is read until the driver says TLS is on.
  wants_tls_ = true;
  pending_user_.clear();
  reader_.clear();
}

void ServerSession::on_tls_started(const tls::HandshakeInfo& info) {
  // RFC 2595 4: the session stays in AUTHORIZATION; anything learnt before is forgotten.
  wants_tls_ = false;
  tls_ = true;
  pending_user_.clear();
  awaiting_sasl_ = false;
  reader_.clear();
  reader_.set_max_line(config_.max_line);
  handler_.on_tls_started(info);
}

bool ServerSession::plaintext_refused() {
  if (config_.plaintext_auth || tls_) return false;
  pending_user_.clear();
  reply("-ERR [AUTH] Plaintext authentication disallowed on non-secure (SSL/TLS) connections.");
  return true;
}

}  // namespace maillab::pop3
