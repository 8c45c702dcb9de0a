// ClientSession: STLS (RFC 2595 4) for a client that never sends a credential in clear.
// The engine decides and resets; the driver runs the handshake (docs/tls.md).
#include <string>

#include "protocols/pop3/client_session.hpp"

namespace maillab::pop3 {

void ClientSession::on_stls(const Reply& r) {
  if (r.kind != Reply::Kind::Ok) return fail(Status::NoTls, "STLS refused: " + r.first);
  wants_tls_ = true;  // receive() drops whatever else came with the +OK
  reader_.clear();
}

void ClientSession::on_tls_started(const tls::HandshakeInfo& info) {
  const bool implicit = state_ == State::Greeting && !wants_tls_;
  wants_tls_ = false;
  tls_ = true;
  reader_.clear();
  if (config_.require_tls && !info.verified()) {
    const std::string why = "server certificate not verified: " + std::string(tls::to_string(info.verification));
    if (implicit) return abort(Status::NoTls, why);
    return fail(Status::NoTls, why);  // QUIT inside TLS; no credential was sent
  }
  if (implicit) return;  // the greeting comes inside TLS
  // RFC 2595 4: the client MUST discard what it learnt from CAPA before TLS.
  capabilities_.clear();
  capa_ok_ = false;
  send("CAPA");
  state_ = State::Capa;
}

}  // namespace maillab::pop3
