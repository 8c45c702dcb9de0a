// smtp::DataReader: reads message content after a 354 (RFC 5321 4.1.1.4, 4.5.2) from any
// split of the byte stream, stopping right after the end-of-data mark.
//
// The CRLF-only rule (SMTP smuggling, CVE-2023-51764/51765/51766): the content ends only
// at CRLF "." CRLF - a "." line that was itself ended by CRLF and whose preceding line
// end was a CRLF too (the start of the content counts as one). A bare LF or bare CR
// never ends the content and never splits it: `\n.\n`, `\n.\r\n`, `\r.\r\n`,
// `\r\n.\n` are all content.
// Bare line ends are normalised, as Postfix's smtpd_forbid_bare_newline=normalize does for
// bare LF (we extend it to bare CR): a bare LF or a bare CR ends a content line and is
// stored as CRLF, so the content handed on is made of CRLF-terminated lines with no
// stray CR or LF, and can be relayed to any server without a smuggling ambiguity. A "."
// line that is not the end mark (because a bare line end preceded or followed it) is
// kept as ".".
// Dot-unstuffing (4.5.2): a line starting with "." and holding more has its first "."
// removed.
// Limits: lines longer than max_text_line (4.5.3.1.6, 1000 octets with CRLF) are accepted
// and counted (Postfix accepts them too); once the content exceeds size_limit the rest is
// read and dropped, and oversize() tells the server to answer 552 after the dot.
// Memory stays bounded by size_limit plus one chunk, whatever the line lengths.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "protocols/smtp/envelope.hpp"

namespace maillab::smtp {

class DataReader {
 public:
  // size_limit 0 means no limit.
  DataReader(std::size_t max_text_line = 1000, std::uint64_t size_limit = 0);

  // Starts a new message.
  void reset(std::size_t max_text_line, std::uint64_t size_limit);
  // Consumes content bytes; stops right after the end-of-data mark. Returns the number
  // of bytes consumed.
  std::size_t put(std::string_view data);
  bool done() const { return done_; }
  bool oversize() const { return oversize_; }
  const ContentNotes& notes() const { return notes_; }
  // Octets of content seen so far (after unstuffing and normalisation).
  std::uint64_t size() const { return size_; }
  // The content (CRLF lines, unstuffed); empty when oversize().
  std::string take_content();

 private:
  void end_line(bool crlf);
  void emit(std::string_view bytes);

  std::size_t max_text_line_;
  std::uint64_t size_limit_;
  std::string content_;
  std::string line_;          // start of the current line, kept until it cannot be "."
  std::size_t line_len_ = 0;  // octets of the current line so far (unstuffed)
  bool line_flushed_ = false;  // part of the current line is already in content_
  bool pending_cr_ = false;   // a CR was the last byte: CRLF or bare CR?
  bool after_crlf_ = true;    // the previous line ended with a real CRLF
  bool done_ = false;
  bool oversize_ = false;
  std::uint64_t size_ = 0;
  ContentNotes notes_;
};

}  // namespace maillab::smtp
