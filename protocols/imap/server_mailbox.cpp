// ServerSession: the authenticated-state commands on mailboxes (RFC 9051 6.3): SELECT,
// EXAMINE, CREATE, DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE, NAMESPACE, STATUS, APPEND
// (with UIDPLUS's APPENDUID, RFC 4315). LIST and LSUB are in server_list.cpp.
#include "protocols/imap/server_session.hpp"

#include "protocols/imap/ascii_case.hpp"
#include "protocols/imap/wire_format.hpp"
#include "protocols/message/date.hpp"
#include "protocols/message/line_endings.hpp"

namespace maillab::imap {
namespace {

constexpr std::int64_t kLatestDate = 7258118400;  // 2200-01-01T00:00:00Z

}  // namespace

// Dovecot's wording.
std::string store_failure(mda::StoreResult r) {
  switch (r) {
    case mda::StoreResult::NoSuchFolder: return "[NONEXISTENT] Mailbox doesn't exist.";
    case mda::StoreResult::AlreadyExists: return "[ALREADYEXISTS] Mailbox already exists.";
    case mda::StoreResult::BadName: return "[CANNOT] Invalid mailbox name.";
    case mda::StoreResult::NotAllowed: return "[CANNOT] Operation not allowed on this mailbox.";
    case mda::StoreResult::TooManyKeywords: return "[LIMIT] Too many keywords.";
    case mda::StoreResult::DiskFull: return "[UNAVAILABLE] Not enough disk space.";
    case mda::StoreResult::NoSuchMessage: return "[EXPUNGEISSUED] Some of the requested messages no longer exist.";
    default: return "[SERVERBUG] Internal error.";
  }
}

void ServerSession::deselect() {
  state_ = State::Authenticated;
  view_ = MailboxView();
}

void ServerSession::cmd_select(Parser& p) { select(p, false); }
void ServerSession::cmd_examine(Parser& p) { select(p, true); }

void ServerSession::select(Parser& p, bool read_only) {
  std::string name;
  if (!p.sp()) return syntax_error(p);
  if (!mailbox_arg(p, name)) return;
  if (!p.end()) return syntax_error(p);
  // RFC 9051 6.3.2: selecting closes the mailbox selected before, without expunging,
  // and says so (7.1 CLOSED); a failed SELECT leaves none selected.
  if (state_ == State::Selected) {
    deselect();
    untagged("OK [CLOSED] Previous mailbox closed.");
  }
  const mda::Folder* f = store_->folder(user_, name);
  if (f == nullptr) return tagged("NO", "[NONEXISTENT] Mailbox doesn't exist.");
  const std::vector<std::uint32_t> recent = read_only ? std::vector<std::uint32_t>{} : store_->claim_recent(user_, f->id);
  view_.open(*f, read_only, recent);
  state_ = State::Selected;
  MailboxView::append_flag_responses(output_, *f, read_only);
  untagged(std::to_string(view_.count()) + " EXISTS");
  if (!rev2_) {
    untagged(std::to_string(view_.recent_count()) + " RECENT");
    for (std::uint32_t seq = 1; seq <= view_.count(); ++seq) {
      if (view_.at(seq).flags & mda::Seen) continue;
      untagged("OK [UNSEEN " + std::to_string(seq) + "] First unseen.");
      break;
    }
  }
  untagged("OK [UIDVALIDITY " + std::to_string(f->uidvalidity) + "] UIDs valid");
  untagged("OK [UIDNEXT " + std::to_string(f->uidnext) + "] Predicted next UID");
  if (rev2_) {
    // RFC 9051 6.3.2: a LIST response with the mailbox's name and attributes.
    std::string line = "LIST " + list_attributes(*f, false) + " \".\" ";
    append_mailbox_name(line, f->name);
    untagged(line);
  }
  tagged("OK", read_only ? "[READ-ONLY] Examine completed." : "[READ-WRITE] Select completed.");
}

void ServerSession::cmd_create(Parser& p) {
  std::string name;
  if (!p.sp()) return syntax_error(p);
  if (!mailbox_arg(p, name)) return;
  if (!p.end()) return syntax_error(p);
  // RFC 9051 6.3.4: a trailing separator declares the intent to create names under it.
  while (name.size() > 1 && name.back() == '.') name.pop_back();
  const auto r = store_->create_folder(user_, name, handler_.now_ns());
  if (r != mda::StoreResult::Ok) return complete("NO", store_failure(r));
  complete("OK", "Create completed.");
}

void ServerSession::cmd_delete(Parser& p) {
  std::string name;
  if (!p.sp()) return syntax_error(p);
  if (!mailbox_arg(p, name)) return;
  if (!p.end()) return syntax_error(p);
  const mda::Folder* f = store_->folder(user_, name);
  const bool selected = f && state_ == State::Selected && f->id == view_.folder_id();
  const auto r = store_->delete_folder(user_, name);
  if (r == mda::StoreResult::NotAllowed && name == "INBOX") return complete("NO", "[CANNOT] INBOX can't be deleted.");
  if (r == mda::StoreResult::NotAllowed) return complete("NO", "[INUSE] Mailbox has children, delete them first.");
  if (r != mda::StoreResult::Ok) return complete("NO", store_failure(r));
  if (selected) deselect();
  complete("OK", "Delete completed.");
}

void ServerSession::cmd_rename(Parser& p) {
  std::string from, to;
  if (!p.sp()) return syntax_error(p);
  if (!mailbox_arg(p, from)) return;
  if (!p.sp()) return syntax_error(p);
  if (!mailbox_arg(p, to)) return;
  if (!p.end()) return syntax_error(p);
  if (to == "INBOX") return complete("NO", "[ALREADYEXISTS] INBOX always exists.");
  const auto r = store_->rename_folder(user_, from, to, handler_.now_ns());
  if (r != mda::StoreResult::Ok) return complete("NO", store_failure(r));
  complete("OK", "Rename completed.");
}

void ServerSession::cmd_subscribe(Parser& p) {
  std::string name;
  if (!p.sp()) return syntax_error(p);
  if (!mailbox_arg(p, name)) return;
  if (!p.end()) return syntax_error(p);
  if (store_->folder(user_, name) == nullptr) return complete("NO", "[NONEXISTENT] Mailbox doesn't exist.");
  const auto r = store_->set_subscribed(user_, name, true);
  if (r != mda::StoreResult::Ok) return complete("NO", store_failure(r));
  complete("OK", "Subscribe completed.");
}

void ServerSession::cmd_unsubscribe(Parser& p) {
  std::string name;
  if (!p.sp()) return syntax_error(p);
  if (!mailbox_arg(p, name)) return;
  if (!p.end()) return syntax_error(p);
  // RFC 9051 6.3.8: a name that no longer exists can still be unsubscribed.
  const auto r = store_->set_subscribed(user_, name, false);
  if (r != mda::StoreResult::Ok && r != mda::StoreResult::BadName) return complete("NO", store_failure(r));
  complete("OK", "Unsubscribe completed.");
}

void ServerSession::cmd_namespace(Parser& p) {
  if (!p.end()) return syntax_error(p);
  untagged("NAMESPACE ((\"\" \".\")) NIL NIL");  // one personal namespace (RFC 9051 6.3.10)
  complete("OK", "Namespace completed.");
}

bool ServerSession::append_status(std::string& out, const mda::Folder& f, const std::vector<std::string>& items) {
  std::uint64_t unseen = 0, deleted = 0, size = 0, recent = 0;
  for (const auto& m : f.messages) {
    unseen += (m.flags & mda::Seen) == 0;
    deleted += (m.flags & mda::Deleted) != 0;
    recent += m.recent;
    size += m.size;
  }
  out += "STATUS ";
  append_mailbox_name(out, f.name);
  out += " (";
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::string& item = items[i];
    if (i) out += ' ';
    out += item + " ";
    if (item == "MESSAGES") out += std::to_string(f.messages.size());
    else if (item == "UIDNEXT") out += std::to_string(f.uidnext);
    else if (item == "UIDVALIDITY") out += std::to_string(f.uidvalidity);
    else if (item == "UNSEEN") out += std::to_string(unseen);
    else if (item == "DELETED") out += std::to_string(deleted);
    else if (item == "SIZE") out += std::to_string(size);
    else if (item == "RECENT") out += std::to_string(recent);
    else return false;
  }
  out += ')';
  return true;
}

