// ImapLine: how `maillab check` talks IMAP (RFC 9051, RFC 3501) to a server: one tagged
// command at a time, responses framed by imap::ResponseReader (literals inline, split
// anywhere), every read bounded by the timeout.
//
// A command is a list of chunks (ImapCommand): every chunk but the last ends with a
// synchronising literal marker "{n}" CRLF, and the next chunk is sent only after the
// server's "+" continuation (RFC 9051 4.3, 7.5); a tagged reply instead of "+" ends the
// command there (the server refused the literal). A non-synchronising "{n+}" (RFC 7888)
// stays inside one chunk.
// Untagged responses are kept in order (without "* "), continuation requests are noted;
// the command ends at its tagged OK/NO/BAD. Tags are "c1", "c2", ...
//
// ImapValue: a parenthesised list, string, NIL or atom of a response, as FETCH's
// ENVELOPE and BODYSTRUCTURE write them (RFC 9051 9 body, envelope), for comparing.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bridge/check/probe_socket.hpp"
#include "bridge/check/url.hpp"
#include "protocols/imap/response_reader.hpp"

namespace maillab::check {

class ImapCommand {
 public:
  ImapCommand& text(std::string_view s);
  // Quoted when it can be, else a synchronising literal.
  ImapCommand& astring(std::string_view s);
  // A synchronising literal, always.
  ImapCommand& literal(std::string_view s);
  const std::vector<std::string>& chunks() const { return chunks_; }

 private:
  std::vector<std::string> chunks_{std::string()};
};

struct ImapReply {
  std::string status;                  // "OK", "NO" or "BAD" (upper case)
  std::string tagged;                  // the tagged line after the tag
  std::vector<std::string> untagged;   // responses after "* ", literals inline
  std::size_t continuations = 0;       // "+" requests met
  bool ok() const { return status == "OK"; }
  // The first untagged response starting with `word` (case-insensitive), e.g. "FLAGS".
  const std::string* find(std::string_view word) const;
  // The first untagged "n WORD" (EXISTS, EXPUNGE, FETCH): n, else nullopt.
  std::optional<std::uint32_t> number_of(std::string_view word) const;
};

class ImapLine {
 public:
  ImapLine(const Url& url, std::chrono::milliseconds timeout) : url_(url), timeout_(timeout) {}

  // Connects and reads the greeting; false and error() on a socket failure.
  bool open();
  const std::string& greeting() const { return greeting_; }
  bool alive() const { return stream_.is_open(); }
  std::optional<ImapReply> command(const ImapCommand& command);
  std::optional<ImapReply> command(std::string_view text) { return command(ImapCommand().text(text)); }
  // Sends "tag IDLE" and waits for the "+"; then wait_untagged(), then idle_done().
  bool idle_start();
  // The next untagged response (without "* "), nullopt on timeout/EOF (error()).
  std::optional<std::string> wait_untagged(std::chrono::milliseconds timeout);
  std::optional<ImapReply> idle_done();
  void drop() { stream_.close(); }
  const std::string& error() const { return error_; }

 private:
  std::optional<std::string> next_response(std::chrono::milliseconds timeout);
  bool send(std::string_view data);
  // Fills reply's status and tagged text when `r` is the tagged reply of tag_.
  bool take(const std::string& r, ImapReply& reply);
  // Collects responses into `reply` up to its tagged line (or, when asked, a "+").
  enum class Next { Continuation, Tagged, Failed };
  Next read_until(ImapReply& reply, bool stop_at_continuation);
  // Reads to the tagged reply of tag_ (after `reply` collected what came before).
  std::optional<ImapReply> finish(ImapReply reply);

  const Url& url_;
  std::chrono::milliseconds timeout_;
  TcpStream stream_;
  imap::ResponseReader reader_;
  std::string greeting_;
  std::string tag_;
  unsigned next_tag_ = 1;
  std::string error_;
};

struct ImapValue {
  enum class Kind { Nil, Atom, String, List };
  Kind kind = Kind::Nil;
  std::string text;               // Atom and String
  std::vector<ImapValue> items;   // List
  // Item i of a list, or a Nil value when there is none.
  const ImapValue& at(std::size_t i) const;
  // Atom or String text compared case-insensitively.
  bool is(std::string_view s) const;
};

// One value from `text` at `pos` (advanced past it); nullopt when malformed.
std::optional<ImapValue> parse_imap_value(std::string_view text, std::size_t& pos);
// The value following `name` in a FETCH response's attribute list ("1 FETCH (UID 4
// ENVELOPE (...))"): nullopt when absent or malformed.
std::optional<ImapValue> fetch_attribute(std::string_view fetch_response, std::string_view name);

}  // namespace maillab::check
