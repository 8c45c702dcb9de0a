// The --mailboxes and --queue exports (cli.md): the virtual disks' mailboxes and queues
// written as real files that mutt, Python's mailbox module and an editor can open.
#include <filesystem>
#include <fstream>

#include "scenarios/runner.hpp"

namespace maillab::scenario {

namespace fs = std::filesystem;

namespace {

bool write_file(const fs::path& p, std::string_view data, std::string* error) {
  std::error_code ec;
  fs::create_directories(p.parent_path(), ec);
  std::ofstream f(p, std::ios::binary);
  f.write(data.data(), static_cast<std::streamsize>(data.size()));
  if (!f) {
    *error = "cannot write " + p.string();
    return false;
  }
  return true;
}

}  // namespace

bool export_mailboxes(const World& w, const std::string& dir, std::string* error) {
  for (const auto& [name, node] : w.hosts()) {
    if (!node->spec->mta && !node->spec->pop3) continue;
    const io::Disk& disk = node->disk;
    const bool mbox = w.mailbox_kind(name) == "mbox";
    // Every user of the host gets a (possibly empty) mailbox.
    for (const auto& [user, u] : node->spec->users) {
      fs::path base = fs::path(dir) / name;
      if (mbox) {
        auto bytes = disk.read("mail/" + user + ".mbox");
        if (!write_file(base / (user + ".mbox"), bytes ? *bytes : std::string(), error)) return false;
      } else {
        std::error_code ec;
        for (const char* sub : {"cur", "new", "tmp"}) fs::create_directories(base / user / sub, ec);
        if (ec) {
          *error = "cannot create " + (base / user).string();
          return false;
        }
      }
    }
    if (mbox) continue;
    for (const auto& path : disk.list("mail/")) {
      // mail/<user>/{new,cur}/<name>
      auto bytes = disk.read(path);
      if (!bytes) continue;
      if (!write_file(fs::path(dir) / name / path.substr(5), *bytes, error)) return false;
    }
  }
  return true;
}

bool export_queues(const World& w, const std::string& dir, std::string* error) {
  for (const auto& [name, node] : w.hosts()) {
    for (const auto& q : w.queue_of(name)) {
      auto bytes = node->disk.read(mta::QueueFile::content_path(q.id));
      if (!bytes) continue;
      if (!write_file(fs::path(dir) / name / (q.id + ".eml"), *bytes, error)) return false;
    }
  }
  return true;
}

}  // namespace maillab::scenario
