// tls::SessionCache: TLS sessions kept for resumption, judged by the lab's clock (a value
// passed in), bounded in size. One per Context:
// - client side (Postfix's smtp_tls_session_cache): keyed by the peer and the names the
//   session was verified against (Session composes the key), so a session made under one
//   policy is never resumed under another; the latest session (TLS 1.2 session or TLS 1.3
//   ticket) for a key replaces the one before;
// - server side (Postfix's smtpd_tls_session_cache): keyed by session id, the sessions the
//   server resumes for TLS 1.2 session ids and for TLS 1.3 stateful tickets (see
//   server_context.hpp for why stateful).
//
// Invariants: at most `capacity` entries (the oldest stored goes first); an entry older
// than `lifetime` seconds is never returned; the cache holds one reference to each
// SSL_SESSION it stores and drops it when the entry goes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <string>
#include <string_view>
#include <unordered_map>

#include <openssl/ssl.h>

namespace maillab::tls {

using UnixTime = std::int64_t;  // seconds since 1970-01-01T00:00:00Z

struct SessionCacheOptions {
  UnixTime lifetime = 3600;    // Postfix smtp(d)_tls_session_cache_timeout default
  std::size_t capacity = 4096;  // 0: no resumption at all
};

class SessionCache {
 public:
  explicit SessionCache(SessionCacheOptions options) : options_(options) {}
  ~SessionCache();
  SessionCache(const SessionCache&) = delete;
  SessionCache& operator=(const SessionCache&) = delete;

  // Stores `session` under `key` (taking one reference), replacing what was there.
  void put(std::string_view key, SSL_SESSION* session, UnixTime now);
  // The session stored under `key` when it is younger than the lifetime (borrowed: valid
  // until the next put/erase), else nullptr (and an expired entry is dropped).
  SSL_SESSION* find(std::string_view key, UnixTime now);
  void erase(std::string_view key);

  // Calls fn(key, session) for every entry, oldest stored first.
  template <class Fn>
  void for_each(Fn&& fn) const {
    for (const std::string& key : order_) fn(std::string_view(key), map_.find(key)->second.session);
  }

  std::size_t size() const { return map_.size(); }
  const SessionCacheOptions& options() const { return options_; }

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };
  struct Entry {
    SSL_SESSION* session;
    UnixTime stored;
    std::list<std::string>::iterator age;  // position in order_
  };

  SessionCacheOptions options_;
  std::unordered_map<std::string, Entry, Hash, std::equal_to<>> map_;
  std::list<std::string> order_;  // keys, oldest stored first
};

}  // namespace maillab::tls
