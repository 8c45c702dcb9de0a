// mta::SmtpdSession: the host's side of one inbound SMTP session: the smtp::ServerSession
// engine asks it every policy question (Postfix smtpd restrictions) and it hands accepted
// messages to the queue. Port 25 serves MTAs; port 587 is the MSA (RFC 6409): AUTH is
// required and the envelope sender must belong to the logged-in user
// (reject_sender_login_mismatch). A disk without room is refused at MAIL FROM, before the
// client sends the message (Postfix's queue_minfree check): 452 4.3.1 when the disk is
// full, has less free space than 1.5 x message_size_limit, or less than the SIZE= the
// client declared (RFC 1870).
// With `smtpd_checks` on, port 25 verifies the sender (SenderChecks): MAIL FROM and the end
// of DATA then answer later (smtp::pending()), through the decider the listener sets, and
// from an event of their own (so a decision never runs inside the check that made it).
// "250 only once the message is on disk": when the host's disk syncs later (the bridge's
// group commit, io::Disk::when_durable), the 250 after DATA is a decision left pending
// until the queue file is on the device; a failed sync answers 451 4.3.0 instead, never 250.
// A virtual disk is durable at once: the simulation answers as before.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "protocols/io/runtime.hpp"
#include "protocols/mta/mta.hpp"
#include "protocols/smtp/server_session.hpp"

namespace maillab::mta {

class SenderChecks;

class SmtpdSession final : public smtp::ServerHandler {
 public:
  SmtpdSession(Mta& mta, std::string peer_address, std::uint16_t port);
  ~SmtpdSession() override;
  // Where a pending decision goes (the session's engine and driver).
  void set_decider(std::function<void(smtp::Reply)> decide) { decide_ = std::move(decide); }

  // What the listener on `port` of `mta` announces and enforces (one per listener:
  // Mta::smtpd_config).
  static smtp::ServerConfig server_config(const Mta& mta, std::uint16_t port);

  smtp::Reply on_helo(std::string_view domain, bool esmtp) override;
  smtp::Reply on_mail(const smtp::Envelope& env, const smtp::Path& from,
                      const smtp::MailParams& params) override;
  smtp::Reply on_rcpt(const smtp::Envelope& env, const smtp::Recipient& rcpt) override;
  smtp::Reply on_message(const smtp::Envelope& env, std::string content) override;
  bool authenticate(std::string_view user, std::string_view password) override;
  smtp::Reply before_auth() override;
  std::optional<message::ScramVerifier> scram_verifier(std::string_view user) override;
  std::string scram_nonce() override;
  void on_auth_result(std::string_view user, bool ok) override;
  void on_exchange(std::string_view client_line, const smtp::Reply& reply) override;
  void on_tls_started(const tls::HandshakeInfo& info) override;
  void on_abandoned() override;
  // The client's verified name (client_name.hpp), "" = unknown; for the Received header.
  void set_client_name(std::string name) { client_name_ = std::move(name); }

 private:
  bool submission() const { return port_ == 587 || port_ == 465; }
  bool storage_short(const smtp::MailParams& params) const;
  // The checks of this session, made on first use; null on 587 or with every check off.
  SenderChecks* checks();
  // The message once the checks have spoken: refused, or queued with their field on top.
  smtp::Reply deliver_checked(Submission s, std::string content, const std::string& field, std::string folder);
  // `r` to the engine from a fresh event.
  void decide_later(smtp::Reply r);
  // `queued` (the queue's 250) now if the disk holds the message durably, else pending()
  // and decided when it does (or 451 4.3.0 when it cannot).
  smtp::Reply once_durable(smtp::Reply queued);

  Mta& mta_;
  std::string peer_;
  std::string client_name_;
  std::uint16_t port_;
  std::unique_ptr<SenderChecks> checks_;
  std::function<void(smtp::Reply)> decide_;
  // The message whose checks are running.
  struct Held {
    Submission submission;
    std::string content;
  };
  std::unique_ptr<Held> held_;
  std::shared_ptr<char> alive_ = std::make_shared<char>();
  std::uint64_t disk_tickets_ = 0;  // when_durable() calls made
  std::uint64_t disk_wait_ = 0;     // the one awaited; 0: none
};

}  // namespace maillab::mta
