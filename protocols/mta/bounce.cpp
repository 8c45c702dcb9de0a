#include "protocols/mta/bounce.hpp"

#include "protocols/message/date.hpp"

namespace maillab::mta {

message::DsnRequest dsn_request(DsnKind kind, const QueueFile& q, const std::vector<const QueueRecipient*>& rcpts,
                                std::string_view hostname, io::Time now, io::Time retry_until) {
  const bool delayed = kind == DsnKind::kDelayed;
  message::DsnRequest req;
  req.reporting_mta = hostname;
  req.postmaster_from = "MAILER-DAEMON@" + std::string(hostname);
  req.to = q.sender;
  req.original_envelope_id = q.envid;
  req.arrival_ns = q.arrival;
  req.now_ns = now;
  req.headers_only = q.ret_headers || delayed;
  req.message_id = "<" + message::compact_date(now) + "." + q.id + "." + std::to_string(q.attempts) +
                   (delayed ? "W" : "B") + "@" + std::string(hostname) + ">";
  for (const auto* r : rcpts) {
    message::DsnRecipient d;
    d.final_recipient = r->address;
    d.original_recipient = r->original;
    d.action = delayed ? "delayed" : "failed";
    d.status = r->status.empty() ? (delayed ? "4.0.0" : "5.0.0") : r->status;
    d.remote_mta = r->remote_mta;
    d.diagnostic_code = r->diagnostic;
    d.last_attempt_ns = now;
    if (delayed) d.will_retry_until_ns = retry_until;
    req.recipients.push_back(std::move(d));
  }
  return req;
}

}  // namespace maillab::mta
