// smtp::TransactionOutcome: what became of one OutgoingMessage, per recipient, as a
// queue manager needs it to deliver, defer or bounce (RFC 5321 3.3, 4.2.5, 6.1).
//
// Invariants: rcpts has one entry per recipient of the message, in the same order, each
// with a final reply: the RCPT reply if it was not 2xx, else the reply to the end of
// DATA (or to DATA if that failed). When the server never answered (lost connection,
// timeout, malformed reply) the reply is synthesized: 421 4.4.2 "lost connection with
// <peer> while <phase>" / "conversation with <peer> timed out while <phase>" (Postfix's
// wording), so it is always transient. A 2xx reply means the server took responsibility
// for that recipient.
// data_sent && !data_acknowledged: the dot left but no reply came back - the server may
// have the message and a retry may deliver it twice (RFC 1047).
#pragma once

#include <vector>

#include "protocols/smtp/path.hpp"
#include "protocols/smtp/reply.hpp"

namespace maillab::smtp {

struct RcptOutcome {
  Path rcpt;
  Reply reply;
};

struct TransactionOutcome {
  Reply mail_reply;  // the MAIL reply (or the session failure when MAIL was never answered)
  std::vector<RcptOutcome> rcpts;
  bool data_acknowledged = false;  // the final reply after the dot was received
  bool data_sent = false;          // the dot was sent
  // The client never sent the message: the replies are its own verdict, not the server's
  // words (a SIZE over the server's limit, SMTPUTF8 needed but not offered).
  bool not_sent = false;
};

}  // namespace maillab::smtp
