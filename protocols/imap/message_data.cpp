#include "protocols/imap/message_data.hpp"

#include <cstdio>

#include "protocols/imap/ascii_case.hpp"
#include "protocols/imap/wire_format.hpp"
#include "protocols/message/address_list.hpp"
#include "protocols/message/date.hpp"
#include "protocols/message/message.hpp"
#include "protocols/message/transfer_encoding.hpp"

namespace maillab::imap {
namespace {

using message::MimePart;

constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

void nstring(std::string& out, std::string_view s, bool utf8) {
  if (s.empty()) out += "NIL";
  else append_string(out, s, utf8);
}

void params(std::string& out, const message::ContentType& ct, bool utf8) {
  if (ct.ordered.empty()) {
    out += "NIL";
    return;
  }
  out += '(';
  for (std::size_t i = 0; i < ct.ordered.size(); ++i) {
    if (i) out += ' ';
    append_string(out, ct.ordered[i].first, utf8);
    out += ' ';
    append_string(out, ct.ordered[i].second, utf8);
  }
  out += ')';
}

void addresses(std::string& out, const std::optional<std::string>& field, bool utf8) {
  const auto list = field ? message::parse_address_list(*field) : std::vector<message::AddressEntry>{};
  if (list.empty()) {
    out += "NIL";
    return;
  }
  out += '(';
  for (const auto& a : list) {
    using Kind = message::AddressEntry::Kind;
    if (a.kind == Kind::GroupEnd) {
      out += "(NIL NIL NIL NIL)";
    } else if (a.kind == Kind::GroupStart) {
      out += "(NIL NIL ";
      append_string(out, a.name.empty() ? std::string_view("undisclosed") : std::string_view(a.name), utf8);
      out += " NIL)";
    } else {
      out += '(';
      nstring(out, a.name, utf8);
      out += ' ';
      nstring(out, a.route, utf8);
      out += ' ';
      nstring(out, a.mailbox, utf8);
      out += ' ';
      nstring(out, a.host, utf8);
      out += ')';
    }
  }
  out += ')';
}

void envelope(std::string& out, std::string_view header, bool utf8) {
  const auto h = message::MessageView::parse(header);
  auto field = [&](std::string_view name) {
    out += ' ';
    const auto v = h.header(name);
    if (v) append_string(out, *v, utf8);
    else out += "NIL";
  };
  out += '(';
  const auto date = h.header("Date");
  if (date) append_string(out, *date, utf8);
  else out += "NIL";
  field("Subject");
  const auto from = h.header("From");
  out += ' ';
  addresses(out, from, utf8);
  // RFC 9051 7.5.2: Sender and Reply-To default to From.
  auto sender = h.header("Sender");
  out += ' ';
  addresses(out, sender ? sender : from, utf8);
  auto reply_to = h.header("Reply-To");
  out += ' ';
  addresses(out, reply_to ? reply_to : from, utf8);
  for (std::string_view name : {"To", "Cc", "Bcc"}) {
    out += ' ';
    addresses(out, h.header(name), utf8);
  }
  field("In-Reply-To");
  field("Message-ID");
  out += ')';
}

void disposition(std::string& out, const MimePart& p, bool utf8) {
  if (!p.has_disposition) {
    out += "NIL";
    return;
  }
  out += '(';
  append_string(out, p.disposition.type, utf8);
  out += ' ';
  params(out, p.disposition, utf8);
  out += ')';
}

void language(std::string& out, const MimePart& p, bool utf8) {
  if (p.languages.empty()) {
    out += "NIL";
  } else if (p.languages.size() == 1) {
    append_string(out, p.languages[0], utf8);
  } else {
    out += '(';
    for (std::size_t i = 0; i < p.languages.size(); ++i) {
      if (i) out += ' ';
      append_string(out, p.languages[i], utf8);
    }
    out += ')';
  }
}

// The end both body extensions share (RFC 9051 9, body-ext-1part and body-ext-mpart):
// " disposition language location".
void extension_tail(std::string& out, const MimePart& p, bool utf8) {
  out += ' ';
  disposition(out, p, utf8);
  out += ' ';
  language(out, p, utf8);
  out += ' ';
  nstring(out, p.location, utf8);
}

void body(std::string& out, std::string_view all, const MimePart& p, bool ext, bool utf8) {
  const std::string& type = p.content_type.type;
  const std::size_t slash = type.find('/');
  const std::string_view major = std::string_view(type).substr(0, slash);
  const std::string_view minor = slash == std::string::npos ? std::string_view("plain") : std::string_view(type).substr(slash + 1);
  out += '(';
  if (p.is_multipart() && !p.children.empty()) {
    for (const auto& child : p.children) body(out, all, child, ext, utf8);
    out += ' ';
    append_string(out, minor, utf8);
    if (ext) {
      out += ' ';
      params(out, p.content_type, utf8);
      extension_tail(out, p, utf8);
    }
    out += ')';
    return;
  }
  append_string(out, major, utf8);
  out += ' ';
  append_string(out, minor, utf8);
  out += ' ';
  params(out, p.content_type, utf8);
  out += ' ';
  nstring(out, p.id, utf8);
  out += ' ';
  nstring(out, p.description, utf8);
  out += ' ';
  append_string(out, p.encoding.empty() ? std::string_view("7bit") : std::string_view(p.encoding), utf8);
  out += ' ';
  out += std::to_string(p.body_size());
  if (p.is_message() && !p.children.empty()) {
    const MimePart& inner = p.children[0];
    out += ' ';
    envelope(out, all.substr(inner.header_begin, inner.body_begin - inner.header_begin), utf8);
    out += ' ';
    body(out, all, inner, ext, utf8);
    out += ' ' + std::to_string(p.body_lines);
  } else if (major == "text") {
    out += ' ' + std::to_string(p.body_lines);
  }
  if (ext) {
    out += ' ';
    nstring(out, p.md5, utf8);
    extension_tail(out, p, utf8);
  }
  out += ')';
}

// The header section with only (or all but) the named fields, then the empty line.
std::string header_fields(std::string_view header, const std::vector<std::string>& names, bool keep) {
  const message::Message m = message::Message::parse(header);
  std::string out;
  for (const auto& f : m.fields()) {
    if (f.name.empty()) continue;
    bool named = false;
    for (const auto& n : names) named = named || iequals(f.name, n);
    if (named == keep) out += f.raw;
  }
  out += "\r\n";
  return out;
}

}  // namespace

std::string internal_date(std::int64_t unix_seconds) {
  const auto t = message::civil_from_unix(unix_seconds);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%02d-%s-%04lld %02d:%02d:%02d +0000", t.day, kMonths[t.month - 1],
                static_cast<long long>(t.year), t.hour, t.minute, t.second);
  return buf;
}

