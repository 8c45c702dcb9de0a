// Mailbox quota at local delivery, as Dovecot's quota plugin does it for Postfix's
// delivery agent (doc.dovecot.org "Quota"): the message counts with what the mailbox
// already holds; over the limit it is refused, temporarily with quota_full_tempfail = yes
// (RFC 3463 4.2.2 "Mailbox full": the message stays queued and bounces when its queue
// lifetime ends) or permanently (5.2.2, a bounce now).
#include "protocols/mta/local_delivery.hpp"

namespace maillab::mta {

namespace agent = io::trace::agent;
namespace ev = io::trace::ev;
namespace key = io::trace::key;

bool LocalDelivery::over_quota(const QueueFile& q, QueueRecipient& r, const mda::Delivery& d) {
  const MtaConfig& cfg = host_.config();
  auto limit = cfg.quotas.find(d.user);
  if (limit == cfg.quotas.end()) return false;
  std::uint64_t used = 0;
  for (const auto& m : store().list(d.user)) used += m.size;
  const std::uint64_t size = mda::delivered_content(d).size();
  if (used + size <= limit->second) return false;
  const bool tempfail = cfg.quota_full_tempfail;
  r.status = tempfail ? "4.2.2" : "5.2.2";
  r.diagnostic = "X-maillab; Quota exceeded (mailbox for user " + d.user + " is full: " +
                 std::to_string(used) + " + " + std::to_string(size) + " > " +
                 std::to_string(limit->second) + " bytes)";
  if (tempfail) {
    host_.runtime().trace(agent::kMda, ev::kDeliverDeferred,
                          {{key::kId, q.id},
                           {key::kUser, d.user},
                           {key::kReason, "quota exceeded"},
                           {key::kTo, r.address},
                           {key::kMsgid, q.message_id}});
    return true;
  }
  failed(q, r);
  return true;
}

}  // namespace maillab::mta
