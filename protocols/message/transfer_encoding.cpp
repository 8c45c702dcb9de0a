#include "protocols/message/transfer_encoding.hpp"

#include <cstdint>

#include "base/ascii.hpp"

namespace maillab::message {
namespace {

std::string lower_trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return base::ascii_lower(s);
}

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

int b64(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

}  // namespace

std::string decode_quoted_printable(std::string_view t) {
  std::string out;
  out.reserve(t.size());
  for (std::size_t i = 0; i < t.size(); ++i) {
    const char c = t[i];
    if (c != '=') {
      out += c;
      continue;
    }
    // Soft line break: "=" then optional white space then CRLF (or LF).
    std::size_t j = i + 1;
    while (j < t.size() && (t[j] == ' ' || t[j] == '\t')) ++j;
    if (j < t.size() && (t[j] == '\n' || (t[j] == '\r' && j + 1 < t.size() && t[j + 1] == '\n'))) {
      i = t[j] == '\r' ? j + 1 : j;
      continue;
    }
    if (j == t.size()) {  // "=" at the very end: a soft break with no line after it
      i = j;
      continue;
    }
    if (i + 2 < t.size() && hex(t[i + 1]) >= 0 && hex(t[i + 2]) >= 0) {
      out += static_cast<char>(hex(t[i + 1]) * 16 + hex(t[i + 2]));
      i += 2;
      continue;
    }
    out += c;  // malformed: kept literally (RFC 2045 6.7 note 1)
  }
  return out;
}

std::string decode_base64_lenient(std::string_view t) {
  std::string out;
  out.reserve(t.size() * 3 / 4);
  std::uint32_t bits = 0;
  int count = 0;
  for (char c : t) {
    if (c == '=') break;
    const int v = b64(c);
    if (v < 0) continue;
    bits = (bits << 6) | static_cast<std::uint32_t>(v);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out += static_cast<char>((bits >> count) & 0xFF);
    }
  }
  return out;
}

std::optional<std::string> decode_transfer_encoding(std::string_view body, std::string_view encoding) {
  const std::string e = lower_trimmed(encoding);
  if (e.empty() || e == "7bit" || e == "8bit" || e == "binary") return std::string(body);
  if (e == "base64") return decode_base64_lenient(body);
  if (e == "quoted-printable") return decode_quoted_printable(body);
  return std::nullopt;
}

}  // namespace maillab::message
