// LineReader: cuts a POP3 byte stream into lines, whatever way the stream was split
// (one byte at a time or a whole pipelined burst, RFC 2449 6.6).
//
// Invariants: a line ends at LF; a CR just before it is removed and reported (`crlf`), so
// the client can rebuild message content byte for byte. A line longer than max_line
// (terminator included; RFC 2449 4: 255 octets for commands) is discarded up to its LF and
// reported once as too_long, and the buffer never holds more than max_line bytes of it.
// Bare LF is accepted as a terminator (Postel): POP3 has no DATA-style smuggling risk and
// hand-typed sessions (nc) send it.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace maillab::pop3 {

class LineReader {
 public:
  struct Line {
    std::string text;       // without the terminator; empty when too_long
    bool crlf = false;      // ended with CRLF (false: bare LF)
    bool too_long = false;  // over max_line and discarded
  };

  explicit LineReader(std::size_t max_line) : max_line_(max_line) {}

  void feed(std::string_view data);
  // The next complete line, or nullopt when more bytes are needed.
  std::optional<Line> next();
  // Takes effect from the next line on (SASL responses may be longer than commands).
  void set_max_line(std::size_t max_line) { max_line_ = max_line; }
  std::size_t buffered() const { return buffer_.size() - pos_; }
  void clear();

 private:
  std::string buffer_;
  std::size_t pos_ = 0;    // start of the unread part
  std::size_t scan_ = 0;   // bytes after pos_ already searched for LF
  std::size_t max_line_;
  bool discarding_ = false;
};

}  // namespace maillab::pop3
