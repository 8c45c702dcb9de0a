// webmail::ImapCommands: the sans-I/O IMAP client a webmail runs for one page (as Roundcube
// does: one connection per HTTP request): greeting -> LOGIN as the user -> each command in
// turn -> LOGOUT. A command may carry one literal (APPEND): it is sent after the server's
// "+" continuation (RFC 9051 7.5). What each command got back is kept: its untagged
// responses (literals inline, as imap::ResponseReader frames them) and its tagged status.
//
// Invariants:
// - One command at a time; a tagged response answers the command in flight only.
// - A tagged NO or BAD to LOGIN is AuthFailed and nothing else is sent but LOGOUT; a NO to
//   another command is recorded and the next command goes on (the page shows it).
// - Bounded memory: responses are framed by ResponseReader's limits, the untagged
//   responses kept per command by kMaxUntagged; a server breaking them ends the session.
// - The password is never shown: on_exchange gets "LOGIN user ****". A user name or
//   password that cannot be written as a quoted string (CR, LF, NUL) is refused before
//   anything is sent (AuthFailed).
// - With require_starttls() (the IMAP server's host has TLS: spec "STARTTLS if offered"),
//   STARTTLS goes first (RFC 9051 6.2.1, RFC 2595); LOGIN is sent only inside TLS with a
//   verified certificate. A refused STARTTLS or an unverified certificate ends the
//   session before any password is sent (Error).
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/imap/response_reader.hpp"
#include "protocols/tls/session_info.hpp"

namespace maillab::webmail {

struct ImapCommand {
  std::string command;  // without tag, e.g. "UID FETCH 4 BODY.PEEK[]"
  std::string literal;  // when not empty: " {n}" is added to the command, then these bytes
};

struct ImapReply {
  std::string status;                 // "OK", "NO", "BAD"; "" when never answered
  std::string text;                   // the rest of the tagged line
  std::vector<std::string> untagged;  // "* ..." responses, without "* "
};

class ImapCommands {
 public:
  enum class Status { InProgress, Done, AuthFailed, Error, ConnectionLost, TimedOut };
  static constexpr std::size_t kMaxUntagged = 10000;

  ImapCommands(std::string user, std::string password, std::vector<ImapCommand> commands,
               std::chrono::milliseconds timeout = std::chrono::seconds(60));

  // Before the session starts: STARTTLS before LOGIN, and nothing secret in clear.
  void require_starttls() { starttls_ = true; }
  // The SessionDriver's TLS hooks (services/session_driver.hpp).
  bool wants_tls() const { return starttls_requested_; }
  void on_tls_started(const tls::HandshakeInfo& info);

  void receive(std::string_view data);
  void receive_eof();
  std::string take_output();
  std::string_view output() const { return output_; }
  void clear_output() { output_.clear(); }
  std::chrono::milliseconds timeout() const;
  void on_timeout();
  bool closed() const { return closed_; }

  Status status() const { return status_; }
  const std::string& error() const { return error_; }
  // One reply per command, in order (those never sent stay empty).
  const std::vector<ImapReply>& replies() const { return replies_; }

  // Trace observer: each command as shown (password hidden) and its tagged reply line.
  std::function<void(std::string_view command, std::string_view reply)> on_exchange;

 private:
  void handle(const std::string& response);
  void send_next();
  void send(std::string shown, std::string line);
  void fail(Status s, std::string why);
  void login();

  std::string user_, password_;
  std::vector<ImapCommand> commands_;
  std::vector<ImapReply> replies_;
  std::chrono::milliseconds timeout_;
  imap::ResponseReader reader_;
  std::string output_;
  std::string tag_;            // of the command in flight; "" before the greeting
  std::string shown_;          // the command in flight as traced
  std::size_t next_ = 0;       // next command to send
  bool greeted_ = false, logged_in_ = false, logging_out_ = false, literal_pending_ = false;
  bool starttls_ = false, starttls_sent_ = false, starttls_requested_ = false, tls_ = false;
  int tag_number_ = 0;
  bool closed_ = false;
  Status status_ = Status::InProgress;
  std::string error_;
};

// Helpers reading FETCH responses ("12 FETCH (UID 4 FLAGS (\Seen) BODY[] {n}\r\n...)").
// The value of the first literal in `response` (its n octets), or "" when there is none.
std::string_view fetch_literal(std::string_view response);
// The number after `item` ("UID", "RFC822.SIZE"), 0 when absent.
std::uint64_t fetch_number(std::string_view response, std::string_view item);
// The FLAGS list's text ("\Seen \Answered"), before any literal.
std::string fetch_flags(std::string_view response);

}  // namespace maillab::webmail
