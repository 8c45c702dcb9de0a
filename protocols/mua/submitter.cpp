#include "protocols/mua/submitter.hpp"

#include "protocols/services/session_driver.hpp"

namespace maillab::mua {

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

struct Submitter::Impl {
  io::Runtime& rt;
  SubmitJob job;
  Done done;
  std::string message_id;
  std::shared_ptr<Driver> driver;
  std::shared_ptr<bool> alive = std::make_shared<bool>(true);
  Impl(io::Runtime& r, SubmitJob j, Done d) : rt(r), job(std::move(j)), done(std::move(d)) {}
};

Submitter::Submitter(io::Runtime& rt, SubmitJob job, Done done)
    : impl_(std::make_unique<Impl>(rt, std::move(job), std::move(done))) {
  impl_->message_id = message::make_message_id(rt.hostname(), impl_->job.unique, rt.now());
  content_ = std::make_shared<const std::string>(
      message::compose(impl_->job.draft, rt.now(), impl_->message_id));
}

Submitter::~Submitter() {
  impl_->alive.reset();
  if (impl_->driver) impl_->driver->abort();
}

void Submitter::start() {
  Impl& s = *impl_;
  s.rt.trace("MUA", "compose", {{"from", s.job.draft.from}, {"subject", s.job.draft.subject},
                                {"message_id", s.message_id}});
  std::weak_ptr<bool> alive = s.alive;
  Impl* self = impl_.get();
  auto content = content_;
  s.rt.connect(s.job.server_address, s.job.port, 30'000'000'000LL,
               [self, alive, content](io::ConnectStatus st, io::ConnectionPtr c) {
                 if (alive.expired()) return;
                 if (st != io::ConnectStatus::kConnected) {
                   SubmitResult r;
                   r.message_id = self->message_id;
                   r.detail = st == io::ConnectStatus::kRefused ? "connection refused"
                                                                : "connection timed out";
                   self->rt.trace("MUA", "submit.failed", {{"reason", r.detail}});
                   self->done(r);
                   return;
                 }
                 smtp::ClientConfig cfg;
                 cfg.helo_name = self->rt.hostname();
                 cfg.auth = self->job.auth;
                 self->driver = std::make_shared<Driver>(self->rt, std::move(c), cfg);
                 auto& engine = self->driver->engine();
                 io::Runtime& rt = self->rt;
                 std::string peer = self->job.server_address;
                 engine.on_exchange = [&rt, peer](std::string_view sent, const smtp::Reply& reply) {
                   if (!rt.tracing()) return;
                   std::string text = reply.text();
                   for (auto& ch : text) {
                     if (ch == '\r' || ch == '\n') ch = ' ';
                   }
                   rt.trace("MUA", "smtp.out",
                            {{"peer", peer}, {"command", std::string(sent)},
                             {"code", std::to_string(reply.code)},
                             {"reply", std::to_string(reply.code) +
                                           (reply.enhanced.empty() ? "" : " " + reply.enhanced) +
                                           " " + text}});
                 };
                 smtp::OutgoingMessage m;
                 const auto& d = self->job.draft;
                 m.from = to_path(message::addr_spec(d.from));
                 for (const auto& a : message::envelope_recipients(d)) {
                   smtp::Recipient rc;
                   rc.path = to_path(a);
                   m.rcpts.push_back(rc);
                 }
                 m.content = content;
                 engine.add(std::move(m));
                 engine.finish();
                 self->driver->start([self, alive](io::CloseKind) {
                   if (alive.expired()) return;
                   SubmitResult r;
                   r.message_id = self->message_id;
                   const auto& outs = self->driver->engine().outcomes();
                   if (!outs.empty()) {
                     r.rcpts = outs.front().rcpts;
                     for (const auto& rc : r.rcpts) {
                       if (rc.reply.positive_completion()) r.accepted = true;
                     }
                     const smtp::Reply& last =
                         !r.rcpts.empty() ? r.rcpts.back().reply : outs.front().mail_reply;
                     r.detail = std::to_string(last.code) + " " + last.text();
                   } else {
                     r.detail = "no transaction";
                   }
                   self->rt.trace("MUA", r.accepted ? "submit.accepted" : "submit.failed",
                                  {{"message_id", r.message_id}, {"reply", r.detail}});
                   self->rt.start_timer(0, [done = self->done, r = std::move(r)] { done(r); });
                 });
               });
}

}  // namespace maillab::mua
