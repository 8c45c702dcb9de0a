#include "protocols/mda/mail_store.hpp"

#include "protocols/mda/counting_store.hpp"
#include "protocols/mda/maildir_store.hpp"
#include "protocols/mda/mbox_store.hpp"
#include "protocols/message/message.hpp"

namespace maillab::mda {

MailStore::~MailStore() = default;

std::string delivered_content(const Delivery& d) {
  return delivered_content(d, message::MessageView::parse(*d.content));
}

std::string delivered_content(const Delivery& d, const message::MessageView& parsed) {
  const std::string return_path = "<" + d.envelope_sender + ">";
  // Prepended bottom-up: the result reads Return-Path, Delivered-To, then the message.
  const message::MessageView::NewField top[] = {{"Delivered-To", d.recipient},
                                                {"Return-Path", return_path}};
  return parsed.serialize_with(top);
}

bool valid_user_name(std::string_view user) {
  if (user.empty() || user == "." || user == ".." || user.size() > 255) return false;
  for (char c : user) {
    unsigned char u = static_cast<unsigned char>(c);
    if (c == '/' || u < 0x20 || u == 0x7f) return false;
  }
  return true;
}

bool valid_delivery_folder(std::string_view folder) {
  if (folder.size() > 64) return false;
  for (char c : folder)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return false;
  return true;
}

bool already_delivered_to(std::string_view content, std::string_view recipient) {
  return already_delivered_to(message::MessageView::parse(content), recipient);
}

bool already_delivered_to(const message::MessageView& parsed, std::string_view recipient) {
  if (recipient.empty()) return false;
  for (const std::string& v : parsed.headers("Delivered-To"))
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
