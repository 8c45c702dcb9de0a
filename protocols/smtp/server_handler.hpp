// smtp::ServerHandler: the host's policy behind a ServerSession (which recipients exist,
// where a message goes). Every default accepts.
//
// Decisions that cannot be made at once (a check that asks DNS, a write that waits for the
// disk): on_helo, on_mail, on_rcpt, on_data and on_message may return pending(). The
// session then waits for ServerSession::decide(reply), called from a later event (never
// from inside a hook), reading nothing meanwhile: pipelined commands behind it wait in
// order. When the wait ends without a decision (the session's decision_timeout, the
// client's EOF, a close) the session calls on_abandoned() and answers by itself (451 for
// a timeout); the host drops the work and must not call decide() for it any more.
//
// Replies: return a full Reply; one with no text lines gets the engine's standard text
// for that step ("Ok", the hostname line of HELO/EHLO, ...). Positive EHLO replies lose
// any enhanced code (their lines are keywords). A 421 from any hook makes the engine
// send it and close (RFC 5321 3.8). Codes must be 200..599 (asserted).
// Hooks may not call back into the session.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "protocols/message/sasl_scram.hpp"

#include "protocols/smtp/envelope.hpp"
#include "protocols/smtp/reply.hpp"
#include "protocols/tls/session_info.hpp"

namespace maillab::smtp {

// "The answer is not known yet": a Reply with no code, never sent.
inline Reply pending() { return Reply{}; }
inline bool is_pending(const Reply& r) { return r.code == 0; }

class ServerHandler {
 public:
  virtual ~ServerHandler() = default;

  // 220 "<hostname> ESMTP maillab" by default. A 554 greeting makes the session answer
  // 503 to everything but QUIT (RFC 5321 3.1); a 421 closes at once.
  virtual Reply greeting();
  // HELO/EHLO accepted with 250 by default (4.1.1.1).
  virtual Reply on_helo(std::string_view domain, bool esmtp);
  // MAIL (4.1.1.2): 250 2.1.0 Ok by default. `envelope` is the session before this MAIL.
  virtual Reply on_mail(const Envelope& envelope, const Path& from, const MailParams& params);
  // RCPT (4.1.1.3): 250 2.1.5 Ok by default; e.g. 550 5.1.1 for an unknown user.
  virtual Reply on_rcpt(const Envelope& envelope, const Recipient& rcpt);
  // DATA before the 354 (4.1.1.4): return 354 to go on, anything else rejects.
  virtual Reply on_data(const Envelope& envelope);
  // After the final dot: CRLF lines, unstuffed. A 250 means the host has stored it
  // (a crash afterwards loses nothing). 250 2.0.0 Ok: queued by default.
  virtual Reply on_message(const Envelope& envelope, std::string content);
  // AUTH (RFC 4954): false by default (no credentials are valid). Never asked with an
  // empty password or an identity holding a control byte: those fail in the engine.
  virtual bool authenticate(std::string_view user, std::string_view password);
  // Before an AUTH exchange starts: a 2xx (the default) goes on; anything else is the
  // answer to the AUTH command (a 421 closes), e.g. for a client address that failed to
  // log in too often (services::Anvil).
  virtual Reply before_auth();
  // AUTH SCRAM-SHA-256 (RFC 7677): the user's verifier (RFC 5802 3), nullopt (the default)
  // for an unknown user or one without a password: the exchange then runs to its end on a
  // made-up verifier and fails with 535, telling the client nothing.
  virtual std::optional<message::ScramVerifier> scram_verifier(std::string_view user);
  // A fresh server nonce for SCRAM: printable ASCII without ',' (RFC 5802 7), at least
  // 16 characters; "" (the default) refuses the mechanism (504).
  virtual std::string scram_nonce();
  // The outcome of an exchange the engine checked itself (SCRAM), for logs and rate limits.
  virtual void on_auth_result(std::string_view user, bool ok);
  // Trace observer: every command line with its reply (AUTH credentials shown as
  // "****"), "<data>" for message content, "" for the greeting and for replies the
  // server sends on its own (timeout, too many errors).
  virtual void on_exchange(std::string_view client_line, const Reply& reply);
  // Trace observer: the TLS handshake is done (after STARTTLS, or implicit TLS).
  virtual void on_tls_started(const tls::HandshakeInfo& info);
  // The engine wants the connection closed (QUIT, 421, timeout, error limit); the
  // driver flushes the output (output() and clear_output()) and closes. Not called for receive_eof().
  virtual void on_close_requested();
  // The session stopped waiting for the decision a hook left pending (see above).
  virtual void on_abandoned();
};

}  // namespace maillab::smtp
