// mta::SmtpdSession: the host's side of one inbound SMTP session: the smtp::ServerSession
// engine asks it every policy question (Postfix smtpd restrictions) and it hands accepted
// messages to the queue. Port 25 serves MTAs; port 587 is the MSA (RFC 6409): AUTH is
// required and the envelope sender must belong to the logged-in user
// (reject_sender_login_mismatch). A disk without room is refused at MAIL FROM, before the
// client sends the message (Postfix's queue_minfree check): 452 4.3.1 when the disk is
// full, has less free space than 1.5 x message_size_limit, or less than the SIZE= the
// client declared (RFC 1870).
#pragma once

#include <memory>
#include <string>

#include "protocols/io/runtime.hpp"
#include "protocols/smtp/server_session.hpp"

namespace maillab::mta {

class Mta;

class SmtpdSession final : public smtp::ServerHandler {
 public:
  SmtpdSession(Mta& mta, std::string peer_address, std::uint16_t port);

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
  void on_exchange(std::string_view client_line, const smtp::Reply& reply) override;

 private:
  bool submission() const { return port_ == 587; }
  bool storage_short(const smtp::MailParams& params) const;

  Mta& mta_;
  std::string peer_;
  std::uint16_t port_;
};

}  // namespace maillab::mta
