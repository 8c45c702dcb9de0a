// services::Resolver: the host's stub resolver as a service. Each question is one
// dns::Lookup engine (retries, CNAME chasing) driven over UDP to the configured server on
// port 53 with a runtime timer per lookup. Query ids come from the host's "dns-id" random
// stream, so runs are reproducible. A truncated answer is asked again over TCP to port 53
// (RFC 7766): one connection per such query, the query and the answer each prefixed by
// their two-octet length (RFC 1035 4.2.2), closed once the answer is in.
//
// Optional answer cache (enable_cache, off by default): positive answers are kept for the
// smallest TTL of their records, as the caching resolver an MTA normally sits behind
// would keep them; a hit is answered from a fresh event with no datagram. The cache holds
// at most the given number of entries (one leaves when a new one comes in when full).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "protocols/dns/lookup.hpp"
#include "protocols/io/runtime.hpp"

namespace maillab::services {

class Resolver {
 public:
  using Done = std::function<void(const dns::LookupResult&)>;

  Resolver(io::Runtime& rt, std::string server_address, dns::ResolverConfig cfg = {});
  ~Resolver();
  Resolver(const Resolver&) = delete;
  Resolver& operator=(const Resolver&) = delete;

  // Ask `name`/`type`; `done` runs exactly once (never from inside this call).
  void lookup(const std::string& name, dns::Type type, Done done);
  // Keep up to `max_entries` answers (0: no cache, the default); empties the cache.
  void enable_cache(std::size_t max_entries);

 private:
  struct Pending;
  struct StreamReader;
  void send(std::uint64_t key, Pending& p);
  void open_stream(std::uint64_t key, Pending& p, std::string query);
  void step(std::uint64_t key, Pending& p);  // after the engine took something in
  void arm(std::uint64_t key, Pending& p);
  void finish(std::uint64_t key);
  static std::string cache_key(const std::string& name, dns::Type type);

  struct CacheEntry {
    dns::LookupResult result;
    io::Time expires = 0;
  };

  io::Runtime& rt_;
  std::string server_;
  dns::ResolverConfig cfg_;
  std::uint64_t next_key_ = 0;
  // By key, ascending (keys only grow: a lookup appends). A few at a time per resolver: a
  // vector, not a map (a tree node per lookup). Shared: see finish().
  std::vector<std::pair<std::uint64_t, std::shared_ptr<Pending>>> pending_;
  Pending* find(std::uint64_t key);
  std::shared_ptr<Resolver*> self_;  // for callbacks that cannot be cancelled (TCP connects)
  std::size_t cache_limit_ = 0;
  std::unordered_map<std::string, CacheEntry> cache_;
};

}  // namespace maillab::services
