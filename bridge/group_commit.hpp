// bridge::GroupCommit: `serve --mailboxes` makes the hosts' disk changes durable in
// batches on a thread of its own, and holds the bytes that depend on them until their
// batch is on the device (the design and the crash argument: bridge/file_disk.hpp; the
// loop: bridge/server.hpp).
//
// A removal is unlinked by the batch after it and reaches the device with the batch after
// that (the unlinks leave the disk dirty): bytes that follow a removal (POP3's +OK to a
// QUIT that deleted messages) wait for that second batch, so "deleted" is durable before
// it is said, and a crash, even a power loss, never brings the messages back.
//
// What waits: a byte a connection sends after a disk change (anywhere) made during the
// current call into the engines for that connection (its on_data, its accept or
// connect), or after a change made during an earlier call for it that is not durable
// yet; outside such a call (a simulator event, e.g. a timer), after any change not yet
// durable. (The SMTP 250 that follows the queue write is not held as bytes: the engine
// leaves it pending until when_durable() reports the batch that holds the write.) A
// reply that follows no change of its session (EHLO, RCPT, ...) leaves at once even when
// other sessions' changes are in flight. Why another session's change need
// not hold it: the promises are about a session's own data; a reply that merely shows
// another's change not yet durable (a POP3 listing of a message delivered this instant)
// can, after a crash, only be followed by the same message again (it is still queued).
// A connection's bytes never overtake each other.
//
// Pipelining: one batch in flight at a time; changes made meanwhile go to the next one,
// started as soon as the first completes. A thread runs each batch: syncfs on every disk,
// then, if all succeeded, the unlinks of the removals asked for before the batch began
// (an unlink of a file that reached the device costs ~0.5-2 ms of journal work: three per
// message were a third of the loop's time). A removal is so part of the batch that makes
// the delivery it records durable, and the unlinks can never fall behind (issue 15: on a
// thread of their own they fell thousands of messages behind a busy disk, and a kill -9
// then delivered all of those again). Every other member runs on the loop's thread
// (completions come back through the io_context).
#pragma once

#include <boost/asio/io_context.hpp>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "bridge/file_disk.hpp"

namespace maillab::bridge {

class AsioConnection;

class GroupCommit : public std::enable_shared_from_this<GroupCommit> {
 public:
  GroupCommit(boost::asio::io_context& io, std::vector<FileDisk*> disks,
              std::function<void(const std::string&)> log);
  ~GroupCommit();
  GroupCommit(const GroupCommit&) = delete;
  GroupCommit& operator=(const GroupCommit&) = delete;

  // A call into the engines on behalf of one connection (RAII; nests).
  class Scope {
   public:
    Scope(GroupCommit* gc, std::uint64_t* own_need);
    ~Scope();
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

    struct Marks {
      std::uint64_t mutations = 0, removals = 0;
    };

   private:
    GroupCommit* gc_;
    std::uint64_t* own_need_;
    std::optional<Marks> outer_;
    Marks mark_;
  };

  // The batch bytes sent now must wait for (0 or <= durable(): none).
  std::uint64_t need_now() const;
  // The last batch over: durable, or failed (what waited for it was dropped then).
  std::uint64_t durable() const { return completed_; }
  void wait(std::shared_ptr<AsioConnection> c) { waiting_.push_back(std::move(c)); }
  // io::Disk::when_durable for the hosts' disks: true when a change made so far (in this
  // call for a connection, else anywhere) is not durable yet; `done(true)` then runs once
  // the batch holding it has completed, `done(false)` if a batch failed, on the loop's
  // thread, judged as a call of its own (its bytes wait only for changes it makes).
  bool when_durable(std::function<void(bool)> done);
  // End of a loop turn: starts a batch if none is in flight and there is something to do;
  // releases what needs no batch.
  void kick();
  // Shutdown: the batch in flight completes, then everything left is synced and the
  // removals run, here and now; the thread ends. Later sends are not held.
  void stop();

 private:
  using Marks = Scope::Marks;
  std::uint64_t mutations() const;
  std::uint64_t removals() const;
  std::uint64_t need_since(const Marks& m) const;  // the batch bytes sent now wait for
  void start_batch();
  void collect();  // the batch the thread finished, if any
  void finish(const std::vector<FileDisk::Batch>& batches, const std::vector<bool>& ok, bool removed);
  void release();
  void run_thread();
  void drain();  // returns once no batch is running (its unlinks done)

  boost::asio::io_context& io_;
  std::vector<FileDisk*> disks_;
  std::function<void(const std::string&)> log_;
  std::vector<std::shared_ptr<AsioConnection>> waiting_;
  struct Durable {
    std::uint64_t need;
    std::function<void(bool)> done;
  };
  std::vector<Durable> durable_waiting_;
  void notify_durable(bool ok, bool all = false);  // all: every waiter, whatever its batch
  std::optional<Marks> scope_mark_;  // when the current Scope began
  Marks taken_mark_;                 // when the last batch was taken
  bool unlinks_in_flight_ = false;   // the batch in flight holds removals
  std::uint64_t started_ = 0, completed_ = 0;
  bool in_flight_ = false;
  bool failed_ = false;
  bool stopped_ = false;

  // Shared with the thread.
  std::mutex mu_;
  std::condition_variable cv_;
  std::optional<std::pair<std::uint64_t, std::vector<FileDisk::Batch>>> job_;
  bool done_ = false;      // job_ ran; ok_ says how each disk fared
  std::vector<bool> ok_;
  bool removed_ = false;   // and whether its unlinks ran
  bool quit_ = false;
  std::thread thread_;
};

}  // namespace maillab::bridge
