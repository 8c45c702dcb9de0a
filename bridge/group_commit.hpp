// bridge::GroupCommit: `serve --mailboxes` makes the hosts' disk changes durable in
// batches on a thread of its own, and holds the bytes that depend on them until their
// batch is on the device (the design and the crash argument: bridge/file_disk.hpp; the
// loop: bridge/server.hpp).
//
// What waits: a byte a connection sends after a disk change (anywhere) made during the
// current call into the engines for that connection (its on_data, its accept or
// connect), or after a change made during an earlier call for it that is not durable
// yet; outside such a call (a simulator event, e.g. a timer), after any change not yet
// durable. So the 250 that follows the queue write waits for the batch that holds it,
// while a reply that follows no change of its session (EHLO, RCPT, ...) leaves at once
// even when other sessions' changes are in flight. Why another session's change need
// not hold it: the promises are about a session's own data; a reply that merely shows
// another's change not yet durable (a POP3 listing of a message delivered this instant)
// can, after a crash, only be followed by the same message again (it is still queued).
// A connection's bytes never overtake each other.
//
// Pipelining: one batch in flight at a time; changes made meanwhile go to the next one,
// started as soon as the first completes. Two threads: one calls syncfs, the other
// unlinks the removals a completed batch covers (an unlink of a file that reached the
// device costs ~0.5-2 ms of journal work: three per message were a third of the loop's
// time). Every other member runs on the loop's thread (completions come back through the
// io_context).
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

   private:
    GroupCommit* gc_;
    std::uint64_t* own_need_;
    std::optional<std::uint64_t> outer_;
    std::uint64_t mark_ = 0;
  };

  // The batch bytes sent now must wait for (0 or <= durable(): none).
  std::uint64_t need_now() const;
  // The last batch over: durable, or failed (what waited for it was dropped then).
  std::uint64_t durable() const { return completed_; }
  void wait(std::shared_ptr<AsioConnection> c) { waiting_.push_back(std::move(c)); }
  // End of a loop turn: starts a batch if none is in flight and there is something to do;
  // releases what needs no batch.
  void kick();
  // Shutdown: the batch in flight completes, then everything left is synced and the
  // removals run, here and now; the thread ends. Later sends are not held.
  void stop();

 private:
  std::uint64_t mutations() const;
  void start_batch();
  void collect();  // the batch the thread finished, if any
  void finish(const std::vector<bool>& ok);
  void release();
  void run_thread();
  void run_unlinker();
  void drain_unlinks();  // returns once every path handed to the unlinker is gone

  boost::asio::io_context& io_;
  std::vector<FileDisk*> disks_;
  std::function<void(const std::string&)> log_;
  std::vector<std::shared_ptr<AsioConnection>> waiting_;
  std::optional<std::uint64_t> scope_mark_;  // mutations() when the current Scope began
  std::uint64_t taken_mark_ = 0;             // mutations() when the last batch was taken
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
  bool quit_ = false;
  struct Unlinks {
    std::size_t disk;
    std::vector<std::string> paths;  // relative to the disk's root
  };
  std::vector<Unlinks> unlinks_;     // for the unlinker
  bool unlinking_ = false;           // it holds a list
  std::thread thread_, unlinker_;
};

}  // namespace maillab::bridge
