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
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
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
    ++version_;
    return true;
  }
  bool append(const std::string& path, std::string_view data) override {
    if (full_ || path.empty()) return false;
    auto& slot = files_[path];
    std::string next = slot ? *slot : std::string();
    next.append(data);
    used_ += data.size();
    slot = make_bytes(std::move(next));
    ++version_;
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
    ++version_;
    return true;
  }
  bool remove(const std::string& path) override {
    auto it = files_.find(path);
    if (it == files_.end()) return false;
    used_ -= it->second->size();
    files_.erase(it);
    ++version_;
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

 private:
  std::map<std::string, Bytes> files_;
  std::size_t used_ = 0;
  std::uint64_t version_ = 0;
  bool full_ = false;
};

}  // namespace maillab::io
