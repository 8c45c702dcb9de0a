// ClientSession: a sans-I/O POP3 client running one scripted retrieval, as a MUA or
// fetchmail does (RFC 1939, CAPA of RFC 2449, AUTH PLAIN of RFC 5034 / RFC 4616):
// greeting -> CAPA -> login -> STAT -> UIDL (or LIST) -> RETR [+ DELE] each -> QUIT.
//
// Invariants:
// - One command at a time (no pipelining), so every reply answers the last command sent.
// - Replies may arrive split anywhere, even inside "\r\n.\r\n"; multi-line bodies are
//   un-stuffed and kept byte for byte (line terminators as received).
// - CAPA -ERR means an RFC 1939-only server: the session goes on without extensions.
// - DELE only marks messages; deletions_committed() is true only when QUIT got +OK after
//   at least one DELE (RFC 1939 6). A lost connection or a timeout commits nothing.
// - With require_tls (a MUA set to starttls or implicit) no credential leaves in clear:
//   after CAPA the client sends STLS (RFC 2595 4) and gives up (QUIT) when the server
//   offers none; once TLS is on (on_tls_started) it asks CAPA again, and a certificate
//   that does not verify ends the session before USER. Bytes the server sent behind its
//   +OK to STLS are dropped.
// - status() leaves InProgress exactly once; after an authentication failure the client
//   still says QUIT politely, and closed() turns true when that reply (or EOF) arrives.
//
// Auth::Best, chosen after CAPA: USER/PASS when CAPA lists USER, or when CAPA failed
// (an RFC 1939 server); else AUTH PLAIN when CAPA lists SASL PLAIN; else APOP when the
// greeting has a timestamp. When USER itself gets -ERR (the server does not do USER/PASS)
// and the greeting has a timestamp, APOP is tried: "USER/PASS unless only APOP works".
// USER/PASS goes first because it is what every server has; APOP's MD5 buys nothing a
// lab needs and requires the server to store the plain secret.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocols/pop3/line_buffer.hpp"
#include "protocols/tls/session_info.hpp"

namespace maillab::pop3 {

struct ClientConfig {
  enum class Auth { UserPass, Apop, SaslPlain, Best };

  std::string user;
  std::string password;  // also the APOP shared secret
  Auth auth = Auth::Best;
  bool delete_after_retrieve = false;
  bool only_new = false;             // skip messages whose UIDL is in known_uids
  std::set<std::string> known_uids;  // ignored when the server has no UIDL
  std::chrono::milliseconds timeout{600000};
  bool require_tls = false;  // STLS before any credential (or implicit TLS); never in clear
};

class ClientSession {
 public:
  enum class Status { InProgress, Done, AuthFailed, InUse, Error, NoTls, ConnectionLost, TimedOut };
  enum class State { Greeting, Capa, Stls, User, Pass, Apop, AuthPlain, Stat, Uidl, List, Retr, Dele, Quit, Closed };

  struct Retrieved {
    std::size_t number;
    std::string uid;      // empty when the server has no UIDL
    std::string content;  // CRLF as received, un-stuffed
  };

  explicit ClientSession(ClientConfig config);
  ClientSession(const ClientSession&) = delete;
  ClientSession& operator=(const ClientSession&) = delete;

  void receive(std::string_view data);
  void receive_eof();
  std::string take_output();
  std::chrono::milliseconds timeout() const;  // zero once closed
  void on_timeout();
  bool closed() const { return state_ == State::Closed; }
  // +OK to STLS: nothing more is read in clear until on_tls_started() (the driver's
  // handshake). For implicit TLS (995) the driver calls it before the greeting.
  bool wants_tls() const { return wants_tls_; }
  void on_tls_started(const tls::HandshakeInfo& info);

  Status status() const { return status_; }
  std::string error() const { return error_; }
  const std::vector<Retrieved>& retrieved() const { return retrieved_; }
  bool deletions_committed() const { return deletions_committed_; }
  State state() const { return state_; }
  // The method actually used to log in (or last tried).
  ClientConfig::Auth auth_used() const { return auth_used_; }

  // Each command sent (secrets shown as "****"; the greeting with an empty line) and the
  // first line of its reply.
  std::function<void(std::string_view line_sent, std::string_view reply_first_line)> on_exchange;

 private:
  friend struct ClientSteps;

  struct Reply {
    enum class Kind { Ok, Err, Continue } kind = Kind::Err;
    std::string first;  // first line, no CRLF
    std::string body;   // multi-line body after un-stuffing, terminators as received
  };

  void handle_line(const LineBuffer::Line& line);
  void finish_reply();
  void send(std::string_view line, std::string_view shown = {});
  void fail(Status status, std::string message);  // then QUIT
  void abort(Status status, std::string message);  // close without QUIT

  void on_greeting(const Reply& r);
  void on_capa(const Reply& r);
  void on_stls(const Reply& r);
  void on_user(const Reply& r);
  void on_login(const Reply& r);  // PASS, APOP, and the end of AUTH
  void on_auth_plain(const Reply& r);
  void on_stat(const Reply& r);
  void on_uidl(const Reply& r);
  void on_list(const Reply& r);
  void on_retr(const Reply& r);
  void on_dele(const Reply& r);
  void on_quit(const Reply& r);

  void start_auth();
  void send_apop();
  void send_auth_plain();
  void plan_retrieval(std::vector<std::pair<std::size_t, std::string>> listing);
  void next_message();
  bool has_capability(std::string_view name, std::string_view arg = {}) const;

  ClientConfig config_;
  State state_ = State::Greeting;
  Status status_ = Status::InProgress;
  std::string error_;
  LineBuffer reader_;
  std::string output_;
  std::string shown_;  // the last command as on_exchange shows it
  Reply reply_;
  bool collecting_ = false;  // inside a multi-line body
  std::string timestamp_;    // from the greeting, for APOP
  bool capa_ok_ = false;
  bool wants_tls_ = false;
  bool tls_ = false;
  std::vector<std::string> capabilities_;  // upper-cased CAPA lines
  ClientConfig::Auth auth_used_ = ClientConfig::Auth::Best;
  bool plain_response_sent_ = false;
  std::vector<std::pair<std::size_t, std::string>> queue_;  // (number, uid) to retrieve
  std::size_t next_ = 0;
  std::size_t deleted_ = 0;
  std::vector<Retrieved> retrieved_;
  bool deletions_committed_ = false;
};

}  // namespace maillab::pop3
