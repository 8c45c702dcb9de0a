// The --mailboxes and --queue exports (cli.md): the virtual disks' mailboxes and queues
// written as real files that mutt, Python's mailbox module and an editor can open. Every
// file is opened below the directory given and nowhere else (scenarios/beneath.hpp): a
// symbolic link planted there is not followed, a name cannot climb out.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>

#include "scenarios/beneath.hpp"
#include "scenarios/runner.hpp"

namespace maillab::scenario {

namespace fs = std::filesystem;

namespace {

bool write_file(const std::string& dir, const std::string& rel, std::string_view data, std::string* error,
                bool keep_existing = false) {
  return write_beneath(dir, rel, data, error, keep_existing);
}

// DIR/rel/{cur,new,tmp}, below DIR only.
bool make_maildir(const std::string& dir, const std::string& rel, std::string* error) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  const int root = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  bool ok = root >= 0;
  for (const char* sub : {"cur", "new", "tmp"}) ok = ok && make_dirs_beneath(root, rel + "/" + sub);
  if (!ok) *error = "cannot create " + (fs::path(dir) / rel).string() + ": " + std::strerror(errno);
  if (root >= 0) ::close(root);
  return ok;
}

}  // namespace

bool export_mailboxes(const World& w, const std::string& dir, std::string* error,
                      bool keep_existing) {
  for (const auto& [name, node] : w.hosts()) {
    if (!node->spec->mta && !node->spec->pop3 && !node->spec->imap) continue;
    const io::Disk& disk = node->disk;
    const bool mbox = w.mailbox_kind(name) == "mbox";
    // Every user of the host gets a (possibly empty) mailbox.
    for (const auto& [user, u] : node->spec->users) {
      if (mbox) {
        auto bytes = disk.read("mail/" + user + ".mbox");
        if (!write_file(dir, name + "/" + user + ".mbox", bytes ? *bytes : std::string(), error, keep_existing))
          return false;
      } else if (!make_maildir(dir, name + "/" + user, error)) {
        return false;
      }
    }
    if (mbox) continue;
    // Every Maildir++ folder (mail/<user>/.<name>/maildirfolder) gets cur, new and tmp too,
    // empty ones included: Python's mailbox.Maildir lists cur/ and new/ of a folder it opens.
    for (const auto& path : disk.list("mail/")) {
      const std::string marker = "/maildirfolder";
      if (path.size() <= 5 + marker.size() || path.compare(path.size() - marker.size(), marker.size(), marker) != 0)
        continue;
      if (!make_maildir(dir, name + "/" + path.substr(5, path.size() - 5 - marker.size()), error)) return false;
    }
    for (const auto& path : disk.list("mail/")) {
      // mail/<user>/{new,cur}/<name>
      auto bytes = disk.read(path);
      if (!bytes) continue;
      if (!write_file(dir, name + "/" + path.substr(5), *bytes, error, keep_existing)) return false;
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
    const std::string base = client + "/" + f.user + "@" + f.server;
    if (!make_maildir(dir, base, error)) return false;
    for (const auto& m : f.result.messages) {
      int n = ++counters[base];
      std::string lf;
      lf.reserve(m.content.size());
      for (std::size_t i = 0; i < m.content.size(); ++i) {
        if (m.content[i] == '\r' && i + 1 < m.content.size() && m.content[i + 1] == '\n') continue;
        lf += m.content[i];
      }
      std::string name = std::to_string(f.time / 1000000000) + "." + std::to_string(n) + ".pop3";
      if (!write_file(dir, base + "/new/" + name, lf, error)) return false;
    }
  }
  return true;
}

bool export_queues(const World& w, const std::string& dir, std::string* error) {
  // DIR is made even when every queue is empty: the user sees "nothing queued", and a DIR
  // that cannot be made is an error, whatever the queues hold.
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    *error = "cannot create " + dir + ": " + ec.message();
    return false;
  }
  for (const auto& [name, node] : w.hosts()) {
    for (const auto& q : w.queue_of(name)) {
      auto bytes = node->disk.read(mta::QueueFile::content_path(q.id));
      if (!bytes) continue;
      if (!write_file(dir, name + "/" + q.id + ".eml", *bytes, error)) return false;
    }
  }
  return true;
}

}  // namespace maillab::scenario
