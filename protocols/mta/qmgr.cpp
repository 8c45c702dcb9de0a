#include "protocols/mta/qmgr.hpp"

#include <algorithm>
#include <map>
#include <optional>

#include "protocols/message/compose.hpp"
#include "protocols/message/dsn.hpp"
#include "protocols/message/message.hpp"
#include "protocols/mta/bounce.hpp"
#include "protocols/mta/smtp_attempt.hpp"

namespace maillab::mta {

namespace agent = io::trace::agent;
namespace ev = io::trace::ev;
namespace key = io::trace::key;

namespace {

smtp::Path to_path(const std::string& address) {
  auto [local, domain] = split_address_view(address);
  smtp::Path p;
  p.local = local;
  p.domain = domain;
  for (auto& c : p.domain) c = ascii_lower(c);
  return p;
}

// A queued recipient as the SMTP client sends it: NOTIFY and ORCPT go with it (to a next
// hop that announces DSN; the client leaves them out elsewhere, RFC 3461 4).
smtp::Recipient outgoing_recipient(const QueueRecipient& r) {
  smtp::Recipient out{to_path(r.address), {}};
  out.params.notify = r.notify;
  if (const std::size_t semi = r.orcpt.find(';'); semi != std::string::npos) {
    out.params.orcpt_type = r.orcpt.substr(0, semi);
    out.params.orcpt = r.orcpt.substr(semi + 1);
  }
  return out;
}

}  // namespace

Qmgr::Qmgr(MtaHost& host, LocalDelivery& local)
    : host_(host), local_(local), disk_store_(host.runtime().disk()), store_(&disk_store_) {}

Qmgr::~Qmgr() { stop(); }

void Qmgr::stop() {
  host_.runtime().cancel_timer(scan_timer_);
  scan_timer_ = 0;
  attempts_.clear();
}

bool Qmgr::save(QueueFile& q, QueueState next) {
  const QueueState old_state = q.state;  // kept if the write fails
  q.state = next;
  if (!store_->update(q)) {
    // The store refused the update: it keeps the old state, and so does the index. A
    // crash now replays the old state, so what happened since may happen twice (a
    // recipient delivered again): the trace says so for chaos's invariants.
    q.state = old_state;
    host_.runtime().trace(agent::kMta, ev::kQueueWriteFailed, {{key::kId, q.id}, {key::kMsgid, q.message_id}});
    return false;
  }
  return true;
}

bool Qmgr::accept(QueueFile q, const io::Bytes& content) {
  io::Runtime& rt = host_.runtime();
  if (!store_->put_new(q, content)) {
    rt.trace(agent::kMta, ev::kQueueWriteFailed, {{key::kSender, q.sender}});
    return false;
  }
  if (rt.tracing()) {
    std::string rcpts;
    for (const auto& r : q.rcpts) rcpts += (rcpts.empty() ? "" : ",") + r.address;
    rt.trace(agent::kMta, ev::kQueueEnqueued,
             {{key::kId, q.id},
              {key::kFrom, q.sender},
              {key::kTo, rcpts},
              {key::kSubject, q.subject},
              {key::kMsgid, q.message_id},
              {key::kSize, std::to_string(content->size())}});
  }
  std::string id = q.id;
  const auto it = index_.insert_or_assign(std::move(id), std::move(q)).first;
  // The map's key outlives the timer: an entry leaves index_ only in active_done(), which
  // activate() reaches first. A pointer keeps the callback small (no allocation).
  const std::string* queued = &it->first;
  rt.start_timer(0, [this, queued] { activate(*queued); });
  return true;
}

std::vector<QueueFile> Qmgr::queue() const {
  std::vector<QueueFile> out;
  for (const auto& [id, q] : index_) out.push_back(q);
  return out;
}

void Qmgr::start() {
  // After a crash: every message in the store comes back. Mail that was incoming or
  // active is retried now (Postfix moves it back to incoming); deferred mail keeps its
  // retry time.
  io::Runtime& rt = host_.runtime();
  auto messages = store_->load([&rt](const QueueLoadNote& n) {
    if (n.kind == QueueLoadNote::Kind::Corrupt) {
      rt.trace(agent::kMta, ev::kQueueCorrupt, {{key::kFile, n.file}, {key::kMovedTo, n.moved_to}});
    } else {
      rt.trace(agent::kMta, ev::kQueueOrphanRemoved, {{key::kFile, n.file}});
    }
  });
  const QueueParams& qc = host_.config().queue;
  for (QueueFile& q : messages) {
    // Times from a clock that started over (serve restarted on the same DIR): a retry
    // is never further away than the longest backoff, and mail does not arrive in the
    // future (its lifetime then counts from now). Within one run neither can happen.
    const io::Time latest_retry = rt.now() + qc.maximal_backoff_time;
    if (q.next_attempt > latest_retry) q.next_attempt = latest_retry;
    if (q.arrival > rt.now()) q.arrival = rt.now();
    const bool retry_now = q.state == QueueState::Incoming || q.state == QueueState::Active;
    std::string id = q.id;
    index_[id] = std::move(q);
    if (retry_now) rt.start_timer(0, [this, id] { activate(id); });
  }
  if (!index_.empty()) {
    rt.trace(agent::kMta, ev::kQueueReloaded, {{key::kMessages, std::to_string(index_.size())}});
  }
  schedule_scan();
}

void Qmgr::schedule_scan() {
  io::Runtime& rt = host_.runtime();
  const MtaConfig& cfg = host_.config();
  scan_timer_ = rt.start_timer(cfg.queue.queue_run_delay, [this] {
    scan_timer_ = 0;
    scan();
    schedule_scan();
  });
}

void Qmgr::scan() {
  io::Runtime& rt = host_.runtime();
  std::vector<std::string> due;
  for (const auto& [id, q] : index_) {
    if (q.state == QueueState::Deferred && q.next_attempt <= rt.now()) due.push_back(id);
  }
  for (const auto& id : due) activate(id);
}

void Qmgr::flush() {
  io::Runtime& rt = host_.runtime();
  std::vector<std::string> deferred;
  for (const auto& [id, q] : index_) {
    if (q.state == QueueState::Deferred) deferred.push_back(id);
  }
  rt.trace(agent::kMta, ev::kQueueFlush, {{key::kMessages, std::to_string(deferred.size())}});
  for (const auto& id : deferred) activate(id);
}

void Qmgr::activate(const std::string& id) {
  io::Runtime& rt = host_.runtime();
  const MtaConfig& cfg = host_.config();
  auto it = index_.find(id);
  if (it == index_.end() || in_flight_.count(id)) return;
  QueueFile& q = it->second;
  if (q.state == QueueState::Hold) return;
  save(q, QueueState::Active);
  ++q.attempts;
  auto content = store_->content(id);
  if (!content) {
    // The content is gone (should never happen): keep the envelope, report it loudly.
    rt.trace(agent::kMta, ev::kQueueCorrupt, {{key::kId, id}});
    return;
  }
  if (rt.tracing()) {
    rt.trace(agent::kMta, ev::kQueueAttempt,
             {{key::kId, id},
              {key::kSubject, q.subject},
              {key::kMsgid, q.message_id},
              {key::kAttempt, std::to_string(q.attempts)}});
  }
  // Local recipients now; remote ones grouped by next-hop domain.
  std::map<std::string, std::vector<std::size_t>> remote;
  bool delivered_locally = false;
  for (std::size_t i = 0; i < q.rcpts.size(); ++i) {
    QueueRecipient& r = q.rcpts[i];
    if (r.state != RcptState::Pending) continue;
    if (cfg.discard) {
      // Postfix discard(8): the recipient is done, "delivered" nowhere, status sent.
      r.state = RcptState::Delivered;
      r.status = "2.0.0";
      r.diagnostic = "X-maillab; discarded";
      rt.trace(agent::kMda, ev::kDiscarded,
               {{key::kId, q.id}, {key::kTo, r.address}, {key::kMsgid, q.message_id}});
      continue;
    }
    const std::string_view domain = split_address_view(r.address).second;
    if (local_.is_local(domain)) {
      local_.deliver(q, r, content);
      delivered_locally = true;
    } else {
      remote[lowercase(std::string(domain))].push_back(i);
    }
  }
  if (remote.empty()) {
    active_done(id);
    return;
  }
  // Record the local outcomes before the SMTP attempts start, as local(8) marks each
  // recipient done in the queue file at once: a crash while the attempts run must not
  // deliver the local copies again after the reboot.
  if (delivered_locally) save(q, QueueState::Active);
  in_flight_[id] = static_cast<int>(remote.size());
  while (!remote.empty()) {
    // Taken out of the map in its order: the domain and the indices move to the attempt.
    auto node = remote.extract(remote.begin());
    smtp::OutgoingMessage m;
    m.from = to_path(q.sender);
    m.params.envid = q.envid;
    m.params.ret = q.ret_headers ? smtp::DsnRet::Hdrs : smtp::DsnRet::Unspecified;
    m.params.smtputf8 = q.smtputf8;
    m.rcpts.reserve(node.mapped().size());
    for (std::size_t i : node.mapped()) m.rcpts.push_back(outgoing_recipient(q.rcpts[i]));
    m.content = content;
    if (cfg.smtp_connection_cache_on_demand) {
      // Postfix's connection cache on demand: an attempt for the same domain whose session
      // is not open yet takes this message as one more transaction.
      auto same = std::find_if(attempts_.begin(), attempts_.end(), [&node](const std::unique_ptr<SmtpAttempt>& a) {
        return a->domain() == node.key() && a->joinable();
      });
      if (same != attempts_.end()) {
        (*same)->join(id, std::move(node.mapped()), std::move(m));
        continue;
      }
    }
    auto attempt = std::make_unique<SmtpAttempt>(host_, id, std::move(node.key()), std::move(node.mapped()),
                                                 std::move(m), [this](SmtpAttempt& a) { attempt_done(&a); });
    SmtpAttempt* raw = attempt.get();
    attempts_.push_back(std::move(attempt));
    raw->start();
  }
}

void Qmgr::attempt_done(SmtpAttempt* a) {
  auto found = std::find_if(attempts_.begin(), attempts_.end(),
                            [a](const std::unique_ptr<SmtpAttempt>& p) { return p.get() == a; });
  if (found == attempts_.end()) return;
  std::unique_ptr<SmtpAttempt> attempt = std::move(*found);
  attempts_.erase(found);
  for (std::size_t j = 0; j < attempt->jobs(); ++j) job_done(*attempt, j);
}

void Qmgr::job_done(const SmtpAttempt& attempt, std::size_t job) {
  io::Runtime& rt = host_.runtime();
  const std::string id = attempt.queue_id(job);
  auto qit = index_.find(id);
  if (qit == index_.end()) return;
  for (std::size_t k = 0; k < attempt.rcpt_indices(job).size(); ++k) {
    QueueRecipient& r = qit->second.rcpts[attempt.rcpt_indices(job)[k]];
    const AttemptOutcome& o = attempt.outcomes(job)[k];
    r.status = o.status;
    r.diagnostic = o.diagnostic;
    r.remote_mta = o.remote_mta;
    if (o.kind == AttemptOutcome::Kind::Delivered) r.state = RcptState::Delivered;
    // RFC 3461 5.2.2: a next hop that announced DSN got NOTIFY and reports from now on;
    // only one without it makes this MTA send a "relayed" notice.
    if (o.kind == AttemptOutcome::Kind::Delivered && o.next_hop_dsn) r.reported = true;
    if (o.kind == AttemptOutcome::Kind::Failed) r.state = RcptState::Failed;
    const std::string& msgid = qit->second.message_id;
    if (rt.tracing() && o.kind == AttemptOutcome::Kind::Delivered) {
      // The next hop as a link: its address and the queue id it named (docs/trace.md).
      rt.trace(agent::kMta, ev::kRelaySent,
               {{key::kId, id},
                {key::kTo, r.address},
                {key::kRelay, o.remote_mta},
                {key::kStatus, o.status},
                {key::kDiagnostic, o.diagnostic},
                {key::kMsgid, msgid},
                {key::kPeer, o.remote_address},
                {key::kNextId, o.next_id}});
    } else if (rt.tracing()) {
      rt.trace(agent::kMta, o.kind == AttemptOutcome::Kind::Failed ? ev::kRelayBounced : ev::kRelayDeferred,
               {{key::kId, id},
                {key::kTo, r.address},
                {key::kRelay, o.remote_mta},
                {key::kStatus, o.status},
                {key::kDiagnostic, o.diagnostic},
                {key::kMsgid, msgid}});
    }
    if (o.unconfirmed) {
      // RFC 1047: the dot went out but no reply came back; the next hop may have the
      // message, so a retry can deliver it twice. Chaos runs allow duplicates only then.
      rt.trace(agent::kMta, ev::kRelayUnconfirmed,
               {{key::kId, id}, {key::kTo, r.address}, {key::kMsgid, msgid}});
    }
  }
  if (--in_flight_[id] == 0) {
    in_flight_.erase(id);
    active_done(id);
  }
}

void Qmgr::active_done(const std::string& id) {
  io::Runtime& rt = host_.runtime();
  const MtaConfig& cfg = host_.config();
  auto it = index_.find(id);
  if (it == index_.end()) return;
  QueueFile& q = it->second;
  const io::Time age = rt.now() - q.arrival;
  const io::Time lifetime =
      q.sender.empty() ? cfg.queue.bounce_queue_lifetime : cfg.queue.maximal_queue_lifetime;
  if (!q.done() && age >= lifetime) {
    // Expired: the pending recipients fail with the last transient status they had.
    for (auto& r : q.rcpts) {
      if (r.state != RcptState::Pending) continue;
      r.state = RcptState::Failed;
      if (r.status.empty() || r.status[0] != '4') r.status = "4.4.7";
      r.diagnostic = r.diagnostic.empty() ? "X-maillab; message expired" : r.diagnostic;
    }
    rt.trace(agent::kMta, ev::kQueueExpired,
             {{key::kId, id}, {key::kSubject, q.subject}, {key::kMsgid, q.message_id}});
  }
  // RFC 3461 4.1: a bounce for the failed recipients whose NOTIFY has FAILURE (or who
  // gave none), a success notice for the delivered ones whose NOTIFY has SUCCESS.
  std::vector<const QueueRecipient*> failed, succeeded, unwanted;
  for (auto& r : q.rcpts) {
    if (r.reported) continue;
    if (r.state == RcptState::Failed) (dsn_wanted(r, DsnKind::Bounce) ? failed : unwanted).push_back(&r);
    if (r.state == RcptState::Delivered && dsn_wanted(r, DsnKind::Success)) succeeded.push_back(&r);
  }
  if (!failed.empty()) send_dsn(q, failed, DsnKind::Bounce);
  if (!unwanted.empty()) suppress_dsn(q, unwanted, "NOTIFY");
  if (!succeeded.empty()) send_dsn(q, succeeded, DsnKind::Success);
  for (auto& r : q.rcpts) {
    if (r.state == RcptState::Failed || (r.state == RcptState::Delivered && dsn_wanted(r, DsnKind::Success)))
      r.reported = true;
  }
  if (q.done()) {
    if (rt.tracing()) {
      rt.trace(agent::kMta, ev::kQueueRemoved,
               {{key::kId, id}, {key::kSubject, q.subject}, {key::kMsgid, q.message_id}});
    }
    store_->remove(q);
    index_.erase(it);
    return;
  }
  if (cfg.queue.delay_warning_time > 0 && !q.warned && age >= cfg.queue.delay_warning_time) {
    std::vector<const QueueRecipient*> delayed;
    for (auto& r : q.rcpts) {
      if (r.state == RcptState::Pending && dsn_wanted(r, DsnKind::Delayed)) delayed.push_back(&r);
    }
    if (!delayed.empty()) send_dsn(q, delayed, DsnKind::Delayed);
    q.warned = true;
  }
  // Postfix: delay = time in queue, clamped to [minimal_backoff_time, maximal_backoff_time].
  io::Time delay = std::clamp(age, cfg.queue.minimal_backoff_time, cfg.queue.maximal_backoff_time);
  // Postfix keeps the due time as the queue file's mtime, in whole seconds.
  q.next_attempt = (rt.now() + delay) / kSec * kSec;
  if (!save(q, QueueState::Deferred)) {
    // The disk refused the update: the old envelope stays on disk; in memory the message
    // is deferred all the same, so the scan retries it.
    q.state = QueueState::Deferred;
  }
  std::string reason;
  for (const auto& r : q.rcpts) {
    if (r.state == RcptState::Pending) {
      reason = r.diagnostic;
      break;
    }
  }
  rt.trace(agent::kMta, ev::kQueueDeferred,
           {{key::kId, id},
            {key::kSubject, q.subject},
            {key::kNextNs, std::to_string(q.next_attempt)},
            {key::kReason, reason},
            {key::kMsgid, q.message_id}});
}

void Qmgr::suppress_dsn(const QueueFile& q, const std::vector<const QueueRecipient*>& rcpts, std::string_view why) {
  io::Runtime& rt = host_.runtime();
  std::string listed;
  for (const auto* r : rcpts) listed += (listed.empty() ? "" : ",") + r->address;
  rt.trace(agent::kMta, ev::kDsnSuppressed,
           {{key::kId, q.id}, {key::kReason, std::string(why)}, {key::kMsgid, q.message_id}, {key::kRcpts, listed}});
}

void Qmgr::send_dsn(const QueueFile& q, const std::vector<const QueueRecipient*>& rcpts, DsnKind kind) {
  io::Runtime& rt = host_.runtime();
  const MtaConfig& cfg = host_.config();
  // Never a bounce to <> (RFC 3464 / RFC 5321 6.1).
  if (q.sender.empty()) return suppress_dsn(q, rcpts, "null sender");
  std::string listed;
  for (const auto* r : rcpts) listed += (listed.empty() ? "" : ",") + r->address;
  message::DsnRequest req =
      dsn_request(kind, q, rcpts, host_.hostname(), rt.now(), q.arrival + cfg.queue.maximal_queue_lifetime);
  if (auto content = store_->content(q.id)) req.original_message = *content;
  Submission s;
  s.sender = "";
  s.rcpts = {q.sender};
  s.content = message::build_dsn(req);
  rt.trace(agent::kMta,
           kind == DsnKind::Delayed   ? ev::kDsnDelayed
           : kind == DsnKind::Success ? ev::kDsnSuccess
                                       : ev::kDsnBounce,
           {{key::kId, q.id},
            {key::kTo, q.sender},
            {key::kSubject, q.subject},
            {key::kMsgid, q.message_id},
            {key::kRcpts, listed},
            {key::kDsnMsgid, req.message_id}});
  host_.enqueue_report(std::move(s));
}

}  // namespace maillab::mta
