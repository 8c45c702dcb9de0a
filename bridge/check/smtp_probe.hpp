// The two ways `maillab check` talks SMTP to a server:
// - run_smtp_session(): the lab's real client engine (smtp::ClientSession) over a
//   TcpStream (TLS as the URL says: tls_probe.hpp; STARTTLS when offered, the engine's
//   smtp_tls_security_level "may", "encrypt" with --starttls): greeting, EHLO (HELO
//   when refused), the given transactions, QUIT; every
//   exchange is recorded, then the probe waits for the server to close (4.1.1.10).
// - SmtpLine: raw command lines read back with smtp::ReplyParser, for the out-of-order
//   and malformed probes no well-behaved client would send. Every reply read after a
//   successful EHLO is kept (the ENHANCEDSTATUSCODES check reads them). It counts the
//   error replies (4xx/5xx) of its connection and notices when the server ends the
//   connection (EOF, a reset, or a 421: RFC 5321 3.8), so that a server closing after
//   repeated errors (Exim's smtp_max_synprot_errors, Postfix's smtpd_hard_error_limit,
//   allowed by 5321 7.8) is reported as that, not as the next command's failure.
// Both bound every read by the --timeout; a missing reply is an error text, never a hang.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "bridge/check/probe_socket.hpp"
#include "bridge/check/url.hpp"
#include "protocols/smtp/outgoing_message.hpp"
#include "protocols/smtp/reply.hpp"
#include "protocols/smtp/reply_parser.hpp"
#include "protocols/smtp/transaction_outcome.hpp"

namespace maillab::check {

// "250 2.0.0 Ok" / "220 mx.example ESMTP": the reply's first line as the server sent it.
std::string first_line(const smtp::Reply& reply);

struct SmtpExchange {
  std::string sent;  // "" for the greeting
  smtp::Reply reply;
};

struct SmtpSessionLog {
  bool connected = false;
  std::string error;     // why the session ended early (socket error, timeout, EOF)
  std::string received;  // the first bytes the server sent (what a malformed reply was)
  std::vector<SmtpExchange> exchanges;
  std::vector<smtp::TransactionOutcome> outcomes;
  std::set<std::string> extensions;
  std::uint64_t size_limit = 0;
  bool quit_answered = false;   // QUIT got its reply
  bool closed_after_quit = false;  // ... and the server then closed the connection
  std::string after_quit;       // what happened after the QUIT reply otherwise

  const SmtpExchange* find(std::string_view verb) const;  // first exchange sent with `verb`
};

// `auth`: AUTH PLAIN (LOGIN as fallback) after EHLO when the server offers it (the
// user's --user/--password; nothing is sent without them).
SmtpSessionLog run_smtp_session(const Url& url, std::chrono::milliseconds timeout, const std::string& helo,
                                std::vector<smtp::OutgoingMessage> messages,
                                const std::optional<std::pair<std::string, std::string>>& auth = std::nullopt);

class SmtpLine {
 public:
  SmtpLine(const Url& url, std::chrono::milliseconds timeout) : url_(url), timeout_(timeout) {}

  // Connects and reads the greeting; false and error() when that fails or is not 2xx.
  bool open();
  // EHLO (HELO when EHLO gets 500/502); false when neither gets 250. On a plain URL,
  // then STARTTLS when offered (required with --starttls) and EHLO again inside TLS.
  bool hello(const std::string& name);
  bool tls_on() const { return stream_.tls_on(); }
  // AUTH (RFC 4954) with PLAIN (RFC 4616, initial response) or, when only that is
  // offered, LOGIN; nullopt and error() when the EHLO offered neither or the exchange
  // broke off. The final reply otherwise (235, or the refusal).
  std::optional<smtp::Reply> authenticate(const std::string& user, const std::string& password);
  bool alive() const { return alive_; }
  void close();

  // Error replies (4xx/5xx) read on this connection, the greeting excepted.
  int errors() const { return errors_; }
  // The server ended the connection: EOF or a reset where a reply was due, or a 421
  // (which ends it, 5321 3.8); the 421 is close_reply().
  bool closed_by_server() const { return closed_by_server_; }
  const std::optional<smtp::Reply>& close_reply() const { return close_reply_; }
  // Without waiting: has the server already closed the connection or sent a reply no
  // command asked for (a 421 announcing the close, 5321 3.8)? Either ends the connection;
  // true then (closed_by_server() says whether it was a close).
  bool poll_close();

  // Sends `line` CRLF and reads one reply; nullopt and error() on timeout, EOF or a
  // malformed reply (the connection is then dead).
  std::optional<smtp::Reply> command(std::string_view line);
  // Sends raw bytes without reading.
  bool send(std::string_view bytes);
  std::optional<smtp::Reply> read_reply();

  const smtp::Reply& greeting() const { return greeting_; }
  const std::string& error() const { return error_; }
  const std::set<std::string>& extensions() const { return extensions_; }
  // The mechanisms of the EHLO's AUTH line, uppercased.
  const std::set<std::string>& auth_mechanisms() const { return auth_mechanisms_; }
  // Replies read after a 250 to EHLO (not the EHLO reply itself).
  std::vector<smtp::Reply>& after_ehlo() { return after_ehlo_; }

 private:
  void noted(const smtp::Reply& r);  // every reply read: kept, counted, a 421 closes

  const Url& url_;
  std::chrono::milliseconds timeout_;
  TcpStream stream_;
  smtp::ReplyParser parser_;
  smtp::Reply greeting_;
  std::string error_;
  std::set<std::string> extensions_;
  std::set<std::string> auth_mechanisms_;
  std::vector<smtp::Reply> after_ehlo_;
  std::optional<smtp::Reply> close_reply_;
  int errors_ = 0;
  bool alive_ = false;
  bool esmtp_ = false;
  bool greeted_ = false;
  bool closed_by_server_ = false;
};

}  // namespace maillab::check
