// ResponseReader: frames the byte stream an IMAP server sends into whole responses
// (RFC 9051 2.2.2, 7): a line ending in "{n}" (or "~{n}", RFC 3516) is followed by n
// octets and then the rest of the response, whatever way the stream was split.
//
// Invariants: a response is returned whole, literals inline and the final line end
// removed, for imap::Parser to read. Bounded memory: a line segment longer than
// max_line, a literal over max_literal or a response over max_response makes next()
// report Error once and the reader unusable (a client cannot resynchronise with a server
// that breaks the framing; it gives up on the connection). Bare LF ends a line too.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace maillab::imap {

struct ResponseLimits {
  std::size_t max_line = 64 * 1024;
  std::size_t max_literal = 64 * 1024 * 1024;
  std::size_t max_response = 64 * 1024 * 1024 + 64 * 1024;
};

class ResponseReader {
 public:
  struct Item {
    bool error = false;  // the stream broke a limit: give up
    std::string text;
  };

  explicit ResponseReader(ResponseLimits limits = {}) : limits_(limits) {}

  void feed(std::string_view data);
  std::optional<Item> next();
  void clear();
  bool failed() const { return failed_; }

 private:
  ResponseLimits limits_;
  std::string in_;
  std::size_t pos_ = 0;
  std::size_t scan_ = 0;
  std::string response_;
  std::size_t line_start_ = 0;  // where the current line segment starts in response_
  std::uint64_t literal_left_ = 0;
  bool failed_ = false;
};

}  // namespace maillab::imap
