// tls::Context, tls::ServerContext, tls::ClientContext: what every TLS connection of one
// role on one host shares (Postfix's smtpd/smtp TLS "context"): the SSL_CTX with its
// settings, the host's certificate (server) or the trusted CAs (client), the session
// cache, and the key log callback. Made once per host and world, never per connection;
// sessions (session.hpp) are made from them.
//
// Settings, both roles: TLS 1.2 and 1.3 only (RFC 8996; SSL_CTX_set_min_proto_version
// TLS1_2), no renegotiation, OpenSSL's built-in default cipher suites and groups at
// security level 2 (not a machine's openssl.cnf).
// - Server: the host's certificate chain (the leaf: the lab CA is a trust anchor), no
//   client certificate requested (Postfix smtpd_tls_ask_ccert = no). Resumption through
//   a server-side session cache: TLS 1.2 session ids and, for TLS 1.3, *stateful* tickets
//   (SSL_OP_NO_TICKET: the ticket is a session id into the cache; one ticket per
//   handshake). Stateless tickets would carry OpenSSL's wall-clock session time inside
//   the encrypted ticket, so the bytes on the wire would depend on when the run happened.
// - Client: verification is *recorded*, never enforced (SSL_VERIFY_NONE plus the result
//   of the chain and name checks in HandshakeInfo), so the policy above decides as
//   Postfix does: "may"/"encrypt" go on, "verify"/"secure" give up.
//
// Invariants: a context outlives its sessions and is not moved (OpenSSL holds a pointer
// to it); its LibraryContext outlives it.
#pragma once

#include <functional>
#include <memory>
#include <string_view>

#include "protocols/tls/certificate_authority.hpp"
#include "protocols/tls/library_context.hpp"
#include "protocols/tls/openssl_util.hpp"
#include "protocols/tls/session_cache.hpp"
#include "protocols/tls/session_info.hpp"

namespace maillab::tls {

enum class Role { Client, Server };

// One NSS key log line ("CLIENT_RANDOM <hex> <hex>", "SERVER_HANDSHAKE_TRAFFIC_SECRET ...",
// without a line end), for `--keylog FILE` (Wireshark's tls.keylog_file).
using KeyLogFn = std::function<void(std::string_view line)>;

class Context {
 public:
  virtual ~Context();
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  Role role() const { return role_; }
  SSL_CTX* native() const { return ctx_.get(); }
  const std::shared_ptr<LibraryContext>& library() const { return lib_; }
  SessionCache& session_cache() { return cache_; }

  // Every session of this context reports its secrets to `fn` (an empty fn stops it).
  void set_key_log(KeyLogFn fn);

 protected:
  Context(std::shared_ptr<LibraryContext> lib, Role role, SessionCacheOptions cache);

 private:
  friend class Session;
  static void on_key_log(const SSL* ssl, const char* line);

  std::shared_ptr<LibraryContext> lib_;
  Role role_;
  SslCtxPtr ctx_;
  SessionCache cache_;
  KeyLogFn key_log_;
};

struct ServerOptions {
  SessionCacheOptions session_cache;  // smtpd_tls_session_cache_timeout (3600 s)
};

class ServerContext final : public Context {
 public:
  ServerContext(std::shared_ptr<LibraryContext> lib, const Credentials& credentials, ServerOptions options = {});

  // The certificate this server presents (described once: the trace names it).
  const PeerCertificate& certificate() const { return certificate_; }

 private:
  PeerCertificate certificate_;
};

struct ClientOptions {
  SessionCacheOptions session_cache;  // smtp_tls_session_cache_timeout (3600 s)
};

class ClientContext final : public Context {
 public:
  // `trusted_pem`: the CA certificates to verify against, PEM (the lab CA's
  // certificate_pem(), or a --cafile's contents; several may be concatenated).
  ClientContext(std::shared_ptr<LibraryContext> lib, std::string_view trusted_pem, ClientOptions options = {});
};

}  // namespace maillab::tls
