// ServerSession: a sans-I/O IMAP server session, IMAP4rev2 (RFC 9051) with IMAP4rev1
// (RFC 3501) compatibility, over the shared mail store (mda/mailbox_store.hpp).
//
// Bytes in (receive, receive_eof), bytes out (output/clear_output or take_output), time
// as requests (timeout / on_timeout); no sockets, clocks or files, no exceptions. The
// host answers credentials and gives the store through ServerHandler.
//
// Invariants:
// - State (RFC 9051 3): NotAuthenticated -> Authenticated (LOGIN / AUTHENTICATE) ->
//   Selected (SELECT / EXAMINE) <-> Authenticated (CLOSE / UNSELECT / a failed SELECT)
//   -> Logout (LOGOUT, a timeout, EOF, too many failures). Which command is valid where
//   is the command table in server_session.cpp, with the RFC section of each.
// - Every command gets exactly one tagged response, in order; a syntax error is BAD and
//   the session goes on (after kMaxBadCommands in a row it says BYE, as Dovecot does).
// - Updates from the store (other sessions, the MDA) reach the client as untagged
//   EXISTS / EXPUNGE / FETCH responses before a tagged response, and at once while in
//   IDLE (RFC 2177); EXPUNGE never while answering FETCH, STORE or SEARCH by sequence
//   number (RFC 9051 7.5.1). handler.on_output_ready() says when output appeared from
//   a store change rather than from receive().
// - Failed logins are counted; each one's NO is held for auth_failure_delay (a timer
//   request: timeout() says how long; input meanwhile waits), and after
//   max_auth_failures the session says BYE. An empty password never reaches the handler.
// - With plaintext_auth false and no TLS, CAPABILITY says LOGINDISABLED and LOGIN and
//   AUTHENTICATE answer NO [PRIVACYREQUIRED] (RFC 9051 6.2.3, Dovecot's
//   disable_plaintext_auth).
// - STARTTLS (RFC 9051 6.2.1): the engine answers OK, drops what the client pipelined
//   after it (CVE-2011-0411) and reads nothing more (wants_tls()); the driver sends the
//   OK, runs the handshake, then calls on_tls_started(): back to the state after the
//   greeting, with the capabilities of a TLS connection (RFC 9051 6.2.1: the client asks
//   CAPABILITY again).
// - Memory per session: the command reader's bounds (ReaderLimits) plus the output of
//   one command (a FETCH of every message is written whole).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/imap/command_reader.hpp"
#include "protocols/imap/mailbox_view.hpp"
#include "protocols/imap/parser.hpp"
#include "protocols/imap/server_handler.hpp"
#include "protocols/mda/mailbox_store.hpp"
#include "protocols/tls/session_info.hpp"

namespace maillab::imap {

struct FetchItem;
struct SearchKey;
struct SearchProgram;

// A store failure as the text of a tagged NO (RFC 9051 7.1 response codes).
std::string store_failure(mda::StoreResult result);

struct ServerConfig {
  std::string hostname = "localhost";
  bool starttls = false;        // offer STARTTLS (the host has TLS; this connection is plain)
  bool tls_active = false;      // implicit TLS (port 993): encrypted from the start
  bool plaintext_auth = true;   // false: no LOGIN / AUTHENTICATE before TLS (LOGINDISABLED)
  int max_auth_failures = 3;    // then BYE (0: unlimited)
  std::chrono::milliseconds auth_failure_delay{2000};  // Dovecot's auth_failure_delay
  std::chrono::milliseconds login_timeout{60000};      // before authentication
  std::chrono::milliseconds idle_timeout{1800000};     // RFC 9051 5.4: at least 30 minutes
  ReaderLimits limits;
  std::string implementation = "maillab";  // ID (RFC 2971) "name"; empty: ID answers NIL
};

class ServerSession final : private mda::MailboxObserver {
 public:
  enum class State { NotAuthenticated, Authenticated, Selected, Logout };
  static constexpr int kMaxBadCommands = 20;

  ServerSession(ServerConfig config, ServerHandler& handler);
  ~ServerSession() override;
  ServerSession(const ServerSession&) = delete;
  ServerSession& operator=(const ServerSession&) = delete;

  void start();  // queues the greeting; call once, before anything else
  void receive(std::string_view data);
  void receive_eof();
  std::string take_output();
  std::string_view output() const { return output_; }
  void clear_output() { output_.clear(); }
  std::chrono::milliseconds timeout() const;  // zero once closed
  void on_timeout();
  bool closed() const { return state_ == State::Logout; }
  // A failed login's NO is held (SessionDriver reads nothing meanwhile).
  bool paused() const { return mode_ == Mode::Delaying; }

  bool wants_tls() const { return starttls_requested_; }
  void on_tls_started(const tls::HandshakeInfo& info);
  bool tls_active() const { return tls_; }

