#include "protocols/imap/wire_format.hpp"

#include "protocols/imap/parser.hpp"
#include "protocols/message/modified_utf7.hpp"

namespace maillab::imap {

bool can_quote(std::string_view s, bool utf8) {
  if (s.size() > kMaxQuoted) return false;
  bool eight_bit = false;
  for (char c : s) {
    if (c == '\r' || c == '\n' || c == '\0') return false;
    if (static_cast<unsigned char>(c) >= 0x80) eight_bit = true;
  }
  return !eight_bit || (utf8 && message::valid_utf8(s));
}

void append_quoted(std::string& out, std::string_view s) {
  out += '"';
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
}

void append_literal(std::string& out, std::string_view s) {
  out += '{';
  out += std::to_string(s.size());
  out += "}\r\n";
  out.append(s);
}

void append_string(std::string& out, std::string_view s, bool utf8) {
  if (can_quote(s, utf8)) append_quoted(out, s);
  else append_literal(out, s);
}

void append_nstring(std::string& out, const std::optional<std::string>& s, bool utf8) {
  if (!s) out += "NIL";
  else append_string(out, *s, utf8);
}

void append_astring(std::string& out, std::string_view s, bool utf8) {
  bool atom = !s.empty() && !(s.size() == 3 && (s[0] | 0x20) == 'n' && (s[1] | 0x20) == 'i' && (s[2] | 0x20) == 'l');
  for (char c : s) atom = atom && is_astring_char(c);
  if (atom) out.append(s);
  else append_string(out, s, utf8);
}

bool needs_literal(std::string_view s, bool utf8) { return !can_quote(s, utf8); }

}  // namespace maillab::imap
