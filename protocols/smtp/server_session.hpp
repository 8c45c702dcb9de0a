// smtp::ServerSession: the sans-I/O SMTP server engine (RFC 5321; ESMTP SIZE 1870,
// PIPELINING 2920, 8BITMIME 6152, ENHANCEDSTATUSCODES 2034/3463, DSN 3461, AUTH 4954,
// CHUNKING 3030).
// Bytes in (receive), bytes out (take_output), a timeout to arm (timeout/on_timeout);
// decisions go to a ServerHandler.
//
// The state machine is data: State below and the command table in server_commands.cpp
// ({verb, allowed states, arguments, act, usage, RFC section, the out-of-order reply}),
// as in the POP3 engine. A reply leaves in one of two ways: answer() for the command
// being handled, announce() for one no command asked for.
// Invariants:
// - replies leave in the order of the commands (RFC 2920 3.1): every complete command
//   in the input is processed in order however the bytes were split, so one byte at a
//   time and a whole pipelined burst give the same output;
// - on_message is called only for a whole message ended by CRLF.CRLF (DataReader:
//   bare CR/LF never end the content) or by the last octet of a BDAT LAST chunk
//   (ChunkReader); a timeout, EOF or oversize never delivers;
// - the octets of every BDAT whose size could be read are read, also when the command is
//   refused (RFC 3030 3), so no chunk is ever taken for commands;
// - after closed() nothing is read or sent any more;
// - no exception leaves the engine; a peer's errors are reply codes, counted towards
//   hard_error_limit (Postfix smtpd_hard_error_limit): then 421 4.7.0 and close;
// - past soft_error_limit errors every reply is held for error_sleep_time (Postfix
//   smtpd_error_sleep_time): the engine asks for the time as its timeout() (paused()),
//   reads nothing meanwhile (input waits, at most kMaxHeldInput octets, then 421) and
//   sends the reply at on_timeout(); in simulated time as in real time.
// - a decision the host cannot make at once (server_handler.hpp pending()) suspends the
//   session the same way: nothing more is read (input waits, bounded as above), timeout()
//   is decision_timeout, decide() sends the reply and reads what waited; a timeout
//   answers 451 4.7.1 and the session goes on. So replies stay in command order.
// - the engine is a plain object: replies every session of a listener sends alike come
//   from the config (ServerConfig::replies, server_replies.hpp), never from a cache;
// Split: server_session.cpp (framing, replies, timeouts, DATA), server_commands.cpp
// (command table and commands), server_bdat.cpp (BDAT), server_auth.cpp (AUTH PLAIN/
// LOGIN/SCRAM-SHA-256), server_throttle.cpp (the error sleep), server_decision.cpp
// (waiting for a pending decision), server_starttls.cpp (STARTTLS, RFC 3207).
#pragma once

#include <chrono>
#include <memory>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocols/message/sasl_scram.hpp"
#include "protocols/smtp/chunk_reader.hpp"
#include "protocols/smtp/data_reader.hpp"
#include "protocols/smtp/envelope.hpp"
#include "protocols/message/line_reader.hpp"
#include "protocols/smtp/reply.hpp"
#include "protocols/smtp/server_config.hpp"
#include "protocols/smtp/server_handler.hpp"
#include "protocols/smtp/server_replies.hpp"
#include "protocols/tls/session_info.hpp"

namespace maillab::smtp {

class ServerSession {
 public:
  enum class State {
    Rejected,   // greeted with 554: only QUIT is served (RFC 5321 3.1)
    Connected,  // greeted, no HELO/EHLO yet (4.1.4)
    Ready,      // HELO/EHLO done, no Mail transaction
    Mail,       // MAIL accepted, no recipient accepted yet (3.3)
    Rcpt,       // at least one recipient accepted
    Data,       // reading message content after 354 (4.1.1.4)
    Auth,       // waiting for an AUTH continuation line (RFC 4954 4)
    Chunk,      // reading the octets of a BDAT Chunk (RFC 3030 2)
    Bdat,       // between the chunks of a BDAT transaction: BDAT, RSET and the like only
    Closed,
  };

  // Sends the greeting at once (take_output() has it). `handler` must outlive the session.
  ServerSession(ServerConfig config, ServerHandler& handler);

