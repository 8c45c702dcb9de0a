// bridge::FileDisk: an io::Disk over a real directory, made durable by group commit: a
// mutator changes the tree at once (what read(), exists() and list() see) but does not
// wait for the storage device; a batch (begin_sync(), run(): one syncfs(2), end_sync())
// makes every change made before it durable. `maillab serve --mailboxes` runs batches on
// a thread and lets a reply reach its socket only once the batch holding the changes it
// follows has completed (bridge/group_commit.hpp), so "250 after DATA means on disk"
// holds on the real disk at about one sync per 10-20 messages instead of 13 fsyncs per
// message, serial on the loop thread.
//
// Invariants (io::Disk): write() is atomic against readers (a temporary file in
// `.maillab-tmp/` beside the tree, renamed over the target), so a reader never sees half a
// file and a Maildir reader never sees the temporary; append() writes all of the data or
// truncates back; every failure returns false and leaves the tree as it was. Paths are
// relative, '/'-separated, with no empty, "." or ".." component (anything else: false).
//
// Removals are deferred: remove() hides the file from this object's view at once (read,
// exists, list, rename) and the next batch unlinks it, right after its sync has
// completed, before the batch is reported done. A write(), append() or rename() onto a
// path whose removal is pending replaces the file and cancels the removal (or, when the
// batch holding the unlink is running, waits for it first).
//
// Why that keeps the two promises across a crash (power loss) at any point:
// (a) the queue file before the 250: the MTA writes it, then answers; the bridge holds
//     the 250 until a batch begun after the write has completed, so a 250 a client saw
//     names a durable file. A crash before that loses a message no one was told about
//     (the client retries).
// (b) the Maildir file before the queue entry goes: delivery writes tmp/X, renames it to
//     new/X, then removes the queue files. The unlinks run in the first batch that begins
//     after the remove(), once its sync, which covered new/X (its data and its directory
//     entry, made before the remove()), has completed. So on the device the unlink of the
//     queue file can only follow a durable new/X: a crash leaves the queue entry alone
//     (before that batch: delivered again later), new/X and the queue entry (delivered
//     again: a duplicate at worst), or new/X alone. Never neither.
//     The removal is part of the batch that makes its delivery durable (Postfix removes
//     the queue file as soon as local(8) has fsynced the mailbox), so a crash repeats at
//     most the deliveries of the batch in flight and those made since (issue 15: with the
//     unlinks left to a thread of their own, a busy disk let them fall thousands behind,
//     and a kill -9 delivered all of those again).
//     Unlinks are never made durable on their own: they reach the device with the next
//     sync or the filesystem's own commit; a power loss before that resurrects the queue
//     entry (a duplicate, again) or a POP3-deleted message (fetched again), never loses
//     one. A kill -9 cannot undo them.
//     A batch syncs every host's disk before any host's removals run, so a relay between
//     two virtual hosts (B's queue file before A drops its entry) holds as well.
// What a crash may leave that no promise covers: a file written since the last sync may
// be missing, old, or (a new name whose data had not reached the device) empty. For a
// Maildir file that means an unpromised delivery, done again from the queue. A write
// over an existing file syncs the new data before its rename (an envelope rewritten in
// place was durable: it must never come back empty), so such a file is old or new.
// If a sync fails, nothing is durable for sure: the disk refuses every later mutation
// (callers see false: SMTP 452) and runs no deferred removal, nor does any other disk of
// the server; the server resets the connections whose replies waited for it
// (bridge/group_commit.cpp).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "protocols/io/disk.hpp"

namespace maillab::bridge {

class FileDisk final : public io::Disk {
 public:
  explicit FileDisk(std::filesystem::path root);
  ~FileDisk() override;
  FileDisk(const FileDisk&) = delete;
  FileDisk& operator=(const FileDisk&) = delete;

