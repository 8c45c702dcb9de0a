// MailStore: the mailbox store a delivery agent writes to and a POP3 server reads from,
// over a host's io::Disk (never the real file system). Two implementations: Maildir
// (maildir_store.hpp) and mbox (mbox_store.hpp); OpenSMTPD-style, one small interface.
//
// Invariants:
// - deliver() is all-or-nothing: DiskFull/Error leave the store as it was, so the caller
//   still owns the message (SMTP/LMTP "452 4.3.1 Insufficient system storage" and retry).
// - Every delivery is prefixed, as Postfix local(8) does, with "Return-Path: <sender>"
//   (RFC 5321 4.4; "<>" for the null sender) then "Delivered-To: recipient".
// - A message already carrying "Delivered-To: <recipient>" is not delivered again
//   (Postfix local(8)'s forwarding-loop check): DeliveryStatus::Loop, 5.4.6.
// - list() returns every message of a user oldest first, with the CRLF content as it was
//   delivered (prefix included); ids are stable while the message stays in the store.
// - User names are single path components: no '/', not "." or "..", no control octets;
//   anything else is DeliveryStatus::Error.
// - A delivery names a folder or none (the inbox, which list() and POP3 read). Only a
//   folder named by letters and digits is taken ("Junk": DMARC quarantine); others are
//   Error. Maildir keeps it as Maildir++ (ROOT/<user>/.<folder>/, Dovecot's layout), mbox
//   as ROOT/<user>/<folder> (Dovecot's mbox:~/mail layout).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/io/disk.hpp"
#include "protocols/message/message.hpp"

namespace maillab::mda {

enum class DeliveryStatus {
  Ok,
  DiskFull,  // transient: 452 4.3.1 (defer, keep the message queued)
  Loop,      // permanent: 554 5.4.6 mail forwarding loop (Delivered-To already present)
  Error,     // permanent: 550 5.3.0 / 5.1.3 (unusable mailbox name)
};

struct StoredMessage {
  std::string id;  // Maildir: base name (before ":2,"); mbox: hash of the stored message
  std::size_t size = 0;  // octets of `content` (CRLF), what POP3 LIST reports
  io::Bytes content;     // CRLF message as delivered (Return-Path/Delivered-To included)
};

struct Delivery {
  std::string user;
  std::string envelope_sender;  // "" is the null sender
  std::string recipient;        // for Delivered-To
  io::Bytes content;            // CRLF message, shared with the queue (not copied)
  int64_t sim_ns = 0;
  std::string hostname;
  uint64_t unique = 0;  // a counter from the host, for unique names
  std::string folder;   // "" = the inbox; else a folder name such as "Junk"
};

class MailStore {
 public:
  virtual ~MailStore();
  virtual DeliveryStatus deliver(const Delivery& delivery) = 0;
  virtual std::vector<StoredMessage> list(const std::string& user) const = 0;
  virtual bool remove(const std::string& user, const std::string& id) = 0;
  // Users that have at least one message (sorted).
  virtual std::vector<std::string> users() const = 0;
  virtual std::string_view kind() const = 0;  // "maildir" | "mbox" | "count"
};

// The delivered message: Return-Path and Delivered-To prepended to the CRLF content.
std::string delivered_content(const Delivery& delivery);
// The same from `parsed` = MessageView::parse(*delivery.content) (one parse for both calls).
std::string delivered_content(const Delivery& delivery, const message::MessageView& parsed);
bool valid_user_name(std::string_view user);
// A folder a Delivery may name: empty, or 1-64 ASCII letters and digits.
bool valid_delivery_folder(std::string_view folder);
// True when `content` already has "Delivered-To: recipient" (case-insensitive).
bool already_delivered_to(std::string_view content, std::string_view recipient);
bool already_delivered_to(const message::MessageView& parsed, std::string_view recipient);
std::string_view to_string(DeliveryStatus status);

std::unique_ptr<MailStore> make_maildir_store(io::Disk& disk, std::string root = "mail/");
std::unique_ptr<MailStore> make_mbox_store(io::Disk& disk, std::string root = "mail/");
// "maildir" | "mbox" | "count" (counting_store.hpp); nullptr for anything else.
std::unique_ptr<MailStore> make_store(std::string_view kind, io::Disk& disk, std::string root = "mail/");

}  // namespace maillab::mda
