// mta::DsnKind and dsn_request(): what Postfix's bounce(8) writes about a queued message,
// as data - the RFC 3464 report's request (message/dsn.hpp builds the bytes), with no
// I/O. The queue manager decides when (a recipient failed; the delay warning time
// passed), asks for the request, attaches the original and queues it from <>.
//
// A bounce (kBounce) reports failed recipients, Action "failed", status 5.0.0 when none
// was recorded, and returns the whole message unless the sender asked for headers
// (RET=HDRS, RFC 3461 4.3). A delay warning (kDelayed) reports pending recipients,
// Action "delayed", 4.0.0 by default, Will-Retry-Until the end of the queue lifetime
// (RFC 3464 2.3.9), and returns the headers only (as Postfix does). A success notice
// (kSuccess, RFC 3461 NOTIFY=SUCCESS) reports delivered recipients, Action "delivered"
// (a local mailbox) or "relayed" (handed to a next hop that does not announce DSN, so
// no notice can follow from there), status 2.0.0, with the headers only.
// Original-Recipient is the client's ORCPT when it gave one (RFC 3461 4.2), else the
// recipient as the client named it.
// Which recipients are reported is the caller's choice: dsn_wanted() says what their
// NOTIFY asked for (RFC 3461 4.1: none given means FAILURE,DELAY).
// Message-ID: "<date.queue-id.attempts{B|W}@host>" (Postfix-like, unique per report).
// Never called for a message from <> (RFC 5321 6.1: no report about a report).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "protocols/io/runtime.hpp"
#include "protocols/message/dsn.hpp"
#include "protocols/mta/queue_file.hpp"

namespace maillab::mta {

enum class DsnKind { Bounce, Delayed, Success };

// Whether `r`'s NOTIFY asks for a report of `kind`.
bool dsn_wanted(const QueueRecipient& r, DsnKind kind);

// The request for a report of `kind` about `q`, for `rcpts` (recipients of `q`), written
// by `hostname` at `now`; `retry_until` is the end of the queue lifetime (kDelayed only).
// The original message is not read here: the caller sets original_message.
message::DsnRequest dsn_request(DsnKind kind, const QueueFile& q, const std::vector<const QueueRecipient*>& rcpts,
                                std::string_view hostname, io::Time now, io::Time retry_until);

}  // namespace maillab::mta