  void receive(std::string_view data);
  // The same, stopping once the pending output reaches `output_limit` (then the caller
  // sends it and offers the rest again: backpressure, services::SessionDriver) or once the
  // session pauses (the rest waits with the caller, not in held input). Returns the bytes
  // consumed: all of them once closed; at least one command's when the output was below
  // the limit and the session not paused.
  std::size_t receive_some(std::string_view data, std::size_t output_limit);
  void receive_eof();
  std::string take_output();
  // The same without allocating: output() shows the pending bytes (valid until the
  // session is used again), clear_output() drops them and keeps the buffer for the next.
  std::string_view output() const { return out_; }
  void clear_output();
  // command_timeout, or data_timeout while reading content or a chunk; error_sleep_time
  // while a reply is held, decision_timeout while a decision is awaited (paused()); zero
  // once closed.
  std::chrono::milliseconds timeout() const;
  // Ends a pause (the held reply goes out, waiting input is read), or a wait for a
  // decision (451 4.7.1, the handler's on_abandoned()), else times out.
  void on_timeout();
  bool closed() const { return state_ == State::Closed; }
  // The engine waits on purpose: a reply held back (smtpd_error_sleep_time) or a decision
  // awaited (deciding()). timeout() is that wait, not the peer's.
  bool paused() const { return paused_ || deciding(); }
  // A hook returned pending(): the session waits for decide().
  bool deciding() const { return awaiting_ != Awaiting::None; }
  // The reply of the hook that returned pending(), from a later event: the command it
  // belongs to completes, then the input that waited is read. Only while deciding(); the
  // driver then sends the output (services::SessionDriver::pump()).
  void decide(Reply reply);
  // Input a paused session keeps for later; more is refused with 421 and close.
  static constexpr std::size_t kMaxHeldInput = 64 * 1024;

  // TLS (RFC 3207; the driver runs it, docs/tls.md; server_starttls.cpp). After its 220
  // to STARTTLS the session reads nothing (the rest of the input is dropped) until
  // on_tls_started(), which resets it to the state after the greeting; for implicit TLS
  // (RFC 8314) the driver calls on_tls_started() before any input.
  bool wants_tls() const { return wants_tls_; }
  void on_tls_started(const tls::HandshakeInfo& info);
  bool tls_on() const { return tls_on_; }
  // Where the rule for command `verb` (any case) comes from, "RFC 5321 4.1.1.2, 4.1.4";
  // "" for a command the server does not know. From the command table, for the
  // visualiser's packet details.
  static std::string_view command_rfc(std::string_view verb);

  State state() const { return state_; }
  const Envelope& envelope() const { return envelope_; }
  const ServerConfig& config() const { return config_; }
  int error_count() const { return errors_; }

 private:
  using Act = void (ServerSession::*)(std::string_view args);
  // What a command takes after its verb, checked before it runs (else 501 "Syntax: usage").
  enum class Args {
    None,      // nothing
    Required,  // something
    Any,       // anything, or nothing
    Parsed,    // the command reads them itself and answers syntax_error() on its own
  };
  struct Command {
    std::string_view verb;
    unsigned allowed;  // bit set of State
    Args args;
    Act act;
    std::string_view usage;         // "MAIL FROM:<address>": the 501 text
    std::string_view rfc;           // where the rule comes from
    std::string_view out_of_order;  // the 503 text once greeted, in a state not allowed
  };
  static std::span<const Command> commands();
  static constexpr unsigned bit(State s) { return 1u << static_cast<unsigned>(s); }

  // server_session.cpp
  void handle_line();
  void dispatch(std::string_view line);
  void end_of_data();
  // A whole message (DATA or BDAT LAST) to the handler; its reply ends the transaction.
  void message_received(std::string content);
  // The reply to the command being handled, traced with its line: a 4xx/5xx counts
  // towards the error limits (and may be held, server_throttle.cpp). A reply without text
  // gets the standard one: `standard_text` when positive, "Error: ..." otherwise.
  void answer(Reply r, std::string_view standard_text = {});
  void answer(const PreparedReply& r);
  // A reply no command asked for (the greeting, a timeout, too many errors): traced with
  // no command line, never counted.
  void announce(const Reply& r);
  void announce(const PreparedReply& r);
  // What both do: the bytes out (`wire` when computed before), the trace, 421 closes.
  void emit(const Reply& r, std::string_view wire, bool answering);
  void after_command();
  void close();
  void reset_transaction();
  // 503 for the command being handled in the present state (its out_of_order text).
  Reply ordering_error() const;
  // 501 with the usage of the command being handled.
  Reply syntax_error() const;

