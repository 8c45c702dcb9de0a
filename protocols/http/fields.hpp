// http::Fields: the header fields of one HTTP message, in order (RFC 9110 5). Names compare
// case-insensitively; a name may appear more than once (Set-Cookie).
//
// Invariants: what the lab writes to the wire is checked here. `set_checked` and
// `add_checked` keep a field only when its name is a token (RFC 9110 5.1) and turn every
// control character of its value but HTAB (CR, LF and NUL first: header injection, response
// splitting) into a space, the way Go's net/http does; surrounding spaces are trimmed
// (RFC 9110 5.5). Fields the engines parsed from a peer went through Beast's parser, which
// already refused anything else.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace maillab::http {

struct Field {
  std::string name;
  std::string value;
};

// ASCII case-insensitive equality (field names, schemes, codings; no locale).
bool iequals(std::string_view a, std::string_view b);
// RFC 9110 5.6.2: 1*tchar.
bool is_token(std::string_view s);
// The value with each control character but HTAB replaced by a space, trimmed (RFC 9110 5.5).
std::string safe_field_value(std::string_view value);

class Fields {
 public:
  // The first value of `name`, or "" when absent.
  std::string_view get(std::string_view name) const;
  bool has(std::string_view name) const;
  std::size_t count(std::string_view name) const;

  // Appends as it is: for fields a parser already checked.
  void add(std::string name, std::string value);
  // Checked (see above); false, and nothing changed, for a name that is not a token.
  bool add_checked(std::string_view name, std::string_view value);
  // Replaces every `name` field by one (checked); false for a name that is not a token.
  bool set_checked(std::string_view name, std::string_view value);
  void erase(std::string_view name);

  std::vector<Field>::const_iterator begin() const { return items_.begin(); }
  std::vector<Field>::const_iterator end() const { return items_.end(); }
  std::size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }

 private:
  std::vector<Field> items_;
};

}  // namespace maillab::http
