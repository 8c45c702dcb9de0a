#include "protocols/message/modified_utf7.hpp"

#include <cstdint>
#include <vector>

namespace maillab::message {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

int b64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == ',') return 63;
  return -1;
}

// Decodes one UTF-8 sequence at `i`; returns the code point (U+FFFD when invalid) and
// advances `i` past it (one octet when invalid).
std::uint32_t next_code_point(std::string_view s, std::size_t& i, bool* ok = nullptr) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  std::size_t n = 0;
  std::uint32_t cp = 0, min = 0;
  if (c < 0x80) {
    ++i;
    return c;
  } else if ((c & 0xE0) == 0xC0) {
    n = 1, cp = c & 0x1F, min = 0x80;
  } else if ((c & 0xF0) == 0xE0) {
    n = 2, cp = c & 0x0F, min = 0x800;
  } else if ((c & 0xF8) == 0xF0) {
    n = 3, cp = c & 0x07, min = 0x10000;
  } else {
    ++i;
    if (ok) *ok = false;
    return 0xFFFD;
  }
  for (std::size_t k = 1; k <= n; ++k) {
    if (i + k >= s.size() || (b(i + k) & 0xC0) != 0x80) {
      ++i;
      if (ok) *ok = false;
      return 0xFFFD;
    }
    cp = (cp << 6) | (b(i + k) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    ++i;
    if (ok) *ok = false;
    return 0xFFFD;
  }
  i += n + 1;
  return cp;
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

void flush_utf16(std::string& out, std::vector<std::uint16_t>& units) {
  if (units.empty()) return;
  out += '&';
  std::uint32_t bits = 0;
  int count = 0;
  for (std::uint16_t u : units) {
    for (int shift : {8, 0}) {
      bits = (bits << 8) | ((u >> shift) & 0xFF);
      count += 8;
      while (count >= 6) {
        count -= 6;
        out += kAlphabet[(bits >> count) & 0x3F];
      }
    }
  }
  if (count > 0) out += kAlphabet[(bits << (6 - count)) & 0x3F];
  out += '-';
  units.clear();
}

}  // namespace

bool valid_utf8(std::string_view text) {
  bool ok = true;
  for (std::size_t i = 0; i < text.size() && ok;) next_code_point(text, i, &ok);
  return ok;
}

std::string encode_modified_utf7(std::string_view utf8) {
  std::string out;
  std::vector<std::uint16_t> units;
  for (std::size_t i = 0; i < utf8.size();) {
    const std::uint32_t cp = next_code_point(utf8, i);
    if (cp >= 0x20 && cp <= 0x7E) {
      flush_utf16(out, units);
      out += static_cast<char>(cp);
      if (cp == '&') out += '-';
    } else if (cp >= 0x10000) {
      const std::uint32_t v = cp - 0x10000;
      units.push_back(static_cast<std::uint16_t>(0xD800 | (v >> 10)));
      units.push_back(static_cast<std::uint16_t>(0xDC00 | (v & 0x3FF)));
    } else {
      units.push_back(static_cast<std::uint16_t>(cp));
    }
  }
  flush_utf16(out, units);
  return out;
}

std::optional<std::string> decode_modified_utf7(std::string_view in) {
  std::string out;
  std::size_t i = 0;
  while (i < in.size()) {
    const auto c = static_cast<unsigned char>(in[i]);
    if (c < 0x20 || c > 0x7E) return std::nullopt;
    if (c != '&') {
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    ++i;
    if (i < in.size() && in[i] == '-') {
      out += '&';
      ++i;
      continue;
    }
    std::uint32_t bits = 0;
    int count = 0;
    std::uint32_t high = 0;  // a pending high surrogate
    bool any = false;
    while (i < in.size() && in[i] != '-') {
      const int v = b64_value(in[i++]);
      if (v < 0) return std::nullopt;
      bits = (bits << 6) | static_cast<std::uint32_t>(v);
      count += 6;
      if (count < 16) continue;
      count -= 16;
      const std::uint32_t unit = (bits >> count) & 0xFFFF;
      bits &= (1u << count) - 1;
      any = true;
      if (high != 0) {
        if (unit < 0xDC00 || unit > 0xDFFF) return std::nullopt;
        append_utf8(out, 0x10000 + ((high - 0xD800) << 10) + (unit - 0xDC00));
        high = 0;
      } else if (unit >= 0xD800 && unit <= 0xDBFF) {
        high = unit;
      } else if (unit >= 0xDC00 && unit <= 0xDFFF) {
        return std::nullopt;
      } else if (unit >= 0x20 && unit <= 0x7E) {
        return std::nullopt;  // printable ASCII must be written as itself
      } else {
        append_utf8(out, unit);
      }
    }
    if (i >= in.size() || !any || high != 0 || count >= 6 || bits != 0) return std::nullopt;
    ++i;  // the '-'
  }
  return out;
}

}  // namespace maillab::message
