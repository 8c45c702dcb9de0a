#include "scenarios/dkim_keys.hpp"

#include <algorithm>

namespace maillab::scenario {

namespace {

// The seed bytes of one key: everything it depends on, spelled out.
std::string key_seed(std::uint64_t seed, const DkimSigning& d) {
  return "maillab dkim; seed=" + std::to_string(seed) + "; d=" + d.domain + "; s=" + d.selector +
         "; a=" + d.algorithm;
}

// `name` is `origin` or below it (canonical names: lowercase, no trailing dot).
bool in_zone(const std::string& name, const std::string& origin) {
  if (origin.empty()) return true;
  return name == origin ||
         (name.size() > origin.size() && name.compare(name.size() - origin.size(), origin.size(), origin) == 0 &&
          name[name.size() - origin.size() - 1] == '.');
}

// A TXT value in strings of at most 255 octets (RFC 1035 3.3.14; RFC 6376 3.6.2.2 joins them).
std::vector<std::string> txt_strings(const std::string& text) {
  std::vector<std::string> out;
  for (std::size_t at = 0; at < text.size(); at += 255) out.push_back(text.substr(at, 255));
  return out;
}

}  // namespace

DkimKeys::DkimKeys(const Scenario& s, std::uint64_t seed) {
  for (const Host& h : s.hosts) {
    if (!h.mta) continue;
    for (const DkimSigning& d : h.mta->dkim) {
      auto& slot = keys_[{d.domain, d.selector}];
      if (slot) continue;
      const auto algorithm = d.algorithm == "ed25519-sha256" ? auth::DkimAlgorithm::Ed25519Sha256
                                                             : auth::DkimAlgorithm::RsaSha256;
      slot = std::make_shared<const auth::DkimPrivateKey>(auth::DkimPrivateKey::generate(algorithm, key_seed(seed, d)));
    }
  }
}

std::shared_ptr<const auth::DkimPrivateKey> DkimKeys::find(const std::string& domain,
                                                           const std::string& selector) const {
  auto it = keys_.find({domain, selector});
  return it == keys_.end() ? nullptr : it->second;
}

std::size_t DkimKeys::publish(std::vector<dns::Zone*> zones) const {
  std::size_t added = 0;
  for (const auto& [id, key] : keys_) {
    const std::string name = id.second + "._domainkey." + id.first;
    std::size_t best = 0;
    bool found = false;
    for (const dns::Zone* z : zones) {
      if (!in_zone(name, z->origin)) continue;
      best = std::max(best, z->origin.size());
      found = true;
    }
    if (!found) continue;
    const std::string record = key->dns_record();
    for (dns::Zone* z : zones) {
      if (z->origin.size() != best || !in_zone(name, z->origin)) continue;
      const bool taken = std::any_of(z->records.begin(), z->records.end(),
                                     [&](const dns::ResourceRecord& rr) { return rr.name == name; });
      if (taken) continue;
      z->records.push_back(dns::ResourceRecord::txt(name, kTtl, txt_strings(record)));
      ++added;
    }
  }
  return added;
}

}  // namespace maillab::scenario
