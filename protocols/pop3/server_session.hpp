// ServerSession: a sans-I/O POP3 server session (RFC 1939, CAPA and response codes of
// RFC 2449, AUTH of RFC 5034 with SASL PLAIN of RFC 4616, [AUTH]/[SYS/...] of RFC 3206).
//
// Bytes in (receive, receive_eof), bytes out (take_output), time as a request
// (timeout / on_timeout); no sockets, clocks or files, no exceptions. The host answers
// credentials and opens maildrops through ServerHandler.
//
// Invariants:
// - State follows RFC 1939 3: AUTHORIZATION -> TRANSACTION (after a login and a locked
//   maildrop) -> UPDATE (only via QUIT) -> Closed. Which command is valid where is the
//   command table in server_session.cpp.
// - Messages marked with DELE leave the maildrop only in UPDATE, after QUIT. End of
//   stream, the idle timer (RFC 1939 3 autologout) and destruction release the maildrop
//   with nothing removed.
// - Every command line gets exactly one response, in order, so pipelined commands
//   (RFC 2449 6.6) work; a peer's error is a -ERR and the session goes on, except after
//   max_auth_failures failed logins, or QUIT.
// - A failed login's -ERR waits auth_failure_delay (Dovecot's auth_failure_delay): the
//   engine holds it, asks for the time as timeout() (paused()) and reads nothing until
//   on_timeout() sends it (at most kMaxHeldInput octets wait, more closes the session).
// - Once closed, input is ignored and output holds only what was queued before.
// - STLS (RFC 2595 4) is offered only while the connection is plain and `stls` is set:
//   the engine answers +OK, drops whatever the client pipelined behind it
//   (CVE-2011-0411) and reads nothing more (wants_tls()) until on_tls_started(), which
//   puts it back in AUTHORIZATION as after the greeting. With plaintext_auth false, USER,
//   PASS and AUTH PLAIN are refused before TLS (Dovecot's disable_plaintext_auth) and
//   CAPA announces neither.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "protocols/pop3/command_line.hpp"
#include "protocols/pop3/line_buffer.hpp"
#include "protocols/pop3/message_list.hpp"
#include "protocols/pop3/server_handler.hpp"
#include "protocols/tls/session_info.hpp"

namespace maillab::pop3 {

struct ServerConfig {
  std::string hostname = "localhost";
  // "<1896.697170952@host>" (RFC 1939 7, a msg-id); empty: APOP not offered. The host
  // must make it unique per session (process id, clock, counter), or APOP replays work.
  std::string apop_timestamp;
  bool user_pass = true;    // USER/PASS (RFC 1939 7)
  bool sasl_plain = true;   // AUTH PLAIN (RFC 5034, RFC 4616)
  int max_auth_failures = 3;  // then "-ERR [AUTH] too many failures" and close
  std::chrono::milliseconds auth_failure_delay{2000};  // Dovecot auth_failure_delay; 0: none
  std::chrono::milliseconds idle_timeout{600000};  // RFC 1939 3: at least 10 minutes
  std::size_t max_line = 255;                      // RFC 2449 4: 255 octets incl. CRLF
  std::string implementation = "maillab";          // RFC 2449 6.9; empty: not announced
  bool stls = false;            // offer STLS (the host has TLS; this connection is plain)
  bool tls_active = false;      // implicit TLS (port 995): encrypted from the start
  bool plaintext_auth = true;   // false: no USER/PASS/AUTH PLAIN before TLS
};

class ServerSession {
 public:
  enum class State { Authorization, Transaction, Update, Closed };

  ServerSession(ServerConfig config, ServerHandler& handler);
  ServerSession(const ServerSession&) = delete;
  ServerSession& operator=(const ServerSession&) = delete;

  void start();  // queues the greeting; call once, before anything else
  void receive(std::string_view data);
  // The same, stopping once the pending output reaches `output_limit` (backpressure,
  // services::SessionDriver: a pipelined RETR answers a whole message) or once the session
  // pauses (auth_failure_delay: the rest waits with the caller). Returns the bytes
  // consumed: all of them once closed; at least one line's when the output was below the
  // limit and the session not paused.
  std::size_t receive_some(std::string_view data, std::size_t output_limit);
  void receive_eof();
  std::string take_output();
  // The idle time allowed from now (re-arm after every receive); auth_failure_delay while
  // a failed login's reply is held (paused()); zero once closed.
  std::chrono::milliseconds timeout() const;
  // Ends a pause (the held reply goes out, waiting input is read), else autologout.
  void on_timeout();
  bool closed() const { return state_ == State::Closed; }
  bool paused() const { return paused_; }
  static constexpr std::size_t kMaxHeldInput = 64 * 1024;

  // Where the rule for command `keyword` (any case) comes from, "RFC 1939 5"; "" for one the
  // server does not know. From the command table, for the visualiser's packet details.
  static std::string_view command_rfc(std::string_view keyword);

  // STLS answered: nothing more is read in clear until on_tls_started() (RFC 2595 4).
  bool wants_tls() const { return wants_tls_; }
  void on_tls_started(const tls::HandshakeInfo& info);
  bool tls_active() const { return tls_; }

  State state() const { return state_; }
  int auth_failures() const { return auth_failures_; }
  const std::string& user() const { return user_; }  // once in TRANSACTION

 private:
  friend struct ServerCommands;

  void handle_line(const LineBuffer::Line& line);
  void dispatch(const CommandLine& cmd);
  void reply(std::string_view line);  // appends line + CRLF
  void close();

  // AUTHORIZATION (RFC 1939 4, 7; RFC 5034)
  void cmd_user(const CommandLine& cmd);
  void cmd_pass(const CommandLine& cmd);
  void cmd_apop(const CommandLine& cmd);
  void cmd_auth(const CommandLine& cmd);
  void cmd_stls(const CommandLine& cmd);
  bool plaintext_refused();  // replies -ERR when a clear password is not allowed
  void sasl_response(std::string_view line);
  void sasl_plain(std::string_view base64);
  void auth_failed(std::string_view user, std::string_view why);
  void login(const std::string& user);
  // Both states
  void cmd_capa(const CommandLine& cmd);
  void cmd_quit(const CommandLine& cmd);
  // TRANSACTION (RFC 1939 5, 7)
  void cmd_stat(const CommandLine& cmd);
  void cmd_list(const CommandLine& cmd);
  void cmd_retr(const CommandLine& cmd);
  void cmd_dele(const CommandLine& cmd);
  void cmd_noop(const CommandLine& cmd);
  void cmd_rset(const CommandLine& cmd);
  void cmd_top(const CommandLine& cmd);
  void cmd_uidl(const CommandLine& cmd);
  // Resolves a message-number argument or replies -ERR and returns 0.
  std::size_t message_arg(std::string_view text);
  void update();  // RFC 1939 6

  ServerConfig config_;
  ServerHandler& handler_;
  State state_ = State::Authorization;
  LineBuffer reader_;
  std::string output_;
  bool started_ = false;
  bool wants_tls_ = false;  // +OK to STLS sent: nothing more is read in clear
  bool tls_ = false;
  bool awaiting_sasl_ = false;  // "+ " sent, the next line is the SASL response
  std::string pending_user_;    // USER accepted, PASS expected
  std::string user_;
  int auth_failures_ = 0;
  bool paused_ = false;
  bool close_after_pause_ = false;
  std::string held_;  // the reply held while paused
  std::pair<std::string, std::string> held_exchange_;  // its on_exchange call
  std::unique_ptr<Maildrop> maildrop_;
  MessageList messages_;
};

}  // namespace maillab::pop3
