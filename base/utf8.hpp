// base::utf8_sequence / valid_utf8 / sanitize_utf8: strict UTF-8 (RFC 3629) for every
// layer that checks or cleans a peer's text before it reaches an output: the trace's JSON
// (base/json.hpp), the JUnit report and the SVG chart (base/xml.hpp), the visualiser.
//
// Invariants: utf8_sequence() accepts exactly RFC 3629's well-formed sequences: no
// overlong form, no surrogate (U+D800-U+DFFF), nothing above U+10FFFF, so never a lead
// byte C0, C1 or F5-FF. sanitize_utf8() output is valid UTF-8 without C0 controls other
// than TAB and LF (and CR when asked) and without DEL; valid input without those controls
// comes out unchanged.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace maillab::base {

// Length of the well-formed UTF-8 sequence starting at s[i] (1 for ASCII), or 0.
std::size_t utf8_sequence(std::string_view s, std::size_t i);
bool valid_utf8(std::string_view s);

// `s` as valid UTF-8: each byte that starts no well-formed sequence becomes U+FFFD; so do
// C0 controls other than TAB, LF (and CR with keep_cr) and DEL.
std::string sanitize_utf8(std::string_view s, bool keep_cr = false);

}  // namespace maillab::base
