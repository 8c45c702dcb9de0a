#include "protocols/mua/fetcher.hpp"

#include "protocols/services/session_driver.hpp"

namespace maillab::mua {

namespace agent = io::trace::agent;
namespace ev = io::trace::ev;
namespace key = io::trace::key;

using Driver = services::SessionDriver<pop3::ClientSession>;

struct Fetcher::Impl {
  io::Runtime& rt;
  FetchJob job;
  Done done;
  std::shared_ptr<Driver> driver;
  std::shared_ptr<bool> alive = std::make_shared<bool>(true);
  Impl(io::Runtime& r, FetchJob j, Done d) : rt(r), job(std::move(j)), done(std::move(d)) {}

  void report(FetchResult r) {
    rt.trace(agent::kMua, r.ok ? ev::kFetchDone : ev::kFetchFailed,
             {{key::kUser, job.user},
              {key::kMessages, std::to_string(r.messages.size())},
              {key::kDetail, r.detail}});
    auto d = done;
    rt.start_timer(0, [d, r = std::move(r)] { d(r); });
  }
};

Fetcher::Fetcher(io::Runtime& rt, FetchJob job, Done done)
    : impl_(std::make_unique<Impl>(rt, std::move(job), std::move(done))) {}

Fetcher::~Fetcher() {
  impl_->alive.reset();
  if (impl_->driver) impl_->driver->abort();
}

void Fetcher::start() {
  Impl* self = impl_.get();
  std::weak_ptr<bool> alive = self->alive;
  self->rt.trace(agent::kMua, ev::kFetchStart,
                 {{key::kUser, self->job.user}, {key::kServer, self->job.server_address}});
  self->rt.connect(self->job.server_address, self->job.port, 30'000'000'000LL,
                   [self, alive](io::ConnectStatus st, io::ConnectionPtr c) {
    if (alive.expired()) return;
    if (st != io::ConnectStatus::kConnected) {
      FetchResult r;
      r.detail = st == io::ConnectStatus::kRefused ? "connection refused" : "connection timed out";
      self->report(std::move(r));
      return;
    }
    pop3::ClientConfig cfg;
    cfg.user = self->job.user;
    cfg.password = self->job.password;
    cfg.delete_after_retrieve = self->job.delete_after;
    const MuaTls& tls = self->job.tls;
    cfg.require_tls = tls.required;
    self->driver = std::make_shared<Driver>(self->rt, std::move(c), cfg);
    if (tls.required && tls.client) {
      self->driver->use_tls(
          *tls.client,
          tls::ClientParams{tls.server_name, {tls.server_name}, tls.server_name + ":" + std::to_string(self->job.port)},
          tls.implicit);
    }
    io::Runtime& rt = self->rt;
    std::string peer = self->job.server_address;
    self->driver->engine().on_exchange = [&rt, peer](std::string_view sent, std::string_view reply) {
      rt.trace(agent::kMua, ev::kPop3Out,
               {{key::kPeer, peer}, {key::kCommand, std::string(sent)}, {key::kReply, std::string(reply)}});
    };
    self->driver->start([self, alive](io::CloseKind) {
      if (alive.expired()) return;
      const auto& e = self->driver->engine();
      FetchResult r;
      r.ok = e.status() == pop3::ClientSession::Status::Done;
      r.detail = r.ok ? "ok" : e.error();
      r.messages = e.retrieved();
      r.deletions_committed = e.deletions_committed();
      const tls::Session* session = self->driver->tls_session();
      r.tls = session && session->handshake_done();
      self->report(std::move(r));
    });
  });
}

}  // namespace maillab::mua
