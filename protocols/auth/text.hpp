// Small text helpers the sender-authentication code shares: ASCII case folding (DNS names,
// tags and keywords compare case-insensitively), making a peer's bytes safe for a header
// field, and splitting the colon or comma lists of DKIM and DMARC tags.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace maillab::auth {

std::string ascii_lower(std::string_view text);
// Printable ASCII (0x20-0x7E) kept, every other byte '?': nothing a peer sent can end a
// header line or carry 8-bit bytes into one.
std::string printable_ascii(std::string_view text);
// "a : b:c" -> {"a", "b", "c"}: items with their whitespace removed; empty items are kept
// (a caller may call them an error) unless `drop_empty`.
std::vector<std::string> split_list(std::string_view text, char separator, bool drop_empty = false);

}  // namespace maillab::auth
