#include "protocols/services/anvil.hpp"

#include <algorithm>

namespace maillab::services {

bool Anvil::blocked(std::string_view client, io::Time now) const {
  if (limit_ <= 0 || unit_ <= 0) return false;
  auto it = clients_.find(client);
  return it != clients_.end() && now - it->second.start < unit_ && it->second.failures >= limit_;
}

void Anvil::failure(std::string_view client, io::Time now) {
  if (limit_ <= 0 || unit_ <= 0) return;
  auto it = clients_.find(client);
  if (it == clients_.end()) {
    make_room(now);
    it = clients_.emplace(std::string(client), Count{now, 0}).first;
  }
  if (now - it->second.start >= unit_) it->second = Count{now, 0};  // a new time unit
  ++it->second.failures;
}

void Anvil::make_room(io::Time now) {
  if (clients_.size() < kMaxClients) return;
  for (auto it = clients_.begin(); it != clients_.end();) {
    it = now - it->second.start >= unit_ ? clients_.erase(it) : std::next(it);
  }
  if (clients_.size() < kMaxClients) return;
  // All within their unit: the one counting longest goes (its unit ends first).
  clients_.erase(std::min_element(clients_.begin(), clients_.end(), [](const auto& a, const auto& b) {
    return a.second.start < b.second.start;
  }));
}

}  // namespace maillab::services
