// CommandReader: frames the byte stream an IMAP client sends into whole commands, with
// their literals inline (RFC 9051 2.2.1, 4.3; RFC 7888 LITERAL+ / LITERAL-), whatever way
// the stream was split.
//
// A command is one or more lines: a line ending in "{n}" (synchronizing) or "{n+}"
// (non-synchronizing), optionally "~{...}" (literal8, RFC 3516), is followed by n
// octets of literal data and then the rest of the command. Item::Command carries the
// whole command as sent (markers, line ends and literal data included, the final line
// end removed), for imap::Parser to read.
//
// Invariants:
// - Synchronizing literal: Item::Continue when it fits (the server then sends "+ ..."
//   and the client sends the data); Item::LiteralTooBig (sync = true) when it does not,
//   *before* any of its bytes are read: the client, waiting for "+", sends none, and
//   the command is over (RFC 9051 4.3, 7.1 TOOBIG).
// - Non-synchronizing literal over its limit (the server announces LITERAL+, RFC 7888 3,
//   so only its own limits apply): its bytes arrive anyway; they are skipped, never
//   stored, and the command ends with Item::LiteralTooBig (sync = false).
// - A command's text outside literals over max_line octets: the rest of it is skipped
//   (only a short tail is kept, to see a literal marker at a line's end) and it ends
//   with Item::TooLong. `tag` is the command's tag when it could be read, else "*".
// - Memory per reader: at most max_line + max_append_literal octets of command, plus
//   what feed() was given and next() has not consumed yet.
// - Line mode (IDLE's DONE, AUTHENTICATE responses, RFC 9051 6.3.13, 6.2.2): the next
//   line, if it starts a command, is returned as Item::Line without literal processing.
// - A bare LF ends a line as CRLF does (Postel; Dovecot accepts it as well).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace maillab::imap {

struct ReaderLimits {
  std::size_t max_line = 64 * 1024;       // command text outside literals (Dovecot: 64k)
  std::size_t max_literal = 64 * 1024;    // one literal of any command but APPEND
  std::size_t max_append_literal = 32 * 1024 * 1024;  // APPEND's message (APPENDLIMIT)
};

class CommandReader {
 public:
  struct Item {
    enum class Kind { Command, Line, Continue, TooLong, LiteralTooBig };
    Kind kind = Kind::Command;
    std::string text;  // Command: the command; Line: the line (no line end)
    std::string tag;   // TooLong / LiteralTooBig / Continue: the command's tag, or "*"
    bool sync = false;  // LiteralTooBig: the literal was synchronizing (never sent)
  };

  explicit CommandReader(ReaderLimits limits = {}) : limits_(limits) {}

  void feed(std::string_view data);
  std::optional<Item> next();
  void set_line_mode(bool on) { line_mode_ = on; }
  // Forgets everything buffered (after STARTTLS, RFC 9051 6.2.1: no plaintext survives).
  void clear();
  std::size_t buffered() const { return in_.size() - pos_; }
  const ReaderLimits& limits() const { return limits_; }
  // True while a command is partly read (between its first byte and its end).
  bool mid_command() const { return !cmd_.empty() || dropping_ || literal_left_ > 0; }

 private:
  struct Marker {
    std::uint64_t size = 0;
    bool sync = true;
  };
  static std::optional<Marker> marker_at_end(std::string_view line);
  std::string current_tag(std::string_view partial) const;
  std::uint64_t literal_limit() const;
  Item finish_dropped();
  void reset_command();

  ReaderLimits limits_;
  std::string in_;
  std::size_t pos_ = 0;   // start of the unconsumed input
  std::size_t scan_ = 0;  // bytes after pos_ already searched for LF
  std::string cmd_;       // the command so far
  std::size_t text_size_ = 0;       // octets of cmd_ outside literals
  std::uint64_t literal_left_ = 0;  // literal octets still to come
  std::size_t literal_end_ = 0;     // where the last literal's data ends in cmd_
  bool line_mode_ = false;
  bool dropping_ = false;  // the command is refused; its remaining bytes are skipped
  Item::Kind drop_kind_ = Item::Kind::TooLong;
  std::string drop_tag_;
  std::string tail_;  // the end of a skipped over-long line (a literal marker may be there)
};

}  // namespace maillab::imap
