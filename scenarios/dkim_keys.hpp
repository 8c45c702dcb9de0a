// scenario::DkimKeys: the DKIM key pairs of a scenario's `mta.dkim` items, made from the
// run seed (scenario-format.md 1.1, docs/sender-auth.md), and their publication in the
// scenario's zones.
//
// Invariants:
// - one key per (domain, selector), whatever the number of MTAs that sign with it (the
//   loader makes them agree on the algorithm); the key depends on the seed, the domain,
//   the selector and the algorithm only, so a run and its replay, on any machine, sign and
//   publish the same keys;
// - publish() adds `SELECTOR._domainkey.DOMAIN IN TXT "v=DKIM1; k=...; p=..."` to every
//   zone (of every DNS host) whose origin is the longest one holding that name, unless the
//   zone already has a record of that name (a scenario may publish a wrong or revoked key
//   on purpose); a name no zone holds is not published (verifiers get permerror).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "protocols/auth/dkim_key.hpp"
#include "protocols/dns/zone.hpp"
#include "scenarios/model.hpp"

namespace maillab::scenario {

class DkimKeys {
 public:
  DkimKeys() = default;
  DkimKeys(const Scenario& s, std::uint64_t seed);

  // The key of (domain, selector), or null when no MTA of the scenario signs with it.
  std::shared_ptr<const auth::DkimPrivateKey> find(const std::string& domain, const std::string& selector) const;
  // Adds the public keys to `zones` as described above; returns how many records it added.
  std::size_t publish(std::vector<dns::Zone*> zones) const;

  static constexpr std::uint32_t kTtl = 3600;

 private:
  std::map<std::pair<std::string, std::string>, std::shared_ptr<const auth::DkimPrivateKey>> keys_;
};

}  // namespace maillab::scenario
