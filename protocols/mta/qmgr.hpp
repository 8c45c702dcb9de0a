// mta::Qmgr: the MTA's queue manager (Postfix qmgr(8)): it takes a message cleanup has
// queued, activates it, hands each recipient to local delivery (local(8)) or to an SMTP
// attempt per next-hop domain (smtp(8), joining an attempt whose session is not open yet:
// smtp_connection_cache_on_demand), records the outcomes, defers with backoff, scans the
// deferred queue, expires old mail and asks bounce(8) (bounce.hpp) for DSNs, which it
// hands back to cleanup (MtaHost::enqueue_report) as a message from <>.
//
// Invariants:
// - Every state change is in the store (QueueStore::update) before anything depends on
//   it; local outcomes are stored before the SMTP attempts start (local(8) marks each
//   recipient done at once), so a crash never delivers a local copy twice.
// - Retry delay = time in queue clamped to [minimal_backoff_time, maximal_backoff_time],
//   the due time in whole seconds (Postfix keeps it as the queue file's mtime); deferred
//   mail is picked up by the scan every queue_run_delay; `flush` tries it all now.
// - Mail older than maximal_queue_lifetime (bounce_queue_lifetime for <>) is returned
//   after its next failed attempt (Postfix qmgr_active_done), pending recipients failing
//   with their last 4xx status (else 4.4.7).
// - One delay warning per message after delay_warning_time (RFC 3461 NOTIFY=DELAY).
// - Never a report to <> (RFC 5321 6.1); RFC 3461 4.1 NOTIFY decides who is reported.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "protocols/mta/bounce.hpp"
#include "protocols/mta/local_delivery.hpp"
#include "protocols/mta/mta_host.hpp"
#include "protocols/mta/queue_store.hpp"
#include "protocols/mta/submission.hpp"

namespace maillab::mta {

class SmtpAttempt;

class Qmgr {
 public:
  // The store is the host's disk (DiskQueueStore) unless use_store() names another.
  Qmgr(MtaHost& host, LocalDelivery& local);
  ~Qmgr();
  Qmgr(const Qmgr&) = delete;
  Qmgr& operator=(const Qmgr&) = delete;

  // Before start(): keep the queue in `store` (which outlives this object).
  void use_store(QueueStore& store) { store_ = &store; }
  // Boot: reload the queue from the store (incoming and active mail now, deferred mail
  // at its time) and start the scans.
  void start();
  // The host goes down: the scan and every SMTP attempt stop (the store stays).
  void stop();
  // A new message (q.state incoming) with its content: stored, then activated from a
  // fresh event. False when the store refused it (nothing kept; traced).
  bool accept(QueueFile q, const io::Bytes& content);
  // postqueue -f: every deferred message is tried now (trace queue.flush).
  void flush();

  bool has(const std::string& id) const { return index_.count(id) != 0; }
  std::size_t queued() const { return index_.size(); }
  std::vector<QueueFile> queue() const;

 private:
  void schedule_scan();
  void scan();
  void activate(const std::string& id);
  void attempt_done(SmtpAttempt* attempt);
  void job_done(const SmtpAttempt& attempt, std::size_t job);  // one message's outcomes
  void active_done(const std::string& id);
  void send_dsn(const QueueFile& q, const std::vector<const QueueRecipient*>& rcpts, DsnKind kind);
  void suppress_dsn(const QueueFile& q, const std::vector<const QueueRecipient*>& rcpts, std::string_view why);
  bool save(QueueFile& q, QueueState next);

  MtaHost& host_;
  LocalDelivery& local_;
  DiskQueueStore disk_store_;
  QueueStore* store_;
  std::map<std::string, QueueFile> index_;
  std::map<std::string, int> in_flight_;  // queue id -> SMTP attempts still running
  std::vector<std::unique_ptr<SmtpAttempt>> attempts_;
  io::TimerHandle scan_timer_ = 0;
};

}  // namespace maillab::mta
