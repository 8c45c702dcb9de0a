// ClientSession: STARTTLS (RFC 3207) under smtp_tls_security_level (client_config.hpp).
// The engine decides and resets; the driver runs the handshake. Postfix's wording.
#include "protocols/smtp/client_session.hpp"

namespace maillab::smtp {

bool ClientSession::start_tls_if_needed() {
  if (config_.tls == TlsLevel::None || tls_on_) return false;
  if (esmtp_ && extensions().count("STARTTLS")) {
    send(Cmd::Starttls, "STARTTLS");
    return true;
  }
  if (config_.tls == TlsLevel::May) return false;  // opportunistic: on in clear
  // encrypt and stronger: nothing leaves in clear; the MTA tries the next MX (4.7.4).
  fail_remaining(Reply::make(421, "4.7.4", "TLS is required, but was not offered by host " + config_.peer_name));
  state_ = State::Quitting;
  send(Cmd::Quit, "QUIT");
  return true;
}

void ClientSession::on_starttls(const Pending&, const Reply& r) {
  if (r.code == 220) {
    wants_tls_ = true;  // receive() drops whatever else came with the 220
    return;
  }
  if (config_.tls == TlsLevel::May) {  // Postfix: the session continues in clear
    state_ = State::Ready;
    tls_on_ = false;
    config_.tls = TlsLevel::None;  // not asked again after the next EHLO
    after_hello();
    return;
  }
  fail_remaining(Reply::make(421, "4.7.4", "TLS is required, but host " + config_.peer_name +
                                               " refused to start TLS: " + r.text()));
  state_ = State::Quitting;
  send(Cmd::Quit, "QUIT");
}

void ClientSession::on_tls_started(const tls::HandshakeInfo& info) {
  const bool implicit = state_ == State::Greeting && !wants_tls_;
  wants_tls_ = false;
  tls_on_ = true;
  parser_ = ReplyParser();
  if (config_.tls == TlsLevel::Verify && !info.verified()) {
    // Postfix: "Server certificate not verified" (4.7.5); the message stays queued.
    fail_remaining(Reply::make(421, "4.7.5", "Server certificate not verified: " + config_.peer_name + ": " +
                                                 std::string(tls::to_string(info.verification))));
    if (implicit) {
      state_ = State::Closed;
      return;
    }
    state_ = State::Quitting;
    send(Cmd::Quit, "QUIT");
    return;
  }
  if (implicit) return;  // the greeting comes inside TLS
  // RFC 3207 4.2: forget what the server said before TLS and ask again.
  extension_bits_ = 0;
  ehlo_keywords_.clear();
  extensions_built_ = false;
  auth_mechanisms_.clear();
  size_limit_ = 0;
  send_ehlo();
}

}  // namespace maillab::smtp
