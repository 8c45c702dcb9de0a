#include "scenarios/resolver_check.hpp"

#include <algorithm>

#include "protocols/message/ascii.hpp"

namespace maillab::scenario {
namespace {

std::string lower(std::string s) {
  message::lower_in_place(s);
  return s;
}

// The domain of `address` (lowercase; a display name's brackets removed), "" for a bare
// local part such as `Postmaster` or a malformed address.
std::string domain_of(std::string address) {
  if (auto close = address.rfind('>'); close != std::string::npos) address.resize(close);
  auto at = address.rfind('@');
  return at == std::string::npos ? "" : lower(address.substr(at + 1));
}

struct Need {
  std::string domain, why;
};

// The first domain `h`'s MTA would have to look up, or nullopt.
std::optional<Need> first_lookup(const Scenario& s, const Host& h,
                                 const std::map<std::string, std::string>& routed) {
  const MtaConfig& mta = *h.mta;
  auto remote = [&](const std::string& domain) {
    if (domain.empty() || routed.count(domain)) return false;
    if (mta.domains.empty()) return domain != h.name;
    return std::find(mta.domains.begin(), mta.domains.end(), domain) == mta.domains.end();
  };
  for (const Event& e : s.events) {
    const auto* send = std::get_if<Send>(&e.action);
    if (!send || send->server != h.name) continue;
    for (const auto* list : {&send->to, &send->cc, &send->bcc})
      for (const std::string& rcpt : *list)
        if (std::string d = domain_of(rcpt); remote(d))
          return Need{d, "a recipient of the `send` at line " + std::to_string(e.mark.line)};
  }
  for (const auto& [name, targets] : mta.aliases)
    for (const std::string& target : targets)
      if (std::string d = domain_of(target); remote(d))
        return Need{d, "a target of its alias `" + name + "`"};
  for (const std::string& d : mta.relay_domains)
    if (remote(d)) return Need{d, "one of its `relay_domains`, forwarded to their MX"};
  return std::nullopt;
}

// What to add: the address of the scenario's DNS server when there is one.
std::string advice(const Scenario& s, const std::string& domain) {
  std::vector<const Host*> dns;
  for (const Host& h : s.hosts)
    if (h.dns) dns.push_back(&h);
  if (dns.size() == 1)
    return "add `resolver: " + dns[0]->address.text + "` (" + dns[0]->name + ", the host with `dns`)";
  if (dns.empty())
    return "add `resolver: ADDRESS` and a host with `dns` at that address that serves " + domain +
           " (under `maillab serve`, `--route " + domain + "=ADDR:PORT` instead)";
  std::string names;
  for (const Host* h : dns) names += (names.empty() ? "" : ", ") + h->name + " " + h->address.text;
  return "add `resolver: ADDRESS`, the address of a host with `dns` (" + names + ")";
}

}  // namespace

std::optional<LoadError> check_resolvers(const Scenario& s,
                                         const std::map<std::string, std::string>& routed) {
  for (const Host& h : s.hosts) {
    if (!h.mta || h.resolver) continue;
    if (h.mta->smtpd_checks.any())
      return LoadError{s.file, h.mark.line, h.mark.column,
                       "host `" + h.name + "` has `smtpd_checks`, which ask DNS (SPF, DKIM keys, DMARC "
                       "records), but no `resolver`: " + advice(s, "the senders' domains")};
    if (h.mta->discard) continue;
    std::optional<Need> need = first_lookup(s, h, routed);
    if (!need) continue;
    return LoadError{s.file, h.mark.line, h.mark.column,
                     "host `" + h.name + "` has an `mta` that must look up " + need->domain +
                         " (" + need->why + ") but no `resolver`: " + advice(s, need->domain)};
  }
  return std::nullopt;
}

}  // namespace maillab::scenario
