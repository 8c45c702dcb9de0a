#include "protocols/mta/local_delivery.hpp"

#include "protocols/message/message.hpp"

namespace maillab::mta {

namespace agent = io::trace::agent;
namespace ev = io::trace::ev;
namespace key = io::trace::key;

bool LocalDelivery::is_local(std::string_view domain) const {
  // mydestination; a host that names none answers for its own name (Postfix's default
  // mydestination = $myhostname), so that its postmaster has somewhere to be.
  const MtaConfig& cfg = host_.config();
  if (cfg.is_local_domain(domain)) return true;
  return cfg.domains.empty() && !domain.empty() && message::iequals(domain, host_.hostname());
}

const std::string* LocalDelivery::mailbox_owner(std::string_view local) const {
  const MtaConfig& cfg = host_.config();
  if (const std::string* user = cfg.users.find(local)) return user;
  // RFC 5321 4.5.1: postmaster is a mailbox on every host. Without a user or an alias of
  // that name it is the host's first user, as Postfix's default alias "postmaster: root"
  // (docs/scenario-format.md); a host without users has none.
  if (message::iequals(local, "postmaster")) return cfg.users.first();
  return nullptr;
}

mda::MailStore& LocalDelivery::store() {
  if (!store_) store_ = mda::make_store(host_.config().mailbox, host_.runtime().disk());
  return *store_;
}

void LocalDelivery::failed(const QueueFile& q, QueueRecipient& r) {
  r.state = RcptState::Failed;
  host_.runtime().trace(agent::kMda, ev::kDeliverFailed,
                        {{key::kId, q.id},
                         {key::kTo, r.address},
                         {key::kStatus, r.status},
                         {key::kDiagnostic, r.diagnostic},
                         {key::kMsgid, q.message_id}});
}

void LocalDelivery::deliver(const QueueFile& q, QueueRecipient& r, const io::Bytes& content) {
  io::Runtime& rt = host_.runtime();
  const MtaConfig& cfg = host_.config();
  const std::string_view local = split_address_view(r.address).first;
  const std::string* owner = mailbox_owner(local);
  if (!owner) {
    // Only mail that skipped the RCPT check gets here (local submission, an alias naming
    // no user): the SMTP server refuses unknown users in the session.
    r.status = "5.1.1";
    r.diagnostic = "X-maillab; unknown user: \"" + std::string(local) + "\"";
    return failed(q, r);
  }
  const std::string& user = *owner;
  mda::Delivery d;
  d.user = user;
  d.envelope_sender = q.sender;
  d.recipient = r.address;
  d.content = content;
  d.sim_ns = rt.now();
  d.hostname = host_.hostname();
  d.unique = ++unique_;
  d.folder = q.folder;  // "Junk" for mail DMARC quarantined on arrival
  if (over_quota(q, r, d)) return;
  auto st = store().deliver(d);
  if (st == mda::DeliveryStatus::DiskFull) {
    r.status = "4.3.1";
    r.diagnostic = "X-maillab; cannot update mailbox for user " + user + ": disk full";
    rt.trace(agent::kMda, ev::kDeliverDeferred,
             {{key::kId, q.id},
              {key::kUser, user},
              {key::kReason, "disk full"},
              {key::kTo, r.address},
              {key::kMsgid, q.message_id}});
    return;
  }
  if (st != mda::DeliveryStatus::Ok) {
    // Postfix local(8): a message already delivered to this recipient is a loop (5.4.6);
    // an unusable mailbox name is permanent too.
    r.status = st == mda::DeliveryStatus::Loop ? "5.4.6" : "5.3.0";
    r.diagnostic = st == mda::DeliveryStatus::Loop ? "X-maillab; mail forwarding loop for " + r.address
                                                   : "X-maillab; cannot deliver to mailbox of user " + user;
    return failed(q, r);
  }
  r.state = RcptState::Delivered;
  r.status = "2.0.0";
  r.diagnostic = "X-maillab; delivered to " + cfg.mailbox;
  if (rt.tracing()) {
    rt.trace(agent::kMda, ev::kDeliver,
             {{key::kId, q.id},
              {key::kUser, user},
              {key::kTo, r.address},
              {key::kMailbox, cfg.mailbox},
              {key::kSubject, q.subject},
              {key::kMsgid, q.message_id},
              {key::kFolder, q.folder}});
  }
  if (on_delivered_) {
    // What was stored is, by MailStore's contract, the delivered content (Return-Path and
    // Delivered-To prepended): built here, not read back with list(), which reads the whole
    // mailbox (quadratic in the mailbox's size: docs/performance.md "Notes moved out of the
    // code"). A "count" store keeps nothing: the delivery is reported without it.
    io::Bytes stored = store().kind() == "count" ? nullptr : io::make_bytes(mda::delivered_content(d));
    on_delivered_(DeliveryRecord{rt.now(), user, r.address, q.id, std::move(stored), q.message_id, q.folder});
  }
}

}  // namespace maillab::mta
