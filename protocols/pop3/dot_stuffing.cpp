#include "protocols/pop3/dot_stuffing.hpp"

namespace maillab::pop3 {

bool is_crlf_text(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r') {
      if (i + 1 >= text.size() || text[i + 1] != '\n') return false;
      ++i;
    } else if (text[i] == '\n') {
      return false;
    }
  }
  return text.empty() || (text.size() >= 2 && text.substr(text.size() - 2) == "\r\n");
}

std::string normalize_crlf(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\r') {
      out += "\r\n";
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
    } else if (c == '\n') {
      out += "\r\n";
    } else {
      out += c;
    }
  }
  if (!out.empty() && out.back() != '\n') out += "\r\n";
  return out;
}

std::string_view top_of(std::string_view content, std::size_t body_lines) {
  std::size_t body;
  if (content.substr(0, 2) == "\r\n") {
    body = 2;
  } else {
    const std::size_t blank = content.find("\r\n\r\n");
    if (blank == std::string_view::npos) return content;
    body = blank + 4;
  }
  std::size_t end = body;
  for (std::size_t n = 0; n < body_lines && end < content.size(); ++n) {
    const std::size_t lf = content.find('\n', end);
    end = lf == std::string_view::npos ? content.size() : lf + 1;
  }
  return content.substr(0, end);
}

}  // namespace maillab::pop3
