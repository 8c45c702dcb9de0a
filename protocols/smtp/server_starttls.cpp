// ServerSession: STARTTLS (RFC 3207). The engine only answers and resets; the handshake
// itself is the driver's (services::SessionDriver, docs/tls.md). Postfix's replies.
#include <utility>

#include "protocols/smtp/server_session.hpp"

namespace maillab::smtp {

void ServerSession::cmd_starttls(std::string_view) {
  // Postfix: 502 where STARTTLS is not offered, 554 once TLS is on (RFC 3207 4.2: the
  // keyword is no longer announced).
  if (!config_.starttls && !tls_on_) return answer(Reply::make(502, "5.5.1", "Error: command not implemented"));
  if (tls_on_) return answer(Reply::make(554, "5.5.1", "Error: TLS already active"));
  answer(Reply::make(220, "2.0.0", "Ready to start TLS"));
  // RFC 3207 4.2 / CVE-2011-0411: whatever the client pipelined behind STARTTLS arrived
  // in clear and is dropped (receive_some() consumes it unread); nothing more is read
  // until the driver says TLS is on.
  wants_tls_ = true;
  held_input_.clear();
}

void ServerSession::on_tls_started(const tls::HandshakeInfo& info) {
  // RFC 3207 4.2: "the server MUST discard any knowledge obtained from the client, such
  // as the argument to the EHLO command" - back to the state after the greeting.
  wants_tls_ = false;
  tls_on_ = true;
  reset_transaction();
  envelope_.helo.clear();
  envelope_.esmtp = false;
  envelope_.auth_user.clear();
  envelope_.tls = tls::received_clause(info);
  lines_.clear();
  if (state_ != State::Closed && state_ != State::Rejected) state_ = State::Connected;
  handler_.on_tls_started(info);
}

}  // namespace maillab::smtp
