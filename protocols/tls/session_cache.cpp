#include "protocols/tls/session_cache.hpp"

namespace maillab::tls {

SessionCache::~SessionCache() {
  for (auto& [key, entry] : map_) SSL_SESSION_free(entry.session);
}

void SessionCache::put(std::string_view key, SSL_SESSION* session, UnixTime now) {
  if (options_.capacity == 0) return;
  SSL_SESSION_up_ref(session);
  if (auto it = map_.find(key); it != map_.end()) {
    SSL_SESSION_free(it->second.session);
    it->second.session = session;
    it->second.stored = now;
    order_.splice(order_.end(), order_, it->second.age);
    return;
  }
  while (map_.size() >= options_.capacity) erase(order_.front());
  order_.emplace_back(key);
  map_.emplace(order_.back(), Entry{session, now, std::prev(order_.end())});
}

SSL_SESSION* SessionCache::find(std::string_view key, UnixTime now) {
  auto it = map_.find(key);
  if (it == map_.end()) return nullptr;
  if (now - it->second.stored > options_.lifetime) {
    erase(key);
    return nullptr;
  }
  return it->second.session;
}

void SessionCache::erase(std::string_view key) {
  auto it = map_.find(key);
  if (it == map_.end()) return;
  SSL_SESSION_free(it->second.session);
  order_.erase(it->second.age);
  map_.erase(it);
}

}  // namespace maillab::tls
