// base::json_escape / json_quote: JSON string literals (RFC 8259 7) from arbitrary bytes,
// for every layer that writes JSON (the trace's JSON Lines in sim/, the HTTP API's bodies
// in protocols/http/). The lowest layer: it depends on nothing of the lab.
//
// Invariants: the result is always valid JSON text inside quotes, whatever the input:
// quotes, backslash and control characters (U+0000-U+001F, U+007F) are escaped; valid
// UTF-8 is kept as it is; each byte >= 0x80 that is not part of a valid UTF-8 sequence is
// written as \u00XX (read back as the Latin-1 character of that byte), so nothing is
// dropped and a reader never meets invalid UTF-8. U+2028/U+2029 are escaped too, so the
// text is also safe inside a JavaScript string.
#pragma once

#include <string>
#include <string_view>

namespace maillab::base {

// The characters between the quotes.
std::string json_escape(std::string_view s);
// `s` as a JSON string: '"' + json_escape(s) + '"'.
std::string json_quote(std::string_view s);

}  // namespace maillab::base
