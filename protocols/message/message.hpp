// Message: an Internet message (RFC 5322) as a list of header fields plus a body, kept
// byte-exact so that parse(x).serialize() == x for any input.
//
// Parsing rules (RFC 5322 2.1, 2.2, 2.2.3; lines end in CRLF, a bare LF is tolerated):
// - The header section runs up to the first empty line; that line is the separator and
//   everything after it is the body, untouched.
// - A line starting with SP/HTAB continues the previous field (folding, 2.2.3).
// - A field is `name [WSP] ":" value`, name = 1*ftext (printable ASCII but ':').
//   A line in the header section that is not a field (no colon, bad name) is kept as a
//   field with an empty name: it serializes back as-is and never matches a lookup.
// - No empty line: when the first line is a field, the whole input is header section
//   (empty body); when it is not, the whole input is body (no header section at all).
//   An input that starts with an empty line has an empty header section.
// Header lookups are case-insensitive (1.2.2); values come back unfolded (CRLF removed)
// and trimmed. New fields use the line ending of the parsed input (CRLF when none) and
// are folded at whitespace so lines stay within kFoldLimit octets where possible (2.1.1).
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocols/message/ascii.hpp"

namespace maillab::message {

// Longest header line (without the line ending) fold_field() aims for: RFC 5322 2.1.1
// asks for at most 78.
inline constexpr std::size_t kFoldLimit = 76;

struct HeaderField {
  std::string name;  // as written (case kept); empty for a malformed line
  std::string raw;   // the whole field: name, colon, value, folding and final line ending
};

// `Name: value` + eol, folded before whitespace to keep lines <= kFoldLimit where
// possible. Line breaks already in `value` (CRLF or LF, then WSP) are kept as fold points
// and rewritten to `eol`; a break not followed by WSP gets a TAB so the field stays one.
std::string fold_field(std::string_view name, std::string_view value, std::string_view eol = "\r\n");
// fold_field() appended to `out` (no temporary).
void append_field(std::string& out, std::string_view name, std::string_view value,
                  std::string_view eol = "\r\n");
// The value of a raw field: text after the first colon, line breaks removed, WSP-trimmed.
std::string unfold_value(std::string_view raw);

class Message {
 public:
  Message() = default;
  static Message parse(std::string_view bytes);
  std::string serialize() const;

  // First field named `name` (case-insensitive), unfolded and trimmed.
  std::optional<std::string> header(std::string_view name) const;
  // Every field named `name`, top to bottom.
  std::vector<std::string> headers(std::string_view name) const;
  std::size_t count(std::string_view name) const;

  // Insert at the top of the header section (trace fields, RFC 5321 4.4).
  void prepend_header(std::string_view name, std::string_view value);
  // Append at the end of the header section.
  void add_header(std::string_view name, std::string_view value);
  void remove_headers(std::string_view name);

  const std::vector<HeaderField>& fields() const { return fields_; }
  // The header section as written (no separator line), e.g. for text/rfc822-headers.
  std::string header_section() const;
  const std::string& body() const { return body_; }
  void set_body(std::string body);
  // "\r\n", or "\n" when the parsed input used bare LF line ends.
  const std::string& eol() const { return eol_; }

 private:
  void ensure_section_ready();

  std::vector<HeaderField> fields_;
  std::string separator_;  // the empty line ("\r\n" / "\n"), or "" when there is none
  std::string body_;
  std::string eol_ = "\r\n";
};

// The same parse as Message::parse, as views into the caller's bytes (which must outlive
// it): no copy of the fields or the body, one allocation (the list of fields). For the
// paths that read a few headers and pass the message on with fields added (a hop's
// Received, a delivery's Return-Path and Delivered-To): serialize_with() gives the bytes
// the Message calls would, in one allocation.
class MessageView {
 public:
  using NewField = std::pair<std::string_view, std::string_view>;  // name, value

  static MessageView parse(std::string_view bytes);

  std::optional<std::string> header(std::string_view name) const;
  std::vector<std::string> headers(std::string_view name) const;
  std::size_t count(std::string_view name) const;

  // The header section as written (no separator line).
  std::string_view header_section() const { return section_; }
  std::string_view body() const { return body_; }
  std::string_view eol() const { return eol_; }

  // Message::parse(bytes), then prepend_header() for each of `top` in turn (the last
  // one ends up first) and add_header() for each of `bottom`, then serialize().
  std::string serialize_with(std::span<const NewField> top, std::span<const NewField> bottom = {}) const;

 private:
  std::vector<std::string_view> fields_;  // raw, as in HeaderField
  std::string_view section_, separator_, body_;
  std::string_view eol_ = "\r\n";
};

}  // namespace maillab::message
