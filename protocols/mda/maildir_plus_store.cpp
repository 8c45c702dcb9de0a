#include "protocols/mda/maildir_plus_store.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "protocols/mda/dovecot_files.hpp"
#include "protocols/mda/maildir_store.hpp"
#include "protocols/message/hash.hpp"
#include "protocols/message/line_endings.hpp"
#include "protocols/message/modified_utf7.hpp"

namespace maillab::mda {
namespace {

std::string normalise_root(std::string root) {
  if (!root.empty() && root.back() != '/') root += '/';
  return root;
}

std::string_view key_of(std::string_view name) { return name.substr(0, name.find(':')); }

// ",W=<n>" in a Maildir name: the CRLF size (Dovecot's virtual size).
std::optional<std::uint64_t> w_size(std::string_view key) {
  const std::size_t at = key.find(",W=");
  if (at == std::string_view::npos) return std::nullopt;
  std::uint64_t v = 0;
  std::size_t i = at + 3, start = i;
  while (i < key.size() && key[i] >= '0' && key[i] <= '9' && i - start < 19) v = v * 10 + static_cast<std::uint64_t>(key[i++] - '0');
  if (i == start) return std::nullopt;
  return v;
}

// The Unix time a Maildir name starts with; names from elsewhere may say anything, so
// it is kept to 1970-2200 (what simulated nanoseconds can hold), else 0.
std::int64_t leading_seconds(std::string_view key) {
  std::int64_t v = 0;
  std::size_t i = 0;
  while (i < key.size() && i < 18 && key[i] >= '0' && key[i] <= '9') v = v * 10 + (key[i++] - '0');
  return v < 7258118400 ? v : 0;
}

std::string guid(const std::string& user, const Folder& f) {
  const std::string seed = user + "/" + f.name + "/" + std::to_string(f.uidvalidity);
  return message::hex64(message::fnv1a(seed)) + message::hex64(message::fnv1a(seed + "#"));
}

struct FoundFile {
  std::string key;
  std::string path;
  bool in_new = false;
  std::uint8_t flags = 0;
  std::uint32_t keywords = 0;
};

}  // namespace

MaildirPlusStore::MaildirPlusStore(io::Disk& disk, std::string root, std::string hostname)
    : MemoryMailboxStore(std::move(hostname)), disk_(disk), root_(normalise_root(std::move(root))) {}

std::string MaildirPlusStore::folder_dir(const std::string& user, std::string_view name) const {
  if (name == "INBOX") return user_dir(user);
  return user_dir(user) + "." + message::encode_modified_utf7(name) + "/";
}

std::vector<std::string> MaildirPlusStore::maildir_directories(const std::string& user) {
  std::vector<std::string> out;
  for (const Folder* f : folders(user)) {
    const std::string dir = folder_dir(user, f->name);
    for (const char* sub : {"cur/", "new/", "tmp/"}) out.push_back(dir + sub);
  }
  return out;
}

std::vector<std::string> MaildirPlusStore::users() {
  std::set<std::string> names;
  for (const auto& user : known_users()) names.insert(user);
  for (const auto& path : disk_.list(root_)) {
    const std::string_view rest = std::string_view(path).substr(root_.size());
    const std::size_t slash = rest.find('/');
    if (slash != std::string_view::npos && slash > 0) names.emplace(rest.substr(0, slash));
  }
  return {names.begin(), names.end()};
}

std::optional<std::string> MaildirPlusStore::find_file(const std::string& dir, const std::string& key) const {
  if (disk_.exists(dir + "new/" + key)) return dir + "new/" + key;
  const std::string cur = dir + "cur/";
  for (const auto& path : disk_.list(cur + key)) {
    const std::string_view name = std::string_view(path).substr(cur.size());
    if (name.find('/') == std::string_view::npos && key_of(name) == key) return path;
  }
  return std::nullopt;
}

// --- loading -----------------------------------------------------------------------------------

bool MaildirPlusStore::load_user(const std::string& user, UserState& u) {
  const std::string prefix = user_dir(user);
  const std::vector<std::string> paths = disk_.list(prefix);
  if (paths.empty()) return false;
  std::map<std::string, std::vector<std::string>> by_dir;  // "" (INBOX) or ".name"
  by_dir[""];
  for (const auto& path : paths) {
    const std::string_view rest = std::string_view(path).substr(prefix.size());
    if (rest.empty()) continue;
    if (rest.front() == '.') {
      const std::size_t slash = rest.find('/');
      if (slash == std::string_view::npos || slash == 1) continue;  // a dot file of the root
      by_dir[std::string(rest.substr(0, slash))].push_back(path);
    } else {
      by_dir[""].push_back(path);
    }
  }
  if (auto v = disk_.read(prefix + "dovecot-uidvalidity")) {
    std::uint64_t x = 0;
    for (char c : *v) {
      const int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
      if (d < 0 || x > 0xFFFFFFFull) break;
      x = x * 16 + static_cast<std::uint64_t>(d);
    }
    u.last_uidvalidity = static_cast<std::uint32_t>(x);
  }
  for (const auto& [dir, files] : by_dir) load_folder(user, u, dir, files);
  if (auto subs = disk_.read(prefix + "subscriptions")) {
    std::size_t start = 0;
    while (start < subs->size()) {
      std::size_t nl = subs->find('\n', start);
      if (nl == std::string::npos) nl = subs->size();
      std::string line = subs->substr(start, nl - start);
      start = nl + 1;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      const std::string name = canonical_folder_name(message::decode_modified_utf7(line).value_or(line));
      if (valid_folder_name(name)) u.subscriptions.push_back(name);
    }
    std::sort(u.subscriptions.begin(), u.subscriptions.end());
    u.subscriptions.erase(std::unique(u.subscriptions.begin(), u.subscriptions.end()), u.subscriptions.end());
  }
  return true;
}

void MaildirPlusStore::load_folder(const std::string& user, UserState& u, const std::string& dir_name,
                                   const std::vector<std::string>& paths) {
  std::string name = "INBOX";
  if (!dir_name.empty()) {
    const std::string raw = dir_name.substr(1);
    name = canonical_folder_name(message::decode_modified_utf7(raw).value_or(raw));
    // A name this store would not have written (raw UTF-8, ".inbox") is left alone.
    if (!valid_folder_name(name) || u.folders.count(name) || message::encode_modified_utf7(name) != raw) return;
  }
  const std::string dir = folder_dir(user, name);
  auto state = new_folder_state(name);
  Folder& f = state->folder;
  std::vector<FoundFile> files;
  for (const auto& path : paths) {
    const std::string_view rest = std::string_view(path).substr(dir.size());
    const bool in_new = rest.rfind("new/", 0) == 0;
    if (!in_new && rest.rfind("cur/", 0) != 0) continue;
    const std::string_view file = rest.substr(4);
    if (file.empty() || file.find('/') != std::string_view::npos || file.front() == '.') continue;
    FoundFile ff;
    ff.key = std::string(key_of(file));
    ff.path = path;
    ff.in_new = in_new;
    const std::size_t info = file.find(":2,");
    if (!in_new && info != std::string_view::npos) parse_maildir_flags(file.substr(info + 3), ff.flags, ff.keywords);
    files.push_back(std::move(ff));
  }
  std::sort(files.begin(), files.end(), [](const FoundFile& a, const FoundFile& b) {
    return MaildirStore::older(a.key, b.key);
  });
  files.erase(std::unique(files.begin(), files.end(), [](const FoundFile& a, const FoundFile& b) { return a.key == b.key; }),
              files.end());
  std::optional<UidList> list;
  if (auto text = disk_.read(dir + "dovecot-uidlist")) list = parse_uidlist(*text);
  if (auto text = disk_.read(dir + "dovecot-keywords")) f.keywords = parse_keywords(*text);
  std::map<std::string, std::uint32_t, std::less<>> uid_of;
  bool changed = !list || list->uidvalidity == 0;
  if (list) {
    for (const auto& [uid, key] : list->records) uid_of.emplace(key, uid);
    f.uidvalidity = list->uidvalidity;
    f.uidnext = std::max<std::uint32_t>(list->uidnext, 1);
  }
  if (f.uidvalidity == 0) {
    std::int64_t oldest = files.empty() ? 0 : leading_seconds(files.front().key);
    std::uint32_t v = oldest > 0 && oldest < 0xFFFFFFFFll ? static_cast<std::uint32_t>(oldest) : 1;
    if (v <= u.last_uidvalidity) v = u.last_uidvalidity + 1;
    f.uidvalidity = v;
  }
  u.last_uidvalidity = std::max(u.last_uidvalidity, f.uidvalidity);
  std::vector<MailboxMessage> known, unknown;
  for (const FoundFile& ff : files) {
    MailboxMessage m;
    m.key = ff.key;
    m.flags = ff.flags;
    m.keywords = ff.keywords;
    m.recent = ff.in_new;
    m.internal_date = leading_seconds(ff.key);
    if (auto w = w_size(ff.key)) {
      m.size = *w;
    } else if (auto data = disk_.read(ff.path)) {
      m.size = message::lf_to_crlf(*data).size();
    }
    auto it = uid_of.find(ff.key);
    if (it != uid_of.end() && it->second < f.uidnext) {
      m.uid = it->second;
      known.push_back(std::move(m));
    } else {
      unknown.push_back(std::move(m));
    }
  }
  changed = changed || known.size() != uid_of.size() || !unknown.empty();
  std::sort(known.begin(), known.end(), [](const MailboxMessage& a, const MailboxMessage& b) { return a.uid < b.uid; });
  for (MailboxMessage& m : unknown) {
    if (f.uidnext == 0xFFFFFFFFu) break;
    m.uid = f.uidnext++;
    known.push_back(std::move(m));
  }
  f.messages = std::move(known);
  FolderState& stored = *u.folders.emplace(name, std::move(state)).first->second;
  if (changed) save_index(user, stored);
}

// --- writing -----------------------------------------------------------------------------------

bool MaildirPlusStore::save_index(const std::string& user, const FolderState& fs) {
  const Folder& f = fs.folder;
  const std::string dir = folder_dir(user, f.name);
  UidList list;
  list.uidvalidity = f.uidvalidity;
  list.uidnext = f.uidnext;
  list.guid = guid(user, f);
  list.records.reserve(f.messages.size());
  for (const auto& m : f.messages) list.records.emplace_back(m.uid, m.key);
  if (!disk_.write(dir + "dovecot-uidlist", std::string_view(format_uidlist(list)))) return false;
  if (f.keywords.empty()) return true;
  const std::string keywords = format_keywords(f.keywords);
  auto existing = disk_.read(dir + "dovecot-keywords");
  return (existing && *existing == keywords) || disk_.write(dir + "dovecot-keywords", std::string_view(keywords));
}

bool MaildirPlusStore::save_new_folder(const std::string& user, FolderState& f) {
  const std::string dir = folder_dir(user, f.folder.name);
  const bool marker = f.folder.name != "INBOX";
  if (marker && !disk_.write(dir + "maildirfolder", std::string_view())) return false;
  if (save_index(user, f)) return true;
  if (marker) disk_.remove(dir + "maildirfolder");  // no half-made folder for the next load
  return false;
}

bool MaildirPlusStore::remove_folder(const std::string& user, const FolderState& f) {
  if (f.folder.name == "INBOX") return false;
  for (const auto& path : disk_.list(folder_dir(user, f.folder.name))) disk_.remove(path);
  return true;
}

bool MaildirPlusStore::move_folder(const std::string& user, const FolderState& f, std::string_view to) {
  const std::string from_dir = folder_dir(user, f.folder.name);
  const std::string to_dir = folder_dir(user, to);
  std::vector<std::pair<std::string, std::string>> moved;
  for (const auto& path : disk_.list(from_dir)) {
    const std::string target = to_dir + path.substr(from_dir.size());
    if (!disk_.rename(path, target)) {
      for (auto it = moved.rbegin(); it != moved.rend(); ++it) disk_.rename(it->second, it->first);
      return false;
    }
    moved.emplace_back(path, target);
  }
  return true;
}

bool MaildirPlusStore::save_message(const std::string& user, FolderState& f, const MailboxMessage& m,
                                    const io::Bytes& content) {
  const std::string dir = folder_dir(user, f.folder.name);
  const std::string tmp = dir + "tmp/" + m.key;
  const std::string final_path = (m.flags || m.keywords)
                                     ? dir + "cur/" + m.key + ":2," + maildir_flag_letters(m.flags, m.keywords)
                                     : dir + "new/" + m.key;
  if (!disk_.write(tmp, std::string_view(message::crlf_to_lf(*content))) || !disk_.rename(tmp, final_path)) {
    disk_.remove(tmp);
    return false;
  }
  return true;
}

bool MaildirPlusStore::save_flags(const std::string& user, FolderState& f, const MailboxMessage& before,
                                  const MailboxMessage& after) {
  const std::string dir = folder_dir(user, f.folder.name);
  const auto path = find_file(dir, before.key);
  if (!path) return false;
  const std::string target = dir + "cur/" + after.key + ":2," + maildir_flag_letters(after.flags, after.keywords);
  return *path == target || disk_.rename(*path, target);
}

bool MaildirPlusStore::remove_message(const std::string& user, FolderState& f, const MailboxMessage& m) {
  const auto path = find_file(folder_dir(user, f.folder.name), m.key);
  return !path || disk_.remove(*path);
}

bool MaildirPlusStore::save_subscriptions(const std::string& user, const UserState& u) {
  std::string text;
  for (const auto& name : u.subscriptions) text += message::encode_modified_utf7(name) + "\n";
  return disk_.write(user_dir(user) + "subscriptions", std::string_view(text));
}

bool MaildirPlusStore::save_uidvalidity(const std::string& user, const UserState& u) {
  char hex[9];
  std::snprintf(hex, sizeof hex, "%08x", u.last_uidvalidity);
  return disk_.write(user_dir(user) + "dovecot-uidvalidity", std::string_view(hex, 8));
}

void MaildirPlusStore::recent_claimed(const std::string& user, FolderState& f, const std::vector<std::uint32_t>& uids) {
  // Dovecot moves what a session has seen from new/ to cur/.
  const std::string dir = folder_dir(user, f.folder.name);
  for (std::uint32_t uid : uids) {
    const MailboxMessage* m = f.folder.find(uid);
    if (m == nullptr || !disk_.exists(dir + "new/" + m->key)) continue;
    disk_.rename(dir + "new/" + m->key, dir + "cur/" + m->key + ":2," + maildir_flag_letters(m->flags, m->keywords));
  }
}

io::Bytes MaildirPlusStore::load_content(const std::string& user, const FolderState& f, const MailboxMessage& m) {
  const auto path = find_file(folder_dir(user, f.folder.name), m.key);
  if (!path) return nullptr;
  io::Bytes data = disk_.read(*path);
  return data ? io::make_bytes(message::lf_to_crlf(*data)) : nullptr;
}

}  // namespace maillab::mda
