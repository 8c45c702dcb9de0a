#include "protocols/mda/mailbox_mail_store.hpp"

namespace maillab::mda {

DeliveryStatus MailboxMailStore::deliver(const Delivery& d) {
  if (!valid_user_name(d.user) || !d.content) return DeliveryStatus::Error;
  const auto parsed = message::MessageView::parse(*d.content);
  if (already_delivered_to(parsed, d.recipient)) return DeliveryStatus::Loop;
  const StoreResult made = store_.ensure_user(d.user, d.sim_ns);
  if (made != StoreResult::Ok) return made == StoreResult::DiskFull ? DeliveryStatus::DiskFull : DeliveryStatus::Error;
  AppendRequest r;
  r.content = io::make_bytes(delivered_content(d, parsed));
  r.date_ns = d.sim_ns;
  r.hostname = d.hostname;
  r.unique = d.unique;
  // A folder the delivery names (DMARC quarantine: "Junk"), made when missing.
  if (!valid_delivery_folder(d.folder)) return DeliveryStatus::Error;
  const std::string folder = d.folder.empty() ? std::string("INBOX") : d.folder;
  if (store_.folder(d.user, folder) == nullptr) {
    const StoreResult created = store_.create_folder(d.user, folder, d.sim_ns);
    if (created == StoreResult::DiskFull) return DeliveryStatus::DiskFull;
    if (created != StoreResult::Ok) return DeliveryStatus::Error;
  }
  switch (store_.append(d.user, folder, r)) {
    case StoreResult::Ok: return DeliveryStatus::Ok;
    case StoreResult::DiskFull: return DeliveryStatus::DiskFull;
    default: return DeliveryStatus::Error;
  }
}

std::vector<StoredMessage> MailboxMailStore::list(const std::string& user) const {
  std::vector<StoredMessage> out;
  const Folder* inbox = store_.folder(user, "INBOX");
  if (inbox == nullptr) return out;
  const std::uint64_t id = inbox->id;
  const std::vector<MailboxMessage> messages = inbox->messages;  // content() may load
  for (const auto& m : messages) {
    StoredMessage s;
    s.id = m.key;
    s.content = store_.content(user, id, m.uid);
    if (!s.content) continue;
    s.size = s.content->size();
    out.push_back(std::move(s));
  }
  return out;
}

bool MailboxMailStore::remove(const std::string& user, const std::string& id) {
  const Folder* inbox = store_.folder(user, "INBOX");
  if (inbox == nullptr || id.empty()) return false;
  for (const auto& m : inbox->messages) {
    if (m.key == id) return store_.expunge(user, inbox->id, {m.uid}) == StoreResult::Ok;
  }
  return false;
}

std::vector<std::string> MailboxMailStore::users() const {
  std::vector<std::string> out;
  for (const auto& user : store_.users()) {
    const Folder* inbox = store_.folder(user, "INBOX");
    if (inbox != nullptr && !inbox->messages.empty()) out.push_back(user);
  }
  return out;
}

}  // namespace maillab::mda
