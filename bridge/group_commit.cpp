#include "bridge/group_commit.hpp"

#include <algorithm>
#include <iterator>
#include <boost/asio/post.hpp>

#include "bridge/asio_connection.hpp"

namespace maillab::bridge {

GroupCommit::GroupCommit(boost::asio::io_context& io, std::vector<FileDisk*> disks,
                         std::function<void(const std::string&)> log)
    : io_(io), disks_(std::move(disks)), log_(std::move(log)) {
  for (auto* d : disks_) d->set_unlink_barrier([this] { drain(); });
  thread_ = std::thread([this] { run_thread(); });
}

GroupCommit::~GroupCommit() { stop(); }

GroupCommit::Scope::Scope(GroupCommit* gc, std::uint64_t* own_need) : gc_(gc), own_need_(own_need) {
  if (!gc_) return;
  outer_ = gc_->scope_mark_;
  mark_ = Marks{gc_->mutations(), gc_->removals()};
  gc_->scope_mark_ = mark_;
}

GroupCommit::Scope::~Scope() {
  if (!gc_) return;
  // A change made in this call: what the connection says later may rest on it too.
  *own_need_ = std::max(*own_need_, gc_->need_since(mark_));
  gc_->scope_mark_ = outer_;
}

std::uint64_t GroupCommit::mutations() const {
  std::uint64_t n = 0;
  for (auto* d : disks_) n += d->changes();
  return n;
}

std::uint64_t GroupCommit::removals() const {
  std::uint64_t n = 0;
  for (auto* d : disks_) n += d->removals_asked();
  return n;
}

// A removal is unlinked by the next batch and on the device after the one after it; any
// other change, after the next batch.
std::uint64_t GroupCommit::need_since(const Marks& m) const {
  if (removals() != m.removals) return started_ + 2;
  return mutations() != m.mutations ? started_ + 1 : 0;
}

std::uint64_t GroupCommit::need_now() const {
  if (stopped_) return 0;
  if (scope_mark_) return need_since(*scope_mark_);
  // Outside a connection's call: whatever is not durable yet (the unlinks of the batch in
  // flight included: the next batch syncs them).
  if (std::uint64_t n = need_since(taken_mark_)) return n;
  return in_flight_ && unlinks_in_flight_ ? started_ + 1 : started_;
}

bool GroupCommit::when_durable(std::function<void(bool)> done) {
  const std::uint64_t need = need_now();
  if (stopped_ || need <= completed_) return false;
  durable_waiting_.push_back({need, std::move(done)});
  return true;
}

void GroupCommit::notify_durable(bool ok, bool all) {
  std::vector<Durable> ready;
  auto keep = std::partition(durable_waiting_.begin(), durable_waiting_.end(),
                             [this, ok, all](const Durable& d) { return ok && !all && d.need > completed_; });
  std::move(keep, durable_waiting_.end(), std::back_inserter(ready));
  durable_waiting_.erase(keep, durable_waiting_.end());
  // A call of its own: what the decisions send waits only for changes they make.
  std::uint64_t own = 0;
  Scope scope(this, &own);
  for (auto& d : ready) d.done(ok);
}

void GroupCommit::kick() {
  if (stopped_) return;
  if (!in_flight_) {
    bool pending = std::any_of(disks_.begin(), disks_.end(), [](FileDisk* d) { return d->pending(); });
    if (pending) start_batch();
  }
  release();
}

void GroupCommit::start_batch() {
  std::vector<FileDisk::Batch> batches;
  unlinks_in_flight_ = false;
  for (auto* d : disks_) {
    batches.push_back(d->begin_sync());
    unlinks_in_flight_ = unlinks_in_flight_ || !batches.back().removals.empty();
  }
  taken_mark_ = Marks{mutations(), removals()};
  ++started_;
  in_flight_ = true;
  {
    std::lock_guard<std::mutex> lock(mu_);
    job_.emplace(started_, std::move(batches));
  }
  cv_.notify_all();
}

void GroupCommit::run_thread() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return quit_ || (job_ && !done_); });
    if (quit_ && !(job_ && !done_)) return;
    const auto& batches = job_->second;
    std::vector<bool> ok;
    lock.unlock();
    for (const auto& b : batches) ok.push_back(FileDisk::run(b));
    // Every disk durable first: one host's removal may rest on another's write.
    const bool all = std::all_of(ok.begin(), ok.end(), [](bool v) { return v; });
    if (all) {
      for (const auto& b : batches) FileDisk::run_removals(b);
    }
    lock.lock();
    ok_ = std::move(ok);
    removed_ = all;
    done_ = true;
    cv_.notify_all();
    boost::asio::post(io_, [w = weak_from_this()] {
      if (auto self = w.lock()) self->collect();
    });
  }
}

void GroupCommit::drain() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [this] { return !job_ || done_; });
}

void GroupCommit::collect() {
  std::vector<bool> ok;
  std::vector<FileDisk::Batch> batches;
  bool removed = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!job_ || !done_) return;
    ok = std::move(ok_);
    batches = std::move(job_->second);
    removed = removed_;
    job_.reset();
    done_ = false;
  }
  in_flight_ = false;
  finish(batches, ok, removed);
  notify_durable(!failed_);
  kick();
}

void GroupCommit::finish(const std::vector<FileDisk::Batch>& batches, const std::vector<bool>& ok,
                         bool removed) {
  bool all = true;
  for (std::size_t i = 0; i < disks_.size(); ++i) {
    disks_[i]->end_sync(batches[i], ok[i], removed);
    all = all && ok[i];
  }
  if (!all) {
    if (!failed_) {
      log_("--mailboxes: a sync failed: the replies waiting for it are dropped, that disk refuses "
           "every further change, no queue file is removed any more");
    }
    failed_ = true;
    // The batch is over, durable or not: the bytes that waited for it are dropped here, and
    // bytes sent later must not wait for it (nothing would release them: a timeout's 421
    // held forever, its socket never closed).
    completed_ = started_;
    // Nor does any disk remove a file any more, so a healthy disk's removals are nothing
    // to sync (else a batch every turn, and stop() never ends).
    for (auto* d : disks_) d->keep_removals();
    auto waiting = std::move(waiting_);
    waiting_.clear();
    for (auto& c : waiting) {
      c->release_held(false);
      c->fail(io::CloseKind::Reset);
    }
    return;
  }
  completed_ = started_;
}

void GroupCommit::release() {
  auto keep = std::partition(waiting_.begin(), waiting_.end(),
                             [this](const auto& c) { return c->held_need() > completed_; });
  std::vector<std::shared_ptr<AsioConnection>> ready(std::make_move_iterator(keep),
                                                      std::make_move_iterator(waiting_.end()));
  waiting_.erase(keep, waiting_.end());
  for (auto& c : ready) c->release_held(true);
}

void GroupCommit::stop() {
  if (stopped_) return;
  // The batch in flight, then one for what is left, here and now.
  for (;;) {
    drain();
    collect();
    if (in_flight_) continue;
    if (!std::any_of(disks_.begin(), disks_.end(), [](FileDisk* d) { return d->pending(); })) break;
    start_batch();
  }
  stopped_ = true;
  {
    std::lock_guard<std::mutex> lock(mu_);
    quit_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  for (auto* d : disks_) d->set_unlink_barrier(nullptr);
  auto waiting = std::move(waiting_);
  waiting_.clear();
  for (auto& c : waiting) c->release_held(!failed_);
  notify_durable(!failed_, true);  // everything was synced above
}

}  // namespace maillab::bridge
