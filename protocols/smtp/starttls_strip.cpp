// smtp::strip_starttls (starttls_strip.hpp).
#include "protocols/smtp/starttls_strip.hpp"

#include <algorithm>
#include <string_view>

#include "base/ascii.hpp"

namespace maillab::smtp {
namespace {

constexpr std::string_view kWord = "STARTTLS";

bool is_word_at(std::span<char> line, std::size_t at) {
  if (line.size() < at + kWord.size()) return false;
  if (!base::iequals(std::string_view(line.data() + at, kWord.size()), kWord)) return false;
  // The keyword alone on its line (a reply may carry trailing blanks).
  for (std::size_t i = at + kWord.size(); i < line.size(); ++i) {
    if (line[i] != ' ' && line[i] != '\r') return false;
  }
  return true;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

StripCount strip_starttls(std::span<char> bytes) {
  StripCount masked;
  std::size_t start = 0;
  while (start < bytes.size()) {
    const auto nl = std::find(bytes.begin() + static_cast<std::ptrdiff_t>(start), bytes.end(), '\n');
    if (nl == bytes.end()) break;  // not a whole line
    const std::size_t end = static_cast<std::size_t>(nl - bytes.begin());
    std::span<char> line = bytes.subspan(start, end - start);
    if (line.size() >= 4 && is_digit(line[0]) && is_digit(line[1]) && is_digit(line[2]) &&
        (line[3] == '-' || line[3] == ' ') && is_word_at(line, 4)) {
      std::copy_n("XXXXXXXA", kWord.size(), line.begin() + 4);  // the EHLO keyword
      ++masked.replies;
    } else if (is_word_at(line, 0)) {
      std::copy_n("XXXXXXXX", kWord.size(), line.begin());  // the client's command
      ++masked.commands;
    }
    start = end + 1;
  }
  return masked;
}

}  // namespace maillab::smtp
