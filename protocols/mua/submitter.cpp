#include "protocols/mua/submitter.hpp"

#include "protocols/services/session_driver.hpp"

namespace maillab::mua {

namespace agent = io::trace::agent;
namespace ev = io::trace::ev;
namespace key = io::trace::key;

using Driver = services::SessionDriver<smtp::ClientSession>;

namespace {
smtp::Path to_path(const std::string& address) {
  smtp::Path p;
  auto at = address.rfind('@');
  if (at == std::string::npos) {
    p.local = address;
  } else {
    p.local = address.substr(0, at);
    p.domain = address.substr(at + 1);
  }
  return p;
}
}  // namespace

// Shared only so that the connect callback, which io::Runtime cannot cancel, can tell that
// the Submitter is gone (a weak_ptr to the Impl itself: no separate liveness flag).
struct Submitter::Impl {
  io::Runtime& rt;
  SubmitJob job;
  Done done;
  std::string message_id;
  std::shared_ptr<const std::string> content;
  std::shared_ptr<Driver> driver;
  bool dying = false;
  SubmitResult result;              // handed to `done` from the timer below
  io::TimerHandle done_timer = 0;  // cancelled by ~Submitter, so it may capture `this`
  Impl(io::Runtime& r, SubmitJob j, Done d) : rt(r), job(std::move(j)), done(std::move(d)) {}

  void connected(io::ConnectStatus st, io::ConnectionPtr c);
  void finished();
  // Runs `done` from a fresh event (the driver is still on the stack).
  void deliver() {
    done_timer = rt.start_timer(0, [this] {
      done_timer = 0;
      // Moved out first: `done` may destroy the Submitter, and with it this Impl.
      auto fn = std::move(done);
      auto r = std::move(result);
      fn(r);
    });
  }
};

Submitter::Submitter(io::Runtime& rt, SubmitJob job, Done done)
    : impl_(std::make_shared<Impl>(rt, std::move(job), std::move(done))) {
  impl_->message_id = message::make_message_id(rt.hostname(), impl_->job.unique, rt.now());
  impl_->content = std::make_shared<const std::string>(
      message::compose(impl_->job.draft, rt.now(), impl_->message_id));
}

Submitter::~Submitter() {
  impl_->dying = true;
  impl_->rt.cancel_timer(impl_->done_timer);
  if (impl_->driver) impl_->driver->abort();
}

void Submitter::start() {
  Impl& s = *impl_;
  if (s.rt.tracing()) {
    s.rt.trace(agent::kMua, ev::kCompose,
               {{key::kFrom, s.job.draft.from},
                {key::kSubject, s.job.draft.subject},
                {key::kMessageId, s.message_id}});
  }
  s.rt.connect(s.job.server_address, s.job.port, 30'000'000'000LL,
               [self = std::weak_ptr<Impl>(impl_)](io::ConnectStatus st, io::ConnectionPtr c) {
                 if (auto impl = self.lock()) impl->connected(st, std::move(c));
               });
}

void Submitter::Impl::connected(io::ConnectStatus st, io::ConnectionPtr c) {
  if (st != io::ConnectStatus::Connected) {
    result.message_id = std::move(message_id);  // one result per Submitter
    result.detail =
        st == io::ConnectStatus::Refused ? "connection refused" : "connection timed out";
    rt.trace(agent::kMua, ev::kSubmitFailed, {{key::kReason, result.detail}});
    done(result);
    return;
  }
  smtp::ClientConfig cfg;
  cfg.helo_name = rt.hostname();
  cfg.auth = job.auth;
  cfg.auth_required = job.auth.has_value();  // msmtp `auth on`: no login, no message
  // Postfix's "name[address]" in the engine's diagnostics (was the placeholder "server").
  cfg.peer_name = job.server_name.empty() ? job.server_address
                                          : job.server_name + "[" + job.server_address + "]";
  cfg.tls = job.tls;
  driver = std::make_shared<Driver>(rt, std::move(c), cfg);
  if (job.tls != smtp::TlsLevel::None && job.tls_client) {
    driver->use_tls(*job.tls_client,
                    tls::ClientParams{job.server_name, {job.server_name}, job.server_name + ":" + std::to_string(job.port)},
                    job.implicit_tls);
  }
  auto& engine = driver->engine();
  // The engine lives in `driver`, which this Impl owns: a plain pointer fits std::function's
  // inline storage (capturing the peer string cost an allocation per message).
  engine.on_exchange = [this](std::string_view sent, const smtp::Reply& reply) {
    if (!rt.tracing()) return;
    std::string text = reply.text();
    for (auto& ch : text) {
      if (ch == '\r' || ch == '\n') ch = ' ';
    }
    rt.trace(agent::kMua, ev::kSmtpOut,
             {{key::kPeer, job.server_address},
              {key::kCommand, std::string(sent)},
              {key::kCode, std::to_string(reply.code)},
              {key::kReply, std::to_string(reply.code) +
                                (reply.enhanced.empty() ? "" : " " + reply.enhanced) + " " + text}});
  };
  smtp::OutgoingMessage m;
  const auto& d = job.draft;
  m.from = to_path(message::addr_spec(d.from));
  for (const auto* list : {&d.to, &d.cc, &d.bcc}) {  // message::envelope_recipients' order
    for (const auto& a : *list) m.rcpts.emplace_back().path = to_path(message::addr_spec(a));
  }
  m.content = content;
  engine.add(std::move(m));
  engine.finish();
  driver->start([this](io::CloseKind) { finished(); });
}

void Submitter::Impl::finished() {
  if (dying) return;  // ~Submitter aborted the session: nobody to tell
  SubmitResult& r = result;
  r.message_id = std::move(message_id);  // one result per Submitter
  auto outs = driver->engine().take_outcomes();
  std::string_view next_id;  // the MSA's queue id, from the reply to the end of DATA
  if (!outs.empty()) {
    r.rcpts = std::move(outs.front().rcpts);
    for (const auto& rc : r.rcpts) {
      if (!rc.reply.positive_completion()) continue;
      r.accepted = true;
      if (next_id.empty()) next_id = smtp::queued_as(rc.reply);
    }
    const smtp::Reply& last = !r.rcpts.empty() ? r.rcpts.back().reply : outs.front().mail_reply;
    r.detail = std::to_string(last.code);
    r.detail += ' ';
    r.detail += last.text();
  } else {
    r.detail = "no transaction";
  }
  if (rt.tracing() && r.accepted) {
    rt.trace(agent::kMua, ev::kSubmitAccepted,
             {{key::kMessageId, r.message_id},
              {key::kReply, r.detail},
              {key::kPeer, job.server_address},
              {key::kNextId, std::string(next_id)}});
  } else if (rt.tracing()) {
    rt.trace(agent::kMua, ev::kSubmitFailed, {{key::kMessageId, r.message_id}, {key::kReply, r.detail}});
  }
  deliver();
}

const std::string& Submitter::content() const { return *impl_->content; }

}  // namespace maillab::mua
