// mua::Submitter: a user agent sending one message: it composes the RFC 5322 message
// (message::compose, Bcc never in the headers), connects to its MSA (port 587 with AUTH
// when the server offers submission, else port 25) and runs the SMTP client engine.
// The envelope carries To, Cc and Bcc recipients.
// With a password (SubmitJob::auth) the MUA logs in or sends nothing, as msmtp's
// `auth on` and Thunderbird: a server that offers no AUTH, or none of PLAIN and LOGIN,
// gets QUIT, and the result (and the trace's submit.failed) carries 421 4.7.0.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "protocols/io/runtime.hpp"
#include "protocols/message/compose.hpp"
#include "protocols/smtp/client_session.hpp"
#include "protocols/tls/context.hpp"

namespace maillab::mua {

struct SubmitJob {
  message::Draft draft;
  std::string server_address;
  std::uint16_t port = 587;
  std::optional<std::pair<std::string, std::string>> auth;  // user, password
  std::uint64_t unique = 0;  // for the Message-ID
  // TLS (docs/tls.md): a MUA set to starttls or implicit verifies the server's
  // certificate for `server_name` and never sends a password or a message in clear.
  smtp::TlsLevel tls = smtp::TlsLevel::None;
  bool implicit_tls = false;                  // port 465 (RFC 8314)
  tls::ClientContext* tls_client = nullptr;   // outlives the Submitter
  std::string server_name;  // the server's host name: diagnostics, and TLS's expected name
};

struct SubmitResult {
  bool accepted = false;       // 250 after DATA for at least one recipient
  std::string message_id;
  std::string detail;          // the reply or the failure, one line
  std::vector<smtp::RcptOutcome> rcpts;
};

class Submitter {
 public:
  // Runs once: from the connect callback when the connection fails, else from a fresh
  // event after the session ended; never once the Submitter is destroyed.
  using Done = std::function<void(const SubmitResult&)>;
  Submitter(io::Runtime& rt, SubmitJob job, Done done);
  ~Submitter();
  void start();

  // The message as composed (for the runner's record of what was submitted).
  const std::string& content() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace maillab::mua
