// Base64 (RFC 4648 section 4), as SMTP AUTH (RFC 4954) and POP3 AUTH (RFC 5034) and MIME
// (RFC 2045 6.8) use it. decode() is strict about the alphabet and padding and returns
// nullopt on anything else, so a peer's garbage becomes a 501/-ERR, never a crash.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace maillab::message {

std::string base64_encode(std::string_view data);
// Strict decode; `ignore_whitespace` allows CR/LF/space/tab (MIME bodies).
std::optional<std::string> base64_decode(std::string_view text, bool ignore_whitespace = false);

}  // namespace maillab::message