  State state() const { return state_; }
  const std::string& user() const { return user_; }
  int auth_failures() const { return auth_failures_; }
  bool idling() const { return mode_ == Mode::Idle; }
  bool rev2() const { return rev2_; }
  bool utf8() const { return rev2_ || utf8_accept_; }

 private:
  friend struct ServerCommands;
  enum class Mode { Command, Idle, SaslResponse, Delaying };

  void on_mailbox_change(const mda::FolderChange& change) override;
  void pump();
  void handle_item(CommandReader::Item& item);
  void handle_command(const std::string& text);
  void handle_line(const std::string& line);
  void finish_command();  // the tagged response was written: report it

  // Output.
  void untagged(std::string_view line);
  void tagged(std::string_view status, std::string_view text);
  // Syncs the selected mailbox (unless `no_sync`), then the tagged line.
  void complete(std::string_view status, std::string_view text, bool allow_expunge = true);
  void bad(std::string_view text);
  void syntax_error(const Parser& p);
  void bye_and_close(std::string_view text);
  void close();
  std::string capabilities() const;
  bool sync_selected(bool allow_expunge);  // false when the mailbox vanished (BYE sent)

  // Mailbox names on the wire <-> in the store.
  bool mailbox_arg(Parser& p, std::string& name);  // astring, decoded; false after a reply
  void append_mailbox_name(std::string& out, std::string_view name) const;

  // Any state (server_auth.cpp)
  void cmd_capability(Parser& p);
  void cmd_noop(Parser& p);
  void cmd_logout(Parser& p);
  void cmd_id(Parser& p);
  // Not authenticated
  void cmd_starttls(Parser& p);
  void cmd_login(Parser& p);
  void cmd_authenticate(Parser& p);
  void sasl_plain(std::string_view base64);
  void auth_failed(std::string_view user);
  void login(const std::string& user);
  // Authenticated (server_mailbox.cpp, server_list.cpp)
  void cmd_enable(Parser& p);
  void cmd_select(Parser& p);
  void cmd_examine(Parser& p);
  void select(Parser& p, bool read_only);
  void cmd_create(Parser& p);
  void cmd_delete(Parser& p);
  void cmd_rename(Parser& p);
  void cmd_subscribe(Parser& p);
  void cmd_unsubscribe(Parser& p);
  void cmd_list(Parser& p);
  void cmd_lsub(Parser& p);
  void cmd_namespace(Parser& p);
  void cmd_status(Parser& p);
  bool append_status(std::string& out, const mda::Folder& f, const std::vector<std::string>& items);
  // "(\HasNoChildren \Sent)": CHILDREN (RFC 3348), special use (RFC 6154), \Subscribed.
  std::string list_attributes(const mda::Folder& f, bool subscribed);
  void cmd_append(Parser& p);
  void cmd_idle(Parser& p);
  // Selected (server_message.cpp, server_fetch.cpp, server_search.cpp)
  void cmd_check(Parser& p);
  void cmd_close(Parser& p);
  void cmd_unselect(Parser& p);
  void cmd_expunge(Parser& p);
  void cmd_search(Parser& p);
  void cmd_fetch(Parser& p);
  void cmd_store(Parser& p);
  void cmd_copy(Parser& p);
  void cmd_move(Parser& p);
  void copy_or_move(Parser& p, bool move);
  void deselect();
  // The sequence numbers a set names (UIDs when uid_), ascending; false after a BAD.
  bool resolve_set(Parser& p, std::vector<std::uint32_t>& seqs);
  struct SearchTarget;
  bool match(const SearchKey& key, std::uint32_t seq, const mda::Folder& folder, SearchTarget& target);
  void fetch_one(std::uint32_t seq, const std::vector<FetchItem>& items, const mda::Folder& folder, bool& missing);

  ServerConfig config_;
  ServerHandler& handler_;
  State state_ = State::NotAuthenticated;
  Mode mode_ = Mode::Command;
  CommandReader reader_;
  std::string output_;
  std::string held_;  // a failed login's reply, held for the delay
  std::int64_t held_until_ = 0;
  bool started_ = false;
  bool in_pump_ = false;
  bool starttls_requested_ = false;
  bool tls_ = false;
  bool unknown_cte_ = false;  // a BINARY fetch met an encoding it cannot decode
  bool rev2_ = false;
  bool utf8_accept_ = false;
  int auth_failures_ = 0;
  int bad_in_a_row_ = 0;
  std::string user_;
  mda::MailboxStore* store_ = nullptr;
  MailboxView view_;

  // The command being answered.
  std::string tag_;
  std::string verb_;
  bool uid_ = false;
  std::string shown_;        // the command as on_exchange() shows it
  std::string status_line_;  // its tagged response
};

}  // namespace maillab::imap