  // server_commands.cpp
  void cmd_helo(std::string_view args);
  void cmd_ehlo(std::string_view args);
  void hello(std::string_view args, bool esmtp);
  void cmd_mail(std::string_view args);
  void cmd_rcpt(std::string_view args);
  void cmd_data(std::string_view args);
  void cmd_rset(std::string_view args);
  void cmd_noop(std::string_view args);
  void cmd_quit(std::string_view args);
  void cmd_vrfy(std::string_view args);
  void cmd_expn(std::string_view args);
  void cmd_help(std::string_view args);

  // server_starttls.cpp
  void cmd_starttls(std::string_view args);
  ParamSupport param_support() const;
  // The commands' second halves, once the handler's reply is known (at once or later).
  void helo_decided(Reply r, std::string_view domain, bool esmtp);
  void mail_decided(Reply r, Path from, MailParams params);
  void rcpt_decided(Reply r, Recipient rcpt);
  void data_decided(Reply r);
  void message_decided(Reply r);

  // server_decision.cpp: what waits for decide(), and the command's arguments meanwhile.
  enum class Awaiting { None, Helo, Mail, Rcpt, Data, Message };
  struct Awaited {
    std::string line;  // the command as the trace shows it
    std::string helo;
    bool esmtp = false;
    Path from;
    MailParams params;
    Recipient rcpt;
  };
  Awaited& await(Awaiting what);  // the command being handled waits
  void abandon();                 // stop waiting (timeout, EOF, close)

  // server_bdat.cpp
  void cmd_bdat(std::string_view args);
  // Why a BDAT of `size` octets is refused, before its octets are read; none: accepted.
  std::optional<Reply> bdat_refusal(std::uint64_t size, bool last, bool syntax_ok);
  void end_of_chunk();

  // server_throttle.cpp
  void pause_before_reply();  // when the error count says so
  // on_exchange now, or when a held reply goes out (the trace shows when it was sent).
  void exchange(std::string_view client_line, const Reply& r);
  void hold_input(std::string_view data);
  void resume();

  // server_auth.cpp
  void cmd_auth(std::string_view args);
  void auth_response(std::string_view line);
  void auth_plain(std::string_view decoded);
  void auth_done(std::string_view user, std::string_view password);
  enum class AuthStep { None, Plain, LoginUser, LoginPassword, ScramFirst, ScramFinal, ScramAck };
  void auth_continue(AuthStep step, std::string_view challenge);  // 334 and wait
  void scram_step(AuthStep step, std::string_view decoded);

  ServerConfig config_;
  ServerHandler& handler_;
  State state_ = State::Connected;
  Envelope envelope_;
  message::LineReader lines_;  // RFC 5321 4.5.3.1.4: 512 octets, a bare LF counted as CRLF
  DataReader data_;
  ChunkReader chunks_;
  // The BDAT being read: its line for the trace, whether it is the last, the state to go
  // back to and the reply when it is refused (none: its octets are kept).
  struct Bdat {
    std::string line;
    bool last = false;
    std::uint64_t size = 0;
    State back = State::Ready;
    std::optional<Reply> refusal;
    bool fails_transaction = false;  // the refusal ends the chunks of this transaction
    std::optional<Reply> failed;     // the transaction's chunks failed: every later one gets this
  } bdat_;
  std::string out_;
  // The command being answered, as the trace shows it: the line itself when it is
  // printable (valid while it is handled), a literal, or trace_buf_.
  std::string_view trace_line_;
  std::string trace_buf_;
  const Command* command_ = nullptr;  // the row being handled, while it is
  std::size_t rcpt_attempts_ = 0;
  int errors_ = 0;
  AuthStep auth_step_ = AuthStep::None;
  std::string auth_login_user_;
  // The SCRAM-SHA-256 exchange in progress (RFC 5802 5): null outside one.
  struct Scram {
    message::ScramClientFirst client;
    std::string server_first;
    message::ScramVerifier verifier;
    bool known = false;        // a user with a password: a made-up verifier otherwise
    std::string server_final;  // "v=...", sent before the 235
  };
  std::unique_ptr<Scram> scram_;
  bool paused_ = false;
  bool wants_tls_ = false;  // 220 to STARTTLS sent: nothing more is read in clear
  bool tls_on_ = false;
  bool close_after_pause_ = false;  // the held replies end the session
  std::string held_;                // replies held while paused
  std::string held_input_;          // input received while paused
  std::vector<std::pair<std::string, Reply>> held_exchanges_;  // their on_exchange calls
  Awaiting awaiting_ = Awaiting::None;
  std::unique_ptr<Awaited> awaited_;  // made on the first wait, then reused
};

}  // namespace maillab::smtp
