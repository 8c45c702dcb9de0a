#include "scenarios/beneath.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace maillab::scenario {
namespace {

// Opens the directory that holds `rel`'s last component, one component at a time with
// O_NOFOLLOW; `leaf` gets that last component. -1 on failure.
int open_parent(int dir, std::string_view rel, std::string_view& leaf, bool create, bool* created) {
  if (!valid_beneath_path(rel)) {
    errno = EINVAL;
    return -1;
  }
  int fd = ::fcntl(dir, F_DUPFD_CLOEXEC, 0);
  while (fd >= 0) {
    const std::size_t slash = rel.find('/');
    if (slash == std::string_view::npos) {
      leaf = rel;
      return fd;
    }
    const std::string part(rel.substr(0, slash));
    rel.remove_prefix(slash + 1);
    int next = ::openat(fd, part.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (next < 0 && errno == ENOENT && create) {
      if (::mkdirat(fd, part.c_str(), 0755) == 0) {
        if (created) *created = true;
      } else if (errno != EEXIST) {
        const int saved = errno;
        ::close(fd);
        errno = saved;
        return -1;
      }
      next = ::openat(fd, part.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    }
    const int saved = errno;
    ::close(fd);
    errno = saved;
    fd = next;
  }
  return -1;
}

// Closes a descriptor keeping errno.
void close_keep_errno(int fd) {
  const int saved = errno;
  ::close(fd);
  errno = saved;
}

}  // namespace

bool valid_beneath_path(std::string_view rel) {
  if (rel.empty() || rel.front() == '/') return false;
  std::size_t start = 0;
  while (true) {
    const std::size_t slash = rel.find('/', start);
    const std::string_view part = rel.substr(start, slash == std::string_view::npos ? slash : slash - start);
    if (part.empty() || part == "." || part == ".." || part.find('\0') != std::string_view::npos) return false;
    if (slash == std::string_view::npos) return true;
    start = slash + 1;
  }
}

int open_beneath(int dir, std::string_view rel, int flags, mode_t mode, bool make_parents, bool* created) {
  std::string_view leaf;
  const int parent = open_parent(dir, rel, leaf, make_parents, created);
  if (parent < 0) return -1;
  const int fd = ::openat(parent, std::string(leaf).c_str(), flags | O_NOFOLLOW | O_CLOEXEC, mode);
  close_keep_errno(parent);
  return fd;
}

bool make_dirs_beneath(int dir, std::string_view rel, bool* created) {
  std::string_view leaf;
  const int parent = open_parent(dir, rel, leaf, true, created);
  if (parent < 0) return false;
  const std::string name(leaf);
  if (::mkdirat(parent, name.c_str(), 0755) == 0) {
    if (created) *created = true;
    ::close(parent);
    return true;
  }
  // Already there: a directory, not a link to one.
  const int fd = errno == EEXIST ? ::openat(parent, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) : -1;
  close_keep_errno(parent);
  if (fd < 0) return false;
  ::close(fd);
  return true;
}

bool rename_beneath(int dir, std::string_view from, std::string_view to) {
  std::string_view from_leaf, to_leaf;
  const int a = open_parent(dir, from, from_leaf, false, nullptr);
  if (a < 0) return false;
  const int b = open_parent(dir, to, to_leaf, true, nullptr);
  if (b < 0) {
    close_keep_errno(a);
    return false;
  }
  const bool ok = ::renameat(a, std::string(from_leaf).c_str(), b, std::string(to_leaf).c_str()) == 0;
  close_keep_errno(a);
  close_keep_errno(b);
  return ok;
}

bool unlink_beneath(int dir, std::string_view rel) {
  std::string_view leaf;
  const int parent = open_parent(dir, rel, leaf, false, nullptr);
  if (parent < 0) return false;
  const bool ok = ::unlinkat(parent, std::string(leaf).c_str(), 0) == 0;
  close_keep_errno(parent);
  return ok;
}

bool lstat_beneath(int dir, std::string_view rel, struct stat& st) {
  std::string_view leaf;
  const int parent = open_parent(dir, rel, leaf, false, nullptr);
  if (parent < 0) return false;
  const bool ok = ::fstatat(parent, std::string(leaf).c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0;
  close_keep_errno(parent);
  return ok;
}

bool write_beneath(const std::filesystem::path& root, std::string_view rel, std::string_view data,
                   std::string* error, bool keep_existing) {
  auto failed = [&](const char* what) {
    *error = std::string("cannot ") + what + " " + (root / std::string(rel)).string() + ": " + std::strerror(errno);
    return false;
  };
  std::error_code ec;
  std::filesystem::create_directories(root, ec);
  const int dir = ::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) return failed("open the directory of");
  const int flags = O_WRONLY | O_CREAT | (keep_existing ? O_EXCL : O_TRUNC);
  const int fd = open_beneath(dir, rel, flags, 0644, true);
  close_keep_errno(dir);
  if (fd < 0) {
    if (keep_existing && errno == EEXIST) return true;
    return failed("write");
  }
  bool ok = true;
  while (ok && !data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) data.remove_prefix(static_cast<std::size_t>(n));
  }
  if (::close(fd) != 0) ok = false;
  return ok || failed("write");
}

}  // namespace maillab::scenario
