// bridge::FileDisk: an io::Disk over a real directory, durable: a mutator returns true
// only once the change is on the storage device (fsync of the file and of the directories
// whose entries carry it; not of `.maillab-tmp/`, whose leftovers nothing reads), so "250
// after DATA means on disk" holds on the real disk too.
//
// Invariants (io::Disk): write() is atomic (a temporary file in `.maillab-tmp/` beside the
// tree, fsync, rename over the target, fsync of the directory), so a reader never sees half
// a file and a Maildir reader never sees the temporary; append() writes all of the data or
// truncates back; every failure returns false and leaves the tree as it was. Paths are
// relative, '/'-separated, with no empty, "." or ".." component (anything else: false).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "protocols/io/disk.hpp"

namespace maillab::bridge {

class FileDisk final : public io::Disk {
 public:
  explicit FileDisk(std::filesystem::path root);

  using io::Disk::write;
  bool write(const std::string& path, io::Bytes data) override;
  bool append(const std::string& path, std::string_view data) override;
  bool rename(const std::string& from, const std::string& to) override;
  bool remove(const std::string& path) override;
  io::Bytes read(const std::string& path) const override;
  bool exists(const std::string& path) const override;
  std::vector<std::string> list(const std::string& prefix) const override;
  std::size_t used_bytes() const override;

  const std::filesystem::path& root() const { return root_; }
  static bool valid_path(std::string_view path);

 private:
  bool make_parents(const std::filesystem::path& file);

  std::filesystem::path root_;
  std::uint64_t tmp_counter_ = 0;
};

// fsync(2) of a directory (its entries), or of a file by path; false on failure.
bool sync_path(const std::filesystem::path& p);

}  // namespace maillab::bridge
