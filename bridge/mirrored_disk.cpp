#include "bridge/mirrored_disk.hpp"

namespace maillab::bridge {

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
