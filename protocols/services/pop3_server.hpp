// services::Pop3Server: the host's POP3 retrieval server (the MRA) on port 110: the
// pop3::ServerSession engine per connection, credentials from the host's users, maildrops
// read from the host's mailbox store (Maildir or mbox on its disk), and an exclusive lock
// per maildrop (RFC 1939 4; a second session gets -ERR [IN-USE], RFC 2449 8.1.2).
// With a TLS context (use_tls): STLS on 110 (RFC 2595), no clear password before it
// (Dovecot's disable_plaintext_auth), and pop3s on 995 when asked (RFC 8314).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "protocols/io/runtime.hpp"
#include "protocols/mda/mail_store.hpp"
#include "protocols/services/accounts.hpp"
#include "protocols/services/anvil.hpp"
#include "protocols/services/login_limits.hpp"
#include "protocols/tls/context.hpp"

namespace maillab::services {

// Slowing down password guessers: every failed login's -ERR waits (login_limits.hpp).
using Pop3Limits = LoginLimits;

class Pop3Server {
 public:
  Pop3Server(io::Runtime& rt, std::string mailbox_kind, Accounts users, Pop3Limits limits = {});
  // Over a given store (a host with IMAP: the MailboxMailStore over the shared store).
  Pop3Server(io::Runtime& rt, std::unique_ptr<mda::MailStore> store, Accounts users, Pop3Limits limits = {});
  ~Pop3Server();
  Pop3Server(const Pop3Server&) = delete;
  Pop3Server& operator=(const Pop3Server&) = delete;

  // TLS with this context (outliving the server): STLS on 110, and 995 when `pop3s`.
  // Before start().
  void use_tls(tls::ServerContext& ctx, bool pop3s) {
    tls_ = &ctx;
    pop3s_ = pop3s;
  }
  void start();  // listen on 110 (and 995)

  // Used by the sessions.
  const Accounts& users() const { return users_; }
  Anvil& auth_failures() { return auth_failures_; }
  bool lock(const std::string& user) { return locked_.insert(user).second; }
  void unlock(const std::string& user) { locked_.erase(user); }
  mda::MailStore& store() { return *store_; }
  io::Runtime& runtime() { return rt_; }
  const tls::ServerContext* tls_context() const { return tls_; }

 private:
  struct Session;
  void accept(io::ConnectionPtr c, bool implicit_tls);

  io::Runtime& rt_;
  std::unique_ptr<mda::MailStore> store_;
  Accounts users_;
  Pop3Limits limits_;
  Anvil auth_failures_;
  std::set<std::string> locked_;
  std::set<std::shared_ptr<Session>> sessions_;
  std::uint64_t sessions_started_ = 0;
  tls::ServerContext* tls_ = nullptr;
  bool pop3s_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace maillab::services
