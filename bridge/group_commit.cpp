#include "bridge/group_commit.hpp"

#include <algorithm>
#include <boost/asio/post.hpp>

#include "bridge/asio_connection.hpp"

namespace maillab::bridge {

GroupCommit::GroupCommit(boost::asio::io_context& io, std::vector<FileDisk*> disks,
                         std::function<void(const std::string&)> log)
    : io_(io), disks_(std::move(disks)), log_(std::move(log)) {
  for (auto* d : disks_) d->set_unlink_barrier([this] { drain_unlinks(); });
  thread_ = std::thread([this] { run_thread(); });
  unlinker_ = std::thread([this] { run_unlinker(); });
}

GroupCommit::~GroupCommit() { stop(); }

GroupCommit::Scope::Scope(GroupCommit* gc, std::uint64_t* own_need) : gc_(gc), own_need_(own_need) {
  if (!gc_) return;
  outer_ = gc_->scope_mark_;
  mark_ = gc_->mutations();
  gc_->scope_mark_ = mark_;
}

GroupCommit::Scope::~Scope() {
  if (!gc_) return;
  // A change made in this call: what the connection says later may rest on it too.
  if (gc_->mutations() != mark_) *own_need_ = std::max(*own_need_, gc_->started_ + 1);
  gc_->scope_mark_ = outer_;
}

std::uint64_t GroupCommit::mutations() const {
  std::uint64_t n = 0;
  for (auto* d : disks_) n += d->changes();
  return n;
}

std::uint64_t GroupCommit::need_now() const {
  if (stopped_) return 0;
  std::uint64_t now = mutations();
  if (scope_mark_) return now != *scope_mark_ ? started_ + 1 : 0;
  // Outside a connection's call: whatever is not durable yet.
  return now != taken_mark_ ? started_ + 1 : started_;
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
  for (auto* d : disks_) batches.push_back(d->begin_sync());
  taken_mark_ = mutations();
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
    lock.lock();
    ok_ = std::move(ok);
    done_ = true;
    cv_.notify_all();
    boost::asio::post(io_, [w = weak_from_this()] {
      if (auto self = w.lock()) self->collect();
    });
  }
}

void GroupCommit::run_unlinker() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return quit_ || !unlinks_.empty(); });
    if (unlinks_.empty()) return;
    auto work = std::move(unlinks_);
    unlinks_.clear();
    unlinking_ = true;
    lock.unlock();
    for (const auto& u : work) {
      for (const auto& p : u.paths) ::unlink((disks_[u.disk]->root() / p).c_str());
    }
    lock.lock();
    unlinking_ = false;
    cv_.notify_all();
    boost::asio::post(io_, [w = weak_from_this(), work = std::move(work)] {
      auto self = w.lock();
      if (!self || self->stopped_) return;
      for (const auto& u : work) self->disks_[u.disk]->unlinked(u.paths);
    });
  }
}

void GroupCommit::drain_unlinks() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [this] { return unlinks_.empty() && !unlinking_; });
}

void GroupCommit::collect() {
  std::vector<bool> ok;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!job_ || !done_) return;
    ok = std::move(ok_);
    job_.reset();
    done_ = false;
  }
  in_flight_ = false;
  finish(ok);
  kick();
}

void GroupCommit::finish(const std::vector<bool>& ok) {
  bool all = true;
  for (std::size_t i = 0; i < disks_.size(); ++i) {
    disks_[i]->end_sync(ok[i]);
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
      c->fail(io::CloseKind::kReset);
    }
    return;
  }
  completed_ = started_;
  // Every disk's batch ended first: one host's removal may wait for another's write (a
  // relay between two virtual hosts).
  if (failed_) return;
  std::vector<Unlinks> work;
  for (std::size_t i = 0; i < disks_.size(); ++i) {
    auto paths = disks_[i]->take_removals();
    if (!paths.empty()) work.push_back(Unlinks{i, std::move(paths)});
  }
  if (work.empty()) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& u : work) unlinks_.push_back(std::move(u));
  }
  cv_.notify_all();
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
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return !job_ || done_; });
    }
    collect();
    if (in_flight_) continue;
    if (!std::any_of(disks_.begin(), disks_.end(), [](FileDisk* d) { return d->pending(); })) break;
    start_batch();
  }
  drain_unlinks();
  stopped_ = true;
  {
    std::lock_guard<std::mutex> lock(mu_);
    quit_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (unlinker_.joinable()) unlinker_.join();
  for (auto* d : disks_) {
    d->set_unlink_barrier(nullptr);
    d->unlinked(std::vector<std::string>(d->unlinking().begin(), d->unlinking().end()));
  }
  auto waiting = std::move(waiting_);
  waiting_.clear();
  for (auto& c : waiting) c->release_held(!failed_);
}

}  // namespace maillab::bridge
