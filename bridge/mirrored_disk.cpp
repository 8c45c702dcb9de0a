#include "bridge/mirrored_disk.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <set>

#include "scenarios/beneath.hpp"

namespace maillab::bridge {

namespace {

namespace fs = std::filesystem;

// The virtual path of a file at `rel` under the host's directory, or none: the inverse
// of MirroredDisk::real_path. Maildir tmp/ and the FileDisk's temporaries are unfinished
// writes, never part of the disk's state.
std::optional<std::string> virtual_path(const fs::path& rel, const std::set<std::string>& users) {
  std::string p = rel.generic_string();
  if (!FileDisk::valid_path(p) || p.rfind(".maillab-tmp/", 0) == 0) return std::nullopt;
  if (p.rfind(".disk/", 0) == 0) return p.substr(6);
  // mail/USER.mbox, or mail/USER/{new,cur}/NAME, for the host's users only (not what the
  // export of fetched mail or a person left beside them).
  const auto slash = p.find('/');
  if (slash == std::string::npos) {
    const std::string_view name(p);
    if (name.size() > 5 && name.substr(name.size() - 5) == ".mbox" &&
        users.count(std::string(name.substr(0, name.size() - 5))))
      return "mail/" + p;
    return std::nullopt;
  }
  const std::string_view rest = std::string_view(p).substr(slash + 1);
  if (users.count(p.substr(0, slash)) && (rest.rfind("new/", 0) == 0 || rest.rfind("cur/", 0) == 0) &&
      rest.find('/', 4) == std::string_view::npos)
    return "mail/" + p;
  return std::nullopt;
}

}  // namespace

bool MirroredDisk::restore(io::MemoryDisk& memory, const fs::path& host_dir,
                           const std::set<std::string>& users, std::string* error) {
  std::error_code ec;
  if (!fs::is_directory(host_dir, ec)) return true;  // a new host: nothing to restore
  // Read below host_dir only: a symbolic link planted there (to a file of someone else's)
  // is neither listed nor followed (docs/security.md), nor may host_dir be one.
  const int root = ::open(host_dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (root < 0) {
    *error = "cannot open " + host_dir.string() + ": " + std::strerror(errno);
    return false;
  }
  for (fs::recursive_directory_iterator it(host_dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (!fs::is_regular_file(it->symlink_status(ec))) continue;
    const fs::path rel = it->path().lexically_relative(host_dir);
    auto path = virtual_path(rel, users);
    if (!path) continue;
    std::string bytes;
    const int fd = scenario::open_beneath(root, rel.generic_string(), O_RDONLY);
    bool ok = fd >= 0;
    char buf[65536];
    while (ok) {
      const ssize_t n = ::read(fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        ok = n == 0;
        break;
      }
      bytes.append(buf, static_cast<std::size_t>(n));
    }
    if (fd >= 0) ::close(fd);
    if (!ok || !memory.write(*path, io::make_bytes(std::move(bytes)))) {
      ::close(root);
      *error = "cannot load " + it->path().string();
      return false;
    }
  }
  ::close(root);
  if (ec) {
    *error = "cannot read " + host_dir.string() + ": " + ec.message();
    return false;
  }
  return true;
}

MirroredDisk::MirroredDisk(io::MemoryDisk& memory, std::filesystem::path host_dir)
    : memory_(memory), files_(std::move(host_dir)) {}

std::string MirroredDisk::real_path(const std::string& p) {
  if (p.rfind("mail/", 0) == 0 && p.size() > 5) return p.substr(5);
  return ".disk/" + p;
}

bool MirroredDisk::write(const std::string& path, io::Bytes data) {
  if (memory_.full() || path.empty() || !data) return false;
  if (!files_.write(real_path(path), data)) return false;
  return memory_.write(path, std::move(data));
}

bool MirroredDisk::append(const std::string& path, std::string_view data) {
  if (memory_.full() || path.empty()) return false;
  if (!files_.append(real_path(path), data)) return false;
  return memory_.append(path, data);
}

bool MirroredDisk::rename(const std::string& from, const std::string& to) {
  if (memory_.full() || !memory_.exists(from)) return false;
  if (!files_.rename(real_path(from), real_path(to))) return false;
  return memory_.rename(from, to);
}

bool MirroredDisk::remove(const std::string& path) {
  if (!memory_.exists(path)) return false;
  // A file that never reached the real disk (or was removed there by hand) is still
  // removed from the virtual one: removal cannot leave a message half-delivered.
  files_.remove(real_path(path));
  return memory_.remove(path);
}

}  // namespace maillab::bridge
