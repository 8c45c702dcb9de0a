// ASCII case rules for protocol text, one definition for every engine: mail and DNS names,
// header field names, ESMTP keywords, IMAP atoms and SPF/DKIM/DMARC tags compare without
// regard to ASCII case (RFC 5321 2.4, RFC 5322 1.2.2, RFC 4343, RFC 9051 2.2.1, RFC 7489
// 6.3); octets outside A-Z/a-z are compared and kept as they are. In base/ so that every
// layer uses the same rules (protocols/, the visualiser, the bridge; protocols/message/
// ascii.hpp names them in maillab::message for the engines that spell them so).
//
// Invariants: independent of the C/C++ locale (never std::tolower/std::toupper, whose
// result for octets >= 0x80 depends on it); lengths never change; no state.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace maillab::base {

constexpr char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
constexpr char ascii_upper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }

inline void lower_in_place(std::string& s) {
  for (char& c : s) c = ascii_lower(c);
}
inline void upper_in_place(std::string& s) {
  for (char& c : s) c = ascii_upper(c);
}
inline std::string ascii_lower(std::string_view s) {
  std::string out(s);
  lower_in_place(out);
  return out;
}
inline std::string ascii_upper(std::string_view s) {
  std::string out(s);
  upper_in_place(out);
  return out;
}

// a and b equal but for ASCII case.
inline bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i] != b[i] && ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  return true;
}

inline bool istarts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

}  // namespace maillab::base
