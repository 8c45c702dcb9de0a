// smtp::ChunkReader: reads the octets of BDAT chunks (RFC 3030 2, 3) from any split of the
// byte stream and gathers them into one message.
//
// Binary-safe framing: a chunk is exactly the count of octets its BDAT command named,
// whatever they hold (a "\r\n.\r\n", a NUL, something that looks like a command); put()
// consumes at most what the chunk still lacks and stops there, so the caller reads the
// next command right after it. A chunk read with keep == false is consumed and dropped
// (RFC 3030 3: the server MUST read the data of a BDAT it refuses, so client and server
// stay in step).
// What is kept is stored as DataReader stores DATA content, so the rest of the lab sees one
// kind of message whichever command carried it: CRLF lines (a bare CR or a bare LF ends a
// line and is stored as CRLF, counted in notes(), also when the CR ends one chunk and the
// LF starts the next), and a last line without a line end gets CRLF. No dot-unstuffing:
// BDAT content is not stuffed. Lines over max_text_line are kept and counted.
// Limit: the server refuses a chunk whose count would take the message over its size
// limit before reading it; turning bare line ends into CRLF can still grow what is kept,
// so once the stored message passes size_limit it is dropped and oversize() says so.
// Memory stays bounded by size_limit plus one piece of input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "protocols/smtp/envelope.hpp"

namespace maillab::smtp {

class ChunkReader {
 public:
  // size_limit 0 means no limit.
  explicit ChunkReader(std::size_t max_text_line = 1000, std::uint64_t size_limit = 0) {
    reset(max_text_line, size_limit);
  }

  // Starts a new message (nothing kept, nothing counted).
  void reset(std::size_t max_text_line, std::uint64_t size_limit);
  // The next chunk: `size` octets, kept or dropped.
  void start(std::uint64_t size, bool keep);
  // Consumes octets of the current chunk (at most remaining()); returns how many.
  std::size_t put(std::string_view data);
  std::uint64_t remaining() const { return remaining_; }
  // Octets received in kept chunks of this message so far, as the client counted them.
  std::uint64_t received() const { return received_; }
  const ContentNotes& notes() const { return notes_; }
  // The stored message grew past size_limit: it is gone (take_content() gives nothing).
  bool oversize() const { return oversize_; }
  // The message: CRLF lines. Ends the message (reset() before the next).
  std::string take_content();

 private:
  void end_line();

  std::size_t max_text_line_ = 1000;
  std::uint64_t size_limit_ = 0;
  std::string content_;
  std::uint64_t remaining_ = 0;
  std::uint64_t received_ = 0;
  std::size_t line_len_ = 0;  // octets of the current line so far
  bool keep_ = false;
  bool pending_cr_ = false;  // the last kept octet was a CR: CRLF or a bare CR?
  bool oversize_ = false;
  ContentNotes notes_;
};

}  // namespace maillab::smtp
