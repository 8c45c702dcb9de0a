#include "protocols/mta/mta_config.hpp"

#include <algorithm>

namespace maillab::mta {

std::string lowercase(std::string s) {
  for (auto& c : s) c = ascii_lower(c);
  return s;
}

std::pair<std::string, std::string> split_address(const std::string& a) {
  auto [local, domain] = split_address_view(a);
  std::pair<std::string, std::string> out{std::string(local), std::string(domain)};
  for (auto& c : out.second) c = ascii_lower(c);
  return out;
}

std::pair<std::string_view, std::string_view> split_address_view(std::string_view a) {
  auto at = a.rfind('@');
  if (at == std::string_view::npos) return {a, {}};
  return {a.substr(0, at), a.substr(at + 1)};
}

namespace {
bool contains_domain(const std::vector<std::string>& list, std::string_view domain) {
  return std::any_of(list.begin(), list.end(), [&](const std::string& d) { return base::iequals(d, domain); });
}
}  // namespace

bool MtaConfig::is_local_domain(std::string_view domain) const {
  return contains_domain(domains, domain);
}
bool MtaConfig::is_relay_domain(std::string_view domain) const {
  return contains_domain(relay_domains, domain);
}
bool MtaConfig::in_mynetworks(std::string_view address) const {
  auto a = parse_ipv4(address);
  if (!a) return false;
  return std::any_of(mynetworks.begin(), mynetworks.end(),
                     [&](const Cidr& c) { return c.contains(*a); });
}

}  // namespace maillab::mta
