#include "protocols/services/pop3_server.hpp"

#include "protocols/pop3/server_handler.hpp"
#include "protocols/pop3/server_session.hpp"
#include "protocols/services/session_driver.hpp"
#include "protocols/services/tls_trace.hpp"

namespace maillab::services {

namespace agent = io::trace::agent;
namespace ev = io::trace::ev;
namespace key = io::trace::key;

namespace {

// A user's maildrop over the mailbox store; holds the lock while it lives.
class StoreMaildrop final : public pop3::Maildrop {
 public:
  StoreMaildrop(Pop3Server& server, std::string user, std::weak_ptr<bool> alive)
      : server_(server), user_(std::move(user)), alive_(std::move(alive)) {}
  ~StoreMaildrop() override {
    if (!alive_.expired()) server_.unlock(user_);
  }
  std::vector<pop3::MaildropMessage> messages() override {
    std::vector<pop3::MaildropMessage> out;
    for (auto& m : server_.store().list(user_)) out.push_back({m.id, m.content});
    return out;
  }
  bool remove(const std::string& uid) override {
    bool ok = server_.store().remove(user_, uid);
    server_.runtime().trace(agent::kMra, ev::kPop3Deleted, {{key::kUser, user_}, {key::kUid, uid}});
    return ok;
  }

 private:
  Pop3Server& server_;
  std::string user_;
  std::weak_ptr<bool> alive_;
};

}  // namespace

struct Pop3Server::Session final : pop3::ServerHandler {
  Pop3Server& server;
  std::string peer;
  std::weak_ptr<bool> alive;
  std::shared_ptr<SessionDriver<pop3::ServerSession>> driver;

  Session(Pop3Server& s, std::string p, std::weak_ptr<bool> a)
      : server(s), peer(std::move(p)), alive(std::move(a)) {}

  // Never true for a user without a password (services::Accounts), nor for an address
  // that failed too often lately (services::Anvil).
  bool blocked() { return server.auth_failures().blocked(peer, server.runtime().now()); }
  bool check_password(std::string_view user, std::string_view password) override {
    return !blocked() && server.users().authenticate(user, password);
  }
  // RFC 1939 7: APOP proves knowledge of the password itself.
  std::optional<std::string> apop_secret(std::string_view user) override {
    if (blocked()) return std::nullopt;
    return server.users().apop_secret(user);
  }
  OpenResult open_maildrop(std::string_view user, std::unique_ptr<pop3::Maildrop>& out) override {
    // The maildrop of the user as declared (a login is not case-sensitive).
    const std::string* declared = server.users().find(user);
    std::string u(declared ? std::string_view(*declared) : user);
    if (!server.lock(u)) return OpenResult::InUse;
    out = std::make_unique<StoreMaildrop>(server, u, alive);
    server.runtime().trace(agent::kMra, ev::kPop3Login, {{key::kPeer, peer}, {key::kUser, u}});
    return OpenResult::Ok;
  }
  void on_exchange(std::string_view client_line, std::string_view reply) override {
    server.runtime().trace(
        agent::kMra, ev::kPop3In,
        {{key::kPeer, peer}, {key::kCommand, std::string(client_line)}, {key::kReply, std::string(reply)}});
  }
  void on_auth_failure(std::string_view user) override {
    server.auth_failures().failure(peer, server.runtime().now());
    server.runtime().trace(agent::kMra, ev::kPop3AuthFailed,
                           {{key::kPeer, peer}, {key::kUser, std::string(user)}});
  }
  void on_tls_started(const tls::HandshakeInfo& info) override {
    trace_tls_established(server.runtime(), agent::kMra, peer, info, server.tls_context());
  }
};

Pop3Server::Pop3Server(io::Runtime& rt, std::string mailbox_kind, Accounts users, Pop3Limits limits)
    : rt_(rt),
      store_(mda::make_store(mailbox_kind, rt.disk())),
      users_(std::move(users)),
      limits_(limits),
      auth_failures_(limits.auth_failure_limit, limits.time_unit) {}

Pop3Server::Pop3Server(io::Runtime& rt, std::unique_ptr<mda::MailStore> store, Accounts users, Pop3Limits limits)
    : rt_(rt),
      store_(std::move(store)),
      users_(std::move(users)),
      limits_(limits),
      auth_failures_(limits.auth_failure_limit, limits.time_unit) {}

Pop3Server::~Pop3Server() {
  alive_.reset();
  for (auto& s : sessions_) {
    if (s->driver) s->driver->abort();
  }
}

void Pop3Server::start() {
  rt_.listen(110, [this](io::ConnectionPtr c) { accept(std::move(c), false); });
  if (tls_ && pop3s_) rt_.listen(995, [this](io::ConnectionPtr c) { accept(std::move(c), true); });
}

void Pop3Server::accept(io::ConnectionPtr c, bool implicit_tls) {
  auto s = std::make_shared<Session>(*this, c->peer_address(), alive_);
  pop3::ServerConfig cfg;
  cfg.hostname = rt_.hostname();
  // APOP timestamp (RFC 1939 7): unique per session, from the clock and a counter.
  cfg.apop_timestamp = "<" + std::to_string(++sessions_started_) + "." +
                       std::to_string(rt_.now()) + "@" + rt_.hostname() + ">";
  cfg.auth_failure_delay = limits_.auth_failure_delay;
  cfg.stls = tls_ != nullptr && !implicit_tls;
  cfg.tls_active = implicit_tls;
  cfg.plaintext_auth = tls_ == nullptr;  // Dovecot's disable_plaintext_auth on a TLS host
  s->driver = std::make_shared<SessionDriver<pop3::ServerSession>>(rt_, std::move(c), cfg, *s);
  start_server_session(rt_, sessions_, s, tls_, implicit_tls);
}

}  // namespace maillab::services
