#include "protocols/mta/bounce.hpp"

#include "protocols/message/date.hpp"
#include "protocols/smtp/rcpt_params.hpp"

namespace maillab::mta {

bool dsn_wanted(const QueueRecipient& r, DsnKind kind) {
  using P = smtp::RcptParams;
  switch (kind) {
    case DsnKind::Bounce: return r.notify == 0 || (r.notify & P::notify_failure) != 0;
    case DsnKind::Delayed: return r.notify == 0 || (r.notify & P::notify_delay) != 0;
    case DsnKind::Success: return (r.notify & P::notify_success) != 0;
  }
  return false;
}

message::DsnRequest dsn_request(DsnKind kind, const QueueFile& q, const std::vector<const QueueRecipient*>& rcpts,
                                std::string_view hostname, io::Time now, io::Time retry_until) {
  const bool delayed = kind == DsnKind::Delayed;
  const bool success = kind == DsnKind::Success;
  message::DsnRequest req;
  req.reporting_mta = hostname;
  req.postmaster_from = "MAILER-DAEMON@" + std::string(hostname);
  req.to = q.sender;
  req.original_envelope_id = q.envid;
  req.arrival_ns = q.arrival;
  req.now_ns = now;
  req.headers_only = q.ret_headers || delayed || success;
  req.message_id = "<" + message::compact_date(now) + "." + q.id + "." + std::to_string(q.attempts) +
                   (delayed ? "W" : success ? "S" : "B") + "@" + std::string(hostname) + ">";
  for (const auto* r : rcpts) {
    message::DsnRecipient d;
    d.final_recipient = r->address;
    d.original_recipient = r->orcpt.empty() ? r->original : r->orcpt;
    if (success) {
      d.action = r->remote_mta.empty() ? "delivered" : "relayed";
      d.status = r->status.empty() || r->status[0] != '2' ? "2.0.0" : r->status;
    } else {
      d.action = delayed ? "delayed" : "failed";
      d.status = r->status.empty() ? (delayed ? "4.0.0" : "5.0.0") : r->status;
    }
    d.remote_mta = r->remote_mta;
    d.diagnostic_code = r->diagnostic;
    d.last_attempt_ns = now;
    if (delayed) d.will_retry_until_ns = retry_until;
    req.recipients.push_back(std::move(d));
  }
  return req;
}

}  // namespace maillab::mta
