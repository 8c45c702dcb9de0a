#include "protocols/mda/mail_store.hpp"

#include "protocols/mda/counting_store.hpp"
#include "protocols/mda/maildir_store.hpp"
#include "protocols/mda/mbox_store.hpp"
#include "protocols/message/message.hpp"

namespace maillab::mda {

MailStore::~MailStore() = default;

std::string delivered_content(const Delivery& d) {
  message::Message m = message::Message::parse(*d.content);
  // Prepended bottom-up: the result reads Return-Path, Delivered-To, then the message.
  m.prepend_header("Delivered-To", d.recipient);
  m.prepend_header("Return-Path", "<" + d.envelope_sender + ">");
  return m.serialize();
}

bool valid_user_name(std::string_view user) {
  if (user.empty() || user == "." || user == ".." || user.size() > 255) return false;
  for (char c : user) {
    unsigned char u = static_cast<unsigned char>(c);
    if (c == '/' || u < 0x20 || u == 0x7f) return false;
  }
  return true;
}

bool already_delivered_to(std::string_view content, std::string_view recipient) {
  if (recipient.empty()) return false;
  message::Message m = message::Message::parse(content);
  for (const std::string& v : m.headers("Delivered-To"))
    if (message::iequals(v, recipient)) return true;
  return false;
}

std::string_view to_string(DeliveryStatus status) {
  switch (status) {
    case DeliveryStatus::Ok: return "ok";
    case DeliveryStatus::DiskFull: return "disk full";
    case DeliveryStatus::Loop: return "mail forwarding loop";
    case DeliveryStatus::Error: return "error";
  }
  return "error";
}

std::unique_ptr<MailStore> make_maildir_store(io::Disk& disk, std::string root) {
  return std::make_unique<MaildirStore>(disk, std::move(root));
}

std::unique_ptr<MailStore> make_mbox_store(io::Disk& disk, std::string root) {
  return std::make_unique<MboxStore>(disk, std::move(root));
}

std::unique_ptr<MailStore> make_store(std::string_view kind, io::Disk& disk, std::string root) {
  if (kind == "maildir") return make_maildir_store(disk, std::move(root));
  if (kind == "mbox") return make_mbox_store(disk, std::move(root));
  if (kind == "count") return std::make_unique<CountingStore>(disk);
  return nullptr;
}

}  // namespace maillab::mda
