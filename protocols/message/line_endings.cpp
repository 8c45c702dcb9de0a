#include "protocols/message/line_endings.hpp"

#include <cstdint>
#include <cstring>

namespace maillab::message {
namespace {

// memchr over [p, end), `end` when absent.
const char* find(const char* p, const char* end, char c) {
  if (p == end) return end;
  const void* hit = std::memchr(p, c, static_cast<std::size_t>(end - p));
  return hit ? static_cast<const char*>(hit) : end;
}

}  // namespace

void append_crlf(std::string& out, std::string_view text) {
  const char* p = text.data();
  const char* const end = p + text.size();
  const char* run = p;  // start of the input not copied yet: CRLF text is copied in one go
  // The next CR and LF, each found once per line (text is mostly CRLF or LF lines).
  const char* cr = find(p, end, '\r');
  const char* lf = find(p, end, '\n');
  while (true) {
    const char* brk = cr < lf ? cr : lf;
    if (brk == end) break;
    if (brk == cr && cr + 1 == lf && lf != end) {
      p = lf + 1;
    } else {
      out.append(run, brk);
      out.append("\r\n", 2);
      p = run = brk + 1;
    }
    if (cr < p) cr = find(p, end, '\r');
    if (lf < p) lf = find(p, end, '\n');
  }
  out.append(run, end);
}

std::string to_crlf(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 32);
  append_crlf(out, text);
  return out;
}

std::string lf_to_crlf(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 32);
  const char* p = text.data();
  const char* const end = p + text.size();
  const char* run = p;  // start of the input not copied yet
  for (const char* lf = find(p, end, '\n'); lf != end; lf = find(lf + 1, end, '\n')) {
    if (lf == text.data() || lf[-1] != '\r') {
      out.append(run, lf);
      out.append("\r\n", 2);
      run = lf + 1;
    }
  }
  out.append(run, end);
  return out;
}

std::string crlf_to_lf(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  const char* p = text.data();
  const char* const end = p + text.size();
  for (const char* cr = find(p, end, '\r'); cr != end; cr = find(cr + 1, end, '\r')) {
    if (cr + 1 < end && cr[1] == '\n') {
      out.append(p, cr);
      p = cr + 1;
    }
  }
  out.append(p, end);
  return out;
}

bool is_ascii(std::string_view text) {
  // Eight octets at a time: any high bit set means a non-ASCII octet.
  constexpr std::uint64_t kHigh = 0x8080808080808080ULL;
  const char* p = text.data();
  std::size_t n = text.size();
  while (n >= 32) {
    std::uint64_t w[4];
    std::memcpy(w, p, sizeof w);
    if ((w[0] | w[1] | w[2] | w[3]) & kHigh) return false;
    p += 32;
    n -= 32;
  }
  while (n >= 8) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    if (w & kHigh) return false;
    p += 8;
    n -= 8;
  }
  for (; n > 0; --n, ++p)
    if (static_cast<unsigned char>(*p) >= 0x80) return false;
  return true;
}

}  // namespace maillab::message
