#include "protocols/smtp/dot_stuff.hpp"

namespace maillab::smtp {

std::string dot_stuff(std::string_view content) {
  std::string out;
  out.reserve(content.size() + content.size() / 64 + 5);
  // Line by line: each line's text is copied in one go (a '.' doubled in front of it),
  // then its ending (CRLF, or a bare CR or LF) is written as CRLF.
  const std::size_t n = content.size();
  std::size_t i = 0;
  while (i < n) {
    std::size_t j = i;
    while (j < n && content[j] != '\r' && content[j] != '\n') ++j;
    if (j > i) {
      if (content[i] == '.') out += '.';
      out.append(content.data() + i, j - i);
    }
    out += "\r\n";
    if (j == n) break;  // the last line had no ending: it gets one
    if (content[j] == '\r' && j + 1 < n && content[j + 1] == '\n') ++j;
    i = j + 1;
  }
  out += ".\r\n";
  return out;
}

bool has_8bit(std::string_view content) {
  for (char c : content)
    if (static_cast<unsigned char>(c) > 127) return true;
  return false;
}

}  // namespace maillab::smtp
