// auth::DkimKeyCache: key records (RFC 6376 3.6.1) already parsed, by their text, so a
// receiving MTA turns the same p= into an EVP_PKEY once instead of per message (each
// parse also made OpenSSL export the key to its provider again on the first verify).
//
// Keyed by the record's name and text: the text still comes from the resolver for every
// message, and the resolver alone decides how long an answer lives (its cache per TTL).
// A key changed in DNS is therefore used exactly when the resolver returns the new
// record; this cache cannot serve a key DNS no longer publishes for that message. The
// name is part of the key so that one record published under many names (as `bench mail
// --auth` does) costs a parse per name, as distinct keys would.
//
// Invariants: at most `capacity` entries (the least recently used goes first; 0 turns
// the cache off); entries are immutable and shared, so a result handed out stays valid
// after eviction. Not thread-safe: one per MTA, used from its event loop.
#pragma once

#include <cstddef>
#include <list>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "protocols/auth/dkim_key.hpp"

namespace maillab::auth {

class DkimKeyCache {
 public:
  explicit DkimKeyCache(std::size_t capacity) : capacity_(capacity) {}
  DkimKeyCache(const DkimKeyCache&) = delete;
  DkimKeyCache& operator=(const DkimKeyCache&) = delete;

  // parse_dkim_key_record(text) for the record found at `name`, from the cache when this
  // text was parsed before for this name.
  std::shared_ptr<const DkimKeyParse> parse(std::string_view name, std::string_view text);

  std::size_t size() const { return map_.size(); }
  std::size_t hits() const { return hits_; }

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };
  struct Entry {
    std::shared_ptr<const DkimKeyParse> parsed;
    std::list<std::string>::iterator use;  // position in order_
  };

  std::size_t capacity_;
  std::size_t hits_ = 0;
  std::string key_;  // scratch
  std::unordered_map<std::string, Entry, Hash, std::equal_to<>> map_;
  std::list<std::string> order_;  // length:name text, most recently used first
};

}  // namespace maillab::auth
