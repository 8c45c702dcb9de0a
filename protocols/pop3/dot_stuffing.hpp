// Multi-line response bodies (RFC 1939 3): byte-stuffing, the ".\r\n" terminator, the
// CRLF normal form message content is kept in, and the part of a message TOP sends.
//
// Invariants: append_dot_stuffed() always produces a well-formed multi-line body (every
// line CRLF-terminated, every line starting with "." doubled, then ".\r\n"), whatever the
// content; for content already in CRLF normal form the receiver gets it back byte for
// byte after removing the stuffing.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "protocols/message/dot_stuff.hpp"

namespace maillab::pop3 {

// True when every line ends in CRLF, there is no bare CR or LF, and the text is empty
// or ends with CRLF.
bool is_crlf_text(std::string_view text);
// Bare LF and bare CR become CRLF; a final CRLF is added to non-empty text without one.
std::string normalize_crlf(std::string_view text);
// Appends `content` byte-stuffed, then ".\r\n" (protocols/message/dot_stuff.hpp, the
// rule SMTP's DATA shares).
using message::append_dot_stuffed;
// RFC 1939 7 (TOP): the header, the blank line, then `body_lines` lines of the body (all
// of the body if it has fewer). A message with no blank line is all header.
std::string_view top_of(std::string_view content, std::size_t body_lines);

}  // namespace maillab::pop3
