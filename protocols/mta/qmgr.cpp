// The MTA's queue manager (Postfix qmgr(8)): activation, per-recipient delivery, deferral
// with backoff, the periodic scan of the deferred queue, expiry, delay warnings and DSNs.
#include <algorithm>
#include <map>
#include <optional>

#include "protocols/message/compose.hpp"
#include "protocols/message/dsn.hpp"
#include "protocols/message/message.hpp"
#include "protocols/mta/bounce.hpp"
#include "protocols/mta/mta.hpp"
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

namespace {

std::uint8_t state_bit(QueueState s) { return static_cast<std::uint8_t>(1u << static_cast<int>(s)); }

constexpr QueueState kStates[] = {QueueState::kIncoming, QueueState::kActive,
                                  QueueState::kDeferred, QueueState::kHold};

// Removes the envelope from every state's directory in `q.stored` but `keep`, clearing
// the bits of those now known to be gone (a removal that failed on a present file is
// tried again next time). `path` is scratch space for the paths.
void drop_envelopes(io::Disk& disk, QueueFile& q, std::optional<QueueState> keep, std::string& path) {
  for (QueueState s : kStates) {
    if (s == keep || !(q.stored & state_bit(s))) continue;
    QueueFile::envelope_path(s, q.id, path);
    if (disk.remove(path) || !disk.exists(path)) q.stored &= static_cast<std::uint8_t>(~state_bit(s));
  }
}

}  // namespace

bool Mta::save(QueueFile& q, QueueState next) {
  auto& disk = rt_.disk();
  const QueueState old_state = q.state;  // kept if the write fails
  q.state = next;
  if (!disk.write(QueueFile::envelope_path(next, q.id, path_), io::make_bytes(q.serialize()))) {
    // The disk refused the update: the envelope on disk keeps the old state, and so does
    // the index. A crash now replays the old state, so what happened since may happen
    // twice (a recipient delivered again): the trace says so for chaos's invariants.
    q.state = old_state;
    rt_.trace(agent::kMta, ev::kQueueWriteFailed, {{key::kId, q.id}, {key::kMsgid, q.message_id}});
    return false;
  }
  q.stored |= state_bit(next);
  // Only one envelope per message: drop it from every other state's directory it may be
  // in (an earlier failed update may have left it there).
  drop_envelopes(disk, q, next, path_);
  return true;
}

void Mta::remove(QueueFile& q) {
  drop_envelopes(rt_.disk(), q, std::nullopt, path_);
  rt_.disk().remove(QueueFile::content_path(q.id, path_));
}

void Mta::quarantine(const std::string& path) {
  // Postfix's corrupt/: kept for a person to look at, out of the queue's way (a new
  // message may get the same id after a restart), and said in the trace.
  std::string to = kCorruptDir;
  for (char c : std::string_view(path).substr(6)) to += c == '/' ? '.' : c;  // after "queue/"
  rt_.disk().rename(path, to);
  rt_.trace(agent::kMta, ev::kQueueCorrupt, {{key::kFile, path}, {key::kMovedTo, to}});
}

