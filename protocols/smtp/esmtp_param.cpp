#include "protocols/smtp/esmtp_param.hpp"

#include "protocols/smtp/text_scan.hpp"

namespace maillab::smtp {
namespace {

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
using detail::ascii_upper;
int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;  // RFC 3461: upper case only
}

}  // namespace

std::optional<std::vector<EsmtpParam>> split_esmtp_params(std::string_view text) {
  std::vector<EsmtpParam> out;
  if (!text.empty() && text.front() != ' ') return std::nullopt;
  while (!text.empty()) {
    while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
    if (text.empty()) break;
    std::string_view token = text.substr(0, text.find(' '));
    text.remove_prefix(token.size());
    EsmtpParam p;
    auto eq = token.find('=');
    std::string_view key = token.substr(0, eq);
    if (key.empty() || !is_alnum(key.front())) return std::nullopt;
    for (char c : key) {
      if (!is_alnum(c) && c != '-') return std::nullopt;
      p.keyword += ascii_upper(c);
    }
    if (eq != std::string_view::npos) {
      std::string_view value = token.substr(eq + 1);
      if (value.empty()) return std::nullopt;
      for (char c : value)
        if (c < 33 || c > 126 || c == '=') return std::nullopt;
      p.value.assign(value);
      p.has_value = true;
    }
    out.push_back(std::move(p));
  }
  return out;
}

std::optional<std::string> xtext_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '+') {
      if (i + 2 >= text.size()) return std::nullopt;
      const int hi = hex(text[i + 1]), lo = hex(text[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (c < 33 || c > 126 || c == '=') {
      return std::nullopt;
    } else {
      out += c;
    }
  }
  return out;
}

std::string xtext_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 33 || u > 126 || c == '+' || c == '=') {
      out += '+';
      out += kHex[u >> 4];
      out += kHex[u & 15];
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace maillab::smtp
