#include "protocols/mda/counting_store.hpp"

#include "protocols/message/message.hpp"

namespace maillab::mda {

DeliveryStatus CountingStore::deliver(const Delivery& d) {
  if (!valid_user_name(d.user)) return DeliveryStatus::Error;
  if (disk_.full()) return DeliveryStatus::DiskFull;
  // already_delivered_to() and delivered_content() on one parse of the message.
  const auto parsed = message::MessageView::parse(*d.content);
  if (already_delivered_to(parsed, d.recipient)) return DeliveryStatus::Loop;
  const std::size_t size = delivered_content(d, parsed).size();
  auto it = users_.find(d.user);
  if (it == users_.end()) it = users_.emplace(d.user, Tally{}).first;
  ++it->second.messages;
  it->second.bytes += size;
  ++total_.messages;
  total_.bytes += size;
  return DeliveryStatus::Ok;
}

std::vector<std::string> CountingStore::users() const {
  std::vector<std::string> out;
  for (const auto& [user, tally] : users_) {
    if (tally.messages) out.push_back(user);
  }
  return out;
}

CountingStore::Tally CountingStore::of(const std::string& user) const {
  auto it = users_.find(user);
  return it == users_.end() ? Tally{} : it->second;
}

}  // namespace maillab::mda