void Mta::reload_queue() {
  // After a crash: every envelope on disk comes back. Mail that was incoming or active is
  // retried now (Postfix moves it back to incoming); deferred mail keeps its retry time.
  for (const auto& path : rt_.disk().list("queue/")) {
    if (path.rfind("queue/msg/", 0) == 0 || path.rfind(kCorruptDir, 0) == 0) continue;
    auto bytes = rt_.disk().read(path);
    if (!bytes) continue;
    auto q = QueueFile::parse(*bytes);
    if (!q || q->envelope_path() != path) {
      quarantine(path);
      continue;
    }
    std::string id = q->id;
    // A content file is never empty. An empty or missing one is a write the crash cut
    // short (serve's group commit: not yet synced, so no 250 promised it): not mail.
    auto content = rt_.disk().read(QueueFile::content_path(id));
    if (!content || content->empty()) {
      quarantine(path);
      if (content) quarantine(QueueFile::content_path(id));
      continue;
    }
    // Times from a clock that started over (serve restarted on the same DIR): a retry
    // is never further away than the longest backoff, and mail does not arrive in the
    // future (its lifetime then counts from now). Within one run neither can happen.
    const io::Time latest_retry = rt_.now() + cfg_->queue.maximal_backoff_time;
    if (q->next_attempt > latest_retry) q->next_attempt = latest_retry;
    if (q->arrival > rt_.now()) q->arrival = rt_.now();
    bool retry_now = q->state == QueueState::kIncoming || q->state == QueueState::kActive;
    index_[id] = std::move(*q);
    if (retry_now) rt_.start_timer(0, [this, id] { activate(id); });
  }
  // A content file with no envelope: a crash between the two writes of enqueue() (no 250
  // promised it) or after the envelope's removal. Nobody will ever deliver it: removed, as
  // Postfix's `postsuper -s` does at start-up.
  constexpr std::string_view kContentDir = "queue/msg/";
  for (const auto& path : rt_.disk().list(std::string(kContentDir))) {
    if (index_.count(path.substr(kContentDir.size()))) continue;
    rt_.disk().remove(path);
    rt_.trace(agent::kMta, ev::kQueueOrphanRemoved, {{key::kFile, path}});
  }
  if (!index_.empty()) {
    rt_.trace(agent::kMta, ev::kQueueReloaded, {{key::kMessages, std::to_string(index_.size())}});
  }
}

void Mta::schedule_scan() {
  scan_timer_ = rt_.start_timer(cfg_->queue.queue_run_delay, [this] {
    scan_timer_ = 0;
    scan();
    schedule_scan();
  });
}

void Mta::scan() {
  std::vector<std::string> due;
  for (const auto& [id, q] : index_) {
    if (q.state == QueueState::kDeferred && q.next_attempt <= rt_.now()) due.push_back(id);
  }
  for (const auto& id : due) activate(id);
}

void Mta::flush() {
  std::vector<std::string> deferred;
  for (const auto& [id, q] : index_) {
    if (q.state == QueueState::kDeferred) deferred.push_back(id);
  }
  rt_.trace(agent::kMta, ev::kQueueFlush, {{key::kMessages, std::to_string(deferred.size())}});
  for (const auto& id : deferred) activate(id);
}

