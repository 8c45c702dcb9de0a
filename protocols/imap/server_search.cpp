// ServerSession: SEARCH and UID SEARCH (RFC 9051 6.4.4, RFC 3501 6.4.4 keys), answered
// with SEARCH (IMAP4rev1) or ESEARCH (RFC 4731; always once IMAP4rev2 is enabled,
// RFC 9051 7.3.4).
//
// Matching: strings are case-insensitive substrings (ASCII case folding), header values
// after RFC 2047 decoding, BODY / TEXT in the decoded text of every text/* part (base64
// and quoted-printable undone); dates compare days, ignoring time and zone: the internal
// date's UTC day for BEFORE/ON/SINCE, the day written in the Date field for SENT* (the
// internal date when it has none, as Dovecot does). Charsets: US-ASCII and UTF-8.
#include <optional>

#include "base/ascii.hpp"
#include "protocols/imap/message_data.hpp"
#include "protocols/imap/search_program.hpp"
#include "protocols/imap/server_session.hpp"
#include "protocols/message/encoded_word.hpp"
#include "protocols/message/message.hpp"
#include "protocols/message/transfer_encoding.hpp"

namespace maillab::imap {
namespace {

using Kind = SearchKey::Kind;
constexpr std::int64_t kDay = 86400;

bool contains(std::string_view hay, std::string_view needle) {
  if (needle.empty()) return true;
  if (needle.size() > hay.size()) return false;
  for (std::size_t i = 0; i + needle.size() <= hay.size(); ++i) {
    std::size_t k = 0;
    while (k < needle.size() && base::ascii_lower(hay[i + k]) == base::ascii_lower(needle[k])) ++k;
    if (k == needle.size()) return true;
  }
  return false;
}

std::int64_t day_of(std::int64_t unix_seconds) {
  return (unix_seconds >= 0 ? unix_seconds : unix_seconds - kDay + 1) / kDay * kDay;
}

// The day written in a Date field ("[Day, ]d Mon yyyy ..."), as unix seconds at 00:00.
std::optional<std::int64_t> written_day(std::string_view v) {
  if (const std::size_t comma = v.find(','); comma != std::string_view::npos && comma < 10) v.remove_prefix(comma + 1);
  std::string text;
  for (char c : v) text += (c == ' ' || c == '\t') ? '-' : c;
  std::size_t start = text.find_first_not_of('-');
  if (start == std::string::npos) return std::nullopt;
  // Collapse runs of '-' so "2 Mar  2026" reads as "2-Mar-2026".
  std::string compact;
  for (std::size_t i = start; i < text.size(); ++i)
    if (text[i] != '-' || compact.empty() || compact.back() != '-') compact += text[i];
  Parser p(compact);
  return p.date();
}

bool any_search_needs_content(const SearchKey& k) {
  switch (k.kind) {
    case Kind::Bcc: case Kind::Body: case Kind::Cc: case Kind::From: case Kind::Header:
    case Kind::SentBefore: case Kind::SentOn: case Kind::SentSince: case Kind::Subject:
    case Kind::Text: case Kind::To:
      return true;
    default:
      for (const auto& c : k.children)
        if (any_search_needs_content(c)) return true;
      return false;
  }
}

void text_parts(std::string_view all, const message::MimePart& p, std::string& out) {
  if (!p.children.empty()) {
    for (const auto& c : p.children) text_parts(all, c, out);
    return;
  }
  if (p.content_type.type.rfind("text/", 0) != 0) return;
  const std::string_view raw = all.substr(p.body_begin, p.body_size());
  out += message::decode_transfer_encoding(raw, p.encoding).value_or(std::string(raw));
  out += '\n';
}

}  // namespace

// What one message offers to the keys, computed when first asked.
struct ServerSession::SearchTarget {
  io::Bytes content;
  std::optional<message::MessageView> header;
  std::optional<std::string> text;

