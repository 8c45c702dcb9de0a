// ClientSession: a sans-I/O IMAP client running what a mail user agent does (RFC 9051):
// greeting -> [STARTTLS] -> login (AUTHENTICATE PLAIN, with SASL-IR when offered, else
// LOGIN) -> APPEND each message to save (to Sent, \Seen, as Thunderbird does) ->
// SELECT INBOX -> UID SEARCH UNSEEN -> UID FETCH BODY[] (which sets \Seen) -> [UID STORE
// +FLAGS (\Deleted) and EXPUNGE; or to a folder: UID MOVE, else UID COPY, STORE, EXPUNGE] -> [IDLE until stopped: each EXISTS ends the IDLE, the
// new messages are fetched, IDLE again] -> LOGOUT.
//
// Invariants:
// - One command at a time; a tagged response answers the command in flight only.
// - Never trusts the server: any bytes may arrive, split anywhere. Responses are framed
//   by ResponseReader's limits; a server that breaks them, or a tagged NO/BAD where the
//   task cannot go on, ends the session with a status (then LOGOUT when sensible).
//   Memory is bounded: capabilities, UIDs per round (kMaxUidsPerRound) and kept message
//   bytes (max_kept) are capped.
// - A message is counted as fetched once per session (by UID), its content exactly the
//   literal the server sent.
// - status() leaves InProgress exactly once; closed() is true once LOGOUT was answered,
//   the stream ended or the session gave up.
// - The password is never shown: on_exchange gets "LOGIN user ****" and
//   "AUTHENTICATE PLAIN ****".
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/imap/response_reader.hpp"
#include "protocols/tls/session_info.hpp"

namespace maillab::imap {

struct ClientConfig {
  enum class Auth { Best, Login, Plain };

  std::string user;
  std::string password;
  Auth auth = Auth::Best;
  bool starttls = false;           // use STARTTLS; with require_tls, fail if not offered
  bool require_tls = false;        // never send a password or a message in clear
  bool fetch = true;               // SELECT mailbox and fetch the messages not yet \Seen
  bool delete_after_fetch = false; // flag them \Deleted and expunge
  // With delete_after_fetch: move them to this folder instead (Thunderbird's and the
  // phones' "delete": to Trash): UID MOVE (RFC 6851) when announced, else UID COPY, then
  // \Deleted and EXPUNGE. Empty: expunge for good.
  std::string delete_to;
  bool idle = false;               // then IDLE, fetching each new message, until stop()
  std::string mailbox = "INBOX";
  std::vector<std::string> append;     // messages (CRLF) to APPEND first
  std::string append_to = "Sent";
  std::chrono::milliseconds timeout{600000};
  std::chrono::milliseconds idle_refresh{29 * 60 * 1000};  // RFC 2177 3: re-IDLE before 30 min
  std::size_t max_kept = 256 * 1024 * 1024;  // bytes of fetched messages kept
  ResponseLimits limits;
};

class ClientSession {
 public:
  enum class Status { InProgress, Done, AuthFailed, NoTls, Error, ConnectionLost, TimedOut };
  enum class State {
    Greeting, Capability, StartTls, Login, Authenticate, Append, Select, Search, Fetch, Move, Copy, Store, Expunge,
    Idle, IdleDone, Logout, Closed
  };
  static constexpr std::size_t kMaxUidsPerRound = 1000;
  static constexpr std::size_t kMaxCapabilities = 256;

  struct Fetched {
    std::uint32_t uid = 0;
    std::string content;
  };

  explicit ClientSession(ClientConfig config);
  ClientSession(const ClientSession&) = delete;
  ClientSession& operator=(const ClientSession&) = delete;

  void receive(std::string_view data);
  void receive_eof();
  std::string take_output();
  std::string_view output() const { return output_; }
  void clear_output() { output_.clear(); }
  std::chrono::milliseconds timeout() const;  // zero once closed
  void on_timeout();
  bool closed() const { return state_ == State::Closed; }

  // Leave IDLE (or skip it) and log out: the user closes the mail program.
  void stop();
  // STARTTLS answered OK: nothing more is read in clear until on_tls_started() (the
  // driver's handshake; docs/tls.md). With require_tls a certificate that does not verify
  // ends the session before any password is sent; for implicit TLS (993) the driver calls
  // it before the greeting.
  bool wants_tls() const { return starttls_requested_; }
  void on_tls_started(const tls::HandshakeInfo& info);

  Status status() const { return status_; }
  const std::string& error() const { return error_; }
  State state() const { return state_; }
  const std::vector<Fetched>& fetched() const { return fetched_; }
  const std::vector<std::uint32_t>& appended_uids() const { return appended_uids_; }
  std::uint32_t exists() const { return exists_; }
  bool has_capability(std::string_view name) const;

  // Each command sent (secrets hidden) and its tagged status line; the greeting comes
  // with an empty command.
  std::function<void(std::string_view command, std::string_view status)> on_exchange;

 private:
  void handle(const std::string& response);
  void untagged(std::string_view rest);
  void tagged(std::string_view status, std::string_view text);
  void continuation();
  void capabilities_from(std::string_view list);
  void send(std::string command, std::string shown = {});
  void next_step();
  void login();
  void append_next();
  void search();
  void fetch_round();
  void end_idle();
  void finish(Status status, std::string why);  // then LOGOUT
  void abort(Status status, std::string why);   // close at once

  ClientConfig config_;
  ResponseReader reader_;
  State state_ = State::Greeting;
  Status status_ = Status::InProgress;
  std::string error_;
  std::string output_;
  std::vector<std::string> caps_;
  bool caps_known_ = false;
  bool tls_ = false;
  bool starttls_requested_ = false;
  bool stopping_ = false;
  std::uint32_t tag_counter_ = 0;
  std::string tag_;      // of the command in flight
  std::string shown_;
  std::string pending_;  // literal data to send after "+"
  std::size_t next_append_ = 0;
  std::vector<std::uint32_t> appended_uids_;
  std::vector<std::uint32_t> to_fetch_;
  std::vector<std::uint32_t> moving_;  // the UIDs of a UID COPY in flight (then STORE)
  std::vector<std::uint32_t> seen_uids_;  // fetched already (sorted)
  std::vector<Fetched> fetched_;
  std::size_t kept_ = 0;
  std::uint32_t exists_ = 0;
  bool new_mail_ = false;  // EXISTS grew during IDLE
  bool idle_confirmed_ = false;  // the server's "+" to IDLE came
  bool capped_ = false;          // the last SEARCH named more than one round
};

}  // namespace maillab::imap
