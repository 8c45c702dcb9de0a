// smtp::ClientConfig: how a ClientSession talks to one server. Timeouts are RFC 5321
// 4.5.3.2's minimums (Postfix's smtp_*_timeout defaults where the RFC has none).
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <utility>

namespace maillab::smtp {

// smtp_tls_security_level (Postfix; RFC 3207): none: never STARTTLS; may: STARTTLS when
// offered, else clear, any certificate; encrypt: never a message in clear (no STARTTLS
// offered: 4.7.4 for that server); verify/secure: encrypt, and a certificate that does
// not verify ends the session with 4.7.5 (the lab does not tell verify from secure: the
// driver's tls::ClientParams name what must match).
enum class TlsLevel { None, May, Encrypt, Verify };

struct ClientConfig {
  std::string helo_name;                  // smtp_helo_name (the EHLO/HELO argument)
  std::string peer_name = "server";       // "mx.example.org[192.0.2.1]": in diagnostics
  bool pipelining = true;                 // use RFC 2920 when the server offers it
  // Send the message with BDAT (RFC 3030: one chunk, BDAT <n> LAST, no dot-stuffing) when
  // the server offers CHUNKING. Off by default, as in Postfix, whose SMTP client always
  // sends DATA.
  bool chunking = false;
  // Postfix smtp_line_length_limit: longer content lines are broken by inserting CRLF SP
  // (dot_stuff.hpp); 0 sends every line as it is.
  std::size_t line_length_limit = 0;
  // user, password: AUTH PLAIN after EHLO (LOGIN if only that is offered). When the
  // server offers no usable mechanism the session goes on without (the server decides,
  // e.g. 530 at MAIL), as Postfix does.
  std::optional<std::pair<std::string, std::string>> auth;
  // A user agent's account with a password (msmtp `auth on`, Thunderbird): a server that
  // offers no AUTH, or none of PLAIN and LOGIN, gets no message. Every recipient gets
  // 421 4.7.0 "cannot authenticate to server ...", the message is not sent (not_sent) and
  // the session QUITs. Off (an MTA, Postfix): it goes on without AUTH, as said above.
  bool auth_required = false;
  // Never send that password in clear (Postfix smtp_sasl_security_options = noplaintext
  // with smtp_sasl_tls_security_options allowing it over TLS): a server that offers AUTH
  // on a session without TLS gets no password; every recipient gets 4.7.0 and the MTA
  // tries the next server or defers.
  bool auth_needs_tls = false;
  // Postfix smtp_sasl_auth_soft_bounce (yes there): a login the server refuses (535) is a
  // problem of the client's configuration, not of the message: every recipient gets
  // 454 4.7.0 (deferred) instead of the 5xx. Off: the server's reply is the outcome.
  bool auth_soft_bounce = false;
  TlsLevel tls = TlsLevel::None;          // the driver runs the handshake (client_starttls.cpp)
  // RSET after every transaction, also a delivered one (Postfix's smtp-source does so between
  // the messages of a session; bench/smtp_tls_load.cpp). Off: RSET only where 4.1.1.5 needs it.
  bool rset_between_transactions = false;

  using ms = std::chrono::milliseconds;
  ms greeting_timeout{300000};    // 4.5.3.2.1 initial 220 message: 5 minutes
  ms helo_timeout{300000};        // EHLO/HELO and AUTH (Postfix smtp_helo_timeout)
  ms mail_timeout{300000};        // 4.5.3.2.2 MAIL: 5 minutes
  ms rcpt_timeout{300000};        // 4.5.3.2.3 RCPT: 5 minutes
  ms data_init_timeout{120000};   // 4.5.3.2.4 DATA initiation: 2 minutes
  // 4.5.3.2.5 data block: 3 minutes. The engine hands the whole body and the final dot
  // to take_output() at once, so from then on it waits data_done_timeout; a driver that
  // writes a body slowly may apply this one per block written.
  ms data_block_timeout{180000};
  ms data_done_timeout{600000};   // 4.5.3.2.6 DATA termination: 10 minutes
  ms rset_timeout{20000};         // Postfix smtp_rset_timeout
  ms quit_timeout{300000};        // Postfix smtp_quit_timeout
  ms idle_timeout{300000};        // connected, nothing to send: then QUIT and close
};

}  // namespace maillab::smtp
