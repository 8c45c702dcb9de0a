#include "protocols/auth/dkim_key_cache.hpp"

#include <string>

namespace maillab::auth {

std::shared_ptr<const DkimKeyParse> DkimKeyCache::parse(std::string_view name, std::string_view text) {
  if (capacity_ == 0) return std::make_shared<const DkimKeyParse>(parse_dkim_key_record(text));
  key_ = std::to_string(name.size());  // length-prefixed: no name/text split is ambiguous
  key_ += ':';
  key_ += name;
  key_ += text;
  if (auto it = map_.find(key_); it != map_.end()) {
    order_.splice(order_.begin(), order_, it->second.use);
    ++hits_;
    return it->second.parsed;
  }
  if (map_.size() >= capacity_) {
    map_.erase(order_.back());
    order_.pop_back();
  }
  auto parsed = std::make_shared<const DkimKeyParse>(parse_dkim_key_record(text));
  order_.emplace_front(key_);
  map_.emplace(order_.front(), Entry{parsed, order_.begin()});
  return parsed;
}

}  // namespace maillab::auth
