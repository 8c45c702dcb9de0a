// ServerHandler: the decisions a POP3 server session asks of its host (credentials,
// opening and locking maildrops), answered synchronously (docs/architecture.md).
//
// Invariants: the session calls open_maildrop only after the credentials were accepted;
// the Maildrop it gets back holds the lock until it is destroyed (RFC 1939 4: the server
// acquires an exclusive-access lock on the maildrop). None of these calls may throw.
// Secrets never reach on_exchange: PASS arguments and SASL responses are shown as "****".
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "protocols/pop3/maildrop.hpp"
#include "protocols/tls/session_info.hpp"

namespace maillab::pop3 {

class ServerHandler {
 public:
  enum class OpenResult { Ok, InUse, Error };

  virtual ~ServerHandler() = default;

  // Text after "+OK " in the greeting; empty: "<hostname> POP3 server ready". The APOP
  // timestamp (ServerConfig::apop_timestamp), if any, is always appended (RFC 1939 7).
  virtual std::string banner() { return {}; }
  // USER (RFC 1939 7). The default says yes to everyone so that USER does not reveal which
  // names exist; the check then happens at PASS.
  virtual bool user_exists(std::string_view user) { return true; }
  // PASS (RFC 1939 7) and AUTH PLAIN (RFC 4616) credentials.
  virtual bool check_password(std::string_view user, std::string_view password) = 0;
  // The shared secret for APOP (RFC 1939 7); nullopt: APOP refused for this user.
  virtual std::optional<std::string> apop_secret(std::string_view user) { return std::nullopt; }
  // Open and lock `user`'s maildrop. InUse -> "-ERR [IN-USE]" (RFC 2449 8.1.2),
  // Error -> "-ERR [SYS/TEMP]" (RFC 3206 4); both leave the session in AUTHORIZATION.
  virtual OpenResult open_maildrop(std::string_view user, std::unique_ptr<Maildrop>& out) = 0;
  // One command and the first line of its reply (no CRLF); the greeting comes with an
  // empty client_line.
  virtual void on_exchange(std::string_view client_line, std::string_view first_reply_line) {}
  // Every failed login attempt (USER of an unknown user, PASS, APOP, AUTH).
  virtual void on_auth_failure(std::string_view user) {}
  // TLS is on (after STLS, or at once on 995): what follows on this connection is encrypted.
  virtual void on_tls_started(const tls::HandshakeInfo& info) {}
};

}  // namespace maillab::pop3
