// Shared pieces of the fuzz targets (fuzz/*.cpp): the input header that picks the
// configuration and the split points, a check that aborts with a message (so libFuzzer
// saves the input), and small byte-level predicates.
//
// Input layout of the session targets (smtp/pop3/imap, server and client):
//   byte 0     flags: each target documents what its bits select;
//   bytes 1-7  chunk sizes, used in turn and cycled: the payload is handed to receive()
//              in pieces of that many bytes (0 = everything that is left);
//   bytes 8-   the payload, the bytes the peer sends.
// A shorter input has zeros for the missing header bytes (flags 0, one chunk).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace maillab::fuzz {

[[noreturn]] inline void violated(const char* file, int line, const char* condition,
                                  std::string_view detail) {
  std::fprintf(stderr, "\n%s:%d: invariant violated: %s\n", file, line, condition);
  if (!detail.empty()) std::fprintf(stderr, "  %.*s\n", static_cast<int>(detail.size()), detail.data());
  std::abort();
}

// Aborts (a crash libFuzzer records) when `cond` is false; `detail` is any string-like.
#define FUZZ_CHECK(cond, detail)                                                 \
  do {                                                                           \
    if (!(cond)) ::maillab::fuzz::violated(__FILE__, __LINE__, #cond, (detail)); \
  } while (0)

inline constexpr std::size_t kHeaderSize = 8;

struct Input {
  std::uint8_t flags = 0;
  std::array<std::uint8_t, kHeaderSize - 1> sizes{};
  std::string_view payload;

  bool flag(int bit) const { return (flags >> bit) & 1u; }

  static Input from(const std::uint8_t* data, std::size_t size) {
    Input in;
    const std::size_t header = size < kHeaderSize ? size : kHeaderSize;
    if (header > 0) in.flags = data[0];
    for (std::size_t i = 1; i < header; ++i) in.sizes[i - 1] = data[i];
    in.payload = std::string_view(reinterpret_cast<const char*>(data) + header, size - header);
    return in;
  }

  // Hands the payload to `feed` in the chunks the header chose.
  template <class F>
  void feed_chunks(F&& feed) const {
    feed_chunks(payload, feed);
  }

  // The same for one piece of the payload (targets that cut it where the story changes,
  // as after STARTTLS), the chunk sizes starting again from the first.
  template <class F>
  void feed_chunks(std::string_view piece, F&& feed) const {
    std::string_view rest = piece;
    for (std::size_t turn = 0; !rest.empty(); ++turn) {
      const std::size_t want = sizes[turn % sizes.size()];
      const std::size_t n = (want == 0 || want > rest.size()) ? rest.size() : want;
      feed(rest.substr(0, n));
      rest.remove_prefix(n);
    }
  }
};

// Hands `s` to `feed` one byte at a time.
template <class F>
void feed_bytes(std::string_view s, F&& feed) {
  for (std::size_t i = 0; i < s.size(); ++i) feed(s.substr(i, 1));
}

// Every CR is followed by LF and every LF preceded by CR.
inline bool crlf_only(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\r' && (i + 1 == s.size() || s[i + 1] != '\n')) return false;
    if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r')) return false;
  }
  return true;
}

inline bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

inline bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// The last CRLF-ended line of text (all of it when there is one line or none).
inline std::string_view last_line(std::string_view text) {
  if (text.size() < 3) return text;
  const std::size_t before = text.rfind("\r\n", text.size() - 3);
  return before == std::string_view::npos ? text : text.substr(before + 2);
}

// A printable excerpt for failure messages.
inline std::string shown(std::string_view s, std::size_t max = 400) {
  std::string out;
  for (char c : s.substr(0, max)) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\r') out += "\\r";
    else if (c == '\n') out += "\\n";
    else if (u < 32 || u > 126) {
      static const char* hex = "0123456789abcdef";
      out += "\\x";
      out += hex[u >> 4];
      out += hex[u & 15];
    } else {
      out += c;
    }
  }
  if (s.size() > max) out += "...";
  return out;
}

}  // namespace maillab::fuzz
