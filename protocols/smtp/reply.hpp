// smtp::Reply: one SMTP reply (RFC 5321 4.2), possibly multi-line, with an optional
// enhanced status code (RFC 3463, announced by ENHANCEDSTATUSCODES, RFC 2034).
//
// Invariants: `lines` hold text only (no code, no enhanced code, no CR/LF; wire()
// replaces a stray CR or LF by a space so a handler's mistake can never inject a line).
// `code` is a three-digit reply code 200..599 for anything sent on the wire.
// When `enhanced` is set, wire() repeats it on every line (RFC 2034 section 4).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace maillab::smtp {

struct Reply {
  int code = 0;
  std::string enhanced;            // "2.1.0", or "" when none
  std::vector<std::string> lines;  // text without code/enhanced code

  // "250-a\r\n250 b\r\n"; a reply without text lines is "250\r\n" (or "250 2.0.0\r\n");
  // an empty text line keeps its space ("334 \r\n", RFC 4954 4).
  std::string wire() const;
  // The same, appended to `out`.
  void append_wire(std::string& out) const;
  // The text lines joined by a space (how Postfix quotes a multi-line reply in a DSN).
  std::string text() const;
  // "550 5.1.1 text" on one line: for logs, traces and DSN Diagnostic-Code fields.
  std::string summary() const;

  bool positive_completion() const { return code / 100 == 2; }    // 2yz
  bool positive_intermediate() const { return code / 100 == 3; }  // 3yz
  bool transient() const { return code / 100 == 4; }              // 4yz
  bool permanent() const { return code / 100 == 5; }              // 5yz

  // `text` is split on '\n' into lines (a trailing '\r' on a line is dropped); an empty
  // text gives a reply without text lines.
  static Reply make(int code, std::string enhanced, std::string_view text);

  bool operator==(const Reply&) const = default;
};

// True when `s` has the form of an RFC 3463 status code: class "." subject "." detail
// with class 2, 4 or 5, subject and detail 1-3 digits.
bool is_enhanced_code(std::string_view s);

}  // namespace maillab::smtp
