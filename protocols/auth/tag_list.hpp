// Tag=value lists (RFC 6376 3.2), the syntax of DKIM-Signature fields, DKIM key records
// and, with the same rules, DMARC records (RFC 7489 6.4). Tags keep their order; names
// are case-sensitive (RFC 6376 3.2) -- parse_tag_list(..., fold_case) lowercases them for
// DMARC, whose tags are case-insensitive. Values lose the whitespace around them and keep
// what is inside. A duplicate tag, a name that is not ALPHA *(ALPHA / DIGIT / "_"), or a
// value byte outside VALCHAR / WSP / FWS makes the whole list invalid.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace maillab::auth {

struct Tag {
  std::string name;
  std::string value;
  std::size_t value_offset = 0;  // where the value starts in the parsed text
  std::size_t value_end = 0;     // one past its last octet (trailing whitespace excluded)
  std::size_t after_equals = 0;  // just after the '='
  std::size_t before_semicolon = 0;  // the ';' that ends the tag, or the end of the text
};

struct TagList {
  std::vector<Tag> tags;
  const Tag* find(std::string_view name) const;
  std::optional<std::string> value(std::string_view name) const;
};

// nullopt when `text` is not a valid tag-list; `why` then says what is wrong.
std::optional<TagList> parse_tag_list(std::string_view text, std::string* why = nullptr,
                                      bool fold_case = false);
// The value with every whitespace (SP, HTAB, CR, LF) removed: base64 b=/bh=/p=, h= lists.
std::string strip_whitespace(std::string_view value);

}  // namespace maillab::auth
