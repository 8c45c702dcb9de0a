#include "protocols/smtp/reply.hpp"

#include <cassert>
#include <cstring>

namespace maillab::smtp {
namespace {

// Writes `text` at `p` with a stray CR or LF as a space; returns the end.
char* put_clean(char* p, std::string_view text) {
  if (text.empty()) return p;
  std::memcpy(p, text.data(), text.size());
  // Two memchr calls settle the common case (no stray CR or LF) without a byte loop.
  if (std::memchr(p, '\r', text.size()) || std::memchr(p, '\n', text.size())) {
    for (std::size_t i = 0; i < text.size(); ++i)
      if (p[i] == '\r' || p[i] == '\n') p[i] = ' ';
  }
  return p + text.size();
}

bool digits(std::string_view s, std::size_t min, std::size_t max) {
  if (s.size() < min || s.size() > max) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

}  // namespace

bool is_enhanced_code(std::string_view s) {
  if (s.size() < 5 || (s[0] != '2' && s[0] != '4' && s[0] != '5') || s[1] != '.') return false;
  std::string_view rest = s.substr(2);
  auto dot = rest.find('.');
  if (dot == std::string_view::npos) return false;
  return digits(rest.substr(0, dot), 1, 3) && digits(rest.substr(dot + 1), 1, 3);
}

std::string Reply::wire() const {
  std::string out;
  append_wire(out);
  return out;
}

void Reply::append_wire(std::string& out) const {
  assert(code >= 100 && code <= 599 && "an SMTP reply code has three digits");
  const char code_digits[3] = {static_cast<char>('0' + code / 100), static_cast<char>('0' + code / 10 % 10),
                          static_cast<char>('0' + code % 10)};
  const std::size_t n = lines.empty() ? 1 : lines.size();
  // Sized first, then written in place: one allocation at most, no per-piece appends.
  std::size_t size = n * (3 + 1 + enhanced.size() + 1 + 2);
  for (std::string_view l : lines) size += l.size();
  const std::size_t start = out.size();
  out.resize(start + size);
  char* p = out.data() + start;
  for (std::size_t i = 0; i < n; ++i) {
    std::memcpy(p, code_digits, 3);
    p += 3;
    const bool last = i + 1 == n;
    const std::string_view line = lines.empty() ? std::string_view{} : lines[i];
    if (!last) {
      *p++ = '-';
    } else if (!enhanced.empty() || !lines.empty()) {
      *p++ = ' ';
    }
    if (!enhanced.empty()) {
      std::memcpy(p, enhanced.data(), enhanced.size());
      p += enhanced.size();
      if (!line.empty()) *p++ = ' ';
    }
    p = put_clean(p, line);
    *p++ = '\r';
    *p++ = '\n';
  }
  out.resize(static_cast<std::size_t>(p - out.data()));  // the size above is an upper bound
}

std::string Reply::text() const {
  std::string out;
  for (std::string_view l : lines) {
    if (!out.empty()) out += ' ';
    out += l;
  }
  return out;
}

std::string Reply::summary() const {
  std::string out = std::to_string(code);
  if (!enhanced.empty()) out += ' ' + enhanced;
  std::string t = text();
  if (!t.empty()) out += ' ' + t;
  return out;
}

Reply Reply::make(int code, std::string enhanced, std::string_view text) {
  Reply r;
  r.code = code;
  r.enhanced = std::move(enhanced);
  while (!text.empty()) {
    auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    r.lines.push_back(line);
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return r;
}

std::string_view queued_as(const Reply& r) {
  if (!r.positive_completion()) return {};
  constexpr std::string_view kMarker = "queued as ";
  for (std::string_view line : r.lines) {
    const auto p = line.find(kMarker);
    if (p == std::string_view::npos) continue;
    line.remove_prefix(p + kMarker.size());
    return line.substr(0, line.find_first_of(" \t;)"));
  }
  return {};
}

}  // namespace maillab::smtp
