#include "protocols/imap/fetch_item.hpp"

#include <string_view>

#include "protocols/imap/ascii_case.hpp"
#include "protocols/imap/wire_format.hpp"

namespace maillab::imap {
namespace {

using Kind = FetchItem::Kind;

bool name_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.';
}

// "[" ... "]" after BODY / BODY.PEEK / BINARY...; `binary`: part numbers only.
bool section(Parser& p, bool binary, Section& out) {
  if (!p.take('[')) return p.fail("[");
  if (p.take(']')) return true;
  // Part numbers: nz-number *("." nz-number), each followed by "." or "]".
  bool dot = false;
  while (p.peek() >= '1' && p.peek() <= '9') {
    auto n = p.nz_number();
    if (!n || out.part.size() >= FetchItem::kMaxParts) return p.fail("part number");
    out.part.push_back(*n);
    dot = p.take('.');
    if (!dot) break;
  }
  if (!dot && p.take(']')) return true;
  if (binary || (!out.part.empty() && !dot)) return p.fail("]");
  const std::size_t start = p.pos();
  std::string word;
  while (name_char(p.peek())) word += static_cast<char>(p.peek()), p.set_pos(p.pos() + 1);
  word = upper(word);
  if (word == "HEADER") {
    out.text = Section::Text::Header;
  } else if (word == "TEXT") {
    out.text = Section::Text::Text;
  } else if (word == "MIME" && !out.part.empty()) {
    out.text = Section::Text::Mime;
  } else if (word == "HEADER.FIELDS" || word == "HEADER.FIELDS.NOT") {
    out.text = word == "HEADER.FIELDS" ? Section::Text::HeaderFields : Section::Text::HeaderFieldsNot;
    if (!p.sp() || !p.take('(')) return p.fail("header list");
    for (;;) {
      auto f = p.astring();
      if (!f || out.fields.size() >= FetchItem::kMaxFields) return p.fail("header field name");
      out.fields.push_back(std::move(*f));
      if (p.take(')')) break;
      if (!p.sp()) return false;
    }
  } else {
    p.set_pos(start);
    return p.fail("section text (HEADER, HEADER.FIELDS, TEXT, MIME)");
  }
  return p.take(']') || p.fail("]");
}

bool partial(Parser& p, FetchItem& item) {
  if (!p.take('<')) return true;
  auto origin = p.number();
  if (!origin || !p.take('.')) return p.fail("<origin.count>");
  auto count = p.nz_number();
  if (!count || !p.take('>')) return p.fail("<origin.count>");
  item.partial = true;
  item.origin = *origin;
  item.count = *count;
  return true;
}

bool fetch_att(Parser& p, std::vector<FetchItem>& out) {
  const std::size_t start = p.pos();
  std::string name;
  while (name_char(p.peek())) name += static_cast<char>(p.peek()), p.set_pos(p.pos() + 1);
  name = upper(name);
  FetchItem item;
  const bool bracket = p.peek() == '[';
  if (!bracket) {
    if (name == "ENVELOPE") item.kind = Kind::Envelope;
    else if (name == "FLAGS") item.kind = Kind::Flags;
    else if (name == "INTERNALDATE") item.kind = Kind::InternalDate;
    else if (name == "RFC822") item.kind = Kind::Rfc822;
    else if (name == "RFC822.HEADER") item.kind = Kind::Rfc822Header;
    else if (name == "RFC822.SIZE") item.kind = Kind::Rfc822Size;
    else if (name == "RFC822.TEXT") item.kind = Kind::Rfc822Text;
    else if (name == "BODY") item.kind = Kind::Body;
    else if (name == "BODYSTRUCTURE") item.kind = Kind::BodyStructure;
    else if (name == "UID") item.kind = Kind::Uid;
    else {
      p.set_pos(start);
      return p.fail("fetch attribute");
    }
  } else if (name == "BODY" || name == "BODY.PEEK") {
    item.kind = Kind::BodySection;
    item.peek = name == "BODY.PEEK";
    if (!section(p, false, item.section) || !partial(p, item)) return false;
  } else if (name == "BINARY" || name == "BINARY.PEEK") {
    item.kind = Kind::Binary;
    item.peek = name == "BINARY.PEEK";
    if (!section(p, true, item.section) || !partial(p, item)) return false;
  } else if (name == "BINARY.SIZE") {
    item.kind = Kind::BinarySize;
    if (!section(p, true, item.section)) return false;
  } else {
    p.set_pos(start);
    return p.fail("fetch attribute");
  }
  if (out.size() >= FetchItem::kMaxItems) return p.fail("fewer fetch attributes");
  out.push_back(std::move(item));
  return true;
}

void macro(std::vector<FetchItem>& out, std::initializer_list<Kind> kinds) {
  for (Kind k : kinds) {
    FetchItem item;
    item.kind = k;
    out.push_back(item);
  }
}

}  // namespace

