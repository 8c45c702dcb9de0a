// Content-Transfer-Encoding decoding (RFC 2045 6): what IMAP's BINARY (RFC 3516) returns
// and what SEARCH looks into.
//
// decode_transfer_encoding(): "7bit", "8bit", "binary" (or none) give the bytes back;
// "base64" decodes leniently as RFC 2045 6.8 asks of readers (characters outside the
// alphabet are ignored, decoding stops at "="); "quoted-printable" decodes "=XX" and
// soft line breaks (RFC 2045 6.7), leaving a malformed "=" as it is. Any other encoding
// is nullopt (IMAP's UNKNOWN-CTE). The encoding name is case-insensitive.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace maillab::message {

std::optional<std::string> decode_transfer_encoding(std::string_view body, std::string_view encoding);
std::string decode_quoted_printable(std::string_view text);
std::string decode_base64_lenient(std::string_view text);

}  // namespace maillab::message
