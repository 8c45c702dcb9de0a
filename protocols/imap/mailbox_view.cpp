#include "protocols/imap/mailbox_view.hpp"

#include <algorithm>

#include "protocols/imap/parser.hpp"

namespace maillab::imap {
namespace {

bool shown_keyword(const std::string& k) {
  if (k.empty()) return false;
  for (char c : k)
    if (!is_atom_char(c)) return false;
  return true;
}

// A message as a session sees it: the store's flags, and \Recent if this session
// claimed it (a read-only session sees the store's \Recent without taking it, RFC 3501
// 6.3.2). `claimed` is sorted.
MailboxView::Entry entry(const mda::MailboxMessage& m, bool read_only, const std::vector<std::uint32_t>& claimed) {
  MailboxView::Entry e;
  e.uid = m.uid;
  e.flags = m.flags;
  e.keywords = m.keywords;
  e.recent = read_only ? m.recent : std::binary_search(claimed.begin(), claimed.end(), m.uid);
  return e;
}

}  // namespace

void MailboxView::append_flags(std::string& out, std::uint8_t flags, std::uint32_t keywords, bool recent,
                               const std::vector<std::string>& table, bool rev1) {
  out += '(';
  const std::size_t start = out.size();
  auto add = [&](std::string_view f) {
    if (out.size() > start) out += ' ';
    out.append(f);
  };
  if (flags & mda::Answered) add("\\Answered");
  if (flags & mda::Flagged) add("\\Flagged");
  if (flags & mda::Deleted) add("\\Deleted");
  if (flags & mda::Seen) add("\\Seen");
  if (flags & mda::Draft) add("\\Draft");
  for (std::size_t i = 0; i < table.size() && i < 32; ++i)
    if ((keywords & (1u << i)) && shown_keyword(table[i])) add(table[i]);
  if (recent && rev1) add("\\Recent");
  out += ')';
}

void MailboxView::append_flag_responses(std::string& out, const mda::Folder& folder, bool read_only) {
  std::string keywords;
  for (const auto& k : folder.keywords) {
    if (!shown_keyword(k)) continue;
    keywords += ' ';
    keywords += k;
  }
  out += "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft" + keywords + ")\r\n";
  if (read_only) {
    out += "* OK [PERMANENTFLAGS ()] Read-only mailbox.\r\n";
  } else {
    out += "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft" + keywords +
           (folder.keywords.size() < mda::kMaxKeywords ? " \\*" : "") + ")] Flags permitted.\r\n";
  }
}

void MailboxView::open(const mda::Folder& folder, bool read_only, const std::vector<std::uint32_t>& recent) {
  entries_.clear();
  entries_.reserve(folder.messages.size());
  for (const auto& m : folder.messages) entries_.push_back(entry(m, read_only, recent));
  folder_id_ = folder.id;
  read_only_ = read_only;
  uidvalidity_ = folder.uidvalidity;
  keywords_known_ = folder.keywords.size();
  max_uid_seen_ = entries_.empty() ? 0 : entries_.back().uid;
}

std::uint32_t MailboxView::seq_of(std::uint32_t uid) const {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), uid, [](const Entry& e, std::uint32_t u) { return e.uid < u; });
  if (it == entries_.end() || it->uid != uid) return 0;
  return static_cast<std::uint32_t>(it - entries_.begin()) + 1;
}

std::uint32_t MailboxView::recent_count() const {
  std::uint32_t n = 0;
  for (const auto& e : entries_) n += e.recent;  // as EXISTS, counting expunges not yet told
  return n;
}

void MailboxView::sync(const mda::Folder& folder, const std::vector<std::uint32_t>& recent, const SyncOptions& opt,
                       std::string& out) {
  // New keywords first: a FETCH below may carry one (RFC 9051 7.3.2).
  if (folder.keywords.size() != keywords_known_) {
    keywords_known_ = folder.keywords.size();
    append_flag_responses(out, folder, read_only_);
  }
  // Gone messages and changed flags: one walk over both ascending lists.
  std::size_t j = 0;
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    Entry& e = entries_[i];
    while (j < folder.messages.size() && folder.messages[j].uid < e.uid) ++j;
    if (j == folder.messages.size() || folder.messages[j].uid != e.uid) {
      e.expunged = true;
      continue;
    }
    const mda::MailboxMessage& m = folder.messages[j];
    if (e.expunged || (m.flags == e.flags && m.keywords == e.keywords)) continue;
    e.flags = m.flags;
    e.keywords = m.keywords;
    out += "* " + std::to_string(i + 1) + " FETCH (";
    if (opt.with_uid) out += "UID " + std::to_string(e.uid) + " ";
    out += "FLAGS ";
    append_flags(out, e.flags, e.keywords, e.recent, folder.keywords, opt.rev1);
    out += ")\r\n";
  }
  if (opt.allow_expunge) {
    std::size_t i = 0;
    while (i < entries_.size()) {
      if (!entries_[i].expunged) {
        ++i;
        continue;
      }
      out += "* " + std::to_string(i + 1) + " EXPUNGE\r\n";
      entries_.erase(entries_.begin() + static_cast<std::ptrdiff_t>(i));
    }
  }
  // New messages: those above the highest UID this view ever held.
  bool grew = false;
  for (const auto& m : folder.messages) {
    if (m.uid <= max_uid_seen_) continue;
    entries_.push_back(entry(m, read_only_, recent));
    max_uid_seen_ = m.uid;
    grew = true;
  }
  if (grew) {
    out += "* " + std::to_string(entries_.size()) + " EXISTS\r\n";
    if (opt.rev1) out += "* " + std::to_string(recent_count()) + " RECENT\r\n";
  }
}

}  // namespace maillab::imap