std::string Section::spec() const {
  std::string s;
  for (std::uint32_t n : part) {
    if (!s.empty()) s += '.';
    s += std::to_string(n);
  }
  const char* text_name = nullptr;
  switch (text) {
    case Text::Full: break;
    case Text::Header: text_name = "HEADER"; break;
    case Text::HeaderFields: text_name = "HEADER.FIELDS"; break;
    case Text::HeaderFieldsNot: text_name = "HEADER.FIELDS.NOT"; break;
    case Text::Text: text_name = "TEXT"; break;
    case Text::Mime: text_name = "MIME"; break;
  }
  if (text_name) {
    if (!s.empty()) s += '.';
    s += text_name;
  }
  if (text == Text::HeaderFields || text == Text::HeaderFieldsNot) {
    s += " (";
    for (std::size_t i = 0; i < fields.size(); ++i) {
      if (i) s += ' ';
      append_astring(s, fields[i], true);
    }
    s += ')';
  }
  return s;
}

bool FetchItem::sets_seen() const {
  return ((kind == Kind::BodySection || kind == Kind::Binary) && !peek) || kind == Kind::Rfc822 ||
         kind == Kind::Rfc822Text;
}

std::string FetchItem::response_name() const {
  switch (kind) {
    case Kind::Flags: return "FLAGS";
    case Kind::InternalDate: return "INTERNALDATE";
    case Kind::Rfc822Size: return "RFC822.SIZE";
    case Kind::Rfc822: return "RFC822";
    case Kind::Rfc822Header: return "RFC822.HEADER";
    case Kind::Rfc822Text: return "RFC822.TEXT";
    case Kind::Envelope: return "ENVELOPE";
    case Kind::Body: return "BODY";
    case Kind::BodyStructure: return "BODYSTRUCTURE";
    case Kind::Uid: return "UID";
    case Kind::BinarySize: return "BINARY.SIZE[" + section.spec() + "]";
    case Kind::BodySection:
    case Kind::Binary: {
      std::string s = kind == Kind::Binary ? "BINARY[" : "BODY[";
      s += section.spec();
      s += ']';
      if (partial) {
        s += '<';
        s += std::to_string(origin);
        s += '>';
      }
      return s;
    }
  }
  return {};
}

std::optional<std::vector<FetchItem>> parse_fetch_items(Parser& p) {
  std::vector<FetchItem> out;
  if (p.take('(')) {
    for (;;) {
      if (!fetch_att(p, out)) return std::nullopt;
      if (p.take(')')) return out;
      if (!p.sp()) return std::nullopt;
    }
  }
  if (p.take_word("ALL")) {
    macro(out, {Kind::Flags, Kind::InternalDate, Kind::Rfc822Size, Kind::Envelope});
  } else if (p.take_word("FAST")) {
    macro(out, {Kind::Flags, Kind::InternalDate, Kind::Rfc822Size});
  } else if (p.take_word("FULL")) {
    macro(out, {Kind::Flags, Kind::InternalDate, Kind::Rfc822Size, Kind::Envelope, Kind::Body});
  } else if (!fetch_att(p, out)) {
    return std::nullopt;
  }
  return out;
}

}  // namespace maillab::imap
