#include "protocols/mda/memory_mailbox_store.hpp"

#include <algorithm>

#include "base/ascii.hpp"
#include "protocols/mda/mail_store.hpp"
#include "protocols/mda/maildir_store.hpp"
#include "protocols/message/date.hpp"

namespace maillab::mda {
namespace {

constexpr std::string_view kDefaultFolders[] = {"INBOX", "Sent", "Drafts", "Junk", "Trash"};


std::size_t crlf_pairs(std::string_view s) {
  std::size_t n = 0;
  for (std::size_t i = 0; i + 1 < s.size(); ++i) n += s[i] == '\r' && s[i + 1] == '\n';
  return n;
}

// The levels above `name`: "a.b.c" -> "a", "a.b".
std::vector<std::string> superiors(std::string_view name) {
  std::vector<std::string> out;
  for (std::size_t dot = name.find('.'); dot != std::string_view::npos; dot = name.find('.', dot + 1))
    out.emplace_back(name.substr(0, dot));
  return out;
}

bool is_inferior(std::string_view name, std::string_view parent) {
  return name.size() > parent.size() + 1 && name.compare(0, parent.size(), parent) == 0 && name[parent.size()] == '.';
}

}  // namespace

MemoryMailboxStore::MemoryMailboxStore(std::string hostname) : hostname_(std::move(hostname)) {
  if (hostname_.empty()) hostname_ = "localhost";
}

// --- hooks: the memory store keeps nothing elsewhere ---------------------------------------

bool MemoryMailboxStore::load_user(const std::string&, UserState&) { return false; }
bool MemoryMailboxStore::save_new_folder(const std::string&, FolderState&) { return true; }
bool MemoryMailboxStore::remove_folder(const std::string&, const FolderState&) { return true; }
bool MemoryMailboxStore::move_folder(const std::string&, const FolderState&, std::string_view) { return true; }
bool MemoryMailboxStore::save_message(const std::string&, FolderState&, const MailboxMessage&, const io::Bytes&) {
  return true;
}
bool MemoryMailboxStore::save_flags(const std::string&, FolderState&, const MailboxMessage&, const MailboxMessage&) {
  return true;
}
bool MemoryMailboxStore::remove_message(const std::string&, FolderState&, const MailboxMessage&) { return true; }
bool MemoryMailboxStore::save_index(const std::string&, const FolderState&) { return true; }
bool MemoryMailboxStore::save_subscriptions(const std::string&, const UserState&) { return true; }
bool MemoryMailboxStore::save_uidvalidity(const std::string&, const UserState&) { return true; }
void MemoryMailboxStore::recent_claimed(const std::string&, FolderState&, const std::vector<std::uint32_t>&) {}
io::Bytes MemoryMailboxStore::load_content(const std::string&, const FolderState&, const MailboxMessage&) {
  return nullptr;
}

// --- users and folders ---------------------------------------------------------------------

std::unique_ptr<MemoryMailboxStore::FolderState> MemoryMailboxStore::new_folder_state(std::string name) {
  auto f = std::make_unique<FolderState>();
  f->folder.id = next_folder_id_++;
  f->folder.special_use = default_special_use(name);
  f->folder.name = std::move(name);
  return f;
}

MemoryMailboxStore::UserState* MemoryMailboxStore::user_state(const std::string& user, bool create) {
  auto it = users_.find(user);
  if (it != users_.end()) return &it->second;
  if (!valid_user_name(user)) return nullptr;
  UserState u;
  if (!load_user(user, u) && !create) return nullptr;
  return &users_.emplace(user, std::move(u)).first->second;
}

std::vector<std::string> MemoryMailboxStore::known_users() const {
  std::vector<std::string> out;
  for (const auto& [name, u] : users_) out.push_back(name);
  return out;
}

MemoryMailboxStore::FolderState* MemoryMailboxStore::find_folder(UserState& u, std::string_view name) {
  auto it = u.folders.find(canonical_folder_name(name));
  return it == u.folders.end() ? nullptr : it->second.get();
}

MemoryMailboxStore::FolderState* MemoryMailboxStore::find_folder(UserState& u, std::uint64_t id) {
  for (auto& [name, f] : u.folders)
    if (f->folder.id == id) return f.get();
  return nullptr;
}

std::uint32_t MemoryMailboxStore::next_uidvalidity(UserState& u, std::int64_t now_ns) {
  // RFC 9051 2.3.1.1: a time-based value, and never one used before for this user.
  const std::int64_t now = message::unix_seconds(now_ns);
  std::uint32_t v = now > 0 && now < 0xFFFFFFFFll ? static_cast<std::uint32_t>(now) : 1;
  if (v <= u.last_uidvalidity) v = u.last_uidvalidity + 1;
  if (v == 0) v = 1;
  return v;
}

StoreResult MemoryMailboxStore::make_folder(const std::string& user, UserState& u, std::string name,
                                            std::int64_t now_ns, bool subscribe) {
  auto f = new_folder_state(std::move(name));
  const std::uint32_t before = u.last_uidvalidity;
  f->folder.uidvalidity = next_uidvalidity(u, now_ns);
  u.last_uidvalidity = f->folder.uidvalidity;
  if (!save_new_folder(user, *f)) {
    u.last_uidvalidity = before;
    return StoreResult::DiskFull;
  }
  // A hint for the next load; the folders' own UIDVALIDITY values are the floor anyway.
  save_uidvalidity(user, u);
  const std::string& n = f->folder.name;
  if (subscribe && !std::binary_search(u.subscriptions.begin(), u.subscriptions.end(), n)) {
    auto at = u.subscriptions.insert(std::upper_bound(u.subscriptions.begin(), u.subscriptions.end(), n), n);
    if (!save_subscriptions(user, u)) u.subscriptions.erase(at);  // the folder exists all the same
  }
  const std::uint64_t id = f->folder.id;
  u.folders.emplace(n, std::move(f));
  notify({FolderChange::Kind::Created, user, id});
  return StoreResult::Ok;
}

StoreResult MemoryMailboxStore::ensure_user(const std::string& user, std::int64_t now_ns) {
  UserState* u = user_state(user, true);
  if (u == nullptr) return StoreResult::BadName;
  for (std::string_view name : kDefaultFolders) {
    if (find_folder(*u, name) != nullptr) continue;
    if (auto r = make_folder(user, *u, std::string(name), now_ns, true); r != StoreResult::Ok) {
      if (u->folders.empty()) users_.erase(user);  // no INBOX: no user
      return r;
    }
  }
  return StoreResult::Ok;
}

std::vector<const Folder*> MemoryMailboxStore::folders(const std::string& user) {
  std::vector<const Folder*> out;
  UserState* u = user_state(user, false);
  if (u == nullptr) return out;
  if (auto* inbox = find_folder(*u, "INBOX")) out.push_back(&inbox->folder);
  for (const auto& [name, f] : u->folders)
    if (name != "INBOX") out.push_back(&f->folder);
  return out;
}

const Folder* MemoryMailboxStore::folder(const std::string& user, std::string_view name) {
  UserState* u = user_state(user, false);
  FolderState* f = u ? find_folder(*u, name) : nullptr;
  return f ? &f->folder : nullptr;
}

const Folder* MemoryMailboxStore::folder_by_id(const std::string& user, std::uint64_t id) {
  UserState* u = user_state(user, false);
  FolderState* f = u ? find_folder(*u, id) : nullptr;
  return f ? &f->folder : nullptr;
}

StoreResult MemoryMailboxStore::create_folder(const std::string& user, std::string_view name, std::int64_t now_ns) {
  if (!valid_folder_name(name)) return StoreResult::BadName;
  UserState* u = user_state(user, false);
  if (u == nullptr) return StoreResult::NoSuchFolder;
  const std::string canonical = canonical_folder_name(name);
  if (find_folder(*u, canonical) != nullptr) return StoreResult::AlreadyExists;
  // RFC 9051 6.3.4: superior levels are created as needed.
  for (const std::string& up : superiors(canonical)) {
    if (find_folder(*u, up) != nullptr) continue;
    if (auto r = make_folder(user, *u, up, now_ns, false); r != StoreResult::Ok) return r;
  }
  return make_folder(user, *u, canonical, now_ns, false);
}

StoreResult MemoryMailboxStore::delete_folder(const std::string& user, std::string_view name) {
  UserState* u = user_state(user, false);
  FolderState* f = u ? find_folder(*u, name) : nullptr;
  if (f == nullptr) return StoreResult::NoSuchFolder;
  if (f->folder.name == "INBOX") return StoreResult::NotAllowed;  // RFC 9051 6.3.5
  for (const auto& [other, state] : u->folders)
    if (is_inferior(other, f->folder.name)) return StoreResult::NotAllowed;
  if (!remove_folder(user, *f)) return StoreResult::DiskFull;
  const std::uint64_t id = f->folder.id;
  u->folders.erase(f->folder.name);
  notify({FolderChange::Kind::Deleted, user, id});
  return StoreResult::Ok;
}

StoreResult MemoryMailboxStore::rename_folder(const std::string& user, std::string_view from, std::string_view to,
                                              std::int64_t now_ns) {
  UserState* u = user_state(user, false);
  FolderState* f = u ? find_folder(*u, from) : nullptr;
  if (f == nullptr) return StoreResult::NoSuchFolder;
  if (!valid_folder_name(to)) return StoreResult::BadName;
  const std::string target = canonical_folder_name(to);
  if (find_folder(*u, target) != nullptr) return StoreResult::AlreadyExists;
  const std::string source = f->folder.name;
  if (is_inferior(target, source)) return StoreResult::BadName;
  for (const std::string& up : superiors(target)) {
    if (find_folder(*u, up) != nullptr) continue;
    if (auto r = make_folder(user, *u, up, now_ns, false); r != StoreResult::Ok) return r;
  }
  if (source == "INBOX") {
    // RFC 9051 6.3.6: the messages move to the new folder; INBOX stays, empty.
    if (auto r = make_folder(user, *u, target, now_ns, false); r != StoreResult::Ok) return r;
    FolderState* dest = find_folder(*u, target);
    FolderState* inbox = find_folder(*u, "INBOX");
    std::vector<std::uint32_t> uids;
    for (const auto& m : inbox->folder.messages) uids.push_back(m.uid);
    if (auto r = copy(user, inbox->folder.id, uids, dest->folder.name, nullptr); r != StoreResult::Ok) return r;
    return expunge(user, inbox->folder.id, uids);
  }
  // The folder and its inferiors, renamed together.
  std::vector<std::string> moving;
  for (const auto& [name, state] : u->folders)
    if (name == source || is_inferior(name, source)) moving.push_back(name);
  for (const std::string& name : moving) {
    const std::string renamed = target + name.substr(source.size());
    if (find_folder(*u, renamed) != nullptr) return StoreResult::AlreadyExists;
  }
  auto rename_entry = [&](const std::string& old_name, const std::string& new_name) {
    auto node = u->folders.extract(old_name);
    node.key() = new_name;
    node.mapped()->folder.name = new_name;
    u->folders.insert(std::move(node));
  };
  std::vector<std::string> moved;
  for (const std::string& name : moving) {
    const std::string renamed = target + name.substr(source.size());
    if (!move_folder(user, *u->folders[name], renamed)) {
      for (const std::string& back : moved) {  // all or nothing
        const std::string now = target + back.substr(source.size());
        move_folder(user, *u->folders[now], back);
        rename_entry(now, back);
      }
      return StoreResult::DiskFull;
    }
    rename_entry(name, renamed);
    moved.push_back(name);
  }
  for (const std::string& name : moving) {
    notify({FolderChange::Kind::Renamed, user, u->folders[target + name.substr(source.size())]->folder.id});
  }
  return StoreResult::Ok;
}

std::vector<std::string> MemoryMailboxStore::subscriptions(const std::string& user) {
  UserState* u = user_state(user, false);
  return u ? u->subscriptions : std::vector<std::string>{};
}

StoreResult MemoryMailboxStore::set_subscribed(const std::string& user, std::string_view name, bool on) {
  if (!valid_folder_name(name)) return StoreResult::BadName;
  UserState* u = user_state(user, false);
  if (u == nullptr) return StoreResult::NoSuchFolder;
  const std::string n = canonical_folder_name(name);
  auto it = std::lower_bound(u->subscriptions.begin(), u->subscriptions.end(), n);
  const bool present = it != u->subscriptions.end() && *it == n;
  if (present == on) return StoreResult::Ok;
  const std::vector<std::string> before = u->subscriptions;
  if (on) u->subscriptions.insert(it, n);
  else u->subscriptions.erase(it);
  if (!save_subscriptions(user, *u)) {
    u->subscriptions = before;
    return StoreResult::DiskFull;
  }
  return StoreResult::Ok;
}

// --- messages ----------------------------------------------------------------------------------

io::Bytes MemoryMailboxStore::content(const std::string& user, std::uint64_t folder_id, std::uint32_t uid) {
  UserState* u = user_state(user, false);
  FolderState* f = u ? find_folder(*u, folder_id) : nullptr;
  if (f == nullptr) return nullptr;
  const MailboxMessage* m = f->folder.find(uid);
  if (m == nullptr) return nullptr;
  auto it = f->contents.find(uid);
  if (it != f->contents.end()) return it->second;
  io::Bytes b = load_content(user, *f, *m);
  if (b) f->contents.emplace(uid, b);
  return b;
}

std::string MemoryMailboxStore::new_key(const FolderState& f, const AppendRequest& r, std::size_t crlf_size,
                                        std::size_t lf_size) {
  const std::string& host = r.hostname.empty() ? hostname_ : r.hostname;
  for (;;) {
    std::string key = MaildirStore::file_name(r.date_ns, ++seq_, r.unique, host, lf_size, crlf_size);
    bool taken = false;
    for (const auto& m : f.folder.messages) taken = taken || m.key == key;
    if (!taken) return key;
  }
}

StoreResult MemoryMailboxStore::define_keywords(FolderState& f, const std::vector<std::string>& names, bool define,
                                                std::uint32_t* mask) {
  auto& table = f.folder.keywords;
  const std::size_t before = table.size();
  std::uint32_t bits = 0;
  for (const std::string& name : names) {
    std::size_t i = 0;
    while (i < table.size() && !base::iequals(table[i], name)) ++i;
    if (i == table.size()) {
      if (!define) continue;
      if (table.size() >= kMaxKeywords) {
        table.resize(before);
        return StoreResult::TooManyKeywords;
      }
      table.push_back(name);
    }
    bits |= 1u << i;
  }
  if (mask) *mask = bits;
  return StoreResult::Ok;
}

StoreResult MemoryMailboxStore::add_message(const std::string& user, FolderState& f, const AppendRequest& r,
                                            std::uint32_t* uid, bool announce) {
  if (!r.content) return StoreResult::Error;
  if (f.folder.uidnext == 0xFFFFFFFFu) return StoreResult::Error;  // UIDs exhausted
  std::uint32_t kw = 0;
  const std::size_t keywords_before = f.folder.keywords.size();
  if (auto res = define_keywords(f, r.keywords, true, &kw); res != StoreResult::Ok) return res;
  MailboxMessage m;
  m.uid = f.folder.uidnext;
  m.flags = r.flags & kAllFlags;
  m.keywords = kw;
  m.internal_date = message::unix_seconds(r.date_ns);
  m.size = r.content->size();
  m.key = new_key(f, r, m.size, m.size - crlf_pairs(*r.content));
  m.recent = true;
  if (!save_message(user, f, m, r.content)) {
    f.folder.keywords.resize(keywords_before);
    return StoreResult::DiskFull;
  }
  f.folder.messages.push_back(m);
  ++f.folder.uidnext;
  if (!save_index(user, f)) {
    remove_message(user, f, m);
    f.folder.messages.pop_back();
    --f.folder.uidnext;
    f.folder.keywords.resize(keywords_before);
    save_index(user, f);  // best effort: a half-written index goes back to what it was
    return StoreResult::DiskFull;
  }
  f.contents.emplace(m.uid, r.content);
  if (uid) *uid = m.uid;
  if (announce) announce_message(user, f, m.uid);
  return StoreResult::Ok;
}

void MemoryMailboxStore::announce_message(const std::string& user, const FolderState& f, std::uint32_t uid) {
  notify({FolderChange::Kind::Appended, user, f.folder.id, uid});
}

StoreResult MemoryMailboxStore::append(const std::string& user, std::string_view folder, const AppendRequest& r,
                                       std::uint32_t* uid) {
  UserState* u = user_state(user, false);
  FolderState* f = u ? find_folder(*u, folder) : nullptr;
  if (f == nullptr) return StoreResult::NoSuchFolder;
  return add_message(user, *f, r, uid, true);
}

StoreResult MemoryMailboxStore::keyword_mask(const std::string& user, std::uint64_t folder_id,
                                             const std::vector<std::string>& names, bool define, std::uint32_t* mask) {
  UserState* u = user_state(user, false);
  FolderState* f = u ? find_folder(*u, folder_id) : nullptr;
  if (f == nullptr) return StoreResult::NoSuchFolder;
  const std::size_t before = f->folder.keywords.size();
  if (auto r = define_keywords(*f, names, define, mask); r != StoreResult::Ok) return r;
  if (f->folder.keywords.size() != before && !save_index(user, *f)) {
    f->folder.keywords.resize(before);
    save_index(user, *f);  // best effort, as in add_message()
    return StoreResult::DiskFull;
  }
  return StoreResult::Ok;
}

StoreResult MemoryMailboxStore::set_flags(const std::string& user, std::uint64_t folder_id, std::uint32_t uid,
                                          std::uint8_t flags, std::uint32_t keywords) {
  UserState* u = user_state(user, false);
  FolderState* f = u ? find_folder(*u, folder_id) : nullptr;
  if (f == nullptr) return StoreResult::NoSuchFolder;
  const std::size_t i = f->folder.index_of(uid);
  if (i == f->folder.messages.size()) return StoreResult::NoSuchMessage;
  MailboxMessage& m = f->folder.messages[i];
  flags &= kAllFlags;
  if (f->folder.keywords.size() < 32) keywords &= (1u << f->folder.keywords.size()) - 1;
  if (m.flags == flags && m.keywords == keywords) return StoreResult::Ok;
  MailboxMessage after = m;
  after.flags = flags;
  after.keywords = keywords;
  if (!save_flags(user, *f, m, after)) return StoreResult::DiskFull;
  m = after;
  notify({FolderChange::Kind::Flags, user, folder_id, uid});
  return StoreResult::Ok;
}

StoreResult MemoryMailboxStore::expunge(const std::string& user, std::uint64_t folder_id,
                                        const std::vector<std::uint32_t>& uids) {
  UserState* u = user_state(user, false);
  FolderState* f = u ? find_folder(*u, folder_id) : nullptr;
  if (f == nullptr) return StoreResult::NoSuchFolder;
  std::vector<std::uint32_t> gone;
  StoreResult result = StoreResult::Ok;
  for (std::uint32_t uid : uids) {
    const std::size_t i = f->folder.index_of(uid);
    if (i == f->folder.messages.size()) continue;
    if (!remove_message(user, *f, f->folder.messages[i])) {
      result = StoreResult::DiskFull;
      break;
    }
    f->folder.messages.erase(f->folder.messages.begin() + static_cast<std::ptrdiff_t>(i));
    f->contents.erase(uid);
    gone.push_back(uid);
  }
  // The files are gone: the index must say so even if writing it fails now (it is
  // rebuilt from the files on the next load).
  if (!gone.empty()) save_index(user, *f);
  for (std::uint32_t uid : gone) notify({FolderChange::Kind::Expunged, user, folder_id, uid});
  return result;
}

StoreResult MemoryMailboxStore::copy(const std::string& user, std::uint64_t folder_id,
                                     const std::vector<std::uint32_t>& uids, std::string_view to,
                                     std::vector<std::uint32_t>* new_uids) {
  UserState* u = user_state(user, false);
  FolderState* src = u ? find_folder(*u, folder_id) : nullptr;
  if (src == nullptr) return StoreResult::NoSuchFolder;
  FolderState* dest = find_folder(*u, to);
  if (dest == nullptr) return StoreResult::NoSuchFolder;
  // All or nothing, and no one hears of a copy before it is complete: the UIDs given
  // to a failed copy are taken back.
  const std::uint32_t uidnext_before = dest->folder.uidnext;
  const std::size_t keywords_before = dest->folder.keywords.size();
  std::vector<std::uint32_t> made;
  for (std::uint32_t uid : uids) {
    const MailboxMessage* m = src->folder.find(uid);
    if (m == nullptr) continue;
    AppendRequest r;
    r.content = content(user, folder_id, uid);
    r.flags = m->flags;
    for (std::size_t k = 0; k < src->folder.keywords.size(); ++k)
      if (m->keywords & (1u << k)) r.keywords.push_back(src->folder.keywords[k]);
    r.date_ns = (m->internal_date - message::kEpochUnixSeconds) * message::kNanosPerSecond;
    std::uint32_t new_uid = 0;
    const StoreResult res = r.content ? add_message(user, *dest, r, &new_uid, false) : StoreResult::Error;
    if (res != StoreResult::Ok) {
      for (std::uint32_t undo : made) {
        const std::size_t i = dest->folder.index_of(undo);
        remove_message(user, *dest, dest->folder.messages[i]);
        dest->folder.messages.erase(dest->folder.messages.begin() + static_cast<std::ptrdiff_t>(i));
        dest->contents.erase(undo);
      }
      dest->folder.uidnext = uidnext_before;
      dest->folder.keywords.resize(keywords_before);
      if (!made.empty()) save_index(user, *dest);
      return res;
    }
    made.push_back(new_uid);
  }
  for (std::uint32_t uid : made) announce_message(user, *dest, uid);
  if (new_uids) *new_uids = std::move(made);
  return StoreResult::Ok;
}

std::vector<std::uint32_t> MemoryMailboxStore::claim_recent(const std::string& user, std::uint64_t folder_id) {
  std::vector<std::uint32_t> out;
  UserState* u = user_state(user, false);
  FolderState* f = u ? find_folder(*u, folder_id) : nullptr;
  if (f == nullptr) return out;
  for (auto& m : f->folder.messages) {
    if (!m.recent) continue;
    m.recent = false;
    out.push_back(m.uid);
  }
  if (!out.empty()) recent_claimed(user, *f, out);
  return out;
}

}  // namespace maillab::mda
