// viz text helpers: durations in words, UTF-8-safe truncation, XML escaping. Everything here
// is locale-independent so exports are the same bytes on every machine.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/utf8.hpp"
#include "base/xml.hpp"

namespace maillab::viz {

// A span of simulated time, two units at most, for gap marks and hover text:
// "4h 59m", "29.98s", "1m 30s", "20ms", "350us", "0s", "2d 3h".
std::string format_span(std::int64_t ns);

// `s` made valid UTF-8 (each invalid byte becomes U+FFFD) without C0 controls except
// TAB/LF (others become U+FFFD): what ImGui shows.
using base::sanitize_utf8;

// Message text (a header field, a body) for a panel: CRLF line ends become plain line
// breaks before the text is made valid (a CR left alone would show as U+FFFD at the end of
// every line), and no trailing line break.
std::string message_lines(std::string_view text);

// At most `max_chars` code points of valid UTF-8 `s`; cut text ends with U+2026 (...).
std::string truncate_utf8(std::string_view s, std::size_t max_chars);
std::size_t utf8_length(std::string_view s);

// XML character data / attribute value: valid XML 1.0 characters only, & < > " ' as
// entities, TAB/LF/CR as character references.
inline std::string xml_escape_text(std::string_view s) { return base::xml_escape(s); }

// `name` (a host name) in lines no wider than `width` as `measure` sees them, broken after
// a dot or a hyphen where possible, else between any two characters. The lines joined are
// `name`: a lane header shows the whole name.
std::vector<std::string> wrap_name(std::string_view name, double width,
                                   const std::function<double(std::string_view)>& measure);

// Fixed-point number with `decimals` digits, no locale ("12.5").
std::string fixed(double v, int decimals = 1);

}  // namespace maillab::viz
