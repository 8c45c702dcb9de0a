#include "protocols/pop3/command_line.hpp"

#include <charconv>

#include "base/ascii.hpp"

namespace maillab::pop3 {

CommandLine CommandLine::parse(std::string_view line) {
  CommandLine c;
  for (char ch : line) {
    const auto u = static_cast<unsigned char>(ch);
    if (u < 0x20 || u == 0x7f) c.valid = false;
  }
  const std::size_t space = line.find(' ');
  const std::string_view keyword = line.substr(0, space);
  c.keyword = base::ascii_upper(keyword);
  if (space == std::string_view::npos) return c;
  std::string_view rest = line.substr(space + 1);
  c.rest = std::string(rest);
  for (;;) {
    const std::size_t next = rest.find(' ');
    c.args.emplace_back(rest.substr(0, next));
    if (next == std::string_view::npos) break;
    rest.remove_prefix(next + 1);
  }
  return c;
}

std::optional<std::size_t> CommandLine::number(std::string_view text) {
  if (text.empty()) return std::nullopt;
  for (char ch : text) {
    if (ch < '0' || ch > '9') return std::nullopt;
  }
  std::size_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace maillab::pop3
