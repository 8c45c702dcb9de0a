#include "protocols/mua/imap_client.hpp"

#include "protocols/imap/client_session.hpp"
#include "protocols/services/session_driver.hpp"

namespace maillab::mua {

namespace agent = io::trace::agent;
namespace ev = io::trace::ev;
namespace key = io::trace::key;

using Driver = services::SessionDriver<imap::ClientSession>;

namespace {

std::string status_text(imap::ClientSession::Status s) {
  switch (s) {
    case imap::ClientSession::Status::InProgress: return "in progress";
    case imap::ClientSession::Status::Done: return "ok";
    case imap::ClientSession::Status::AuthFailed: return "authentication failed";
    case imap::ClientSession::Status::NoTls: return "no TLS";
    case imap::ClientSession::Status::Error: return "error";
    case imap::ClientSession::Status::ConnectionLost: return "connection lost";
    case imap::ClientSession::Status::TimedOut: return "timed out";
  }
  return "?";
}

}  // namespace

struct ImapClient::Impl {
  io::Runtime& rt;
  ImapJob job;
  Done done;
  Done progress;
  std::shared_ptr<Driver> driver;
  std::shared_ptr<bool> alive = std::make_shared<bool>(true);
  bool stopped = false;
  std::size_t reported = 0;  // messages handed to `progress`
  Impl(io::Runtime& r, ImapJob j, Done d, Done p)
      : rt(r), job(std::move(j)), done(std::move(d)), progress(std::move(p)) {}

  FetchResult result() const {
    FetchResult r;
    if (!driver) return r;
    const auto& e = driver->engine();
    for (const auto& f : e.fetched()) {
      r.messages.push_back({r.messages.size() + 1, std::to_string(f.uid), f.content});
    }
    r.deletions_committed = job.delete_after && e.status() == imap::ClientSession::Status::Done;
    const tls::Session* session = driver->tls_session();
    r.tls = session && session->handshake_done();
    return r;
  }

  void report(FetchResult r) {
    if (job.fetch) {
      rt.trace(agent::kMua, r.ok ? ev::kFetchDone : ev::kFetchFailed,
               {{key::kUser, job.user},
                {key::kMessages, std::to_string(r.messages.size())},
                {key::kDetail, r.detail}});
    }
    auto d = done;
    rt.start_timer(0, [d, r = std::move(r)] { d(r); });
  }

  void exchanged() {
    if (!progress || !driver || driver->engine().fetched().size() == reported) return;
    reported = driver->engine().fetched().size();
    progress(result());
  }
};

ImapClient::ImapClient(io::Runtime& rt, ImapJob job, Done done, Done progress)
    : impl_(std::make_unique<Impl>(rt, std::move(job), std::move(done), std::move(progress))) {}

ImapClient::~ImapClient() {
  impl_->alive.reset();
  if (impl_->driver) impl_->driver->abort();
}

void ImapClient::stop() {
  Impl* self = impl_.get();
  self->stopped = true;
  if (!self->driver) return;
  self->driver->engine().stop();
  self->driver->pump();
}

void ImapClient::start() {
  Impl* self = impl_.get();
  std::weak_ptr<bool> alive = self->alive;
  if (self->job.fetch) {
    self->rt.trace(agent::kMua, ev::kFetchStart,
                   {{key::kUser, self->job.user}, {key::kServer, self->job.server_address}});
  }
  self->rt.connect(self->job.server_address, self->job.port, 30'000'000'000LL,
                   [self, alive](io::ConnectStatus st, io::ConnectionPtr c) {
    if (alive.expired()) return;
    if (st != io::ConnectStatus::kConnected) {
      FetchResult r;
      r.detail = st == io::ConnectStatus::kRefused ? "connection refused" : "connection timed out";
      self->report(std::move(r));
      return;
    }
    imap::ClientConfig cfg;
    cfg.user = self->job.user;
    cfg.password = self->job.password;
    cfg.fetch = self->job.fetch;
    cfg.delete_after_fetch = self->job.delete_after;
    cfg.idle = self->job.idle;
    cfg.append = self->job.append;
    const MuaTls& tls = self->job.tls;
    cfg.starttls = cfg.require_tls = tls.required;
    self->driver = std::make_shared<Driver>(self->rt, std::move(c), cfg);
    if (tls.required && tls.client) {
      self->driver->use_tls(
          *tls.client,
          tls::ClientParams{tls.server_name, {tls.server_name}, tls.server_name + ":" + std::to_string(self->job.port)},
          tls.implicit);
    }
    io::Runtime& rt = self->rt;
    std::string peer = self->job.server_address;
    self->driver->engine().on_exchange = [self, &rt, peer](std::string_view sent, std::string_view reply) {
      rt.trace(agent::kMua, ev::kImapOut,
               {{key::kPeer, peer}, {key::kCommand, std::string(sent)}, {key::kReply, std::string(reply)}});
      self->exchanged();
    };
    if (self->stopped) self->driver->engine().stop();
    self->driver->start([self, alive](io::CloseKind) {
      if (alive.expired()) return;
      const auto& e = self->driver->engine();
      FetchResult r = self->result();
      r.ok = e.status() == imap::ClientSession::Status::Done;
      r.detail = r.ok ? "ok" : status_text(e.status()) + (e.error().empty() ? "" : ": " + e.error());
      self->report(std::move(r));
    });
  });
}

}  // namespace maillab::mua
