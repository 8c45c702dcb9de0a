// message::header_safe: the one gate for text a peer chose on its way into a header field
// or a DSN field: the HELO/EHLO argument and the client's name and address in Received,
// the "for" address, ENVID, ORCPT and the next hop's reply text (Diagnostic-Code) in a
// delivery report, an AUTH identity. A stranger must never be able to start a header line
// of their own (issue 15 item 5) nor put control bytes in front of a reader.
//
// Invariants of the result, for any input (fuzz/header_safe_fuzz.cpp checks them):
// - only printable ASCII (0x21-0x7E), plus the space in PeerText::Text; every other byte
//   (CR, LF, NUL, other C0 controls, DEL, 8-bit bytes) is '?', as Postfix's printable();
// - in PeerText::Token also no '(' ')' ';' '\\' '<' '>' '"' (they would end a Received
//   clause, a comment or an address early): '?';
// - at most `max` octets (max >= 3); a longer input keeps its start and ends in "...".
// Input that needs no change comes out unchanged.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace maillab::message {

enum class PeerText {
  Token,  // one word: a host name, an address literal, an address, an identifier
  Text,   // free Text with spaces: a reply Text, an ENVID
};

inline constexpr std::size_t kPeerTokenMax = 255;  // a domain (RFC 5321 4.5.3.1.2)
inline constexpr std::size_t kPeerTextMax = 900;   // a field line stays under 998 octets

std::string header_safe(std::string_view peer, PeerText kind = PeerText::Token,
                        std::size_t max = kPeerTokenMax);
// The same, appended to `out` (no temporary).
void append_header_safe(std::string& out, std::string_view peer, PeerText kind = PeerText::Token,
                        std::size_t max = kPeerTokenMax);
// True when header_safe() would change nothing.
bool is_header_safe(std::string_view peer, PeerText kind = PeerText::Token, std::size_t max = kPeerTokenMax);

// terminal_safe: the one gate for text on its way to a terminal (the timeline of `run` and
// `serve`, expectation results, `check`'s "server said", chaos reports). A stranger's
// Subject, Message-ID, HELO or reply must not drive the terminal (issue 15 item 7):
// every C0 control but TAB, DEL, the C1 controls (U+0080-U+009F), the bidirectional
// overrides and isolates (U+202A-U+202E, U+2066-U+2069) and every byte that is not part
// of valid UTF-8 are shown as \xHH (per byte) or \u{HHHH}; everything else, printable
// UTF-8 included, is kept. The result never holds ESC, CR or LF.
std::string terminal_safe(std::string_view text);

}  // namespace maillab::message