// Reads "(" status-att *(SP status-att) ")" (RFC 9051 6.3.11).
static bool status_items(Parser& p, std::vector<std::string>& items) {
  if (!p.take('(')) return p.fail("(");
  for (;;) {
    const std::size_t start = p.pos();
    auto a = p.atom();
    if (!a) return false;
    std::string item = upper(*a);
    if (item != "MESSAGES" && item != "UIDNEXT" && item != "UIDVALIDITY" && item != "UNSEEN" && item != "DELETED" &&
        item != "SIZE" && item != "RECENT") {
      p.set_pos(start);
      return p.fail("status item");
    }
    items.push_back(std::move(item));
    if (p.take(')')) return true;
    if (!p.sp()) return false;
  }
}

void ServerSession::cmd_status(Parser& p) {
  std::string name;
  if (!p.sp()) return syntax_error(p);
  if (!mailbox_arg(p, name)) return;
  std::vector<std::string> items;
  if (!p.sp() || !status_items(p, items) || !p.end()) return syntax_error(p);
  const mda::Folder* f = store_->folder(user_, name);
  if (f == nullptr) return complete("NO", "[NONEXISTENT] Mailbox doesn't exist.");
  std::string line;
  append_status(line, *f, items);
  untagged(line);
  complete("OK", "Status completed.");
}

