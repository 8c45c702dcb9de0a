// smtp::Envelope: what the server engine knows of the current session and mail
// transaction (RFC 5321 2.3.1 "envelope", 3.3 mail transactions), handed to every
// ServerHandler decision.
//
// Invariants: rcpts only holds recipients the handler accepted (2xx); mail_from is only
// meaningful between an accepted MAIL and the end of the transaction; helo/esmtp and
// auth_user and tls survive RSET and the end of a transaction (RFC 5321 4.1.1.5, RFC 4954 4).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "protocols/smtp/mail_params.hpp"
#include "protocols/smtp/path.hpp"
#include "protocols/smtp/rcpt_params.hpp"

namespace maillab::smtp {

struct Recipient {
  Path path;
  RcptParams params;
  bool operator==(const Recipient&) const = default;
};

// What the DATA reader noticed about the content (Postfix logs the same things).
struct ContentNotes {
  std::size_t long_lines = 0;  // lines over max_text_line (4.5.3.1.6): accepted anyway
  std::size_t bare_lf = 0;     // bare LF line ends, normalised to CRLF
  std::size_t bare_cr = 0;     // bare CR line ends, normalised to CRLF
};

struct Envelope {
  std::string helo;  // the HELO/EHLO argument
  bool esmtp = false;
  Path mail_from;
  MailParams mail_params;
  std::vector<Recipient> rcpts;
  std::string auth_user;  // empty if not authenticated
  std::string tls;        // once TLS is on, Postfix's Received clause ("using TLSv1.3 with cipher ..."); else empty
  ContentNotes notes;     // of the message being received (valid in on_message)
};

}  // namespace maillab::smtp
