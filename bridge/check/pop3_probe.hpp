// The two ways `maillab check` talks POP3 (RFC 1939) to a server:
// - Pop3Line: one command at a time, replies cut into lines by pop3::LineBuffer;
//   multi-line replies are read to their terminating "." and un-stuffed, and every
//   violation of the byte-stuffing rule (a line starting with a single "." that is not
//   the terminator) is noted. Every read is bounded by the timeout.
// - pop3_fetch_all(): the lab's client engine (pop3::ClientSession) retrieving every
//   message without deleting anything (the --fetch round trip of the SMTP checks).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "bridge/check/probe_socket.hpp"
#include "bridge/check/url.hpp"
#include "protocols/pop3/line_buffer.hpp"

namespace maillab::check {

struct Pop3Reply {
  bool ok = false;    // "+OK"
  std::string first;  // the status line, without CRLF
  // Multi-line replies only:
  std::vector<std::string> lines;  // un-stuffed lines, without terminators
  std::string body;                // un-stuffed, each line + CRLF
  bool bad_stuffing = false;       // a line began with a single '.'
  bool bare_lf = false;            // a line ended in LF alone
};

class Pop3Line {
 public:
  Pop3Line(const Url& url, std::chrono::milliseconds timeout) : url_(url), timeout_(timeout) {}

  // Connects and reads the greeting; false and error() on a socket failure.
  bool open();
  const std::string& greeting() const { return greeting_; }
  bool alive() const { return stream_.is_open(); }
  // A command with a one-line reply; nullopt and error() on timeout/EOF.
  std::optional<Pop3Reply> single(const std::string& command);
  // A command whose +OK reply is followed by a multi-line body.
  std::optional<Pop3Reply> multi(const std::string& command);
  // Close without QUIT (what a crashing client does).
  void drop() { stream_.close(); }
  const std::string& error() const { return error_; }

 private:
  std::optional<pop3::LineBuffer::Line> next_line();

  const Url& url_;
  std::chrono::milliseconds timeout_;
  TcpStream stream_;
  pop3::LineBuffer reader_{1 << 20};
  std::string greeting_;
  std::string error_;
};

// Every message of the maildrop, un-stuffed, via pop3::ClientSession (no DELE).
// nullopt and *error when the session fails.
std::optional<std::vector<std::string>> pop3_fetch_all(const Url& url, std::chrono::milliseconds timeout,
                                                      std::string* error);

}  // namespace maillab::check
