// CommandLine: one POP3 command line cut into keyword and arguments (RFC 1939 3).
//
// Invariants: the keyword is upper-cased (commands are case-insensitive); arguments are
// split on single spaces, so "LIST  1" or "LIST 1 " yields an empty argument that the
// command table rejects; `rest` is everything after the first space, for PASS, whose one
// argument may contain spaces (RFC 1939 7). `valid` is false when the line holds a
// control character (NUL, CR, ...), which no command allows.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace maillab::pop3 {

struct CommandLine {
  std::string keyword;
  std::vector<std::string> args;
  std::string rest;
  bool valid = true;

  static CommandLine parse(std::string_view line);
  // A message number or line count: decimal digits only, no sign, no overflow
  // ("1x", "-1", "+1", "" and 99999999999999999999999 are all nullopt).
  static std::optional<std::size_t> number(std::string_view text);
};

}  // namespace maillab::pop3