const message::MimePart& MessageData::root() const {
  if (!root_) root_ = message::parse_mime(bytes());
  return *root_;
}

void MessageData::append_envelope(std::string& out, bool utf8) const {
  const std::string_view all = bytes();
  const std::size_t body = message::MessageView::parse(all).body().size();
  envelope(out, all.substr(0, all.size() - body), utf8);
}

void MessageData::append_body_structure(std::string& out, bool extended, bool utf8) const {
  body(out, bytes(), root(), extended, utf8);
}

const MimePart* MessageData::resolve(const std::vector<std::uint32_t>& numbers, bool& message) const {
  const MimePart* cur = &root();
  message = true;
  for (std::uint32_t n : numbers) {
    if (!message && cur->is_message() && !cur->children.empty()) {
      cur = &cur->children[0];  // into the encapsulated message
      message = true;
    }
    if (cur->is_multipart()) {
      if (n == 0 || n > cur->children.size()) return nullptr;
      cur = &cur->children[n - 1];
    } else if (!message || n != 1) {
      return nullptr;  // a leaf part has no parts below it
    }
    message = false;
  }
  return cur;
}

std::optional<std::string> MessageData::section(const Section& s) const {
  const std::string_view all = bytes();
  bool message = true;
  const MimePart* p = resolve(s.part, message);
  if (p == nullptr) return std::nullopt;
  using Text = Section::Text;
  if (s.text == Text::Full) {
    if (s.part.empty()) return std::string(all);
    return std::string(all.substr(p->body_begin, p->body_size()));
  }
  if (s.text == Text::Mime) return std::string(all.substr(p->header_begin, p->header_size()));
  // HEADER, HEADER.FIELDS, TEXT: of the message itself, or of the one a
  // message/rfc822 part encapsulates.
  if (!message) {
    if (!p->is_message() || p->children.empty()) return std::nullopt;
    p = &p->children[0];
  }
  const std::string_view header = all.substr(p->header_begin, p->header_size());
  switch (s.text) {
    case Text::Header: return std::string(header);
    case Text::HeaderFields: return header_fields(header, s.fields, true);
    case Text::HeaderFieldsNot: return header_fields(header, s.fields, false);
    case Text::Text: return std::string(all.substr(p->body_begin, p->body_size()));
    default: return std::nullopt;
  }
}

MessageData::Binary MessageData::binary(const Section& s, std::string& out) const {
  if (s.part.empty()) {
    out = std::string(bytes());
    return Binary::Ok;
  }
  bool message = true;
  const MimePart* p = resolve(s.part, message);
  if (p == nullptr) return Binary::NoPart;
  const std::string_view raw = bytes().substr(p->body_begin, p->body_size());
  if (p->is_multipart() || p->is_message()) {
    out = std::string(raw);
    return Binary::Ok;
  }
  auto decoded = message::decode_transfer_encoding(raw, p->encoding);
  if (!decoded) return Binary::UnknownEncoding;
  out = std::move(*decoded);
  return Binary::Ok;
}

}  // namespace maillab::imap
