#include "viz/host_roles.hpp"

#include <set>

#include "protocols/dns/zone.hpp"

namespace maillab::viz {

namespace {

// Every host named as an exchange in some MX record of the scenario's zones.
std::set<std::string> mx_hosts(const scenario::Scenario& s) {
  std::vector<std::string> exchanges;
  std::vector<std::pair<std::string, std::uint32_t>> a_records;
  for (const auto& h : s.hosts) {
    if (!h.dns) continue;
    for (const auto& z : h.dns->zones) {
      auto parsed = dns::parse_zone(z.text);
      if (!parsed.ok()) continue;
      for (const auto& rr : parsed.zone->records) {
        if (const auto* mx = std::get_if<dns::MxData>(&rr.data)) {
          if (!mx->exchange.empty()) exchanges.push_back(mx->exchange);
        } else if (const auto* a = std::get_if<dns::AData>(&rr.data)) {
          a_records.emplace_back(rr.name, a->address);
        }
      }
    }
  }
  std::set<std::string> out;
  for (const auto& x : exchanges) {
    bool by_address = false;
    for (const auto& [name, address] : a_records) {
      if (name != x) continue;
      for (const auto& h : s.hosts) {
        if (h.address.value == address) {
          out.insert(h.name);
          by_address = true;
        }
      }
    }
    if (!by_address && s.find_host(x)) out.insert(x);
  }
  return out;
}

}  // namespace

std::vector<std::string> host_roles(const scenario::Scenario& s, const scenario::Host& host) {
  bool mua = false;
  for (const auto& e : s.events) {
    if (const auto* send = std::get_if<scenario::Send>(&e.action)) {
      mua = mua || send->client.value_or(send->server) == host.name;
    } else if (const auto* fetch = std::get_if<scenario::Fetch>(&e.action)) {
      mua = mua || fetch->client.value_or(fetch->server) == host.name;
    }
  }
  std::vector<std::string> roles;
  if (mua) roles.push_back("MUA");
  if (host.mta && host.mta->submission) roles.push_back("MSA");
  if (host.mta) roles.push_back("MTA");
  if (mx_hosts(s).count(host.name)) roles.push_back("MX");
  if (host.mta && !host.mta->domains.empty()) roles.push_back("MDA");
  if (host.pop3) roles.push_back("MRA");
  if (host.dns) roles.push_back("DNS");
  return roles;
}

std::string roles_label(const std::vector<std::string>& roles) {
  if (roles.empty()) return "host";
  std::string out;
  for (const auto& r : roles) out += (out.empty() ? "" : " \u00b7 ") + r;
  return out;
}

}  // namespace maillab::viz
