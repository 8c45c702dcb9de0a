#include "bridge/file_disk.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <system_error>

#include "scenarios/beneath.hpp"

namespace maillab::bridge {

namespace fs = std::filesystem;

namespace {

constexpr const char* kTmpDir = ".maillab-tmp";

bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

}  // namespace

FileDisk::FileDisk(fs::path root) : root_(std::move(root)) {}

FileDisk::~FileDisk() {
  if (pending()) sync();  // the tree left behind is the one this object showed
  if (root_fd_ >= 0) ::close(root_fd_);
}

bool FileDisk::valid_path(std::string_view path) {
  if (!scenario::valid_beneath_path(path)) return false;
  // Nothing of the tree's own may live in the temporaries' directory.
  for (std::size_t start = 0;;) {
    const std::size_t slash = path.find('/', start);
    if (path.substr(start, slash == std::string_view::npos ? slash : slash - start) == kTmpDir) return false;
    if (slash == std::string_view::npos) return true;
    start = slash + 1;
  }
}

// Creates the missing directories above `file` (a path below root_): the root with its
// parents as the user named them, then below it only through scenario::make_dirs_beneath
// (no symbolic link followed, docs/security.md).
bool FileDisk::make_parents(const fs::path& file) {
  std::vector<fs::path> missing;
  for (fs::path d = root_; !d.empty(); d = d.parent_path()) {
    std::error_code ec;
    if (fs::is_directory(d, ec)) break;
    missing.push_back(d);
    if (d == d.parent_path()) break;
  }
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    if (::mkdir(it->c_str(), 0755) == 0) {
      dirty_ = true;
    } else if (errno != EEXIST) {
      return false;
    }
  }
  const std::string dir = file.parent_path().lexically_relative(root_).generic_string();
  if (dir.empty() || dir == ".") return true;
  if (!open_root()) return false;
  bool created = false;
  const bool ok = scenario::make_dirs_beneath(root_fd_, dir, &created);
  if (created) dirty_ = true;
  return ok;
}

// The descriptor the batches sync through, opened before the first change (the tree
// exists by then) rather than by the batch: running out of descriptors (EMFILE) then
// refuses that one change (SMTP 452, the client retries) instead of failing the disk.
bool FileDisk::open_root() {
  // O_NOFOLLOW: DIR/HOST itself may not be a link planted in DIR.
  if (root_fd_ < 0) root_fd_ = ::open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  return root_fd_ >= 0;
}

void FileDisk::before_change(const std::string& path) {
  if (!unlinking_.count(path)) return;
  if (barrier_) barrier_();  // the batch holding its unlink is over
  // Unlinked now, or kept (a failed sync): the change replaces it either way.
  unlinking_.erase(path);
  removing_.erase(path);
}

void FileDisk::cancel_removal(const std::string& path) {
  if (removing_.erase(path) == 0) return;
  removals_.erase(std::remove(removals_.begin(), removals_.end(), path), removals_.end());
}

