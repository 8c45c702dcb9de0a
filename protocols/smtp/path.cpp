#include "protocols/smtp/path.hpp"

#include <cassert>

#include "base/ascii.hpp"
#include "protocols/message/modified_utf7.hpp"

namespace maillab::smtp {
namespace {

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alnum(char c) { return is_alpha(c) || is_digit(c); }

// RFC 5322 3.2.3 atext.
bool is_atext(char c) {
  if (is_alnum(c)) return true;
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
    case '-': case '/': case '=': case '?': case '^': case '_': case '`': case '{':
    case '|': case '}': case '~':
      return true;
    default:
      return false;
  }
}


bool is_8bit(char c) { return static_cast<unsigned char>(c) >= 0x80; }

// atext, and UTF-8 (RFC 6531 3.3: atext =/ UTF8-non-ascii): octets that are not UTF-8
// are never a Dot-string (address() quotes them, as it always did).
bool is_dot_string(std::string_view s) {
  if (s.empty() || s.front() == '.' || s.back() == '.') return false;
  char prev = 0;
  bool eight_bit = false;
  for (char c : s) {
    if (c == '.' ? prev == '.' : !(is_atext(c) || is_8bit(c))) return false;
    eight_bit = eight_bit || is_8bit(c);
    prev = c;
  }
  return !eight_bit || message::valid_utf8(s);
}

// A cursor over the text being parsed.
struct Cursor {
  std::string_view s;
  std::size_t i = 0;
  bool utf8 = false;  // 8-bit octets are allowed (checked as UTF-8 afterwards)
  bool at_end() const { return i >= s.size(); }
  char peek() const { return at_end() ? '\0' : s[i]; }
  // Let-dig of a label, or UTF-8 of a U-label (RFC 6531 3.3: sub-domain =/ U-label).
  bool let_dig() const { return is_alnum(peek()) || (utf8 && is_8bit(peek())); }
  bool atext() const { return is_atext(peek()) || (utf8 && is_8bit(peek())); }
  bool eat(char c) {
    if (peek() != c || at_end()) return false;
    ++i;
    return true;
  }
};

// Domain = sub-domain *("." sub-domain); sub-domain = Let-dig [Ldh-str] (4.1.2).
bool parse_domain_name(Cursor& c, std::string& out) {
  const std::size_t start = c.i;
  for (;;) {
    const std::size_t label = c.i;
    if (!c.let_dig()) return false;
    while (c.let_dig() || c.peek() == '-') ++c.i;
    if (c.s[c.i - 1] == '-' || c.i - label > 63) return false;  // RFC 1035 2.3.4
    if (c.peek() != '.' || c.i + 1 >= c.s.size()) break;
    ++c.i;
    if (!c.let_dig()) {
      --c.i;  // the '.' is not ours
      break;
    }
  }
  out.clear();
  for (std::size_t k = start; k < c.i; ++k) out += base::ascii_lower(c.s[k]);
  return !c.utf8 || message::valid_utf8(out);
}

bool parse_ipv4(std::string_view s) {
  int parts = 0;
  while (true) {
    std::size_t n = 0;
    int v = 0;
    while (n < s.size() && is_digit(s[n])) {
      v = v * 10 + (s[n] - '0');
      if (++n > 3) return false;
    }
    if (n == 0 || v > 255) return false;
    ++parts;
    s.remove_prefix(n);
    if (s.empty()) break;
    if (s.front() != '.' || parts == 4) return false;
    s.remove_prefix(1);
  }
  return parts == 4;
}

bool parse_ipv6(std::string_view s) {
  // Loose check of RFC 5321 4.1.3 IPv6-addr: hex groups, colons, optional IPv4 tail.
  int colons = 0;
  for (char c : s) {
    if (c == ':') ++colons;
    else if (!(is_digit(c) || (base::ascii_lower(c) >= 'a' && base::ascii_lower(c) <= 'f') || c == '.')) return false;
  }
  return colons >= 2 && colons <= 7;
}

// address-literal = "[" ( IPv4 / "IPv6:" IPv6 / Standardized-tag ":" 1*dcontent ) "]"
bool parse_address_literal(Cursor& c, std::string& out) {
  const std::size_t start = c.i;
  if (!c.eat('[')) return false;
  auto close = c.s.find(']', c.i);
  if (close == std::string_view::npos) return false;
  std::string_view inner = c.s.substr(c.i, close - c.i);
  bool ok = false;
  if (parse_ipv4(inner)) {
    ok = true;
  } else if (auto colon = inner.find(':'); colon != std::string_view::npos && colon > 0) {
    std::string tag;
    for (char ch : inner.substr(0, colon)) tag += base::ascii_lower(ch);
    std::string_view value = inner.substr(colon + 1);
    if (tag == "ipv6") {
      ok = parse_ipv6(value);
    } else {
      ok = is_alnum(tag.back()) && !value.empty();
      for (char ch : tag) ok = ok && (is_alnum(ch) || ch == '-');
      for (char ch : value) ok = ok && ch >= 33 && ch <= 126 && ch != '[' && ch != '\\' && ch != ']';
    }
  }
  if (!ok) return false;
  c.i = close + 1;
  out.clear();
  for (std::size_t k = start; k < c.i; ++k) out += base::ascii_lower(c.s[k]);
  return true;
}

// Local-part = Dot-string / Quoted-string; `out` receives the decoded value.
bool parse_local_part(Cursor& c, std::string& out) {
  out.clear();
  if (c.eat('"')) {
    for (;;) {
      if (c.at_end()) return false;
      char ch = c.s[c.i++];
      if (ch == '"') return !c.utf8 || message::valid_utf8(out);
      if (ch == '\\') {  // quoted-pairSMTP = %d92 %d32-126
        if (c.at_end()) return false;
        ch = c.s[c.i++];
        if (ch < 32 || ch > 126) return false;
      } else if ((ch < 32 || ch > 126) && !(c.utf8 && is_8bit(ch))) {
        // qtextSMTP = %d32-33 / %d35-91 / %d93-126, =/ UTF8-non-ascii (RFC 6531 3.3)
        return false;
      }
      out += ch;
    }
  }
  const std::size_t start = c.i;
  while (c.atext() || c.peek() == '.') ++c.i;
  out.assign(c.s.substr(start, c.i - start));
  return is_dot_string(out);
}

// Mailbox; `postmaster_ok` allows a bare "Postmaster" (4.1.1.3).
PathError parse_mailbox_at(Cursor& c, Path& path, bool postmaster_ok) {
  const std::size_t start = c.i;
  if (!parse_local_part(c, path.local)) return PathError::Syntax;
  const std::size_t local_len = c.i - start;
  if (!c.eat('@')) {
    std::string lowered;
    for (char ch : path.local) lowered += base::ascii_lower(ch);
    if (postmaster_ok && lowered == "postmaster" && local_len == 10) return PathError::None;
    return PathError::Syntax;
  }
  const std::size_t domain_start = c.i;
  const bool ok = c.peek() == '[' ? parse_address_literal(c, path.domain)
                                  : parse_domain_name(c, path.domain);
  if (!ok) return PathError::Syntax;
  if (local_len > kMaxLocalPart) return PathError::LocalPartTooLong;
  if (c.i - domain_start > kMaxDomain) return PathError::DomainTooLong;
  return PathError::None;
}

PathResult parse_path(std::string_view text, bool reverse, bool utf8) {
  PathResult r;
  Cursor c{text, 0, utf8};
  if (!c.eat('<')) {
    r.error = PathError::Syntax;
    return r;
  }
  if (c.eat('>')) {
    if (!reverse) r.error = PathError::Syntax;  // RCPT TO:<> is not a Forward-path
    r.rest = text.substr(c.i);
    return r;
  }
  // A-d-l = At-domain *( "," At-domain ) ":" - accepted and ignored (4.1.1.3, C).
  if (c.peek() == '@') {
    std::string ignored;
    do {
      if (!c.eat('@') || !parse_domain_name(c, ignored)) {
        r.error = PathError::Syntax;
        return r;
      }
    } while (c.eat(','));
    if (!c.eat(':')) {
      r.error = PathError::Syntax;
      return r;
    }
  }
  const std::size_t mailbox_start = c.i;
  r.error = parse_mailbox_at(c, r.path, !reverse);
  if (r.error == PathError::Syntax) return r;
  if (!c.eat('>')) {
    r.error = PathError::Syntax;
    return r;
  }
  if (r.error == PathError::None && c.i - mailbox_start + 1 > kMaxPath) r.error = PathError::PathTooLong;
  r.rest = text.substr(c.i);
  return r;
}

}  // namespace

