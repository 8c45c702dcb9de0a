#include "protocols/webmail/service.hpp"

#include "protocols/http/server_session.hpp"
#include "protocols/mua/submitter.hpp"
#include "protocols/services/session_driver.hpp"
#include "protocols/services/tls_trace.hpp"

namespace maillab::webmail {

namespace agent = io::trace::agent;
namespace ev = io::trace::ev;
namespace key = io::trace::key;

using HttpDriver = services::SessionDriver<http::ServerSession>;
using ImapDriver = services::SessionDriver<ImapCommands>;

struct Service::HttpConn final : http::ServerHandler {
  Service& service;
  std::string peer;
  bool https;
  bool tls_traced = false;
  std::shared_ptr<HttpDriver> driver;
  HttpConn(Service& s, std::string p, bool h) : service(s), peer(std::move(p)), https(h) {}

  http::Answer on_request(const http::Request& r, http::RequestId id) override {
    if (https) trace_tls();
    if (service.config_.tls && !https) return redirect(r);
    std::weak_ptr<HttpDriver> weak = driver;
    return service.app_.handle(r, [weak, id](http::Response res) {
      if (auto d = weak.lock()) {
        d->engine().respond(id, std::move(res));
        d->pump();
      }
    });
  }
  // Plain HTTP on a TLS host: the same path on the HTTPS origin (the path passed the
  // engine's target checks; the host is the service's own name, never the Host field).
  http::Answer redirect(const http::Request& r) {
    const ServiceConfig& c = service.config_;
    const std::string port = c.public_https_port == 443 ? "" : ":" + std::to_string(c.public_https_port);
    return http::Response::redirect(301, "https://" + c.name + port + r.target);
  }
  void trace_tls() {
    const tls::Session* t = driver ? driver->tls_session() : nullptr;
    if (tls_traced || t == nullptr || !t->handshake_done()) return;
    tls_traced = true;
    services::trace_tls_established(service.rt_, agent::kMua, peer, t->info(), service.config_.tls);
  }
  void on_exchange(std::string_view method, std::string_view target, int status) override {
    std::string command = std::string(method) + " " + std::string(target.substr(0, 200));
    std::string reply = std::to_string(status) + " " + std::string(http::reason_phrase(status));
    service.rt_.trace(agent::kMua, ev::kHttpIn,
                      {{key::kPeer, peer},
                       {key::kCommand, command},
                       {key::kReply, reply},
                       {key::kPort, https ? std::to_string(service.config_.https_port) : std::string()}});
  }
};

// One backend task: an IMAP connection or a submission.
struct Service::Job {
  std::shared_ptr<ImapDriver> imap;
  std::unique_ptr<mua::Submitter> submitter;
};

Service::Service(io::Runtime& rt, ServiceConfig config)
    : rt_(rt), config_(std::move(config)), app_(AppConfig{config_.domain, 20, config_.tls != nullptr}, *this, [&rt] {
        return rt.rng("webmail")();
      }) {}

Service::~Service() {
  alive_.reset();
  const auto conns = conns_;
  for (auto& c : conns)
    if (c->driver) c->driver->abort();
  const auto jobs = jobs_;
  for (auto& j : jobs)
    if (j->imap) j->imap->abort();
  jobs_.clear();
  conns_.clear();
}

void Service::start() {
  rt_.listen(config_.port, [this](io::ConnectionPtr c) { accept(std::move(c), false); });
  if (config_.tls) rt_.listen(config_.https_port, [this](io::ConnectionPtr c) { accept(std::move(c), true); });
}

void Service::accept(io::ConnectionPtr c, bool https) {
  auto conn = std::make_shared<HttpConn>(*this, c->peer_address(), https);
  http::ServerConfig cfg;
  cfg.max_body_bytes = 4u << 20;  // a message being composed
  conn->driver = std::make_shared<HttpDriver>(rt_, std::move(c), cfg, *conn);
  if (https) conn->driver->use_tls(*config_.tls, true);
  conns_.insert(conn);
  std::weak_ptr<HttpConn> weak = conn;
  std::weak_ptr<bool> alive = alive_;
  conn->driver->start([this, weak, alive](io::CloseKind) {
    if (alive.expired()) return;
    if (auto keep = weak.lock()) rt_.start_timer(0, [this, keep, alive] {
      if (!alive.expired()) conns_.erase(keep);
    });
  });
}

void Service::imap(const Credentials& who, std::vector<ImapCommand> commands, std::function<void(ImapOutcome)> done) {
  auto job = std::make_shared<Job>();
  jobs_.insert(job);
  std::weak_ptr<bool> alive = alive_;
  std::weak_ptr<Job> weak_job = job;
  auto finish = [this, weak_job, alive, done](ImapOutcome o) {
    rt_.start_timer(0, [this, weak_job, alive, done, o = std::move(o)]() mutable {
      if (alive.expired()) return;
      if (auto j = weak_job.lock()) jobs_.erase(j);
      done(std::move(o));
    });
  };
  rt_.connect(config_.imap_address, 143, 30'000'000'000LL,
              [this, job, alive, who, commands = std::move(commands), finish](io::ConnectStatus st,
                                                                              io::ConnectionPtr c) mutable {
    if (alive.expired()) return;
    if (st != io::ConnectStatus::Connected) {
      ImapOutcome o;
      o.error = st == io::ConnectStatus::Refused ? "connection refused" : "connection timed out";
      finish(std::move(o));
      return;
    }
    job->imap = std::make_shared<ImapDriver>(rt_, std::move(c), who.user, who.password, std::move(commands));
    if (config_.imap_tls) {
      job->imap->engine().require_starttls();
      job->imap->use_tls(*config_.imap_tls,
                         tls::ClientParams{config_.imap_name, {config_.imap_name}, config_.imap_name + ":143"}, false);
    }
    const std::string peer = config_.imap_address;
    job->imap->engine().on_exchange = [this, peer](std::string_view sent, std::string_view reply) {
      rt_.trace(agent::kMua, ev::kImapOut,
                {{key::kPeer, peer}, {key::kCommand, std::string(sent)}, {key::kReply, std::string(reply)}});
    };
    std::weak_ptr<Job> weak = job;
    job->imap->start([weak, finish](io::CloseKind) mutable {
      auto j = weak.lock();
      if (!j) return;
      const ImapCommands& e = j->imap->engine();
      ImapOutcome o;
      o.status = e.status() == ImapCommands::Status::InProgress ? ImapCommands::Status::ConnectionLost : e.status();
      o.error = e.error();
      o.replies = e.replies();
      finish(std::move(o));
    });
  });
}

void Service::submit(const Credentials& who, message::Draft draft, std::function<void(SubmitOutcome)> done) {
  auto job = std::make_shared<Job>();
  jobs_.insert(job);
  mua::SubmitJob sj;
  sj.draft = std::move(draft);
  sj.server_address = config_.submission_address;
  sj.port = 587;
  sj.auth = std::make_pair(who.user, who.password);
  sj.unique = ++unique_;
  sj.server_name = config_.submission_name;
  if (config_.submission_tls) {  // STARTTLS, verified, before AUTH (RFC 3207, RFC 4954 4)
    sj.tls = smtp::TlsLevel::Verify;
    sj.tls_client = config_.submission_tls;
  }
  std::weak_ptr<bool> alive = alive_;
  std::weak_ptr<Job> weak = job;
  job->submitter = std::make_unique<mua::Submitter>(rt_, std::move(sj), [this, weak, alive, done](const mua::SubmitResult& r) {
    if (alive.expired()) return;
    auto j = weak.lock();
    if (!j) return;
    SubmitOutcome o{r.accepted, r.detail, j->submitter->content()};
    rt_.start_timer(0, [this, weak, alive, done, o] {
      if (alive.expired()) return;
      if (auto keep = weak.lock()) jobs_.erase(keep);
      done(o);
    });
  });
  job->submitter->start();
}

}  // namespace maillab::webmail