bool FileDisk::write(const std::string& path, io::Bytes data) {
  if (failed_ || !valid_path(path) || !data) return false;
  const fs::path target = root_ / path;
  const std::string tmp_rel = std::string(kTmpDir) + "/" + std::to_string(::getpid()) + "." + std::to_string(++tmp_counter_);
  const fs::path tmp = root_ / tmp_rel;
  if (!make_parents(target) || !make_parents(tmp) || !open_root()) return false;
  before_change(path);
  // Replacing a file that may already be durable (an envelope rewritten in place, or one
  // whose removal is pending): the rename could reach the device before the new data,
  // and a crash then leaves an empty file where a durable one was (ext4's auto_da_alloc
  // hides that; XFS, btrfs and ext4 without it do not). So the data is synced first, as
  // Postfix syncs its queue file updates. A new name needs no such care: no promise rests
  // on it until the batch's syncfs.
  struct stat st {};
  // Anything but "no such file" counts as replacing: when in doubt, sync.
  const bool replacing = scenario::lstat_beneath(root_fd_, path, st) || errno != ENOENT;
  int fd = scenario::open_beneath(root_fd_, tmp_rel, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return false;
  // Otherwise no fsync and no early writeback (sync_file_range costs throughput:
  // docs/performance.md "Notes moved out of the code"): the batch's syncfs writes it; a
  // file removed before that never does.
  bool ok = write_all(fd, *data);
  if (ok && replacing) {
    ok = !fail_next_data_sync_ && ::fdatasync(fd) == 0;
    fail_next_data_sync_ = false;
    if (ok) ++data_syncs_;
  }
  ok = (::close(fd) == 0) && ok;
  if (!ok || !scenario::rename_beneath(root_fd_, tmp_rel, path)) {
    scenario::unlink_beneath(root_fd_, tmp_rel);
    return false;
  }
  cancel_removal(path);  // the old file is replaced, not to be unlinked later
  dirty_ = true;
  ++changes_;
  return true;
}

bool FileDisk::append(const std::string& path, std::string_view data) {
  if (failed_ || !valid_path(path)) return false;
  // Removed (not yet unlinked): the file starts anew, atomically over the old one.
  if (removing(path)) return write(path, data);
  const fs::path target = root_ / path;
  if (!make_parents(target) || !open_root()) return false;
  struct stat before {};
  bool existed = scenario::lstat_beneath(root_fd_, path, before);
  int fd = scenario::open_beneath(root_fd_, path, O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (fd < 0) return false;
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return false;
  }
  bool ok = write_all(fd, data);
  // All or nothing: cut back what a partial write left.
  if (!ok) (void)::ftruncate(fd, st.st_size);
  ok = (::close(fd) == 0) && ok;
  if (!ok) {
    if (!existed) scenario::unlink_beneath(root_fd_, path);
    return false;
  }
  dirty_ = true;
  ++changes_;
  return true;
}

bool FileDisk::rename(const std::string& from, const std::string& to) {
  if (failed_ || !valid_path(from) || !valid_path(to) || removing(from)) return false;
  struct stat st {};
  if (!open_root() || !scenario::lstat_beneath(root_fd_, from, st) || !S_ISREG(st.st_mode)) return false;
  if (!make_parents(root_ / to)) return false;
  before_change(to);
  if (!scenario::rename_beneath(root_fd_, from, to)) return false;
  cancel_removal(to);
  dirty_ = true;
  ++changes_;
  return true;
}

bool FileDisk::remove(const std::string& path) {
  if (failed_ || !valid_path(path) || removing(path)) return false;
  struct stat st {};
  if (!open_root() || !scenario::lstat_beneath(root_fd_, path, st) || !S_ISREG(st.st_mode)) return false;
  // Unlinked by the next batch, after its sync (see the header).
  removals_.push_back(path);
  ++changes_;
  ++removals_asked_;
  removing_.insert(path);
  return true;
}

bool FileDisk::sync() {
  const Batch b = begin_sync();
  const bool ok = run(b);
  if (ok) run_removals(b);
  end_sync(b, ok, ok);
  return ok;
}

FileDisk::Batch FileDisk::begin_sync() {
  Batch b;
  ++begun_;
  if (failed_) return b;
  // Every removal asked for so far: the writes it rests on are in this batch or earlier.
  if (!keep_removals_ && !removals_.empty() && open_root()) {
    b.dir_fd = root_fd_;
    for (auto& p : removals_) {
      unlinking_.insert(p);
      b.removals.push_back(std::move(p));
    }
    removals_.clear();
  }
  if (!dirty_) return b;
  dirty_ = false;
  // Every completed change opened the descriptor first. Without one, the only changes
  // are directories a failed change made: no promise rests on them.
  if (root_fd_ < 0 && !open_root()) return b;
  b.any = true;
  b.fd = fail_next_sync_ ? -1 : root_fd_;  // run() fails without a descriptor
  fail_next_sync_ = false;
  return b;
}

// One syncfs(2) rather than an fsync per changed file and directory: faster per batch
// (docs/performance.md, "Figures: Maildir with fsync"). syncfs also writes what other
// programs left dirty on that filesystem, which lengthens a batch under a heavy writer
// (replies wait longer; the promises hold; batches grow).
bool FileDisk::run(const Batch& b) {
  if (!b.any) return true;
  return b.fd >= 0 && ::syncfs(b.fd) == 0;
}

void FileDisk::run_removals(const Batch& b) {
  for (const auto& p : b.removals) scenario::unlink_beneath(b.dir_fd, p);
}

void FileDisk::end_sync(const Batch& b, bool ok, bool removed) {
  if (removed && !b.removals.empty() && !failed_) {
    dirty_ = true;  // the unlinks reach the device with the next batch
    ++changes_;
  }
  for (const auto& p : b.removals) {
    if (!unlinking_.erase(p)) continue;  // written again meanwhile (before_change)
    if (removed) {
      removing_.erase(p);
    } else {
      removals_.push_back(p);  // still hidden; never unlinked once a sync has failed
    }
  }
  if (failed_) return;
  if (!ok) {
    failed_ = true;  // a failed writeback is reported once: a later sync could lie
    return;
  }
  ++syncs_;
}

io::Bytes FileDisk::read(const std::string& path) const {
  if (!valid_path(path) || removing(path)) return nullptr;
  const int root = ::open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  int fd = root < 0 ? -1 : scenario::open_beneath(root, path, O_RDONLY);
  if (root >= 0) ::close(root);
  if (fd < 0) return nullptr;
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      return nullptr;
    }
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return io::make_bytes(std::move(out));
}

bool FileDisk::exists(const std::string& path) const {
  std::error_code ec;
  return valid_path(path) && !removing(path) && fs::is_regular_file(fs::symlink_status(root_ / path, ec));
}

std::vector<std::string> FileDisk::list(const std::string& prefix) const {
  std::vector<std::string> out;
  std::error_code ec;
  if (!fs::is_directory(root_, ec)) return out;
  for (auto it = fs::recursive_directory_iterator(root_, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (it->is_directory(ec) && it->path().filename() == kTmpDir) {
      it.disable_recursion_pending();
      continue;
    }
    if (!fs::is_regular_file(it->symlink_status(ec))) continue;  // a link is not a file of the tree
    std::string rel = it->path().lexically_relative(root_).generic_string();
    if (rel.compare(0, prefix.size(), prefix) == 0 && !removing(rel)) out.push_back(std::move(rel));
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::optional<std::uint64_t> FileDisk::free_bytes() const {
  // What an unprivileged writer may still use (f_bavail: root's reserve excluded), as
  // Postfix's fsspace() counts it.
  struct statvfs st {};
  if (::statvfs(root_.c_str(), &st) != 0) return std::nullopt;
  return static_cast<std::uint64_t>(st.f_bavail) * st.f_frsize;
}

std::size_t FileDisk::used_bytes() const {
  std::size_t total = 0;
  for (const auto& p : list("")) {
    std::error_code ec;
    auto n = fs::file_size(root_ / p, ec);
    if (!ec) total += static_cast<std::size_t>(n);
  }
  return total;
}

}  // namespace maillab::bridge
