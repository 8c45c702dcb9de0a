// smtp::LineReader: frames command lines (RFC 5321 2.3.8, 4.1.1) out of any split of the
// byte stream, with the command line limit of 4.5.3.1.4 (512 octets including CRLF).
//
// put() consumes bytes up to and including the first LF and stops there, so the caller
// can switch to another reader (DATA content, AUTH responses) for the bytes after it.
// A line ends at LF; one CR before it is stripped (crlf() tells whether it was there:
// Postfix's smtpd_forbid_bare_newline=normalize accepts a bare LF in commands). A line
// longer than the limit is not kept: its first `max` octets are, the rest is discarded up
// to the LF, and the line is reported with too_long() so the server can answer 500 and
// carry on (memory stays bounded however long the line).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace maillab::smtp {

class LineReader {
 public:
  explicit LineReader(std::size_t max_line = 512) : max_(max_line) {}

  // Limit for the next lines, CRLF included.
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

 private:
  std::size_t max_;
  std::string line_;       // a line that came in pieces
  std::string_view view_;  // the complete line: line_, or in put()'s data
  bool ready_ = false;
  bool too_long_ = false;
  bool crlf_ = false;
};

}  // namespace maillab::smtp