void ServerSession::cmd_append(Parser& p) {
  std::string name;
  if (!p.sp()) return syntax_error(p);
  if (!mailbox_arg(p, name)) return;
  if (!p.sp()) return syntax_error(p);
  mda::AppendRequest r;
  r.date_ns = handler_.now_ns();
  r.unique = handler_.unique();
  if (p.peek() == '(') {
    auto flags = p.flag_list();
    if (!flags || !p.sp()) return syntax_error(p);
    for (const std::string& f : *flags) {
      const std::string u = upper(f);
      if (u == "\\SEEN") r.flags |= mda::Seen;
      else if (u == "\\ANSWERED") r.flags |= mda::Answered;
      else if (u == "\\FLAGGED") r.flags |= mda::Flagged;
      else if (u == "\\DELETED") r.flags |= mda::Deleted;
      else if (u == "\\DRAFT") r.flags |= mda::Draft;
      else if (u == "\\RECENT") continue;  // not settable; ignored as Dovecot does
      else if (f[0] == '\\') return bad("Invalid system flag " + f + ".");
      else r.keywords.push_back(f);
    }
  }
  std::optional<std::int64_t> when;
  if (p.peek() == '"') {
    when = p.date_time();
    if (!when || !p.sp()) return syntax_error(p);
  }
  auto data = p.peek() == '~' ? p.literal8() : p.literal();
  if (!data || !p.end()) return syntax_error(p);
  if (when) {
    // The internal date is kept as simulated nanoseconds (and as a Maildir name's Unix
    // seconds): 1970 to 2200 fits both.
    if (*when < 0 || *when >= kLatestDate) return complete("NO", "[CANNOT] Date out of range.");
    r.date_ns = (*when - message::kEpochUnixSeconds) * message::kNanosPerSecond;
  }
  if (data->empty()) return complete("NO", "Can't save a zero byte message.");
  r.content = io::make_bytes(message::to_crlf(*data));
  const mda::Folder* f = store_->folder(user_, name);
  if (f == nullptr) return complete("NO", "[TRYCREATE] Mailbox doesn't exist.");
  const std::uint32_t validity = f->uidvalidity;
  std::uint32_t uid = 0;
  const auto res = store_->append(user_, name, r, &uid);
  if (res != mda::StoreResult::Ok) return complete("NO", store_failure(res));
  complete("OK", "[APPENDUID " + std::to_string(validity) + " " + std::to_string(uid) + "] Append completed.");
}

}  // namespace maillab::imap
