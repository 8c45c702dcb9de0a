#include "protocols/message/peer_text.hpp"

#include <cassert>

namespace maillab::message {
namespace {

bool allowed(char c, PeerText kind) {
  const auto u = static_cast<unsigned char>(c);
  if (u == ' ') return kind == PeerText::Text;
  if (u < 0x21 || u > 0x7e) return false;
  if (kind == PeerText::Text) return true;
  switch (c) {
    case '(': case ')': case ';': case '\\': case '<': case '>': case '"':
      return false;
    default:
      return true;
  }
}

}  // namespace

bool is_header_safe(std::string_view peer, PeerText kind, std::size_t max) {
  if (peer.size() > max) return false;
  for (char c : peer)
    if (!allowed(c, kind)) return false;
  return true;
}

void append_header_safe(std::string& out, std::string_view peer, PeerText kind, std::size_t max) {
  assert(max >= 3 && "room for the \"...\" of a cut value");
  const bool cut = peer.size() > max;
  if (cut) peer = peer.substr(0, max - 3);
  const std::size_t start = out.size();
  out.append(peer);
  for (std::size_t i = start; i < out.size(); ++i)
    if (!allowed(out[i], kind)) out[i] = '?';
  if (cut) out += "...";
}

std::string header_safe(std::string_view peer, PeerText kind, std::size_t max) {
  std::string out;
  append_header_safe(out, peer, kind, max);
  return out;
}

namespace {

// The length of the valid UTF-8 sequence at the start of `s` (RFC 3629 3: no overlong
// forms, no surrogates, nothing above U+10FFFF) and its code point; 0 if not valid.
std::size_t utf8_sequence(std::string_view s, char32_t& cp) {
  const auto b0 = static_cast<unsigned char>(s[0]);
  std::size_t n;
  if (b0 < 0x80) {
    cp = b0;
    return 1;
  } else if (b0 >= 0xc2 && b0 <= 0xdf) {
    n = 2;
    cp = b0 & 0x1f;
  } else if (b0 >= 0xe0 && b0 <= 0xef) {
    n = 3;
    cp = b0 & 0x0f;
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    n = 4;
    cp = b0 & 0x07;
  } else {
    return 0;
  }
  if (s.size() < n) return 0;
  for (std::size_t i = 1; i < n; ++i) {
    const auto b = static_cast<unsigned char>(s[i]);
    if ((b & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3f);
  }
  const char32_t min = n == 2 ? 0x80 : n == 3 ? 0x800 : 0x10000;
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
  return n;
}

bool shown_raw(char32_t cp) {
  if (cp == '\t') return true;
  if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f)) return false;
  if ((cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069)) return false;
  return true;
}

constexpr char kHex[] = "0123456789ABCDEF";

}  // namespace

std::string terminal_safe(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    char32_t cp = 0;
    const std::size_t n = utf8_sequence(text.substr(i), cp);
    if (n == 0) {
      const auto b = static_cast<unsigned char>(text[i]);
      out += "\\x";
      out += kHex[b >> 4];
      out += kHex[b & 15];
      ++i;
      continue;
    }
    if (shown_raw(cp)) {
      out.append(text.substr(i, n));
    } else if (cp < 0x100) {
      out += "\\x";
      out += kHex[(cp >> 4) & 15];
      out += kHex[cp & 15];
    } else {
      out += "\\u{";
      for (int shift = 12; shift >= 0; shift -= 4) out += kHex[(cp >> shift) & 15];
      out += '}';
    }
    i += n;
  }
  return out;
}

}  // namespace maillab::message
