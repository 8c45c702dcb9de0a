// services::Resolver: the host's stub resolver as a service. Each question is one
// dns::Lookup engine (retries, CNAME chasing) driven over UDP to the configured server on
// port 53 with a runtime timer per lookup. Query ids come from the host's "dns-id" random
// stream, so runs are reproducible.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

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

 private:
  struct Pending;
  void send(std::uint64_t key, Pending& p);
  void arm(std::uint64_t key, Pending& p);
  void finish(std::uint64_t key);

  io::Runtime& rt_;
  std::string server_;
  dns::ResolverConfig cfg_;
  std::uint64_t next_key_ = 0;
  std::map<std::uint64_t, std::unique_ptr<Pending>> pending_;
};

}  // namespace maillab::services
