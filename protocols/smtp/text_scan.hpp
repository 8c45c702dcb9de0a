// Small text helpers shared by the SMTP engine's parsers (internal to protocols/smtp).
#pragma once

#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>

#include "protocols/message/line_endings.hpp"

#include "base/ascii.hpp"

namespace maillab::smtp::detail {

// Empties an engine's output buffer after the driver sent it. The buffer serves the next
// exchange, unless something unusual (a large message content, a long handler text) made
// it big: that memory goes back.
inline void clear_output_buffer(std::string& out) {
  if (out.capacity() > 64 * 1024) {
    out = std::string();
  } else {
    out.clear();
  }
}

// ASCII upper case, locale-free (commands, keywords and xtext are ASCII).
using base::ascii_upper;

// Printable US-ASCII and the space only (no control byte, DEL or 8-bit byte): what a
// decoded ENVID or ORCPT (RFC 3461 4.2, 4.4) and a HELO argument may hold.
inline bool printable_ascii(std::string_view s) {
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u > 0x7e) return false;
  }
  return true;
}

// message::next_of (protocols/message/line_endings.hpp): a linear scan for CR and LF.
using message::next_of;

}  // namespace maillab::smtp::detail
