// services::ImapServer: the host's IMAP server on port 143 (RFC 9051, IMAP4rev2 with
// IMAP4rev1 compatibility): the imap::ServerSession engine per connection, credentials
// from the host's users, every user's folders in the host's one shared mail store (the
// MaildirPlusStore the MDA delivers into and POP3 reads, DESIGN.md "One store for MDA,
// POP3 and IMAP"), so a delivery reaches a session in IDLE at once.
//
// Invariants:
// - The store outlives the server (the host owns both and drops the server first).
// - A login names the user as declared (logins ignore case) and ensure_user() makes the
//   default folders (INBOX, Sent, Drafts, Junk, Trash) before the first SELECT.
// - Failed logins are counted per client address (services::Anvil, as POP3's) and every
//   failure's NO waits auth_failure_delay in the engine; an empty password never logs in.
// - Updates a store change queues for a session outside its own input (IDLE pushes) are
//   sent at once (ServerHandler::on_output_ready -> SessionDriver::pump).
// - With a TLS context (use_tls): STARTTLS on 143 (RFC 9051 6.2.1), LOGINDISABLED and no
//   clear password before it (Dovecot's disable_plaintext_auth), imaps on 993 when asked.
#pragma once

#include <cstdint>
#include <memory>
#include <set>

#include "protocols/io/runtime.hpp"
#include "protocols/mda/mailbox_store.hpp"
#include "protocols/services/accounts.hpp"
#include "protocols/services/anvil.hpp"
#include "protocols/services/login_limits.hpp"
#include "protocols/tls/context.hpp"

namespace maillab::services {

using ImapLimits = LoginLimits;  // as POP3's (login_limits.hpp)

class ImapServer {
 public:
  ImapServer(io::Runtime& rt, mda::MailboxStore& store, Accounts users, ImapLimits limits = {});
  ~ImapServer();
  ImapServer(const ImapServer&) = delete;
  ImapServer& operator=(const ImapServer&) = delete;

  // TLS with this context (outliving the server): STARTTLS on 143, and 993 when `imaps`.
  // Before start().
  void use_tls(tls::ServerContext& ctx, bool imaps) {
    tls_ = &ctx;
    imaps_ = imaps;
  }
  void start(std::uint16_t port = 143);  // and 993 with imaps

  // Used by the sessions.
  const Accounts& users() const { return users_; }
  Anvil& auth_failures() { return auth_failures_; }
  mda::MailboxStore& store() { return store_; }
  io::Runtime& runtime() { return rt_; }
  const tls::ServerContext* tls_context() const { return tls_; }
  std::uint64_t next_unique() { return ++unique_; }

 private:
  struct Session;
  void accept(io::ConnectionPtr c, bool implicit_tls);

  io::Runtime& rt_;
  mda::MailboxStore& store_;
  Accounts users_;
  ImapLimits limits_;
  Anvil auth_failures_;
  std::set<std::shared_ptr<Session>> sessions_;
  std::uint64_t unique_ = 0;
  tls::ServerContext* tls_ = nullptr;
  bool imaps_ = false;
};

}  // namespace maillab::services
