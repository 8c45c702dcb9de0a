// Case rules for IMAP's words: command names, flags, keywords, response codes, fetch and
// search keys and charset names compare without regard to ASCII case (RFC 9051 2.2.1,
// 4.1); non-ASCII octets are compared as they are. One definition for the grammar, the
// server and the client.
#pragma once

#include <string>
#include <string_view>

namespace maillab::imap {

inline char ascii_upper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c; }

inline std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = ascii_upper(c);
  return out;
}

inline bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (ascii_upper(a[i]) != ascii_upper(b[i])) return false;
  return true;
}

inline bool starts_with_ci(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

}  // namespace maillab::imap
