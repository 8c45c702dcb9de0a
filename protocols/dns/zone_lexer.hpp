// The tokenizer under parse_zone (RFC 1035 5.1): splits master-file text into logical
// lines (parentheses join physical lines), drops ; comments, keeps quoted strings whole.
// Tokens keep their escapes (\X, \DDD) for the parser to interpret; a token's line and
// column are where it starts. Malformed layout (unbalanced parentheses, an unterminated
// quote, a backslash at the end) is reported once as a ZoneError and ends the input.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/dns/zone.hpp"

namespace maillab::dns {

struct ZoneToken {
  std::string text;  // without the quotes when quoted
  bool quoted = false;
  int line = 0;
  int column = 0;
};

struct ZoneLine {
  std::vector<ZoneToken> tokens;  // never empty
  bool owner_omitted = false;     // the line began with a blank
  int end_line = 0;               // where the logical line ended (for "found end of line")
  int end_column = 0;
};

class ZoneLexer {
 public:
  explicit ZoneLexer(std::string_view text) : text_(text) {}

  // The next logical line; false at the end of the input or on error (see error()).
  bool next(ZoneLine& out);
  const std::optional<ZoneError>& error() const { return error_; }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
  int line_ = 1;
  int column_ = 1;
  std::optional<ZoneError> error_;

  char peek() const { return text_[pos_]; }
  void advance();
  bool fail(int line, int column, std::string message);
  bool read_quoted(ZoneToken& token);
  bool read_word(ZoneToken& token);
};

}  // namespace maillab::dns
