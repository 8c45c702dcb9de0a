// mta::LocalDelivery: Postfix's local(8) as the queue manager uses it: which domains are
// this host's (mydestination), whose mailbox gets a local part (users, postmaster), and
// handing one recipient's copy to the MDA's store (mda::MailStore) with the outcome
// recorded on the recipient, as local(8) reports it back to qmgr.
//
// Outcomes (the recipient's state, status and diagnostic; traced as mda events):
// - delivered: 2.0.0, "X-maillab; delivered to <mailbox kind>"; on_delivered is told
//   with the bytes as stored (Return-Path and Delivered-To on top, mda::delivered_content).
// - no such user: failed 5.1.1 (only mail that skipped the RCPT check gets here).
// - over quota (Dovecot's quota plugin, quota.cpp): 4.2.2 pending with
//   quota_full_tempfail, else failed 5.2.2.
// - disk full: 4.3.1, pending (retried by the queue manager).
// - a loop (Delivered-To already names the recipient): failed 5.4.6; an unusable mailbox
//   name: failed 5.3.0.
// RFC 5321 4.5.1: postmaster is a mailbox on every host (the first user without an alias).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "protocols/mda/mail_store.hpp"
#include "protocols/mta/mta_host.hpp"
#include "protocols/mta/queue_file.hpp"
#include "protocols/mta/submission.hpp"

namespace maillab::mta {

class LocalDelivery {
 public:
  using Delivered = std::function<void(const DeliveryRecord&)>;
  // `on_delivered` is read at each delivery (it may be set later; empty: nobody is told).
  LocalDelivery(MtaHost& host, const Delivered& on_delivered) : host_(host), on_delivered_(on_delivered) {}

  // Deliver into this store instead of the one `mailbox` names. Before the first delivery.
  void use_store(std::unique_ptr<mda::MailStore> store) { store_ = std::move(store); }
  // A domain this host delivers to (mydestination, or its own name when it has none).
  bool is_local(std::string_view domain) const;
  // The declared user whose mailbox gets mail for `local` (postmaster included), or null.
  const std::string* mailbox_owner(std::string_view local) const;
  // One recipient of `q`: its outcome is recorded on `r`.
  void deliver(const QueueFile& q, QueueRecipient& r, const io::Bytes& content);

 private:
  // The user's quota would be exceeded by `d` (quota.cpp): `r` is deferred (4.2.2) or
  // failed (5.2.2) and traced; false when it fits or the user has no quota.
  bool over_quota(const QueueFile& q, QueueRecipient& r, const mda::Delivery& d);
  void failed(const QueueFile& q, QueueRecipient& r);  // traced deliver.failed
  mda::MailStore& store();

  MtaHost& host_;
  const Delivered& on_delivered_;
  // Made on first use (an idle host pays a pointer for it).
  std::unique_ptr<mda::MailStore> store_;
  std::uint64_t unique_ = 0;
};

}  // namespace maillab::mta
