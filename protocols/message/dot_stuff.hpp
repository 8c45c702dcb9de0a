// message::dot_stuff: prepares message content for the wire after SMTP's 354 (RFC 5321
// 4.5.2, 4.1.1.4; the client's half of smtp::DataReader) and for a POP3 multi-line
// response (RFC 1939 3: RETR, TOP): the same rule, one definition.
//
// Output: the content as CRLF lines, each line starting with "." given one more ".",
// ending with CRLF, followed by the end mark ".\r\n". Content that already is CRLF text
// travels byte-exact (the receiver unstuffs it back); a missing final CRLF is added
// (4.1.1.4: the mark must start a line), an empty content sends only the mark.
// Defensive normalisation: a bare LF or bare CR in the content becomes CRLF (a relay
// never forwards a line end a receiver might read differently: SMTP smuggling,
// CVE-2023-51764/5/6), the same choice DataReader makes on the receiving side.
// `line_limit` (Postfix smtp_line_length_limit; 0: none): a line longer than that many
// octets (CRLF not counted) is broken by inserting CRLF SP, so that no line sent is
// longer and nothing of the message is lost ("<998 octets>\r\n <997 octets>...").
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace maillab::message {

std::string dot_stuff(std::string_view content);
// The same, appended to `out` (no temporary copy of the content).
void append_dot_stuffed(std::string& out, std::string_view content, std::size_t line_limit = 0);

// The content as CRLF lines, as append_dot_stuffed writes them but with no dot-stuffing
// and no end mark: a BDAT chunk (RFC 3030 2). Empty content gives nothing.
void append_crlf_lines(std::string& out, std::string_view content, std::size_t line_limit = 0);

// True when the content holds octets above 127 (then BODY=8BITMIME, RFC 6152).
bool has_8bit(std::string_view content);

}  // namespace maillab::message
