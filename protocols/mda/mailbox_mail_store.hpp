// MailboxMailStore: the MailStore interface (mail_store.hpp) that the delivery agent and
// the POP3 server use today, over a MailboxStore's INBOX, so that both move onto the one
// store shared with IMAP by swapping the object they are given (the wiring round).
//
// deliver() does what MaildirStore::deliver() does (valid user name, Delivered-To loop
// check, Return-Path and Delivered-To prepended) and appends to INBOX at the delivery's
// simulated time (or to the folder the delivery names, "Junk" for DMARC quarantine),
// creating the user's default folders first (ensure_user), so IMAP sessions watching
// INBOX see it at once. list() is INBOX oldest first (ascending UID)
// with the message key (the Maildir base name) as id: POP3's UIDL stays what it was with
// MaildirStore for the same files. remove() expunges by that key.
#pragma once

#include "protocols/mda/mail_store.hpp"
#include "protocols/mda/mailbox_store.hpp"

namespace maillab::mda {

class MailboxMailStore final : public MailStore {
 public:
  explicit MailboxMailStore(MailboxStore& store) : store_(store) {}

  DeliveryStatus deliver(const Delivery& delivery) override;
  std::vector<StoredMessage> list(const std::string& user) const override;
  bool remove(const std::string& user, const std::string& id) override;
  std::vector<std::string> users() const override;
  std::string_view kind() const override { return "maildir"; }

 private:
  MailboxStore& store_;
};

}  // namespace maillab::mda
