#include "protocols/mda/mailbox_store.hpp"

#include <algorithm>

#include "base/ascii.hpp"
#include "protocols/message/modified_utf7.hpp"

namespace maillab::mda {

MailboxStore::~MailboxStore() = default;

std::string_view special_use_attribute(SpecialUse use) {
  switch (use) {
    case SpecialUse::Sent: return "\\Sent";
    case SpecialUse::Drafts: return "\\Drafts";
    case SpecialUse::Junk: return "\\Junk";
    case SpecialUse::Trash: return "\\Trash";
    case SpecialUse::None: break;
  }
  return {};
}

std::string_view to_string(StoreResult result) {
  switch (result) {
    case StoreResult::Ok: return "ok";
    case StoreResult::NoSuchFolder: return "no such folder";
    case StoreResult::AlreadyExists: return "folder already exists";
    case StoreResult::BadName: return "invalid folder name";
    case StoreResult::NotAllowed: return "not allowed";
    case StoreResult::NoSuchMessage: return "no such message";
    case StoreResult::TooManyKeywords: return "too many keywords";
    case StoreResult::DiskFull: return "disk full";
    case StoreResult::Error: return "error";
  }
  return "error";
}

const MailboxMessage* Folder::find(std::uint32_t uid) const {
  const std::size_t i = index_of(uid);
  return i < messages.size() ? &messages[i] : nullptr;
}

std::size_t Folder::index_of(std::uint32_t uid) const {
  auto it = std::lower_bound(messages.begin(), messages.end(), uid,
                             [](const MailboxMessage& m, std::uint32_t u) { return m.uid < u; });
  if (it == messages.end() || it->uid != uid) return messages.size();
  return static_cast<std::size_t>(it - messages.begin());
}

void MailboxStore::watch(MailboxObserver* observer) {
  if (std::find(observers_.begin(), observers_.end(), observer) == observers_.end())
    observers_.push_back(observer);
}

void MailboxStore::unwatch(MailboxObserver* observer) {
  observers_.erase(std::remove(observers_.begin(), observers_.end(), observer), observers_.end());
}

void MailboxStore::notify(const FolderChange& change) {
  // A copy: an observer may unwatch itself (or another) from its callback.
  const std::vector<MailboxObserver*> now = observers_;
  for (MailboxObserver* o : now) {
    if (std::find(observers_.begin(), observers_.end(), o) != observers_.end()) o->on_mailbox_change(change);
  }
}

bool is_inbox(std::string_view name) { return base::iequals(name, "INBOX"); }

std::string canonical_folder_name(std::string_view name) {
  if (is_inbox(name)) return "INBOX";
  // "inbox.x" keeps INBOX's canonical spelling for its first level.
  if (name.size() > 6 && name[5] == '.' && is_inbox(name.substr(0, 5))) return "INBOX" + std::string(name.substr(5));
  return std::string(name);
}

bool valid_folder_name(std::string_view name) {
  if (name.empty() || name.size() > 255 || !message::valid_utf8(name)) return false;
  std::size_t start = 0;
  for (;;) {
    const std::size_t dot = name.find('.', start);
    const std::string_view level = name.substr(start, dot == std::string_view::npos ? name.size() - start : dot - start);
    if (level.empty() || level.front() == '~') return false;
    for (char c : level) {
      const auto u = static_cast<unsigned char>(c);
      if (c == '/' || u < 0x20 || u == 0x7F) return false;
    }
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

SpecialUse default_special_use(std::string_view name) {
  if (name == "Sent") return SpecialUse::Sent;
  if (name == "Drafts") return SpecialUse::Drafts;
  if (name == "Junk") return SpecialUse::Junk;
  if (name == "Trash") return SpecialUse::Trash;
  return SpecialUse::None;
}

}  // namespace maillab::mda