  using io::Disk::write;
  bool write(const std::string& path, io::Bytes data) override;
  bool append(const std::string& path, std::string_view data) override;
  bool rename(const std::string& from, const std::string& to) override;
  bool remove(const std::string& path) override;
  io::Bytes read(const std::string& path) const override;
  bool exists(const std::string& path) const override;
  std::vector<std::string> list(const std::string& prefix) const override;
  std::size_t used_bytes() const override;
  // Free space of the tree's file system (statvfs(2)); nullopt when it cannot be known.
  std::optional<std::uint64_t> free_bytes() const override;

  // Group commit, in steps so that the waiting can happen on another thread
  // (bridge/group_commit.hpp); sync() does them all, here.
  struct Batch {
    int fd = -1;       // syncfs(2) on this: the tree's filesystem
    bool any = false;  // changes to make durable
    int dir_fd = -1;   // the tree, for the unlinks
    std::vector<std::string> removals;  // relative paths, unlinked after the sync
  };
  // What is to be made durable, and the removals asked for so far (their writes are in
  // this batch or an earlier one); later changes belong to the next batch.
  Batch begin_sync();
  // Thread-safe: waits for the device; false if that cannot be known.
  static bool run(const Batch& b);
  // Thread-safe: unlinks the batch's removals. Only once run() succeeded for the batch of
  // every disk whose promises may cross this one's (the server's hosts).
  static void run_removals(const Batch& b);
  // The batch begun first and not yet ended: durable (ok) or not (the disk failed);
  // `removed`: run_removals(b) ran (else its removals stay hidden, pending).
  void end_sync(const Batch& b, bool ok, bool removed);
  // A change onto a path whose unlink a running batch holds first calls the barrier,
  // which must return only once that batch is done (its unlinks ran or never will).
  void set_unlink_barrier(std::function<void()> barrier) { barrier_ = std::move(barrier); }
  // Another disk's sync failed: a removal here may rest on a write there (a relay between
  // two hosts), so none runs any more, not even at destruction; they stay hidden.
  void keep_removals() { keep_removals_ = true; }
  bool sync();
  // Something for a batch to do (a change not yet durable, or a removal to run).
  bool pending() const { return !failed_ && (dirty_ || (!keep_removals_ && !removals_.empty())); }
  // Mutations so far (a counter: what a reply sent now may depend on); the unlinks a
  // batch ran count as one (the next batch makes them durable).
  std::uint64_t changes() const { return changes_; }
  // remove() calls so far (each needs two batches to be durable: bridge/group_commit.hpp).
  std::uint64_t removals_asked() const { return removals_asked_; }
  // Batches ended durable (tests).
  std::uint64_t syncs() const { return syncs_; }
  // Replacements of an existing file whose data was synced before the rename (tests).
  std::uint64_t data_syncs() const { return data_syncs_; }
  bool failed() const { return failed_; }
  // Tests: the next batch that has changes fails, as a failed writeback would.
  void fail_next_sync() { fail_next_sync_ = true; }
  // Tests: the next replacement's data sync fails (as on EIO): that write() is refused.
  void fail_next_data_sync() { fail_next_data_sync_ = true; }

  const std::filesystem::path& root() const { return root_; }
  static bool valid_path(std::string_view path);

 private:
  bool make_parents(const std::filesystem::path& file);
  bool open_root();
  bool removing(const std::string& path) const { return removing_.count(path) > 0; }
  void cancel_removal(const std::string& path);
  void before_change(const std::string& path);  // waits if `path` is being unlinked

  std::filesystem::path root_;
  std::uint64_t tmp_counter_ = 0;
  int root_fd_ = -1;  // for syncfs(2), opened before the first change
  bool dirty_ = false;
  bool failed_ = false;
  bool keep_removals_ = false;
  bool fail_next_sync_ = false;
  bool fail_next_data_sync_ = false;
  std::uint64_t changes_ = 0;
  std::uint64_t removals_asked_ = 0;
  std::uint64_t begun_ = 0, syncs_ = 0, data_syncs_ = 0;
  std::vector<std::string> removals_;  // asked for, not yet in a batch
  std::set<std::string> removing_;     // those paths and the ones in a batch
  std::set<std::string> unlinking_;    // in a batch not yet ended
  std::function<void()> barrier_;
};

}  // namespace maillab::bridge
