// MessageData: one stored message as FETCH shows it (RFC 9051 7.5.2): ENVELOPE, BODY and
// BODYSTRUCTURE built from the message's own bytes with protocols/message (RFC 5322
// header fields and address lists, the MIME tree), the contents of BODY[section] and
// the decoded contents of BINARY[section] (RFC 3516).
//
// Section numbering (RFC 9051 6.4.5): every message has part 1; the parts of a
// multipart are 1, 2, ...; a message/rfc822 part's number, then ".n", names the parts of
// the message it encapsulates, and its ".HEADER" / ".TEXT" that message's header and
// text; ".MIME" is a part's own MIME header. A section naming no part gives nullopt
// (written NIL).
// Invariants: the content (CRLF, shared) outlives this object; the MIME tree is parsed
// once, on first use, with MimePart's bounds; every string written goes through
// wire_format.hpp's quoting rules.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "protocols/imap/fetch_item.hpp"
#include "protocols/io/disk.hpp"
#include "protocols/message/mime_part.hpp"

namespace maillab::imap {

class MessageData {
 public:
  explicit MessageData(io::Bytes content) : content_(std::move(content)) {}

  std::string_view bytes() const { return content_ ? std::string_view(*content_) : std::string_view(); }
  const message::MimePart& root() const;

  void append_envelope(std::string& out, bool utf8) const;
  // BODYSTRUCTURE when `extended`, else BODY (no extension data).
  void append_body_structure(std::string& out, bool extended, bool utf8) const;
  std::optional<std::string> section(const Section& s) const;
  enum class Binary { Ok, NoPart, UnknownEncoding };
  Binary binary(const Section& s, std::string& out) const;

 private:
  // The part a section's numbers name; `message` tells whether it stands for a whole
  // message (the root, or a message/rfc822 part's encapsulated message).
  const message::MimePart* resolve(const std::vector<std::uint32_t>& numbers, bool& message) const;

  io::Bytes content_;
  mutable std::optional<message::MimePart> root_;
};

// "dd-Mon-yyyy hh:mm:ss +0000" (RFC 9051 9 date-time) of unix seconds.
std::string internal_date(std::int64_t unix_seconds);

}  // namespace maillab::imap
