#include "protocols/auth/text.hpp"

#include "protocols/auth/tag_list.hpp"
#include "protocols/message/ascii.hpp"

namespace maillab::auth {

std::string ascii_lower(std::string_view text) { return message::ascii_lower(text); }

std::string printable_ascii(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    out += (u >= 0x20 && u < 0x7f) ? c : '?';
  }
  return out;
}

std::vector<std::string> split_list(std::string_view text, char separator, bool drop_empty) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    auto end = text.find(separator, start);
    auto item = strip_whitespace(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (!item.empty() || !drop_empty) out.push_back(std::move(item));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return out;
}

}  // namespace maillab::auth
