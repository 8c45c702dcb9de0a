// The --mailboxes and --queue exports (cli.md): the virtual disks' mailboxes and queues
// written as real files that mutt, Python's mailbox module and an editor can open.
#include <filesystem>
#include <fstream>
#include <map>

#include "scenarios/runner.hpp"

namespace maillab::scenario {

namespace fs = std::filesystem;

namespace {

bool write_file(const fs::path& p, std::string_view data, std::string* error,
                bool keep_existing = false) {
  std::error_code ec;
  if (keep_existing && fs::exists(p, ec)) return true;
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

bool export_mailboxes(const World& w, const std::string& dir, std::string* error,
                      bool keep_existing) {
  for (const auto& [name, node] : w.hosts()) {
    if (!node->spec->mta && !node->spec->pop3) continue;
    const io::Disk& disk = node->disk;
    const bool mbox = w.mailbox_kind(name) == "mbox";
    // Every user of the host gets a (possibly empty) mailbox.
    for (const auto& [user, u] : node->spec->users) {
      fs::path base = fs::path(dir) / name;
      if (mbox) {
        auto bytes = disk.read("mail/" + user + ".mbox");
        if (!write_file(base / (user + ".mbox"), bytes ? *bytes : std::string(), error, keep_existing))
          return false;
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
      if (!write_file(fs::path(dir) / name / path.substr(5), *bytes, error, keep_existing)) return false;
    }
  }
  return export_fetched(w, dir, error);
}

bool export_fetched(const World& w, const std::string& dir, std::string* error) {
  // The user's view: what each MUA downloaded by POP3, as a Maildir named after the
  // account, DIR/<client host>/<user>@<server>/ (LF line ends, like the server side).
  std::map<std::string, int> counters;
  for (const auto& f : w.fetches()) {
    const std::string client = f.client.empty() ? f.server : f.client;
    fs::path base = fs::path(dir) / client / (f.user + "@" + f.server);
    std::error_code ec;
    for (const char* sub : {"cur", "new", "tmp"}) fs::create_directories(base / sub, ec);
    for (const auto& m : f.result.messages) {
      int n = ++counters[base.string()];
      std::string lf;
      lf.reserve(m.content.size());
      for (std::size_t i = 0; i < m.content.size(); ++i) {
        if (m.content[i] == '\r' && i + 1 < m.content.size() && m.content[i + 1] == '\n') continue;
        lf += m.content[i];
      }
      std::string name = std::to_string(f.time / 1000000000) + "." + std::to_string(n) + ".pop3";
      if (!write_file(base / "new" / name, lf, error)) return false;
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
