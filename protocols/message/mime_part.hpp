// MimePart: the MIME structure of a message (RFC 2045, RFC 2046) as a tree of byte
// ranges into the message, with each part's MIME header fields read out: what IMAP's
// BODYSTRUCTURE and BODY[section] (RFC 9051 6.4.5, 7.5.2) are made of.
//
// Invariants:
// - Every range is into the bytes given to parse_mime(), which must outlive the tree.
//   header is [header_begin, body_begin): the header section *with* its empty separator
//   line (what BODY[HEADER] returns); body is [body_begin, body_end).
// - A multipart part's children are its body parts (split_multipart(), RFC 2046 5.1.1);
//   a message/rfc822 (or message/global) part has one child: the encapsulated message,
//   whose header is the part body's header section. Every other part has no children.
// - A part with no Content-Type is text/plain; charset=us-ascii (RFC 2045 5.2), or
//   message/rfc822 inside multipart/digest (RFC 2046 5.1.5); `has_content_type` says
//   which. A multipart with no boundary parameter has no children (treated as opaque).
// - Nesting stops at kMaxDepth and the whole tree at kMaxParts: deeper or further parts
//   are leaves, so hostile input costs bounded stack and memory. Never throws.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/message/mime.hpp"

namespace maillab::message {

struct MimePart {
  static constexpr int kMaxDepth = 32;
  static constexpr std::size_t kMaxParts = 2000;

  std::size_t header_begin = 0;
  std::size_t body_begin = 0;
  std::size_t body_end = 0;
  ContentType content_type;  // lowercase type/subtype and parameter names
  bool has_content_type = false;
  std::string id;           // Content-ID (RFC 2045 7)
  std::string description;  // Content-Description (RFC 2045 8)
  std::string encoding;     // Content-Transfer-Encoding as written, "" when absent (7bit)
  std::string md5;          // Content-MD5 (RFC 1864)
  ContentType disposition;  // Content-Disposition (RFC 2183): type = "inline", ...
  bool has_disposition = false;
  std::vector<std::string> languages;  // Content-Language (RFC 3282)
  std::string location;                // Content-Location (RFC 2557)
  std::size_t body_lines = 0;          // line count of the body (text/*, message/rfc822)
  std::vector<MimePart> children;

  std::size_t header_size() const { return body_begin - header_begin; }
  std::size_t body_size() const { return body_end - body_begin; }
  bool is_multipart() const { return content_type.is_multipart(); }
  bool is_message() const {
    return content_type.type == "message/rfc822" || content_type.type == "message/global";
  }
};

MimePart parse_mime(std::string_view message);

// Number of lines in `text`: line ends counted, plus one for a last line without one.
std::size_t count_lines(std::string_view text);

}  // namespace maillab::message