bool Path::ascii() const {
  for (char ch : local)
    if (is_8bit(ch)) return false;
  for (char ch : domain)
    if (is_8bit(ch)) return false;
  return true;
}

std::string Path::address() const {
  std::string out;
  append_address(out);
  return out;
}

std::string Path::bracketed() const {
  std::string out;
  append_bracketed(out);
  return out;
}

void Path::append_address(std::string& out) const {
  if (is_null()) return;
  if (is_dot_string(local)) {
    out += local;
  } else {
    out += '"';
    for (char c : local) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  if (!domain.empty()) {
    out += '@';
    out += domain;
  }
}

void Path::append_bracketed(std::string& out) const {
  out += '<';
  append_address(out);
  out += '>';
}

PathResult parse_reverse_path(std::string_view text, bool utf8) { return parse_path(text, true, utf8); }
PathResult parse_forward_path(std::string_view text, bool utf8) { return parse_path(text, false, utf8); }

PathResult parse_mailbox(std::string_view text, bool utf8) {
  PathResult r;
  Cursor c{text, 0, utf8};
  r.error = parse_mailbox_at(c, r.path, false);
  if (r.error == PathError::None && !c.at_end()) r.error = PathError::Syntax;
  return r;
}

Reply path_error_reply(PathError error, bool sender) {
  const char* who = sender ? "sender" : "recipient";
  const char* enhanced = sender ? "5.1.7" : "5.1.3";
  switch (error) {
    case PathError::None:
      break;
    case PathError::Syntax:
      return Reply::make(501, enhanced, std::string("Bad ") + who + " address syntax");
    case PathError::LocalPartTooLong:
      return Reply::make(553, enhanced, std::string("Bad ") + who +
                                            " address: local part exceeds 64 octets");
    case PathError::DomainTooLong:
      return Reply::make(553, sender ? "5.1.8" : "5.1.2",
                         std::string("Bad ") + who + " address: domain exceeds 255 octets");
    case PathError::PathTooLong:
      return Reply::make(553, enhanced, std::string("Bad ") + who + " address: path exceeds 256 octets");
  }
  assert(false && "path_error_reply needs an error");
  return Reply::make(501, enhanced, "Bad address syntax");
}

}  // namespace maillab::smtp
