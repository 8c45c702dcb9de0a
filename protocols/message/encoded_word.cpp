#include "protocols/message/encoded_word.hpp"

#include <cctype>
#include <optional>

#include "protocols/message/ascii.hpp"
#include "protocols/message/base64.hpp"

namespace maillab::message {
namespace {

// 39 octets -> 52 base64 characters -> a 64-character word; "Subject: " + word < 78.
constexpr std::size_t kChunkOctets = 39;

bool needs_encoding(std::string_view text) {
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u >= 0x7f || (u < 0x20 && u != '\t')) return true;
  }
  // "=?" would read as the start of an encoded word.
  return text.find("=?") != std::string_view::npos;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// Decodes one "=?charset?enc?text?=" starting at `pos`; sets `end` past it.
std::optional<std::string> decode_word(std::string_view s, std::size_t pos, std::size_t& end) {
  if (s.compare(pos, 2, "=?") != 0) return std::nullopt;
  std::size_t q1 = s.find('?', pos + 2);
  if (q1 == std::string_view::npos || q1 + 2 >= s.size() || s[q1 + 2] != '?') return std::nullopt;
  char enc = ascii_upper(s[q1 + 1]);
  std::size_t close = s.find("?=", q1 + 3);
  if (close == std::string_view::npos) return std::nullopt;
  std::string_view payload = s.substr(q1 + 3, close - q1 - 3);
  if (payload.find_first_of(" \t\r\n") != std::string_view::npos) return std::nullopt;
  std::string out;
  if (enc == 'B') {
    auto d = base64_decode(payload);
    if (!d) return std::nullopt;
    out = std::move(*d);
  } else if (enc == 'Q') {
    for (std::size_t i = 0; i < payload.size(); ++i) {
      char c = payload[i];
      if (c == '_') {
        out += ' ';
      } else if (c == '=') {
        int hi = i + 1 < payload.size() ? hex_value(payload[i + 1]) : -1;
        int lo = i + 2 < payload.size() ? hex_value(payload[i + 2]) : -1;
        if (hi < 0 || lo < 0) return std::nullopt;
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
      } else {
        out += c;
      }
    }
  } else {
    return std::nullopt;
  }
  end = close + 2;
  return out;
}

}  // namespace

std::string encode_rfc2047(std::string_view text) {
  if (!needs_encoding(text)) return std::string(text);
  std::string out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t len = std::min(kChunkOctets, text.size() - pos);
    // Back off so the chunk does not end inside a UTF-8 sequence (continuation 10xxxxxx).
    while (len > 1 && pos + len < text.size() &&
           (static_cast<unsigned char>(text[pos + len]) & 0xC0) == 0x80)
      --len;
    if (!out.empty()) out += ' ';
    out += "=?utf-8?b?";
    out += base64_encode(text.substr(pos, len));
    out += "?=";
    pos += len;
  }
  return out;
}

std::string decode_rfc2047(std::string_view text) {
  std::string out;
  std::string pending_ws;  // whitespace after an encoded word, dropped if another follows
  bool last_was_word = false;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t end = 0;
    if (text[i] == '=' && i + 1 < text.size() && text[i + 1] == '?') {
      if (auto w = decode_word(text, i, end)) {
        if (!last_was_word) out += pending_ws;
        pending_ws.clear();
        out += *w;
        last_was_word = true;
        i = end;
        continue;
      }
    }
    char c = text[i];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      if (c == ' ' || c == '\t') pending_ws += c;
      ++i;
      continue;
    }
    out += pending_ws;
    pending_ws.clear();
    out += c;
    last_was_word = false;
    ++i;
  }
  out += pending_ws;
  return out;
}

}  // namespace maillab::message