  const message::MessageView& headers() {
    if (!header) header = message::MessageView::parse(content ? std::string_view(*content) : std::string_view());
    return *header;
  }
  const std::string& body_text() {
    if (!text) {
      text.emplace();
      if (content) text_parts(*content, MessageData(content).root(), *text);
    }
    return *text;
  }
  bool field_contains(std::string_view name, std::string_view needle) {
    for (const auto& v : headers().headers(name))
      if (contains(message::decode_rfc2047(v), needle)) return true;
    return false;
  }
};

bool ServerSession::match(const SearchKey& k, std::uint32_t seq, const mda::Folder& folder, SearchTarget& t) {
  const MailboxView::Entry& e = view_.at(seq);
  const mda::MailboxMessage* m = folder.find(e.uid);
  if (m == nullptr) return false;
  const auto flag = [&](std::uint8_t f) { return (m->flags & f) != 0; };
  const auto keyword = [&](const std::string& name) {
    for (std::size_t i = 0; i < folder.keywords.size() && i < 32; ++i)
      if (message::iequals(folder.keywords[i], name)) return (m->keywords & (1u << i)) != 0;
    return false;
  };
  const auto sent_day = [&]() {
    const auto date = t.headers().header("Date");
    const auto d = date ? written_day(*date) : std::nullopt;
    return d ? *d : day_of(m->internal_date);
  };
  switch (k.kind) {
    case Kind::All: return true;
    case Kind::Answered: return flag(mda::Answered);
    case Kind::Deleted: return flag(mda::Deleted);
    case Kind::Draft: return flag(mda::Draft);
    case Kind::Flagged: return flag(mda::Flagged);
    case Kind::Seen: return flag(mda::Seen);
    case Kind::Unanswered: return !flag(mda::Answered);
    case Kind::Undeleted: return !flag(mda::Deleted);
    case Kind::Undraft: return !flag(mda::Draft);
    case Kind::Unflagged: return !flag(mda::Flagged);
    case Kind::Unseen: return !flag(mda::Seen);
    case Kind::Keyword: return keyword(k.value);
    case Kind::Unkeyword: return !keyword(k.value);
    case Kind::Recent: return e.recent;
    case Kind::New: return e.recent && !flag(mda::Seen);
    case Kind::Old: return !e.recent;
    case Kind::Larger: return m->size > k.number;
    case Kind::Smaller: return m->size < k.number;
    case Kind::Before: return day_of(m->internal_date) < k.date;
    case Kind::On: return day_of(m->internal_date) == k.date;
    case Kind::Since: return day_of(m->internal_date) >= k.date;
    case Kind::SentBefore: return sent_day() < k.date;
    case Kind::SentOn: return sent_day() == k.date;
    case Kind::SentSince: return sent_day() >= k.date;
    case Kind::From: return t.field_contains("From", k.value);
    case Kind::To: return t.field_contains("To", k.value);
    case Kind::Cc: return t.field_contains("Cc", k.value);
    case Kind::Bcc: return t.field_contains("Bcc", k.value);
    case Kind::Subject: return t.field_contains("Subject", k.value);
    case Kind::Header: return t.field_contains(k.field, k.value);
    case Kind::Body: return contains(t.body_text(), k.value);
    case Kind::Text: return contains(t.headers().header_section(), k.value) || contains(t.body_text(), k.value);
    case Kind::Uid: return k.set.contains(e.uid, view_.last_uid());
    case Kind::Sequence: return k.set.contains(seq, view_.count());
    case Kind::Not: return !match(k.children[0], seq, folder, t);
    case Kind::Or: return match(k.children[0], seq, folder, t) || match(k.children[1], seq, folder, t);
    case Kind::And:
      for (const auto& c : k.children)
        if (!match(c, seq, folder, t)) return false;
      return true;
  }
  return false;
}

void ServerSession::cmd_search(Parser& p) {
  if (!p.sp()) return syntax_error(p);
  auto prog = parse_search_program(p);
  if (!prog) return syntax_error(p);
  if (prog->charset && !message::iequals(*prog->charset, "UTF-8") && !message::iequals(*prog->charset, "US-ASCII")) {
    return complete("NO", "[BADCHARSET (US-ASCII UTF-8)] Unsupported charset.", uid_);
  }
  const mda::Folder* f = store_->folder_by_id(user_, view_.folder_id());
  if (f == nullptr) return complete("OK", "Search completed.", uid_);
  const bool content = any_search_needs_content(prog->root);
  std::vector<std::uint32_t> hits;
  for (std::uint32_t seq = 1; seq <= view_.count(); ++seq) {
    const MailboxView::Entry& e = view_.at(seq);
    if (e.expunged) continue;
    SearchTarget t;
    if (content) t.content = store_->content(user_, f->id, e.uid);
    if (match(prog->root, seq, *f, t)) hits.push_back(uid_ ? e.uid : seq);
  }
  if (prog->has_return || rev2_) {
    // RFC 4731 3.1 / RFC 9051 7.3.4; IMAP4rev2 answers a plain SEARCH as RETURN (ALL).
    if (!prog->has_return) prog->ret_all = true;
    std::string line = "ESEARCH (TAG \"" + tag_ + "\")";
    if (uid_) line += " UID";
    if (prog->ret_min && !hits.empty()) line += " MIN " + std::to_string(hits.front());
    if (prog->ret_max && !hits.empty()) line += " MAX " + std::to_string(hits.back());
    if (prog->ret_count) line += " COUNT " + std::to_string(hits.size());
    if (prog->ret_all && !hits.empty()) line += " ALL " + SequenceSet::format(hits);
    untagged(line);
  } else {
    std::string line = "SEARCH";
    for (std::uint32_t n : hits) line += " " + std::to_string(n);
    untagged(line);
  }
  complete("OK", "Search completed.", uid_);
}

}  // namespace maillab::imap
