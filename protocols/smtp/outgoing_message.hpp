// smtp::OutgoingMessage: one mail transaction for a ClientSession to run (RFC 5321 3.3):
// envelope sender, recipients with their parameters, and the shared content.
//
// Invariants: at least one recipient (asserted by ClientSession::add). The content is
// CRLF lines, NOT dot-stuffed (the engine stuffs, dot_stuff.hpp); a null pointer means an
// empty message. The content is shared, never copied per hop (DESIGN.md).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "protocols/smtp/envelope.hpp"
#include "protocols/smtp/mail_params.hpp"
#include "protocols/smtp/path.hpp"

namespace maillab::smtp {

struct OutgoingMessage {
  Path from;          // null path for bounces
  MailParams params;  // SIZE and BODY are filled in by the engine when left unset
  std::vector<Recipient> rcpts;
  std::shared_ptr<const std::string> content;
};

}  // namespace maillab::smtp
