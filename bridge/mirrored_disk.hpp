// bridge::MirroredDisk: a host's disk for `maillab serve --mailboxes DIR`: the in-memory
// virtual disk (which the World, the expectations and the `disk_full` fault use) written
// through to a FileDisk under DIR/HOST; durable at the server's next sync (group commit,
// bridge/file_disk.hpp). when_durable() says when: the SMTP server's 250 after DATA is a
// decision left pending until then (mta::SmtpdSession), other replies wait as bytes.
//
// The choice (docs/bridge.md): the whole disk is written through, not only the
// mailboxes, so that "a message acknowledged with 250 is on the host's disk" holds on the
// real disk as well: the queue files land under DIR/HOST/.disk/queue/... and are synced
// before the MTA's 250 leaves the bridge. Mailboxes land where `run --mailboxes` puts them:
//   mail/USER/{tmp,new,cur}/NAME -> DIR/HOST/USER/{tmp,new,cur}/NAME   (Maildir)
//   mail/USER.mbox               -> DIR/HOST/USER.mbox                 (mbox)
//   anything else (queue/...)    -> DIR/HOST/.disk/PATH
// Reads come from memory (the same bytes). A mutation is tried on the real disk first;
// if that fails the memory is left unchanged and the caller sees false (SMTP 452). An SMTP
// server asks full() and free_bytes() at MAIL FROM, so a full disk is refused before DATA.
//
// A restart (docs/bridge.md "Restarting serve"): restore() loads what an earlier serve
// left under DIR/HOST into the memory disk before the host's services boot, so the MTA
// reloads its queue (mail answered with 250 and not yet delivered goes on) and the
// mailboxes keep their messages. Maildir `tmp/` files and the FileDisk's own temporaries
// are deliveries that never completed: not loaded (and left alone, as Dovecot does).
#pragma once

#include <memory>
#include <set>
#include <string>

#include "bridge/file_disk.hpp"
#include "protocols/io/disk.hpp"

namespace maillab::bridge {

class MirroredDisk final : public io::Disk {
 public:
  MirroredDisk(io::MemoryDisk& memory, std::filesystem::path host_dir);

  using io::Disk::write;
  bool write(const std::string& path, io::Bytes data) override;
  bool append(const std::string& path, std::string_view data) override;
  bool rename(const std::string& from, const std::string& to) override;
  bool remove(const std::string& path) override;
  io::Bytes read(const std::string& path) const override { return memory_.read(path); }
  bool exists(const std::string& path) const override { return memory_.exists(path); }
  std::vector<std::string> list(const std::string& prefix) const override {
    return memory_.list(prefix);
  }
  std::size_t used_bytes() const override { return memory_.used_bytes(); }
  // Full when the virtual disk is (a `disk_full` fault) or the real one failed a sync;
  // the free space is the real disk's, so MAIL FROM is refused before DATA when it runs
  // short (mta::SmtpdSession).
  bool full() const override { return memory_.full() || files_.failed(); }
  std::optional<std::uint64_t> free_bytes() const override { return files_.free_bytes(); }

  // Where a virtual path lives under the host's directory (see above).
  static std::string real_path(const std::string& virtual_path);
  // Loads the files under `host_dir` back into `memory` at their virtual paths (the
  // inverse of real_path): the queue, and the mailboxes of `users`. Anything else is
  // skipped. False with `error` set if a file cannot be read; `memory` may then hold part
  // of the tree.
  static bool restore(io::MemoryDisk& memory, const std::filesystem::path& host_dir,
                      const std::set<std::string>& users, std::string* error);
  FileDisk& files() { return files_; }
  // Durability comes from the server's group commit (GroupCommit::when_durable), set once
  // the commit exists; unset, every change counts as durable.
  using DurableFn = std::function<bool(std::function<void(bool)>)>;
  void set_durability(DurableFn fn) { durability_ = std::move(fn); }
  bool when_durable(std::function<void(bool ok)> done) override {
    return durability_ && durability_(std::move(done));
  }

 private:
  io::MemoryDisk& memory_;
  FileDisk files_;
  DurableFn durability_;
};

}  // namespace maillab::bridge
