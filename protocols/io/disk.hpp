// io::Disk: a host's disk as engines and services see it. A flat namespace of paths
// ("queue/deferred/ABC123", "mail/bob/new/1.M2P3.mx1") holding byte strings.
//
// Invariants: write() and rename() are atomic (a crash never leaves half a file);
// every mutator returns false and changes nothing when the disk is full or the path is
// bad, so callers can answer "452 4.3.1 Insufficient system storage" and keep the mail
// they still own. File contents are shared (std::shared_ptr<const std::string>) so the
// same message body can sit on several virtual disks without being copied.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace maillab::io {

using Bytes = std::shared_ptr<const std::string>;

inline Bytes make_bytes(std::string s) { return std::make_shared<const std::string>(std::move(s)); }

class Disk {
 public:
  virtual ~Disk() = default;
  // Create or replace `path` with `data`, atomically.
  virtual bool write(const std::string& path, Bytes data) = 0;
  bool write(const std::string& path, std::string_view data) {
    return write(path, make_bytes(std::string(data)));
  }
  // Append to `path` (created when missing). Atomic: all of data or nothing.
  virtual bool append(const std::string& path, std::string_view data) = 0;
  // Move `from` to `to`, replacing `to`; false if `from` is missing.
  virtual bool rename(const std::string& from, const std::string& to) = 0;
  virtual bool remove(const std::string& path) = 0;
  virtual Bytes read(const std::string& path) const = 0;  // nullptr when missing
  virtual bool exists(const std::string& path) const = 0;
  // Every path that starts with `prefix`, in lexicographic order.
  virtual std::vector<std::string> list(const std::string& prefix) const = 0;
  virtual std::size_t used_bytes() const = 0;
  // No room left: an SMTP server says 452 4.3.1 at MAIL FROM rather than taking a message
  // it cannot store (Postfix checks queue_minfree there).
  virtual bool full() const { return false; }
  // Octets the disk can still take, when it knows (a real file system, statvfs(2)); the
  // virtual disks have no size and say nothing (full() is all they know).
  virtual std::optional<std::uint64_t> free_bytes() const { return std::nullopt; }
  // Durability, for "250 only once the message is on disk" (a real disk synced in batches:
  // bridge/mirrored_disk.hpp): true when a change made so far is not on the storage device
  // yet; `done` is then called from a later event, once, with true when it is, false when
  // making it so failed. false (and `done` never called): every change already is. A
  // virtual disk's changes are as durable as they will ever be: always false.
  virtual bool when_durable(std::function<void(bool ok)> done) { return false; }
};

// The in-memory disk (tests, and the simulator's virtual disks). `set_full(true)` makes
// every mutation fail, as a full file system would (scenario fault `disk_full`).
class MemoryDisk final : public Disk {
 public:
  using Disk::write;
  bool write(const std::string& path, Bytes data) override {
    if (full_ || path.empty()) return false;
    auto& slot = files_[path];
    used_ += data->size() - (slot ? slot->size() : 0);
    slot = std::move(data);
    changed(path);
    return true;
  }
  bool append(const std::string& path, std::string_view data) override {
    if (full_ || path.empty()) return false;
    auto& slot = files_[path];
    std::string next = slot ? *slot : std::string();
    next.append(data);
    used_ += data.size();
    slot = make_bytes(std::move(next));
    changed(path);
    return true;
  }
  bool rename(const std::string& from, const std::string& to) override {
    if (full_) return false;
    auto it = files_.find(from);
    if (it == files_.end()) return false;
    Bytes data = std::move(it->second);
    files_.erase(it);
    auto& slot = files_[to];
    if (slot) used_ -= slot->size();
    slot = std::move(data);
    changed(from, to);
    return true;
  }
  bool remove(const std::string& path) override {
    auto it = files_.find(path);
    if (it == files_.end()) return false;
    used_ -= it->second->size();
    files_.erase(it);
    changed(path);
    return true;
  }
  Bytes read(const std::string& path) const override {
    auto it = files_.find(path);
    return it == files_.end() ? nullptr : it->second;
  }
  bool exists(const std::string& path) const override { return files_.count(path) != 0; }
  std::vector<std::string> list(const std::string& prefix) const override {
    std::vector<std::string> out;
    for (auto it = files_.lower_bound(prefix); it != files_.end(); ++it) {
      if (it->first.compare(0, prefix.size(), prefix) != 0) break;
      out.push_back(it->first);
    }
    return out;
  }
  std::size_t used_bytes() const override { return used_; }

  void set_full(bool full) { full_ = full; }
  bool full() const override { return full_; }
  // Grows with every change of a file (write, append, rename, remove): the same version
  // means the same paths and the same bytes, so readers may keep what they derived.
  std::uint64_t version() const { return version_; }

  // The change journal, for a reader that follows the disk instead of reading it all again
  // (bridge::MessageCache). Off until keep_changes(): from then on at least the last
  // capacity/2 and at most `capacity` changes of paths starting with `prefix` are kept (a
  // rename is two: both paths), so the journal's memory is bounded. Calling it again with
  // the same arguments changes nothing; with others it starts a new journal.
  void keep_changes(std::size_t capacity, const std::string& prefix) {
    if (journal_capacity_ == capacity && journal_prefix_ == prefix) return;
    journal_capacity_ = capacity;
    journal_prefix_ = prefix;
    journal_.clear();
    journal_from_ = version_;
  }
  // The paths whose files may differ from what they were at `version` (oldest change
  // first, a path once per change), or nullopt when the journal does not reach back that
  // far: it is off, was started later, or lost changes to its capacity. The reader must
  // then read the whole disk again.
  std::optional<std::vector<std::string>> changes_since(std::uint64_t version) const {
    if (journal_capacity_ == 0 || version < journal_from_ || version > version_) return std::nullopt;
    auto first = journal_.end();
    while (first != journal_.begin() && std::prev(first)->first > version) --first;
    std::vector<std::string> out;
    for (; first != journal_.end(); ++first) out.push_back(first->second);
    return out;
  }

 private:
  void changed(const std::string& path, const std::string& other = {}) {
    ++version_;
    if (journal_capacity_ == 0) return;
    for (const std::string* p : {&path, &other})
      if (!p->empty() && p->starts_with(journal_prefix_)) journal_.emplace_back(version_, *p);
    if (journal_.size() <= journal_capacity_) return;
    // Full: the older half goes (amortised O(1) a change; a vector, not a deque, because an
    // empty deque allocates and every simulated host has a disk).
    const std::size_t drop = journal_.size() - journal_capacity_ / 2;
    journal_from_ = journal_[drop - 1].first;
    journal_.erase(journal_.begin(), journal_.begin() + static_cast<std::ptrdiff_t>(drop));
  }

  std::map<std::string, Bytes> files_;
  std::size_t used_ = 0;
  std::uint64_t version_ = 0;
  bool full_ = false;
  // Every change of a path under journal_prefix_ after version journal_from_, oldest first.
  std::vector<std::pair<std::uint64_t, std::string>> journal_;
  std::uint64_t journal_from_ = 0;
  std::size_t journal_capacity_ = 0;
  std::string journal_prefix_;
};

}  // namespace maillab::io
