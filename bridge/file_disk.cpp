#include "bridge/file_disk.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <system_error>

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

bool sync_path(const fs::path& p) {
  int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = ::fsync(fd) == 0;
  ::close(fd);
  return ok;
}

FileDisk::FileDisk(fs::path root) : root_(std::move(root)) {}

bool FileDisk::valid_path(std::string_view path) {
  if (path.empty() || path.front() == '/' || path.back() == '/') return false;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t slash = path.find('/', start);
    std::string_view part = path.substr(start, slash == std::string_view::npos ? slash : slash - start);
    if (part.empty() || part == "." || part == ".." || part == kTmpDir) return false;
    if (part.find('\0') != std::string_view::npos) return false;
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return true;
}

// Creates the missing directories above `file`, syncing each parent whose entries change.
bool FileDisk::make_parents(const fs::path& file) {
  fs::path dir = file.parent_path();
  std::vector<fs::path> missing;
  for (fs::path d = dir; !d.empty(); d = d.parent_path()) {
    std::error_code ec;
    if (fs::is_directory(d, ec)) break;
    missing.push_back(d);
    if (d == d.parent_path()) break;
  }
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    if (::mkdir(it->c_str(), 0755) != 0 && errno != EEXIST) return false;
    if (!sync_path(it->parent_path())) return false;
  }
  return true;
}

bool FileDisk::write(const std::string& path, io::Bytes data) {
  if (!valid_path(path) || !data) return false;
  const fs::path target = root_ / path;
  const fs::path tmp = root_ / kTmpDir / (std::to_string(::getpid()) + "." + std::to_string(++tmp_counter_));
  if (!make_parents(target) || !make_parents(tmp)) return false;
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  bool ok = write_all(fd, *data) && ::fsync(fd) == 0;
  ok = (::close(fd) == 0) && ok;
  if (!ok || ::rename(tmp.c_str(), target.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return false;
  }
  // The target's directory only: the temporary's old entry carries no promise (a crash may
  // leave it in .maillab-tmp/, which nothing reads), and one fsync less per write is 4 of
  // the 17 a message cost in `serve --mailboxes` (bench/run.sh Maildir row).
  return sync_path(target.parent_path());
}

bool FileDisk::append(const std::string& path, std::string_view data) {
  if (!valid_path(path)) return false;
  const fs::path target = root_ / path;
  if (!make_parents(target)) return false;
  std::error_code ec;
  bool existed = fs::exists(target, ec);
  int fd = ::open(target.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return false;
  }
  bool ok = write_all(fd, data) && ::fsync(fd) == 0;
  if (!ok) {
    // All or nothing: cut back what a partial write left.
    if (::ftruncate(fd, st.st_size) == 0) (void)::fsync(fd);
  }
  ok = (::close(fd) == 0) && ok;
  if (!ok) {
    if (!existed) ::unlink(target.c_str());
    return false;
  }
  return existed || sync_path(target.parent_path());
}

bool FileDisk::rename(const std::string& from, const std::string& to) {
  if (!valid_path(from) || !valid_path(to)) return false;
  const fs::path a = root_ / from, b = root_ / to;
  std::error_code ec;
  if (!fs::is_regular_file(a, ec)) return false;
  if (!make_parents(b)) return false;
  if (::rename(a.c_str(), b.c_str()) != 0) return false;
  bool ok = sync_path(b.parent_path());
  if (a.parent_path() != b.parent_path()) ok = sync_path(a.parent_path()) && ok;
  return ok;
}

bool FileDisk::remove(const std::string& path) {
  if (!valid_path(path)) return false;
  const fs::path p = root_ / path;
  if (::unlink(p.c_str()) != 0) return false;
  return sync_path(p.parent_path());
}

io::Bytes FileDisk::read(const std::string& path) const {
  if (!valid_path(path)) return nullptr;
  int fd = ::open((root_ / path).c_str(), O_RDONLY | O_CLOEXEC);
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
  return valid_path(path) && fs::is_regular_file(root_ / path, ec);
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
    if (!it->is_regular_file(ec)) continue;
    std::string rel = it->path().lexically_relative(root_).generic_string();
    if (rel.compare(0, prefix.size(), prefix) == 0) out.push_back(std::move(rel));
  }
  std::sort(out.begin(), out.end());
  return out;
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
