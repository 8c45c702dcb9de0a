#include "protocols/smtp/reply.hpp"

#include <cassert>

namespace maillab::smtp {
namespace {

void append_code(std::string& out, int code) {
  assert(code >= 100 && code <= 599 && "an SMTP reply code has three digits");
  out += static_cast<char>('0' + (code / 100) % 10);
  out += static_cast<char>('0' + (code / 10) % 10);
  out += static_cast<char>('0' + code % 10);
}

void append_clean(std::string& out, std::string_view text) {
  for (char c : text) out += (c == '\r' || c == '\n') ? ' ' : c;
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
  const std::size_t n = lines.empty() ? 1 : lines.size();
  for (std::size_t i = 0; i < n; ++i) {
    append_code(out, code);
    const bool last = i + 1 == n;
    const std::string_view line = lines.empty() ? std::string_view{} : std::string_view{lines[i]};
    if (!last) {
      out += '-';
    } else if (!enhanced.empty() || !lines.empty()) {
      out += ' ';
    }
    if (!enhanced.empty()) {
      out += enhanced;
      if (!line.empty()) out += ' ';
    }
    append_clean(out, line);
    out += "\r\n";
  }
  return out;
}

std::string Reply::text() const {
  std::string out;
  for (const auto& l : lines) {
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
    r.lines.emplace_back(line);
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return r;
}

}  // namespace maillab::smtp
