// Modified UTF-7 (RFC 3501 5.1.3; RFC 9051 5.1.3 keeps it for clients that did not
// ENABLE UTF8=ACCEPT): how IMAP4rev1 writes non-ASCII mailbox names, and how Dovecot
// names Maildir++ folders on disk.
//
// Printable US-ASCII (0x20-0x7E) but "&" stands for itself, "&" is "&-", anything else is
// "&" + UTF-16BE in base64 with "," for "/" and no padding + "-".
// decode_modified_utf7() is strict, as Dovecot is: it refuses a base64 run that encodes
// printable ASCII, bits left over, an unterminated run, a bad surrogate pair, raw 8-bit
// or control octets; the caller answers NO/BAD. encode() takes UTF-8 and replaces an
// invalid UTF-8 sequence by U+FFFD.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace maillab::message {

std::string encode_modified_utf7(std::string_view utf8);
std::optional<std::string> decode_modified_utf7(std::string_view mutf7);
// True when `text` is well-formed UTF-8 (no overlongs, surrogates or code points above
// U+10FFFF).
bool valid_utf8(std::string_view text);

}  // namespace maillab::message
