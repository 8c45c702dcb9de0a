#include "viz/host_roles.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "protocols/dns/zone.hpp"

namespace maillab::viz {

namespace {

// The exchanges of every MX record in the scenario's zones, by domain, in preference order,
// as host names (by A record address, else by name); a null MX has no host.
std::map<std::string, std::vector<std::string>> mx_by_domain(const scenario::Scenario& s) {
  std::vector<std::pair<std::string, dns::MxData>> mxs;
  std::vector<std::pair<std::string, std::uint32_t>> a_records;
  for (const auto& h : s.hosts) {
    if (!h.dns) continue;
    for (const auto& z : h.dns->zones) {
      auto parsed = dns::parse_zone(z.text);
      if (!parsed.ok()) continue;
      for (const auto& rr : parsed.zone->records) {
        if (const auto* mx = std::get_if<dns::MxData>(&rr.data)) {
          if (!mx->exchange.empty()) mxs.emplace_back(rr.name, *mx);
        } else if (const auto* a = std::get_if<dns::AData>(&rr.data)) {
          a_records.emplace_back(rr.name, a->address);
        }
      }
    }
  }
  std::stable_sort(mxs.begin(), mxs.end(), [](const auto& a, const auto& b) {
    return std::tie(a.first, a.second.preference) < std::tie(b.first, b.second.preference);
  });
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& [domain, mx] : mxs) {
    auto& hosts = out[domain];
    bool by_address = false;
    for (const auto& [name, address] : a_records) {
      if (name != mx.exchange) continue;
      for (const auto& h : s.hosts) {
        if (h.address.value == address) {
          hosts.push_back(h.name);
          by_address = true;
        }
      }
    }
    if (!by_address && s.find_host(mx.exchange)) hosts.push_back(mx.exchange);
  }
  return out;
}

// Every host named as an exchange in some MX record of the scenario's zones.
std::set<std::string> mx_hosts(const scenario::Scenario& s) {
  std::set<std::string> out;
  for (const auto& [domain, hosts] : mx_by_domain(s)) out.insert(hosts.begin(), hosts.end());
  return out;
}

std::string domain_of(const std::string& address) {
  auto at = address.rfind('@');
  return at == std::string::npos ? "" : address.substr(at + 1);
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

std::vector<std::string> lane_order(const scenario::Scenario& s) {
  std::vector<std::string> order;
  auto add = [&](const std::string& host) {
    if (s.find_host(host) && std::find(order.begin(), order.end(), host) == order.end()) order.push_back(host);
  };
  const auto mx = mx_by_domain(s);
  std::vector<const scenario::Event*> events;
  for (const auto& e : s.events) events.push_back(&e);
  std::stable_sort(events.begin(), events.end(),
                   [](const scenario::Event* a, const scenario::Event* b) { return a->at_ns < b->at_ns; });
  for (const scenario::Event* e : events) {
    if (const auto* send = std::get_if<scenario::Send>(&e->action)) {
      add(send->client.value_or(send->server));
      add(send->server);
      const scenario::Host* server = s.find_host(send->server);
      std::vector<std::string> rcpts = send->to;
      rcpts.insert(rcpts.end(), send->cc.begin(), send->cc.end());
      rcpts.insert(rcpts.end(), send->bcc.begin(), send->bcc.end());
      for (const auto& r : rcpts) {
        const std::string domain = domain_of(r);
        if (server && server->mta &&
            std::count(server->mta->domains.begin(), server->mta->domains.end(), domain))
          continue;  // delivered where it was submitted
        for (const auto& h : s.hosts)
          if (h.dns) add(h.name);
        if (auto it = mx.find(domain); it != mx.end()) {
          for (const auto& x : it->second) add(x);
        } else {
          add(domain);  // no MX: the domain's own address (a host of that name)
        }
      }
    } else if (const auto* fetch = std::get_if<scenario::Fetch>(&e->action)) {
      add(fetch->server);
      add(fetch->client.value_or(fetch->server));
    }
  }
  std::vector<const scenario::Host*> rest;
  for (const auto& h : s.hosts)
    if (std::find(order.begin(), order.end(), h.name) == order.end()) rest.push_back(&h);
  auto rank = [&](const scenario::Host* h) {
    const auto roles = host_roles(s, *h);
    auto has = [&](const char* r) { return std::count(roles.begin(), roles.end(), r) > 0; };
    if (has("MUA")) return 0;
    if (has("MSA")) return 1;
    if (has("DNS")) return 2;
    if (has("MX")) return 4;
    if (has("MTA")) return 3;
    if (has("MDA") || has("MRA")) return 5;
    return 6;
  };
  std::stable_sort(rest.begin(), rest.end(), [&](const scenario::Host* a, const scenario::Host* b) {
    return rank(a) < rank(b);
  });
  for (const auto* h : rest) order.push_back(h->name);
  return order;
}

}  // namespace maillab::viz
