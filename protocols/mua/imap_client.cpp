#include "protocols/mua/imap_client.hpp"

#include "protocols/imap/client_session.hpp"
#include "protocols/mua/fetch_session.hpp"

namespace maillab::mua {

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
  ImapJob job;
  Done progress;
  FetchSession<imap::ClientSession> session;
  bool stopped = false;
  std::size_t reported = 0;  // messages handed to `progress`
  Impl(io::Runtime& r, ImapJob j, Done d, Done p)
      : job(std::move(j)), progress(std::move(p)),
        session(r, job.user, job.server_address, job.port, std::move(d), job.fetch) {}

  FetchResult result() const {
    FetchResult r;
    auto* driver = session.driver();
    if (!driver) return r;
    const auto& e = driver->engine();
    for (const auto& f : e.fetched()) {
      r.messages.push_back({r.messages.size() + 1, std::to_string(f.uid), f.content});
    }
    r.deletions_committed = job.delete_after && e.status() == imap::ClientSession::Status::Done;
    const tls::Session* tls_session = driver->tls_session();
    r.tls = tls_session && tls_session->handshake_done();
    return r;
  }

  void exchanged() {
    auto* driver = session.driver();
    if (!progress || !driver || driver->engine().fetched().size() == reported) return;
    reported = driver->engine().fetched().size();
    progress(result());
  }
};

ImapClient::ImapClient(io::Runtime& rt, ImapJob job, Done done, Done progress)
    : impl_(std::make_unique<Impl>(rt, std::move(job), std::move(done), std::move(progress))) {}

ImapClient::~ImapClient() = default;

void ImapClient::stop() {
  Impl* self = impl_.get();
  self->stopped = true;
  auto* driver = self->session.driver();
  if (!driver) return;
  driver->engine().stop();
  driver->pump();
}

void ImapClient::start() {
  Impl* self = impl_.get();
  FetchSession<imap::ClientSession>::Hooks<imap::ClientConfig> hooks;
  hooks.config = [self] {
    imap::ClientConfig cfg;
    cfg.user = self->job.user;
    cfg.password = self->job.password;
    cfg.fetch = self->job.fetch;
    cfg.delete_after_fetch = self->job.delete_after;
    cfg.delete_to = self->job.delete_to;
    cfg.idle = self->job.idle;
    cfg.append = self->job.append;
    cfg.starttls = cfg.require_tls = self->job.tls.required;
    return cfg;
  };
  hooks.exchanged = [self] { self->exchanged(); };
  hooks.ready = [self](imap::ClientSession& e) {
    if (self->stopped) e.stop();
  };
  hooks.finish = [self](const imap::ClientSession& e) {
    FetchResult r = self->result();
    r.ok = e.status() == imap::ClientSession::Status::Done;
    r.detail = r.ok ? "ok" : status_text(e.status()) + (e.error().empty() ? "" : ": " + e.error());
    return r;
  };
  hooks.tls = &self->job.tls;
  self->session.start(io::trace::ev::kImapOut, std::move(hooks));
}

}  // namespace maillab::mua
