// ServerHandler: what an IMAP server session (server_session.hpp) asks of its host,
// answered synchronously (docs/architecture.md): credentials, the user's mail store,
// the time, and where to report what happened.
//
// Invariants: open_store() is called only after the credentials were accepted; the
// store outlives the session. Secrets never reach on_exchange(): LOGIN's password and
// SASL responses are shown as "****". None of these calls may throw.
#pragma once

#include <cstdint>
#include <string_view>

#include "protocols/mda/mailbox_store.hpp"
#include "protocols/tls/session_info.hpp"

namespace maillab::imap {

class ServerHandler {
 public:
  virtual ~ServerHandler() = default;

  // LOGIN (RFC 9051 6.2.3) and AUTHENTICATE PLAIN (RFC 4616) credentials. The session
  // never calls this with an empty password (refused before asking).
  virtual bool check_password(std::string_view user, std::string_view password) = 0;
  // The store holding `user`'s mailboxes; nullptr -> "NO [UNAVAILABLE]" and no login.
  virtual mda::MailboxStore* open_store(std::string_view user) = 0;
  // Simulated (or real) time now, in nanoseconds since the lab's epoch (date.hpp):
  // APPEND's default internal date, UIDVALIDITY of new folders, the login-failure delay.
  virtual std::int64_t now_ns() = 0;
  // A counter unique on this host (Maildir names of appended messages).
  virtual std::uint64_t unique() { return 0; }

  // One command (secrets hidden) and its tagged status line (no CRLF); the greeting
  // comes with an empty command.
  virtual void on_exchange(std::string_view command, std::string_view status_line) {}
  virtual void on_login(std::string_view user) {}
  virtual void on_auth_failure(std::string_view user) {}
  // TLS is on (after STARTTLS, or at once on 993): what follows on this connection is encrypted.
  virtual void on_tls_started(const tls::HandshakeInfo& info) {}
  // The session queued output outside receive()/on_timeout() (updates pushed while it
  // is in IDLE): the host should send it now.
  virtual void on_output_ready() {}
};

}  // namespace maillab::imap
