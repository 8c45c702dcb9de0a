#include "protocols/services/imap_server.hpp"

#include "protocols/imap/server_handler.hpp"
#include "protocols/imap/server_session.hpp"
#include "protocols/services/session_driver.hpp"
#include "protocols/services/tls_trace.hpp"

namespace maillab::services {

namespace agent = io::trace::agent;
namespace ev = io::trace::ev;
namespace key = io::trace::key;

struct ImapServer::Session final : imap::ServerHandler {
  ImapServer& server;
  std::string peer;
  std::shared_ptr<SessionDriver<imap::ServerSession>> driver;

  Session(ImapServer& s, std::string p) : server(s), peer(std::move(p)) {}

  // Never true for a user without a password (services::Accounts), nor for an address
  // that failed too often lately (services::Anvil).
  bool check_password(std::string_view user, std::string_view password) override {
    if (server.auth_failures().blocked(peer, server.runtime().now())) return false;
    return server.users().authenticate(user, password);
  }
  mda::MailboxStore* open_store(std::string_view user) override {
    const std::string* declared = server.users().find(user);
    if (declared == nullptr) return nullptr;
    if (server.store().ensure_user(*declared, server.runtime().now()) != mda::StoreResult::Ok) return nullptr;
    return &server.store();
  }
  std::int64_t now_ns() override { return server.runtime().now(); }
  std::uint64_t unique() override { return server.next_unique(); }
  void on_exchange(std::string_view command, std::string_view status_line) override {
    server.runtime().trace(agent::kMra, ev::kImapIn,
                           {{key::kPeer, peer},
                            {key::kCommand, std::string(command)},
                            {key::kReply, std::string(status_line)}});
  }
  void on_login(std::string_view user) override {
    server.runtime().trace(agent::kMra, ev::kImapLogin, {{key::kPeer, peer}, {key::kUser, std::string(user)}});
  }
  void on_auth_failure(std::string_view user) override {
    server.auth_failures().failure(peer, server.runtime().now());
    server.runtime().trace(agent::kMra, ev::kImapAuthFailed,
                           {{key::kPeer, peer}, {key::kUser, std::string(user)}});
  }
  void on_tls_started(const tls::HandshakeInfo& info) override {
    trace_tls_established(server.runtime(), agent::kMra, peer, info, server.tls_context());
  }
  void on_output_ready() override {
    if (driver) driver->pump();
  }
};

ImapServer::ImapServer(io::Runtime& rt, mda::MailboxStore& store, Accounts users, ImapLimits limits)
    : rt_(rt),
      store_(store),
      users_(std::move(users)),
      limits_(limits),
      auth_failures_(limits.auth_failure_limit, limits.time_unit) {}

ImapServer::~ImapServer() {
  // Copied: an abort ends the session, whose callback would erase it from sessions_.
  const auto sessions = sessions_;
  for (auto& s : sessions) {
    if (s->driver) s->driver->abort();
  }
  // The engines unwatch the store as they go (they outlive this only if a caller holds them).
  for (auto& s : sessions) s->driver.reset();
}

void ImapServer::start(std::uint16_t port) {
  rt_.listen(port, [this](io::ConnectionPtr c) { accept(std::move(c), false); });
  if (tls_ && imaps_) rt_.listen(993, [this](io::ConnectionPtr c) { accept(std::move(c), true); });
}

void ImapServer::accept(io::ConnectionPtr c, bool implicit_tls) {
  auto s = std::make_shared<Session>(*this, c->peer_address());
  imap::ServerConfig cfg;
  cfg.hostname = rt_.hostname();
  cfg.auth_failure_delay = limits_.auth_failure_delay;
  cfg.starttls = tls_ != nullptr && !implicit_tls;
  cfg.tls_active = implicit_tls;
  cfg.plaintext_auth = tls_ == nullptr;  // Dovecot's disable_plaintext_auth on a TLS host
  s->driver = std::make_shared<SessionDriver<imap::ServerSession>>(rt_, std::move(c), cfg, *s);
  start_server_session(rt_, sessions_, s, tls_, implicit_tls);
}

}  // namespace maillab::services
