// mua::FetchSession<Engine>: what the POP3 (Fetcher) and IMAP (ImapClient) user agents
// share around their client engine: the `fetch.start` trace, one connection to the server
// (30 s to connect; refused or timed out is reported as such), the engine on a
// services::SessionDriver with each exchange traced as `exchange_event`, and the report:
// `fetch.done` / `fetch.failed` traced, then `done` on a fresh timer.
//
// Invariants: `done` runs exactly once; after the owner is destroyed (the session aborted)
// no callback touches it (a weak `alive` flag guards each one). `traced` false leaves out
// the fetch.* events (an IMAP client that only saves to Sent fetches nothing).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>

#include "protocols/io/runtime.hpp"
#include "protocols/mua/fetcher.hpp"
#include "protocols/services/session_driver.hpp"

namespace maillab::mua {

template <class Engine>
class FetchSession {
 public:
  using Driver = services::SessionDriver<Engine>;
  using Done = std::function<void(const FetchResult&)>;

  // What start() needs from the agent: the engine's config, what to do after each traced
  // exchange (may be empty), a last look at the engine before it starts (may be empty), and
  // the result once the connection is gone.
  template <class Config>
  struct Hooks {
    std::function<Config()> config;
    std::function<void()> exchanged;
    std::function<void(Engine&)> ready;
    std::function<FetchResult(const Engine&)> finish;
    const MuaTls* tls = nullptr;  // STLS/STARTTLS or implicit TLS when required
  };

  FetchSession(io::Runtime& rt, std::string user, std::string server, std::uint16_t port, Done done,
               bool traced = true)
      : rt_(rt), user_(std::move(user)), server_(std::move(server)), port_(port), done_(std::move(done)),
        traced_(traced) {}
  ~FetchSession() {
    alive_.reset();
    if (driver_) driver_->abort();
  }
  FetchSession(const FetchSession&) = delete;
  FetchSession& operator=(const FetchSession&) = delete;

  template <class Config>
  void start(io::trace::Event exchange_event, Hooks<Config> hooks) {
    if (traced_)
      rt_.trace(io::trace::agent::kMua, io::trace::ev::kFetchStart,
                {{io::trace::key::kUser, user_}, {io::trace::key::kServer, server_}});
    std::weak_ptr<bool> alive = alive_;
    rt_.connect(server_, port_, 30'000'000'000LL,
                [this, alive, exchange_event, hooks = std::move(hooks)](io::ConnectStatus st, io::ConnectionPtr c) {
      if (alive.expired()) return;
      if (st != io::ConnectStatus::Connected) {
        FetchResult r;
        r.detail = st == io::ConnectStatus::Refused ? "connection refused" : "connection timed out";
        report(std::move(r));
        return;
      }
      driver_ = std::make_shared<Driver>(rt_, std::move(c), hooks.config());
      if (hooks.tls && hooks.tls->required && hooks.tls->client) {
        const MuaTls& tls = *hooks.tls;
        driver_->use_tls(*tls.client,
                         tls::ClientParams{tls.server_name, {tls.server_name},
                                           tls.server_name + ":" + std::to_string(port_)},
                         tls.implicit);
      }
      io::Runtime& rt = rt_;
      std::string peer = server_;
      auto exchanged = hooks.exchanged;
      driver_->engine().on_exchange = [&rt, peer, exchange_event, exchanged](std::string_view sent,
                                                                              std::string_view reply) {
        rt.trace(io::trace::agent::kMua, exchange_event,
                 {{io::trace::key::kPeer, peer},
                  {io::trace::key::kCommand, std::string(sent)},
                  {io::trace::key::kReply, std::string(reply)}});
        if (exchanged) exchanged();
      };
      if (hooks.ready) hooks.ready(driver_->engine());
      auto finish = hooks.finish;
      driver_->start([this, alive, finish](io::CloseKind) {
        if (alive.expired()) return;
        FetchResult r = finish(driver_->engine());
        const tls::Session* session = driver_->tls_session();
        r.tls = session && session->handshake_done();
        report(std::move(r));
      });
    });
  }

  Driver* driver() const { return driver_.get(); }

 private:
  void report(FetchResult r) {
    if (traced_)
      rt_.trace(io::trace::agent::kMua, r.ok ? io::trace::ev::kFetchDone : io::trace::ev::kFetchFailed,
                {{io::trace::key::kUser, user_},
                 {io::trace::key::kMessages, std::to_string(r.messages.size())},
                 {io::trace::key::kDetail, r.detail}});
    auto d = done_;
    rt_.start_timer(0, [d, r = std::move(r)] { d(r); });
  }

  io::Runtime& rt_;
  std::string user_, server_;
  std::uint16_t port_;
  Done done_;
  bool traced_;
  std::shared_ptr<Driver> driver_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace maillab::mua
