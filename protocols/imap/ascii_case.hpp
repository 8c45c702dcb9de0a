// Case rules for IMAP's words: command names, flags, keywords, response codes, fetch and
// search keys and charset names compare without regard to ASCII case (RFC 9051 2.2.1,
// 4.1); non-ASCII octets are compared as they are. The names the IMAP engines use for the
// rules of base/ascii.hpp.
#pragma once

#include <string>
#include <string_view>

#include "base/ascii.hpp"

namespace maillab::imap {

using base::ascii_upper;
using base::iequals;
inline std::string upper(std::string_view s) { return base::ascii_upper(s); }
inline bool starts_with_ci(std::string_view s, std::string_view prefix) { return base::istarts_with(s, prefix); }

}  // namespace maillab::imap
