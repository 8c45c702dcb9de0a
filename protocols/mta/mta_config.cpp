#include "protocols/mta/mta_config.hpp"

#include <algorithm>
#include <charconv>

namespace maillab::mta {

std::optional<std::uint32_t> parse_ipv4(std::string_view s) {
  std::uint32_t out = 0;
  for (int i = 0; i < 4; ++i) {
    unsigned v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p == s.data() || v > 255 || (p - s.data() > 1 && s[0] == '0')) {
      return std::nullopt;
    }
    out = (out << 8) | v;
    s.remove_prefix(static_cast<std::size_t>(p - s.data()));
    if (i < 3) {
      if (s.empty() || s[0] != '.') return std::nullopt;
      s.remove_prefix(1);
    }
  }
  if (!s.empty()) return std::nullopt;
  return out;
}

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

std::optional<Cidr> Cidr::parse(std::string_view text) {
  Cidr c;
  auto slash = text.find('/');
  auto addr = parse_ipv4(text.substr(0, slash));
  if (!addr) return std::nullopt;
  if (slash != std::string_view::npos) {
    auto rest = text.substr(slash + 1);
    int prefix = -1;
    auto [p, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), prefix);
    if (ec != std::errc() || p != rest.data() + rest.size() || prefix < 0 || prefix > 32) {
      return std::nullopt;
    }
    c.prefix = prefix;
  }
  std::uint32_t mask = c.prefix == 0 ? 0 : ~0u << (32 - c.prefix);
  c.network = *addr & mask;
  return c;
}

bool Cidr::contains(std::uint32_t address) const {
  std::uint32_t mask = prefix == 0 ? 0 : ~0u << (32 - prefix);
  return (address & mask) == network;
}

namespace {
bool contains_domain(const std::vector<std::string>& list, std::string_view domain) {
  return std::any_of(list.begin(), list.end(), [&](const std::string& d) {
    return d.size() == domain.size() &&
           std::equal(d.begin(), d.end(), domain.begin(),
                      [](char a, char b) { return ascii_lower(a) == ascii_lower(b); });
  });
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
