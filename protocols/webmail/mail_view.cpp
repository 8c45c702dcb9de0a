#include "protocols/webmail/mail_view.hpp"

#include <algorithm>

#include "protocols/imap/wire_format.hpp"
#include "protocols/message/encoded_word.hpp"
#include "protocols/message/message.hpp"
#include "protocols/message/mime_part.hpp"
#include "protocols/message/transfer_encoding.hpp"

namespace maillab::webmail {

namespace {

// The last astring of a LIST response: a quoted string, a literal or an atom.
std::optional<std::string> last_mailbox(std::string_view r) {
  if (auto lit = fetch_literal(r); !lit.empty()) return std::string(lit);
  if (!r.empty() && r.back() == '"') {
    std::string out;
    std::size_t end = r.size() - 1;
    std::size_t start = end;
    while (start > 0) {
      --start;
      if (r[start] == '"') {
        std::size_t slashes = 0;
        while (start > slashes && r[start - 1 - slashes] == '\\') ++slashes;
        if (slashes % 2 == 0) break;
      }
    }
    for (std::size_t i = start + 1; i < end; ++i) {
      if (r[i] == '\\' && i + 1 < end) ++i;
      out += r[i];
    }
    return out;
  }
  const std::size_t sp = r.rfind(' ');
  if (sp == std::string_view::npos) return std::nullopt;
  return std::string(r.substr(sp + 1));
}

std::string header_text(const message::MessageView& m, std::string_view name) {
  auto v = m.header(name);
  return v ? message::decode_rfc2047(*v) : "";
}

const message::MimePart* find_part(const message::MimePart& p, std::string_view type, int depth = 0) {
  if (p.content_type.type == type && !(p.has_disposition && p.disposition.type == "attachment")) return &p;
  if (depth > 8) return nullptr;
  for (const auto& c : p.children) {
    if (auto* f = find_part(c, type, depth + 1)) return f;
  }
  return nullptr;
}

std::string decoded(std::string_view bytes, const message::MimePart& p) {
  auto d = message::decode_transfer_encoding(bytes.substr(p.body_begin, p.body_size()), p.encoding);
  return d ? *d : std::string(bytes.substr(p.body_begin, p.body_size()));
}

}  // namespace

std::vector<std::string> folders_from(const ImapReply& list) {
  std::vector<std::string> out;
  for (const auto& u : list.untagged) {
    if (u.rfind("LIST ", 0) != 0) continue;
    if (u.find("\\Noselect") != std::string::npos || u.find("\\NonExistent") != std::string::npos) continue;
    if (auto name = last_mailbox(u)) out.push_back(*name);
  }
  std::stable_sort(out.begin(), out.end(), [](const std::string& a, const std::string& b) {
    return (a == "INBOX") > (b == "INBOX");
  });
  return out;
}

std::optional<std::string> literal_of(const ImapReply& fetch, std::uint32_t uid) {
  for (const auto& u : fetch.untagged) {
    if (u.find(" FETCH ") == std::string::npos || fetch_number(u, "UID") != uid) continue;
    return std::string(fetch_literal(u));
  }
  return std::nullopt;
}

std::vector<MessageRow> rows_from(const ImapReply& fetch) {
  std::vector<MessageRow> out;
  for (const auto& u : fetch.untagged) {
    if (u.find(" FETCH ") == std::string::npos) continue;
    MessageRow row;
    row.uid = static_cast<std::uint32_t>(fetch_number(u, "UID"));
    if (row.uid == 0) continue;
    row.seen = fetch_flags(u).find("\\Seen") != std::string::npos;
    const auto m = message::MessageView::parse(fetch_literal(u));
    row.from = header_text(m, "From");
    row.subject = header_text(m, "Subject");
    row.date = header_text(m, "Date");
    out.push_back(std::move(row));
  }
  std::sort(out.begin(), out.end(), [](const MessageRow& a, const MessageRow& b) { return a.uid > b.uid; });
  return out;
}

std::optional<ShownMessage> shown_from(const ImapReply& fetch, std::uint32_t uid) {
  auto bytes = literal_of(fetch, uid);
  if (!bytes) return std::nullopt;
  ShownMessage s;
  s.uid = uid;
  const auto m = message::MessageView::parse(*bytes);
  s.from = header_text(m, "From");
  s.to = header_text(m, "To");
  s.cc = header_text(m, "Cc");
  s.subject = header_text(m, "Subject");
  s.date = header_text(m, "Date");
  const message::MimePart tree = message::parse_mime(*bytes);
  if (const auto* text = find_part(tree, "text/plain")) s.text = decoded(*bytes, *text);
  s.has_html = find_part(tree, "text/html") != nullptr;
  return s;
}

std::optional<std::string> html_part_from(const ImapReply& fetch, std::uint32_t uid) {
  auto bytes = literal_of(fetch, uid);
  if (!bytes) return std::nullopt;
  const message::MimePart tree = message::parse_mime(*bytes);
  const auto* html = find_part(tree, "text/html");
  if (html == nullptr) return std::nullopt;
  return decoded(*bytes, *html);
}

std::optional<std::string> mailbox_arg(std::string_view name) {
  if (name.empty() || name.size() > 255 || !imap::can_quote(name, false)) return std::nullopt;
  std::string out;
  imap::append_astring(out, name, false);
  return out;
}

}  // namespace maillab::webmail
