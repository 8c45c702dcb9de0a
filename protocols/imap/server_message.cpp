// ServerSession: selected-state commands that change messages (RFC 9051 6.4): CLOSE,
// UNSELECT, EXPUNGE, UID EXPUNGE, STORE, COPY, MOVE (RFC 6851) with UIDPLUS's COPYUID
// (RFC 4315); and sequence-set resolution for every selected-state command.
#include <algorithm>

#include "protocols/imap/ascii_case.hpp"
#include "protocols/imap/server_session.hpp"

namespace maillab::imap {
namespace {

// \Seen... -> bits; keywords to `keywords`; false for an unknown system flag.
bool flag_bits(const std::vector<std::string>& flags, std::uint8_t& bits, std::vector<std::string>& keywords,
               std::string& bad_flag) {
  for (const auto& f : flags) {
    const std::string u = upper(f);
    if (u == "\\SEEN") bits |= mda::Seen;
    else if (u == "\\ANSWERED") bits |= mda::Answered;
    else if (u == "\\FLAGGED") bits |= mda::Flagged;
    else if (u == "\\DELETED") bits |= mda::Deleted;
    else if (u == "\\DRAFT") bits |= mda::Draft;
    else if (u == "\\RECENT") continue;  // RFC 9051 2.3.2: the server sets it, no one else
    else if (f[0] == '\\') {
      bad_flag = f;
      return false;
    } else {
      keywords.push_back(f);
    }
  }
  return true;
}

}  // namespace

bool ServerSession::resolve_set(Parser& p, std::vector<std::uint32_t>& seqs) {
  auto set = p.sequence_set();
  if (!set) {
    syntax_error(p);
    return false;
  }
  const std::uint32_t count = view_.count();
  if (uid_) {
    const std::uint32_t largest = view_.last_uid();
    for (std::uint32_t seq = 1; seq <= count; ++seq)
      if (set->contains(view_.at(seq).uid, largest)) seqs.push_back(seq);
    return true;
  }
  if (!set->within(count)) {
    bad("Error in IMAP command " + verb_ + ": Invalid messageset.");
    return false;
  }
  for (std::uint32_t seq = 1; seq <= count; ++seq)
    if (set->contains(seq, count)) seqs.push_back(seq);
  return true;
}

void ServerSession::cmd_close(Parser& p) {
  if (!p.end()) return syntax_error(p);
  // RFC 9051 6.4.1: \Deleted messages go, silently, unless the mailbox is read-only.
  if (!view_.read_only()) {
    if (const mda::Folder* f = store_->folder_by_id(user_, view_.folder_id())) {
      std::vector<std::uint32_t> gone;
      for (const auto& m : f->messages)
        if (m.flags & mda::Deleted) gone.push_back(m.uid);
      if (!gone.empty()) store_->expunge(user_, f->id, gone);
    }
  }
  deselect();
  tagged("OK", "Close completed.");
}

void ServerSession::cmd_unselect(Parser& p) {
  if (!p.end()) return syntax_error(p);
  deselect();
  tagged("OK", "Unselect completed.");
}

void ServerSession::cmd_expunge(Parser& p) {
  std::vector<std::uint32_t> seqs;
  if (uid_) {
    if (!p.sp()) return syntax_error(p);
    if (!resolve_set(p, seqs)) return;
  }
  if (!p.end()) return syntax_error(p);
  if (view_.read_only()) return complete("NO", "[READ-ONLY] Mailbox is read-only.");
  const mda::Folder* f = store_->folder_by_id(user_, view_.folder_id());
  if (f == nullptr) return complete("OK", "Expunge completed.");  // the sync says BYE
  std::vector<std::uint32_t> gone;
  for (const auto& m : f->messages) {
    if (!(m.flags & mda::Deleted)) continue;
    if (uid_) {
      const std::uint32_t seq = view_.seq_of(m.uid);
      if (seq == 0 || !std::binary_search(seqs.begin(), seqs.end(), seq)) continue;
    }
    gone.push_back(m.uid);
  }
  if (!gone.empty()) {
    const auto r = store_->expunge(user_, f->id, gone);
    if (r != mda::StoreResult::Ok) return complete("NO", store_failure(r));
  }
  complete("OK", "Expunge completed.");
}

void ServerSession::cmd_store(Parser& p) {
  std::vector<std::uint32_t> seqs;
  if (!p.sp()) return syntax_error(p);
  if (!resolve_set(p, seqs)) return;
  if (!p.sp()) return syntax_error(p);
  // ["+" / "-"] "FLAGS" [".SILENT"] SP (flag-list / flag *(SP flag))  (RFC 9051 6.4.6)
  const char mode = p.peek() == '+' || p.peek() == '-' ? p.peek() : '=';
  if (mode != '=') p.take(mode);
  auto item = p.atom();
  if (!item || !p.sp()) return syntax_error(p);
  const std::string what = upper(*item);
  if (what != "FLAGS" && what != "FLAGS.SILENT") return bad("Error in IMAP command STORE: Invalid item.");
  const bool silent = what == "FLAGS.SILENT";
  std::vector<std::string> flags;
  if (p.peek() == '(') {
    auto list = p.flag_list();
    if (!list) return syntax_error(p);
    flags = std::move(*list);
  } else {
    do {
      auto f = p.flag();
      if (!f) return syntax_error(p);
      flags.push_back(std::move(*f));
    } while (p.take(' '));
  }
  if (!p.end()) return syntax_error(p);
  std::uint8_t bits = 0;
  std::vector<std::string> keywords;
  std::string bad_flag;
  if (!flag_bits(flags, bits, keywords, bad_flag)) return bad("Invalid system flag " + bad_flag + ".");
  if (view_.read_only()) return complete("NO", "[READ-ONLY] Mailbox is read-only.", uid_);
  std::uint32_t mask = 0;
  const auto defined = store_->keyword_mask(user_, view_.folder_id(), keywords, mode != '-', &mask);
  if (defined != mda::StoreResult::Ok) return complete("NO", store_failure(defined), uid_);
  const mda::Folder* f = store_->folder_by_id(user_, view_.folder_id());
  if (f == nullptr) return complete("OK", "Store completed.");
  const std::uint64_t id = f->id;
  // New keywords: the client hears the new FLAGS before any FETCH carries one.
  if (f->keywords.size() != view_.keywords_known()) {
    if (!sync_selected(false)) return;
  }
  bool failed = false;
  for (std::uint32_t seq : seqs) {
    MailboxView::Entry& e = view_.at(seq);
    if (e.expunged) continue;
    f = store_->folder_by_id(user_, id);
    const mda::MailboxMessage* m = f ? f->find(e.uid) : nullptr;
    if (m == nullptr) continue;
    std::uint8_t nf = m->flags;
    std::uint32_t nk = m->keywords;
    if (mode == '+') nf |= bits, nk |= mask;
    else if (mode == '-') nf &= static_cast<std::uint8_t>(~bits), nk &= ~mask;
    else nf = bits, nk = mask;
    const auto r = store_->set_flags(user_, id, e.uid, nf, nk);
    if (r != mda::StoreResult::Ok) {
      failed = true;
      continue;
    }
    e.flags = nf;
    e.keywords = nk;
    if (silent) continue;
    std::string line = std::to_string(seq) + " FETCH (";
    if (uid_) line += "UID " + std::to_string(e.uid) + " ";
    line += "FLAGS ";
    MailboxView::append_flags(line, nf, nk, e.recent, store_->folder_by_id(user_, id)->keywords, !rev2_);
    line += ")";
    untagged(line);
  }
  if (failed) return complete("NO", "[UNAVAILABLE] Some flags could not be stored.", uid_);
  complete("OK", "Store completed.", uid_);
}

void ServerSession::cmd_copy(Parser& p) { copy_or_move(p, false); }
void ServerSession::cmd_move(Parser& p) { copy_or_move(p, true); }

void ServerSession::copy_or_move(Parser& p, bool move) {
  std::vector<std::uint32_t> seqs;
  std::string dest;
  if (!p.sp()) return syntax_error(p);
  if (!resolve_set(p, seqs)) return;
  if (!p.sp()) return syntax_error(p);
  if (!mailbox_arg(p, dest)) return;
  if (!p.end()) return syntax_error(p);
  if (move && view_.read_only()) return complete("NO", "[READ-ONLY] Mailbox is read-only.");
  const mda::Folder* to = store_->folder(user_, dest);
  if (to == nullptr) return complete("NO", "[TRYCREATE] Mailbox doesn't exist.");
  const std::uint32_t validity = to->uidvalidity;
  std::vector<std::uint32_t> uids;
  for (std::uint32_t seq : seqs)
    if (!view_.at(seq).expunged) uids.push_back(view_.at(seq).uid);
  if (uids.empty()) return complete("OK", "No messages found.");
  std::vector<std::uint32_t> made;
  const auto r = store_->copy(user_, view_.folder_id(), uids, dest, &made);
  if (r == mda::StoreResult::NoSuchFolder) return complete("NO", "[TRYCREATE] Mailbox doesn't exist.");
  if (r != mda::StoreResult::Ok) return complete("NO", store_failure(r));
  if (made.size() != uids.size()) {
    // Some vanished meanwhile: pair only what was copied (the store keeps order).
    uids.resize(made.size());
  }
  const std::string code = "[COPYUID " + std::to_string(validity) + " " + SequenceSet::format(uids) + " " +
                           SequenceSet::format(made) + "]";
  if (!move) return complete("OK", code + " Copy completed.");
  // RFC 6851 4.3: COPYUID comes in an untagged OK before the EXPUNGE responses.
  untagged("OK " + code + " Moved UIDs.");
  const auto gone = store_->expunge(user_, view_.folder_id(), uids);
  if (gone != mda::StoreResult::Ok) return complete("NO", store_failure(gone));
  complete("OK", "Move completed.");
}

}  // namespace maillab::imap
