// How the server and client write IMAP strings (RFC 9051 4.3, 9: quoted, literal, NIL,
// astring), one place for the quoting rules so that no path forgets one.
//
// Invariants: whatever the input octets, the output is a valid string of the grammar:
// - quoted only when it can be: no CR, LF or NUL, no octet above 0x7F unless `utf8` (the
//   peer enabled IMAP4rev2 or UTF8=ACCEPT, RFC 9051 5.1 / RFC 6855) and then only valid
//   UTF-8, at most kMaxQuoted octets; '"' and '\' escaped;
// - otherwise a literal "{n}" CRLF data (8-bit allowed, RFC 9051 4.3);
// - an astring is an atom when every octet is an ASTRING-CHAR and it is not "NIL"
//   (which would read back as nil), else a string.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace maillab::imap {

inline constexpr std::size_t kMaxQuoted = 1024;

bool can_quote(std::string_view s, bool utf8);
void append_quoted(std::string& out, std::string_view s);  // requires can_quote(s, true)
void append_literal(std::string& out, std::string_view s);
void append_string(std::string& out, std::string_view s, bool utf8);
void append_nstring(std::string& out, const std::optional<std::string>& s, bool utf8);
void append_astring(std::string& out, std::string_view s, bool utf8);
// A client writing a command: quoted when possible, else a synchronizing literal marker
// "{n}" whose data the caller sends after "+" (or "{n+}" with LITERAL+).
bool needs_literal(std::string_view s, bool utf8);

}  // namespace maillab::imap
