// MailboxStore: one user's folders, messages, flags and UIDs, shared by the delivery agent,
// the POP3 server and the IMAP server of a host (DESIGN.md "One store for MDA, POP3 and
// IMAP"). Two implementations behind this one interface (OpenSMTPD's queue_ram/queue_fs):
// MemoryMailboxStore (memory_mailbox_store.hpp) and MaildirPlusStore on the host's
// io::Disk (maildir_plus_store.hpp, the layout Dovecot and Python's mailbox read).
//
// The model (RFC 9051 2.3.1, RFC 3501 2.3.1):
// - A user has folders; INBOX always, and ensure_user() creates Sent, Drafts, Junk and
//   Trash with their RFC 6154 special-use attributes, all subscribed. Names are UTF-8,
//   "." separates hierarchy levels (Maildir++), "INBOX" is case-insensitive.
// - A folder has UIDVALIDITY and UIDNEXT; a message keeps its UID for its life in the
//   folder; UIDs only grow; UIDVALIDITY changes only when a folder is created anew (a
//   folder deleted and created again never gets the UIDVALIDITY it had, RFC 9051 2.3.1.1).
// - A message has system flags (MessageFlag bits), keywords (bits into its folder's
//   keyword table, at most kMaxKeywords, as Maildir's a-z letters allow), an internal
//   date, its CRLF size, a key (the Maildir base name: unique in the folder, stable, what
//   POP3's UIDL shows) and "recent" until a read-write session claims it (\Recent).
// - Folder ids are stable while a folder exists (a rename keeps it) and never reused.
// - Users come into being with ensure_user(); the other calls answer NoSuchFolder (or
//   nothing) for a user the store does not know.
// - A mutation of one folder is all-or-nothing: StoreResult::DiskFull (or another error)
//   leaves it as it was. Calls that make several folders (ensure_user, superiors made by
//   create_folder and rename_folder) make each one whole; a failure keeps those made
//   before it. What is stored always reads back as what the store shows (a new store
//   object on the same disk sees the same folders, UIDs, flags and contents).
//   After a successful mutation the store calls every observer
//   (watch()) with what changed, once the store is consistent again; observers may read
//   the store and may unwatch themselves from the callback, but must not mutate it.
// - Pointers returned (const Folder*) stay valid until the next mutation of the store.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/io/disk.hpp"

namespace maillab::mda {

enum MessageFlag : std::uint8_t {
  Seen = 1u << 0,      // \Seen     Maildir S
  Answered = 1u << 1,  // \Answered Maildir R
  Flagged = 1u << 2,   // \Flagged  Maildir F
  Deleted = 1u << 3,   // \Deleted  Maildir T
  Draft = 1u << 4,     // \Draft    Maildir D
};
inline constexpr std::uint8_t kAllFlags = Seen | Answered | Flagged | Deleted | Draft;
inline constexpr std::size_t kMaxKeywords = 26;

enum class SpecialUse { None, Sent, Drafts, Junk, Trash };  // RFC 6154 2
std::string_view special_use_attribute(SpecialUse use);     // "\Sent", ... ("" for None)

struct MailboxMessage {
  std::uint32_t uid = 0;
  std::uint8_t flags = 0;       // MessageFlag bits
  std::uint32_t keywords = 0;   // bit i: Folder::keywords[i]
  std::int64_t internal_date = 0;  // unix seconds (RFC 9051 2.3.3)
  std::uint64_t size = 0;          // octets of the CRLF message (RFC822.SIZE, POP3 LIST)
  std::string key;                 // Maildir base name
  bool recent = false;
};

struct Folder {
  std::uint64_t id = 0;
  std::string name;  // "INBOX", "Sent", "Work.Projects"
  SpecialUse special_use = SpecialUse::None;
  std::uint32_t uidvalidity = 1;
  std::uint32_t uidnext = 1;
  std::vector<std::string> keywords;       // defined keywords, in definition order
  std::vector<MailboxMessage> messages;    // ascending UID

  const MailboxMessage* find(std::uint32_t uid) const;
  // Position of `uid` in messages, or messages.size().
  std::size_t index_of(std::uint32_t uid) const;
};

struct FolderChange {
  enum class Kind { Appended, Flags, Expunged, Created, Deleted, Renamed };
  Kind kind = Kind::Appended;
  std::string_view user;
  std::uint64_t folder_id = 0;
  std::uint32_t uid = 0;  // Appended / Flags / Expunged
};

class MailboxObserver {
 public:
  virtual ~MailboxObserver() = default;
  virtual void on_mailbox_change(const FolderChange& change) = 0;
};

enum class StoreResult {
  Ok,
  NoSuchFolder,
  AlreadyExists,
  BadName,          // not a valid folder name (see valid_folder_name)
  NotAllowed,       // deleting INBOX, a folder with children (Maildir++ keeps them apart)
  NoSuchMessage,
  TooManyKeywords,  // more than kMaxKeywords in a folder
  DiskFull,
  Error,
};
std::string_view to_string(StoreResult result);

struct AppendRequest {
  io::Bytes content;  // CRLF message
  std::uint8_t flags = 0;
  std::vector<std::string> keywords;
  std::int64_t date_ns = 0;  // simulated time: the internal date and the Maildir name's time
  std::string hostname;      // for the Maildir name
  std::uint64_t unique = 0;  // a host counter, for the Maildir name
};

class MailboxStore {
 public:
  virtual ~MailboxStore();

