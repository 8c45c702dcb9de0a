// pop3::LineBuffer: the POP3 engines' input, cut into lines whatever way the stream was
// split (one byte at a time or a whole pipelined burst, RFC 2449 6.6). The framing is
// message::LineReader's with POP3's contract (BareLf::CountedAsSent); this class only
// keeps what was fed until the engine pulls the next line.
//
// Invariants: a line ends at LF; a CR just before it is removed and reported (`crlf`), so
// the client can rebuild message content byte for byte. A line longer than max_line
// (terminator included; RFC 2449 4: 255 octets for commands) is discarded up to its LF and
// reported once as too_long (without its text); at most max_line octets of it are held.
// Bare LF is accepted as a terminator (Postel): POP3 has no DATA-style smuggling risk and
// hand-typed sessions (nc) send it.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "protocols/message/line_reader.hpp"

namespace maillab::pop3 {

class LineBuffer {
 public:
  struct Line {
    std::string text;       // without the terminator; empty when too_long
    bool crlf = false;      // ended with CRLF (false: bare LF)
    bool too_long = false;  // over max_line and discarded
  };

  explicit LineBuffer(std::size_t max_line) : lines_(max_line, message::LineReader::BareLf::CountedAsSent) {}

  void feed(std::string_view data);
  // The next complete line, or nullopt when more bytes are needed.
  std::optional<Line> next();
  // Takes effect from the next line on (SASL responses may be longer than commands).
  void set_max_line(std::size_t max_line) { lines_.set_max(max_line); }
  // Octets fed and not yet returned as lines (a line known too long counts nothing).
  std::size_t buffered() const { return buffer_.size() - pos_ + lines_.held(); }
  void clear();

 private:
  std::string buffer_;
  std::size_t pos_ = 0;  // start of the part not yet given to lines_
  message::LineReader lines_;
};

}  // namespace maillab::pop3
