// MailboxView: what one IMAP session has told its client about the selected mailbox:
// message sequence numbers (RFC 9051 2.3.1.2) mapped to UIDs, the flags last reported,
// \Recent, and expunges not yet announced; and sync(), which brings the view up to the
// store's folder by writing the untagged updates (RFC 9051 7.3.1 EXISTS, 7.4.1 EXPUNGE,
// 7.5.2 FETCH FLAGS, 7.3.2 FLAGS / PERMANENTFLAGS when keywords appear).
//
// Invariants:
// - entries are in ascending UID order; sequence number n is entries[n - 1], so it
//   changes only when an EXPUNGE is written (RFC 9051 7.5.1).
// - An entry whose message left the store stays (marked expunged) until sync() may
//   write EXPUNGE for it: never while answering FETCH, STORE or SEARCH by sequence
//   number (RFC 9051 7.5.1, 7.4.1). EXISTS counts such entries, so the count the client
//   holds stays right.
// - sync() writes EXISTS only when the count grew, and expunges in ascending order with
//   the numbers as they are at that point (RFC 9051 7.4.1's example).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "protocols/mda/mailbox_store.hpp"

namespace maillab::imap {

class MailboxView {
 public:
  struct Entry {
    std::uint32_t uid = 0;
    std::uint8_t flags = 0;
    std::uint32_t keywords = 0;
    bool recent = false;
    bool expunged = false;  // gone from the store, EXPUNGE not yet written
  };
  struct SyncOptions {
    bool allow_expunge = true;
    bool rev1 = true;        // RECENT responses and \Recent in FLAGS (IMAP4rev1 only)
    bool with_uid = false;   // FETCH updates carry UID (during UID commands)
    bool utf8 = false;
  };

  // Opens the view on `folder`; `recent` are the UIDs this session claimed as recent.
  void open(const mda::Folder& folder, bool read_only, const std::vector<std::uint32_t>& recent);
  // Brings the view to `folder`; `recent` are UIDs newly claimed as recent.
  void sync(const mda::Folder& folder, const std::vector<std::uint32_t>& recent, const SyncOptions& opt,
            std::string& out);

  std::uint32_t count() const { return static_cast<std::uint32_t>(entries_.size()); }
  const Entry& at(std::uint32_t seq) const { return entries_[seq - 1]; }
  Entry& at(std::uint32_t seq) { return entries_[seq - 1]; }
  // The sequence number of `uid`, 0 when the view has no such message.
  std::uint32_t seq_of(std::uint32_t uid) const;
  std::uint32_t recent_count() const;
  std::uint32_t last_uid() const { return entries_.empty() ? 0 : entries_.back().uid; }

  std::uint64_t folder_id() const { return folder_id_; }
  bool read_only() const { return read_only_; }
  std::uint32_t uidvalidity() const { return uidvalidity_; }
  std::size_t keywords_known() const { return keywords_known_; }

  // "(\Answered \Flagged ... $kw)" of a message, with \Recent when rev1.
  static void append_flags(std::string& out, std::uint8_t flags, std::uint32_t keywords, bool recent,
                           const std::vector<std::string>& table, bool rev1);
  // The FLAGS and PERMANENTFLAGS responses for `folder` (RFC 9051 7.3.2, 7.1).
  static void append_flag_responses(std::string& out, const mda::Folder& folder, bool read_only);

 private:
  std::vector<Entry> entries_;
  std::uint64_t folder_id_ = 0;
  bool read_only_ = false;
  std::uint32_t uidvalidity_ = 0;
  std::size_t keywords_known_ = 0;
  std::uint32_t max_uid_seen_ = 0;  // the highest UID ever in the view
};

}  // namespace maillab::imap
