#include "protocols/auth/tag_list.hpp"

#include <cctype>

#include "protocols/message/ascii.hpp"

namespace maillab::auth {

namespace {

bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool valchar(char c) {
  auto u = static_cast<unsigned char>(c);
  return u >= 0x21 && u <= 0x7e && c != ';';
}

}  // namespace

const Tag* TagList::find(std::string_view name) const {
  for (const auto& t : tags) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

std::optional<std::string> TagList::value(std::string_view name) const {
  if (const auto* t = find(name)) return t->value;
  return std::nullopt;
}

std::string strip_whitespace(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (!is_ws(c)) out += c;
  }
  return out;
}

std::optional<TagList> parse_tag_list(std::string_view text, std::string* why, bool fold_case) {
  auto fail = [&](std::string reason) -> std::optional<TagList> {
    if (why) *why = std::move(reason);
    return std::nullopt;
  };
  TagList list;
  std::size_t i = 0;
  const std::size_t n = text.size();
  while (true) {
    while (i < n && is_ws(text[i])) ++i;
    if (i >= n) break;  // empty list or a trailing ';'
    std::size_t name_start = i;
    if (!std::isalpha(static_cast<unsigned char>(text[i]))) return fail("a tag name must start with a letter");
    while (i < n && (std::isalnum(static_cast<unsigned char>(text[i])) || text[i] == '_')) ++i;
    std::string name(text.substr(name_start, i - name_start));
    if (fold_case) message::lower_in_place(name);
    while (i < n && is_ws(text[i])) ++i;
    if (i >= n || text[i] != '=') return fail("tag '" + name + "' without '='");
    ++i;
    std::size_t after_equals = i;
    while (i < n && is_ws(text[i])) ++i;
    std::size_t value_start = i, value_end = i;
    while (i < n && text[i] != ';') {
      if (valchar(text[i])) {
        value_end = i + 1;
      } else if (!is_ws(text[i])) {
        return fail("byte not allowed in the value of tag '" + name + "'");
      }
      ++i;
    }
    if (list.find(name)) return fail("tag '" + name + "' appears twice");
    list.tags.push_back(Tag{name, std::string(text.substr(value_start, value_end - value_start)),
                            value_start, value_end, after_equals, i});
    if (i >= n) break;
    ++i;  // ';'
  }
  return list;
}

}  // namespace maillab::auth
