// message::LineReader: frames protocol lines (SMTP commands, RFC 5321 2.3.8, 4.1.1,
// 4.5.3.1.4; POP3 commands and replies, RFC 1939 3, RFC 2449 4 and 6.6) out of any split
// of the byte stream. One reader; the contract of each protocol is its parameters.
//
// put() consumes bytes up to and including the first LF and stops there, so the caller
// can switch to another reader (SMTP's DATA content, BDAT chunks, AUTH responses) for the
// bytes after it. A line ends at LF; one CR before it is stripped (crlf() tells whether it
// was there: a bare LF is accepted as a terminator, as Postfix's
// smtpd_forbid_bare_newline=normalize does for commands; POP3 has no DATA-style smuggling
// risk and hand-typed sessions send it).
//
// The limit `max_line` counts the terminator. With BareLf::CountedAsCrlf (SMTP: the RFC's
// 512 octets are of a line ending in CRLF) a line has at most max_line - 2 octets whatever
// its end; with BareLf::CountedAsSent (POP3) the octets sent count, so a bare-LF line may
// have max_line - 1. A longer line is not kept: its first max_line - 2 octets are, the
// rest is discarded up to the LF, and the line is reported with too_long() (SMTP answers
// 500, POP3 -ERR, and both carry on). Memory stays bounded however long the line.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace maillab::message {

class LineReader {
 public:
  enum class BareLf { CountedAsCrlf, CountedAsSent };

  explicit LineReader(std::size_t max_line = 512, BareLf bare_lf = BareLf::CountedAsCrlf)
      : max_(max_line), bare_lf_(bare_lf) {}

  // Limit for the next lines, terminator included.
  void set_max(std::size_t max_line) { max_ = max_line; }
  // Consumes bytes up to and including the first LF; returns the number consumed.
  std::size_t put(std::string_view data);
  // A complete line is waiting (read it, then clear()).
  bool ready() const { return ready_; }
  // The line (without CR LF). It may point into the data given to put() (a line that
  // came in one piece is not copied): valid until the next put() or clear(), as long as
  // that data lives.
  std::string_view line() const { return view_; }
  bool too_long() const { return too_long_; }
  bool crlf() const { return crlf_; }
  void clear();
  // Bytes of an unfinished line are buffered.
  bool partial() const { return !ready_ && (!line_.empty() || too_long_); }
  // Octets of an unfinished line held (0 once it is known too long: they are dropped).
  std::size_t held() const { return ready_ || too_long_ ? 0 : line_.size(); }

 private:
  std::size_t max_;
  BareLf bare_lf_;
  std::string line_;       // a line that came in pieces
  std::string_view view_;  // the complete line: line_, or in put()'s data
  bool ready_ = false;
  bool too_long_ = false;
  bool crlf_ = false;
};

}  // namespace maillab::message
