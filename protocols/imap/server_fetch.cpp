// ServerSession: FETCH and UID FETCH (RFC 9051 6.4.5, 7.5.2; BINARY of RFC 3516).
//
// One "* n FETCH (...)" per message, items in the order asked (UID first when the
// command is UID FETCH, RFC 9051 6.4.9). Fetching a body without .PEEK sets \Seen unless
// the mailbox is read-only, and the response then carries FLAGS too. Body contents are
// literals; a section naming no part is NIL. Messages another session expunged (the
// EXPUNGE not yet told) are left out and the command ends NO [EXPUNGEISSUED] (Dovecot).
#include "protocols/imap/message_data.hpp"
#include "protocols/imap/server_session.hpp"
#include "protocols/imap/wire_format.hpp"

namespace maillab::imap {
namespace {

using Kind = FetchItem::Kind;

bool needs_content(const FetchItem& item) {
  return item.kind != Kind::Flags && item.kind != Kind::Uid && item.kind != Kind::InternalDate &&
         item.kind != Kind::Rfc822Size;
}

void literal_or_binary(std::string& out, std::string_view data) {
  // RFC 3516 4.3: a literal8 when the data holds NUL.
  if (data.find('\0') != std::string_view::npos) out += '~';
  append_literal(out, data);
}

std::string_view partial(std::string_view data, const FetchItem& item) {
  if (!item.partial) return data;
  if (item.origin >= data.size()) return {};
  return data.substr(item.origin, item.count);
}

}  // namespace

void ServerSession::cmd_fetch(Parser& p) {
  std::vector<std::uint32_t> seqs;
  if (!p.sp()) return syntax_error(p);
  if (!resolve_set(p, seqs)) return;
  if (!p.sp()) return syntax_error(p);
  auto items = parse_fetch_items(p);
  if (!items || !p.end()) return syntax_error(p);
  if (uid_) {
    bool has_uid = false;
    for (const auto& i : *items) has_uid = has_uid || i.kind == Kind::Uid;
    if (!has_uid) {
      FetchItem u;
      u.kind = Kind::Uid;
      items->insert(items->begin(), u);
    }
  }
  const mda::Folder* f = store_->folder_by_id(user_, view_.folder_id());
  if (f == nullptr) return complete("OK", "Fetch completed.", uid_);  // the sync says BYE
  const std::uint64_t id = f->id;
  bool missing = false;
  unknown_cte_ = false;
  for (std::uint32_t seq : seqs) {
    f = store_->folder_by_id(user_, id);  // setting \Seen may have changed the folder
    if (f == nullptr) break;
    fetch_one(seq, *items, *f, missing);
  }
  // RFC 3516 4.2: a part whose Content-Transfer-Encoding the server cannot decode.
  if (unknown_cte_) return complete("NO", "[UNKNOWN-CTE] Unknown Content-Transfer-Encoding.", uid_);
  if (missing) return complete("NO", "[EXPUNGEISSUED] Some of the requested messages no longer exist.", uid_);
  complete("OK", "Fetch completed.", uid_);
}

void ServerSession::fetch_one(std::uint32_t seq, const std::vector<FetchItem>& items, const mda::Folder& folder,
                              bool& missing) {
  MailboxView::Entry& e = view_.at(seq);
  const mda::MailboxMessage* m = e.expunged ? nullptr : folder.find(e.uid);
  if (m == nullptr) {
    missing = true;
    return;
  }
  const bool utf = utf8();
  bool want_content = false, sets_seen = false, has_flags = false;
  for (const auto& i : items) {
    want_content = want_content || needs_content(i);
    sets_seen = sets_seen || i.sets_seen();
    has_flags = has_flags || i.kind == Kind::Flags;
  }
  const mda::MailboxMessage msg = *m;  // set_flags may move things
  io::Bytes content;
  if (want_content) {
    content = store_->content(user_, folder.id, msg.uid);
    if (!content) {
      missing = true;
      return;
    }
  }
  bool seen_now = false;
  if (sets_seen && !view_.read_only() && !(msg.flags & mda::Seen)) {
    if (store_->set_flags(user_, folder.id, msg.uid, msg.flags | mda::Seen, msg.keywords) == mda::StoreResult::Ok) {
      e.flags = msg.flags | mda::Seen;
      e.keywords = msg.keywords;
      seen_now = true;
    }
  }
  const MessageData data(content);
  std::string& out = output_;
  out += "* " + std::to_string(seq) + " FETCH (";
  bool first = true;
  auto next = [&]() {
    if (!first) out += ' ';
    first = false;
  };
  auto flags = [&]() {
    next();
    out += "FLAGS ";
    MailboxView::append_flags(out, e.flags, e.keywords, e.recent, folder.keywords, !rev2_);
  };
  for (const auto& item : items) {
    switch (item.kind) {
      case Kind::Flags: flags(); break;
      case Kind::Uid:
        next();
        out += "UID " + std::to_string(msg.uid);
        break;
      case Kind::InternalDate:
        next();
        out += "INTERNALDATE \"" + internal_date(msg.internal_date) + "\"";
        break;
      case Kind::Rfc822Size:
        next();
        out += "RFC822.SIZE " + std::to_string(msg.size);
        break;
      case Kind::Envelope:
        next();
        out += "ENVELOPE ";
        data.append_envelope(out, utf);
        break;
      case Kind::Body:
      case Kind::BodyStructure:
        next();
        out += item.kind == Kind::Body ? "BODY " : "BODYSTRUCTURE ";
        data.append_body_structure(out, item.kind == Kind::BodyStructure, utf);
        break;
      case Kind::Rfc822:
      case Kind::Rfc822Header:
      case Kind::Rfc822Text:
      case Kind::BodySection: {
        Section s = item.section;
        if (item.kind == Kind::Rfc822Header) s.text = Section::Text::Header;
        if (item.kind == Kind::Rfc822Text) s.text = Section::Text::Text;
        const auto text = item.kind == Kind::Rfc822 ? std::optional<std::string>(std::string(data.bytes())) : data.section(s);
        next();
        out += item.response_name();
        out += ' ';
        if (text) append_literal(out, partial(*text, item));
        else out += "NIL";
        break;
      }
      case Kind::Binary:
      case Kind::BinarySize: {
        std::string decoded;
        const auto r = data.binary(item.section, decoded);
        next();
        out += item.response_name();
        out += ' ';
        if (r != MessageData::Binary::Ok) {
          out += "NIL";
          unknown_cte_ = unknown_cte_ || r == MessageData::Binary::UnknownEncoding;
        } else if (item.kind == Kind::BinarySize) {
          out += std::to_string(decoded.size());
        } else {
          literal_or_binary(out, partial(decoded, item));
        }
        break;
      }
    }
  }
  // RFC 9051 6.4.5: \Seen set by this FETCH is reported in it.
  if (seen_now && !has_flags) flags();
  out += ")\r\n";
}

}  // namespace maillab::imap
