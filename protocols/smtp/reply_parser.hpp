// smtp::ReplyParser: the client side's incremental reader of server replies
// (RFC 5321 4.2, 4.2.1 multi-line replies; RFC 2034/3463 enhanced status codes).
//
// Feed any split of the byte stream to receive(); take complete replies, in order, with
// next(). Lines end in CRLF (a bare LF is accepted, as Postfix's client does). A line is
// "ddd" or "ddd SP text" or "ddd-text" (continuation); every line of one reply must carry
// the same code. An enhanced code is recognised on a line when it looks like one
// (is_enhanced_code) - whether or not ENHANCEDSTATUSCODES was announced - and is taken
// off every line; when its class digit disagrees with the reply code, the class is
// corrected to the reply's (Postfix does the same).
//
// A malformed line (no three-digit code 200..599, wrong separator, a continuation with a
// different code) never crashes: it ends the reply being read and yields a synthesized
// `421 4.5.0 Protocol error: malformed reply: <excerpt>`, and last_malformed() is true for
// it. A stream that sent garbage is out of step, so a client should give up on it.
// Lines longer than kMaxLine octets are truncated (the rest is discarded up to LF). A reply
// keeps at most kMaxLines lines and kMaxText octets of text; further continuation lines
// are read and dropped (Postfix's client caps a reply the same way), so a peer that never
// ends its reply cannot make the client's memory grow without bound.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocols/smtp/reply.hpp"

namespace maillab::smtp {

class ReplyParser {
 public:
  static constexpr std::size_t kMaxLine = 4096;
  static constexpr std::size_t kMaxLines = 512;
  static constexpr std::size_t kMaxText = 64 * 1024;

  void receive(std::string_view data);
  // The next complete reply, or nullopt when more bytes are needed.
  std::optional<Reply> next();
  // The same without allocating: the next reply is swapped into `out` (false when more
  // bytes are needed). What `out` held goes back to the parser, whose buffers the
  // following replies reuse - pass the same Reply every time.
  bool next(Reply& out);
  // Whether the reply last returned by next() was synthesized from a malformed line.
  bool last_malformed() const { return last_malformed_; }
  // Bytes of an unfinished reply are buffered (a connection closing now cuts a reply).
  bool partial() const { return !line_.empty() || in_reply_ || discarding_; }

 private:
  void parse_line(std::string_view line);
  void malformed(std::string_view line);
  Reply& start_reply();
  void finish_reply(bool malformed);

  std::string line_;
  bool discarding_ = false;
  bool in_reply_ = false;
  // Slots [ready_head_, ready_count_) hold replies not taken yet; the slot at ready_count_
  // holds the reply being read. Slots are never destroyed, so their buffers are reused.
  std::vector<std::pair<Reply, bool>> ready_;
  std::size_t ready_head_ = 0;
  std::size_t ready_count_ = 0;
  std::size_t line_count_ = 0;  // lines of the reply being read
  bool last_malformed_ = false;
};

}  // namespace maillab::smtp