  // INBOX, Sent, Drafts, Junk and Trash exist and are subscribed (a no-op when they are).
  // `now_ns` (simulated time) seeds UIDVALIDITY for folders it creates.
  virtual StoreResult ensure_user(const std::string& user, std::int64_t now_ns) = 0;
  // Users with a mailbox, sorted.
  virtual std::vector<std::string> users() = 0;
  // Every folder of `user`, sorted by name ("INBOX" first); empty for an unknown user.
  virtual std::vector<const Folder*> folders(const std::string& user) = 0;
  virtual const Folder* folder(const std::string& user, std::string_view name) = 0;
  virtual const Folder* folder_by_id(const std::string& user, std::uint64_t id) = 0;
  virtual StoreResult create_folder(const std::string& user, std::string_view name, std::int64_t now_ns) = 0;
  virtual StoreResult delete_folder(const std::string& user, std::string_view name) = 0;
  // RFC 9051 6.3.6: renaming INBOX moves its messages to the new folder and leaves INBOX
  // empty (with a new UIDVALIDITY); other renames keep UIDs and UIDVALIDITY, and take the
  // folder's children ("A.B" when "A" is renamed) along.
  virtual StoreResult rename_folder(const std::string& user, std::string_view from, std::string_view to,
                                    std::int64_t now_ns) = 0;
  virtual std::vector<std::string> subscriptions(const std::string& user) = 0;
  virtual StoreResult set_subscribed(const std::string& user, std::string_view name, bool on) = 0;

  // The CRLF content, nullptr when there is no such message.
  virtual io::Bytes content(const std::string& user, std::uint64_t folder_id, std::uint32_t uid) = 0;
  virtual StoreResult append(const std::string& user, std::string_view folder, const AppendRequest& request,
                             std::uint32_t* uid = nullptr) = 0;
  // Keyword names -> bits in the folder's table, defining new ones when `define` (up to
  // kMaxKeywords: TooManyKeywords past that). Unknown names without `define` are left out.
  virtual StoreResult keyword_mask(const std::string& user, std::uint64_t folder_id,
                                   const std::vector<std::string>& names, bool define, std::uint32_t* mask) = 0;
  virtual StoreResult set_flags(const std::string& user, std::uint64_t folder_id, std::uint32_t uid,
                                std::uint8_t flags, std::uint32_t keywords) = 0;
  // Removes the messages with these UIDs (unknown ones are ignored).
  virtual StoreResult expunge(const std::string& user, std::uint64_t folder_id,
                              const std::vector<std::uint32_t>& uids) = 0;
  // Copies the messages (ascending UID) with their flags and keywords; new_uids gets the
  // destination's UIDs in the same order (UIDPLUS COPYUID, RFC 4315).
  virtual StoreResult copy(const std::string& user, std::uint64_t folder_id, const std::vector<std::uint32_t>& uids,
                           std::string_view to, std::vector<std::uint32_t>* new_uids) = 0;
  // The UIDs still \Recent in the folder, which stop being recent (RFC 3501 2.3.2: the
  // first session to see a message gets it as recent).
  virtual std::vector<std::uint32_t> claim_recent(const std::string& user, std::uint64_t folder_id) = 0;

  void watch(MailboxObserver* observer);
  void unwatch(MailboxObserver* observer);

 protected:
  void notify(const FolderChange& change);

 private:
  std::vector<MailboxObserver*> observers_;
};

// Folder names (Maildir++ with "." as separator, as Dovecot's default): non-empty UTF-8,
// no empty level (".a", "a..b", "a."), no "/" (a path separator on disk), no control
// characters, no level starting with "~" or equal to "." / "..", at most 255 octets.
bool valid_folder_name(std::string_view name);
bool is_inbox(std::string_view name);  // "INBOX" in any case
// "inbox" -> "INBOX", else unchanged.
std::string canonical_folder_name(std::string_view name);
// The special-use folder a fresh user gets under this name, or None.
SpecialUse default_special_use(std::string_view name);

}  // namespace maillab::mda
