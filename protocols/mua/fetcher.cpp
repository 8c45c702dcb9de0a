#include "protocols/mua/fetcher.hpp"

#include "protocols/mua/fetch_session.hpp"

namespace maillab::mua {

struct Fetcher::Impl {
  FetchJob job;
  FetchSession<pop3::ClientSession> session;
  Impl(io::Runtime& rt, FetchJob j, Done d)
      : job(std::move(j)), session(rt, job.user, job.server_address, job.port, std::move(d)) {}
};

Fetcher::Fetcher(io::Runtime& rt, FetchJob job, Done done)
    : impl_(std::make_unique<Impl>(rt, std::move(job), std::move(done))) {}

Fetcher::~Fetcher() = default;

void Fetcher::start() {
  Impl* self = impl_.get();
  FetchSession<pop3::ClientSession>::Hooks<pop3::ClientConfig> hooks;
  hooks.config = [self] {
    pop3::ClientConfig cfg;
    cfg.user = self->job.user;
    cfg.password = self->job.password;
    cfg.delete_after_retrieve = self->job.delete_after;
    cfg.require_tls = self->job.tls.required;
    return cfg;
  };
  hooks.finish = [](const pop3::ClientSession& e) {
    FetchResult r;
    r.ok = e.status() == pop3::ClientSession::Status::Done;
    r.detail = r.ok ? "ok" : e.error();
    r.messages = e.retrieved();
    r.deletions_committed = e.deletions_committed();
    return r;
  };
  hooks.tls = &self->job.tls;
  self->session.start(io::trace::ev::kPop3Out, std::move(hooks));
}

}  // namespace maillab::mua
