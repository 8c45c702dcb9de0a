// smtp::ServerConfig: what a ServerSession announces and enforces. Parameter names follow
// Postfix's where one exists, so operators recognise them.
//
// Invariants: max_line >= 512 and max_text_line >= 1000 (RFC 5321 4.5.3.1.4/6 are
// minimums a server must accept); max_recipients >= 100 (4.5.3.1.8); hostname non-empty
// (ServerSession uses kDefaultHostname otherwise); `replies`, when set, were made from
// this configuration (make_server_replies, after every other field).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace maillab::smtp {

struct ServerReplies;

inline constexpr std::string_view kDefaultHostname = "localhost";

struct ServerConfig {
  std::string hostname;                 // myhostname: greeting, EHLO, 421 texts
  std::uint64_t size_limit = 10240000;  // message_size_limit (SIZE, RFC 1870); 0 = none
  std::size_t max_recipients = 1000;    // smtpd_recipient_limit; at least 100 per RFC
  bool pipelining = true;               // RFC 2920
  bool eightbitmime = true;             // RFC 6152
  bool enhanced_status_codes = true;    // RFC 2034; off: replies carry no enhanced code
  bool dsn = true;                      // RFC 3461
  bool chunking = true;                 // RFC 3030 BDAT (Postfix offers it by default)
  bool smtputf8 = true;                 // RFC 6531 (Postfix smtputf8_enable)
  std::vector<std::string> auth_mechanisms;  // e.g. {"PLAIN","LOGIN"}; empty: no AUTH
  bool auth_required = false;           // submission: MAIL without AUTH -> 530 5.7.0
  // TLS (RFC 3207, docs/tls.md): the listener has a certificate, so STARTTLS is offered
  // until TLS is on (the driver runs the handshake; server_starttls.cpp).
  bool starttls = false;
  bool tls_auth_only = false;           // smtpd_tls_auth_only: AUTH only once TLS is on
  bool tls_required = false;            // smtpd_tls_security_level = encrypt: MAIL -> 530 before TLS
  // Errors (4xx/5xx replies) a client may make without delivering mail: past
  // soft_error_limit every reply waits error_sleep_time (Postfix's "sleep on anything"),
  // at hard_error_limit 421 and close. A delivered message starts the count over.
  int soft_error_limit = 10;            // smtpd_soft_error_limit
  int hard_error_limit = 20;            // smtpd_hard_error_limit: then 421 and close
  std::chrono::milliseconds error_sleep_time{1000};   // smtpd_error_sleep_time; 0: none
  std::chrono::milliseconds command_timeout{300000};  // 4.5.3.2.7, smtpd_timeout
  std::chrono::milliseconds data_timeout{180000};     // 4.5.3.2.5-6 seen from the server
  // How long a decision the host left pending (ServerHandler::pending()) may take: then
  // 451 4.7.1 and the session goes on (Postfix smtpd_policy_service_timeout).
  std::chrono::milliseconds decision_timeout{100000};
  std::size_t max_line = 512;            // command line incl CRLF (4.5.3.1.4)
  std::size_t max_text_line = 1000;      // text line incl CRLF (4.5.3.1.6): noted only
  // The replies every session of one listener sends alike (server_replies.hpp): the
  // listener sets them once; none: each session builds its own.
  std::shared_ptr<const ServerReplies> replies;
};

}  // namespace maillab::smtp