void Mta::activate(const std::string& id) {
  auto it = index_.find(id);
  if (it == index_.end() || in_flight_.count(id)) return;
  QueueFile& q = it->second;
  if (q.state == QueueState::kHold) return;
  save(q, QueueState::kActive);
  ++q.attempts;
  auto content = rt_.disk().read(QueueFile::content_path(id, path_));
  if (!content) {
    // The content is gone (should never happen): keep the envelope, report it loudly.
    rt_.trace(agent::kMta, ev::kQueueCorrupt, {{key::kId, id}});
    return;
  }
  if (rt_.tracing()) {
    rt_.trace(agent::kMta, ev::kQueueAttempt,
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
    if (r.state != RcptState::kPending) continue;
    if (cfg_->discard) {
      // Postfix discard(8): the recipient is done, "delivered" nowhere, status sent.
      r.state = RcptState::kDelivered;
      r.status = "2.0.0";
      r.diagnostic = "X-maillab; discarded";
      rt_.trace(agent::kMda, ev::kDiscarded,
                {{key::kId, q.id}, {key::kTo, r.address}, {key::kMsgid, q.message_id}});
      continue;
    }
    const std::string_view domain = split_address_view(r.address).second;
    if (is_local(domain)) {
      deliver_local(q, r, content);
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
  if (delivered_locally) save(q, QueueState::kActive);
  in_flight_[id] = static_cast<int>(remote.size());
  while (!remote.empty()) {
    // Taken out of the map in its order: the domain and the indices move to the attempt.
    auto node = remote.extract(remote.begin());
    smtp::OutgoingMessage m;
    m.from = to_path(q.sender);
    m.params.envid = q.envid;
    m.params.ret = q.ret_headers ? smtp::DsnRet::hdrs : smtp::DsnRet::unspecified;
    m.params.smtputf8 = q.smtputf8;
    m.rcpts.reserve(node.mapped().size());
    for (std::size_t i : node.mapped()) m.rcpts.push_back(outgoing_recipient(q.rcpts[i]));
    m.content = content;
    if (cfg_->smtp_connection_cache_on_demand) {
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
    auto attempt = std::make_unique<SmtpAttempt>(*this, id, std::move(node.key()), std::move(node.mapped()),
                                                 std::move(m), [this](SmtpAttempt& a) { attempt_done(&a); });
    SmtpAttempt* raw = attempt.get();
    attempts_.push_back(std::move(attempt));
    raw->start();
  }
}

void Mta::deliver_local(QueueFile& q, QueueRecipient& r, const io::Bytes& content) {
  const std::string_view local = split_address_view(r.address).first;
  const std::string* owner = mailbox_owner(local);
  if (!owner) {
    // Only mail that skipped the RCPT check gets here (local submission, an alias naming
    // no user): the SMTP server refuses unknown users in the session.
    r.state = RcptState::kFailed;
    r.status = "5.1.1";
    r.diagnostic = "X-maillab; unknown user: \"" + std::string(local) + "\"";
    rt_.trace(agent::kMda, ev::kDeliverFailed,
              {{key::kId, q.id},
               {key::kTo, r.address},
               {key::kStatus, r.status},
               {key::kDiagnostic, r.diagnostic},
               {key::kMsgid, q.message_id}});
    return;
  }
  const std::string& user = *owner;
  mda::Delivery d;
  d.user = user;
  d.envelope_sender = q.sender;
  d.recipient = r.address;
  d.content = content;
  d.sim_ns = rt_.now();
  d.hostname = hostname();
  d.unique = ++unique_;
  d.folder = q.folder;  // "Junk" for mail DMARC quarantined on arrival
  if (over_quota(q, r, d)) return;
  auto st = store().deliver(d);
  if (st == mda::DeliveryStatus::DiskFull) {
    r.status = "4.3.1";
    r.diagnostic = "X-maillab; cannot update mailbox for user " + user + ": disk full";
    rt_.trace(agent::kMda, ev::kDeliverDeferred,
              {{key::kId, q.id},
               {key::kUser, user},
               {key::kReason, "disk full"},
               {key::kTo, r.address},
               {key::kMsgid, q.message_id}});
    return;
  }
  if (st != mda::DeliveryStatus::Ok) {
    // Postfix local(8): a message already delivered to this recipient is a loop (5.4.6);
    // an unusable mailbox name is permanent too.
    r.state = RcptState::kFailed;
    r.status = st == mda::DeliveryStatus::Loop ? "5.4.6" : "5.3.0";
    r.diagnostic = st == mda::DeliveryStatus::Loop
                       ? "X-maillab; mail forwarding loop for " + r.address
                       : "X-maillab; cannot deliver to mailbox of user " + user;
    rt_.trace(agent::kMda, ev::kDeliverFailed,
              {{key::kId, q.id},
               {key::kTo, r.address},
               {key::kStatus, r.status},
               {key::kDiagnostic, r.diagnostic},
               {key::kMsgid, q.message_id}});
    return;
  }
  r.state = RcptState::kDelivered;
  r.status = "2.0.0";
  r.diagnostic = "X-maillab; delivered to " + cfg_->mailbox;
  if (rt_.tracing() && q.folder.empty()) {
    rt_.trace(agent::kMda, ev::kDeliver,
              {{key::kId, q.id},
               {key::kUser, user},
               {key::kTo, r.address},
               {key::kMailbox, cfg_->mailbox},
               {key::kSubject, q.subject},
               {key::kMsgid, q.message_id}});
  } else if (rt_.tracing()) {
    rt_.trace(agent::kMda, ev::kDeliver,
              {{key::kId, q.id},
               {key::kUser, user},
               {key::kTo, r.address},
               {key::kMailbox, cfg_->mailbox},
               {key::kSubject, q.subject},
               {key::kMsgid, q.message_id},
               {key::kFolder, q.folder}});
  }
  if (on_delivered) {
    // What was stored is, by MailStore's contract, the delivered content (Return-Path and
    // Delivered-To prepended): built here, not read back with list(), which reads the whole
    // mailbox (quadratic: `serve --mailboxes` fell to 20 msg/s at a few thousand messages
    // in one Maildir). A "count" store keeps nothing: the delivery is reported without it.
    io::Bytes stored = store().kind() == "count" ? nullptr : io::make_bytes(mda::delivered_content(d));
    on_delivered(DeliveryRecord{rt_.now(), user, r.address, q.id, std::move(stored), q.message_id, q.folder});
  }
}

void Mta::attempt_done(SmtpAttempt* a) {
  auto found = std::find_if(attempts_.begin(), attempts_.end(),
                            [a](const std::unique_ptr<SmtpAttempt>& p) { return p.get() == a; });
  if (found == attempts_.end()) return;
  std::unique_ptr<SmtpAttempt> attempt = std::move(*found);
  attempts_.erase(found);
  for (std::size_t j = 0; j < attempt->jobs(); ++j) job_done(*attempt, j);
}

void Mta::job_done(const SmtpAttempt& attempt, std::size_t job) {
  const std::string id = attempt.queue_id(job);
  auto qit = index_.find(id);
  if (qit == index_.end()) return;
  for (std::size_t k = 0; k < attempt.rcpt_indices(job).size(); ++k) {
    QueueRecipient& r = qit->second.rcpts[attempt.rcpt_indices(job)[k]];
    const AttemptOutcome& o = attempt.outcomes(job)[k];
    r.status = o.status;
    r.diagnostic = o.diagnostic;
    r.remote_mta = o.remote_mta;
    if (o.kind == AttemptOutcome::Kind::kDelivered) r.state = RcptState::kDelivered;
    // RFC 3461 5.2.2: a next hop that announced DSN got NOTIFY and reports from now on;
    // only one without it makes this MTA send a "relayed" notice.
    if (o.kind == AttemptOutcome::Kind::kDelivered && o.next_hop_dsn) r.reported = true;
    if (o.kind == AttemptOutcome::Kind::kFailed) r.state = RcptState::kFailed;
    const std::string& msgid = qit->second.message_id;
    if (rt_.tracing() && o.kind == AttemptOutcome::Kind::kDelivered) {
      // The next hop as a link: its address and the queue id it named (docs/trace.md).
      rt_.trace(agent::kMta, ev::kRelaySent,
                {{key::kId, id},
                 {key::kTo, r.address},
                 {key::kRelay, o.remote_mta},
                 {key::kStatus, o.status},
                 {key::kDiagnostic, o.diagnostic},
                 {key::kMsgid, msgid},
                 {key::kPeer, o.remote_address},
                 {key::kNextId, o.next_id}});
    } else if (rt_.tracing()) {
      rt_.trace(agent::kMta, o.kind == AttemptOutcome::Kind::kFailed ? ev::kRelayBounced : ev::kRelayDeferred,
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
      rt_.trace(agent::kMta, ev::kRelayUnconfirmed,
                {{key::kId, id}, {key::kTo, r.address}, {key::kMsgid, msgid}});
    }
  }
  if (--in_flight_[id] == 0) {
    in_flight_.erase(id);
    active_done(id);
  }
}

void Mta::active_done(const std::string& id) {
  auto it = index_.find(id);
  if (it == index_.end()) return;
  QueueFile& q = it->second;
  const io::Time age = rt_.now() - q.arrival;
  const io::Time lifetime =
      q.sender.empty() ? cfg_->queue.bounce_queue_lifetime : cfg_->queue.maximal_queue_lifetime;
  if (!q.done() && age >= lifetime) {
    // Expired: the pending recipients fail with the last transient status they had.
    for (auto& r : q.rcpts) {
      if (r.state != RcptState::kPending) continue;
      r.state = RcptState::kFailed;
      if (r.status.empty() || r.status[0] != '4') r.status = "4.4.7";
      r.diagnostic = r.diagnostic.empty() ? "X-maillab; message expired" : r.diagnostic;
    }
    rt_.trace(agent::kMta, ev::kQueueExpired,
              {{key::kId, id}, {key::kSubject, q.subject}, {key::kMsgid, q.message_id}});
  }
  // RFC 3461 4.1: a bounce for the failed recipients whose NOTIFY has FAILURE (or who
  // gave none), a success notice for the delivered ones whose NOTIFY has SUCCESS.
  std::vector<const QueueRecipient*> failed, succeeded, unwanted;
  for (auto& r : q.rcpts) {
    if (r.reported) continue;
    if (r.state == RcptState::kFailed) (dsn_wanted(r, DsnKind::kBounce) ? failed : unwanted).push_back(&r);
    if (r.state == RcptState::kDelivered && dsn_wanted(r, DsnKind::kSuccess)) succeeded.push_back(&r);
  }
  if (!failed.empty()) send_dsn(q, failed, DsnKind::kBounce);
  if (!unwanted.empty()) suppress_dsn(q, unwanted, "NOTIFY");
  if (!succeeded.empty()) send_dsn(q, succeeded, DsnKind::kSuccess);
  for (auto& r : q.rcpts) {
    if (r.state == RcptState::kFailed || (r.state == RcptState::kDelivered && dsn_wanted(r, DsnKind::kSuccess)))
      r.reported = true;
  }
  if (q.done()) {
    if (rt_.tracing()) {
      rt_.trace(agent::kMta, ev::kQueueRemoved,
                {{key::kId, id}, {key::kSubject, q.subject}, {key::kMsgid, q.message_id}});
    }
    remove(q);
    index_.erase(it);
    return;
  }
  if (cfg_->queue.delay_warning_time > 0 && !q.warned && age >= cfg_->queue.delay_warning_time) {
    std::vector<const QueueRecipient*> delayed;
    for (auto& r : q.rcpts) {
      if (r.state == RcptState::kPending && dsn_wanted(r, DsnKind::kDelayed)) delayed.push_back(&r);
    }
    if (!delayed.empty()) send_dsn(q, delayed, DsnKind::kDelayed);
    q.warned = true;
  }
  // Postfix: delay = time in queue, clamped to [minimal_backoff_time, maximal_backoff_time].
  io::Time delay = std::clamp(age, cfg_->queue.minimal_backoff_time, cfg_->queue.maximal_backoff_time);
  // Postfix keeps the due time as the queue file's mtime, in whole seconds.
  q.next_attempt = (rt_.now() + delay) / kSec * kSec;
  if (!save(q, QueueState::kDeferred)) {
    // The disk refused the update: the old envelope stays on disk; in memory the message
    // is deferred all the same, so the scan retries it.
    q.state = QueueState::kDeferred;
  }
  std::string reason;
  for (const auto& r : q.rcpts) {
    if (r.state == RcptState::kPending) {
      reason = r.diagnostic;
      break;
    }
  }
  rt_.trace(agent::kMta, ev::kQueueDeferred,
            {{key::kId, id},
             {key::kSubject, q.subject},
             {key::kNextNs, std::to_string(q.next_attempt)},
             {key::kReason, reason},
             {key::kMsgid, q.message_id}});
}

void Mta::suppress_dsn(const QueueFile& q, const std::vector<const QueueRecipient*>& rcpts, std::string_view why) {
  std::string listed;
  for (const auto* r : rcpts) listed += (listed.empty() ? "" : ",") + r->address;
  rt_.trace(agent::kMta, ev::kDsnSuppressed,
            {{key::kId, q.id}, {key::kReason, std::string(why)}, {key::kMsgid, q.message_id}, {key::kRcpts, listed}});
}

void Mta::send_dsn(const QueueFile& q, const std::vector<const QueueRecipient*>& rcpts, DsnKind kind) {
  // Never a bounce to <> (RFC 3464 / RFC 5321 6.1).
  if (q.sender.empty()) return suppress_dsn(q, rcpts, "null sender");
  std::string listed;
  for (const auto* r : rcpts) listed += (listed.empty() ? "" : ",") + r->address;
  message::DsnRequest req =
      dsn_request(kind, q, rcpts, hostname(), rt_.now(), q.arrival + cfg_->queue.maximal_queue_lifetime);
  if (auto content = rt_.disk().read(QueueFile::content_path(q.id, path_))) req.original_message = *content;
  Submission s;
  s.sender = "";
  s.rcpts = {q.sender};
  s.content = message::build_dsn(req);
  rt_.trace(agent::kMta,
            kind == DsnKind::kDelayed   ? ev::kDsnDelayed
            : kind == DsnKind::kSuccess ? ev::kDsnSuccess
                                        : ev::kDsnBounce,
            {{key::kId, q.id},
             {key::kTo, q.sender},
             {key::kSubject, q.subject},
             {key::kMsgid, q.message_id},
             {key::kRcpts, listed},
             {key::kDsnMsgid, req.message_id}});
  enqueue(s);
}

}  // namespace maillab::mta
