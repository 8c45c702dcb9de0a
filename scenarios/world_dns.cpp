// The `dns_set` action on a World (docs/scenario-format.md `events[].dns_set`): record lines checked
// against a scratch copy of the server's zones at load time, applied at their time as
// nsupdate would, each changed RRset traced as dns.update.
#include <algorithm>
#include <map>

#include "protocols/dns/zone.hpp"
#include "scenarios/world.hpp"

namespace maillab::scenario {

namespace agent = io::trace::agent;
namespace ev = io::trace::ev;
namespace key = io::trace::key;

namespace {

// A `dns_set` record line, parsed as a zone fragment whose names are all absolute (a name
// without its final dot is taken from the root); errors point into the scenario file.
std::variant<std::vector<dns::ResourceRecord>, LoadError> dns_set_records(const Scenario& sc, const ZoneText& z) {
  auto parsed = dns::parse_zone(z.text, ".");
  LoadError e;
  e.file = sc.file;
  e.line = z.mark.line;
  e.column = z.mark.column;
  if (!parsed.ok()) {
    e.line = z.mark.line + std::max(parsed.error.line, 1) - 1;
    e.column = (parsed.error.line <= 1 ? z.mark.column - 1 : 0) + std::max(parsed.error.column, 1);
    e.message = "in `dns_set.record`: " + parsed.error.message;
    return e;
  }
  if (parsed.zone->records.empty()) {
    e.message = "`dns_set.record` holds no record: expected `NAME TTL IN TYPE DATA`";
    return e;
  }
  return std::move(parsed.zone->records);
}

std::string records_text(const std::vector<dns::ResourceRecord>& records) {
  std::string out;
  for (const auto& rr : records) out += (out.empty() ? "" : ", ") + rr.rdata_text();
  return out;
}

}  // namespace

// Every `dns_set` applied in time order to a scratch copy of its server's zones, so a
// record that cannot go in (outside the server's zones, a SOA, a CNAME beside data) is a
// load error at its line, never a surprise in the middle of the run.
std::optional<LoadError> World::check_dns_sets() const {
  std::vector<const Event*> events;
  for (const Event& e : scenario_.events)
    if (std::holds_alternative<DnsSet>(e.action)) events.push_back(&e);
  std::stable_sort(events.begin(), events.end(), [](const Event* a, const Event* b) { return a->at_ns < b->at_ns; });
  std::map<std::string, dns::Authority> scratch;
  for (const Event* e : events) {
    const auto& d = std::get<DnsSet>(e->action);
    auto zones = zones_.find(d.server);
    if (zones == zones_.end()) continue;  // the loader already refused a server with no zones
    auto [it, fresh] = scratch.try_emplace(d.server, *zones->second);
    for (const ZoneText& z : d.records) {
      auto records = dns_set_records(scenario_, z);
      if (auto* err = std::get_if<LoadError>(&records)) return *err;
      std::string why = it->second.replace_rrsets(std::get<std::vector<dns::ResourceRecord>>(records));
      if (!why.empty()) {
        LoadError err;
        err.file = scenario_.file;
        err.line = z.mark.line;
        err.column = z.mark.column;
        err.message = "`dns_set.record` cannot go into the zones of `" + d.server + "`: " + why;
        return err;
      }
    }
  }
  return std::nullopt;
}

// nsupdate on the DNS host: each record line replaces its name's records of its type.
// Resolvers that cached the old records keep them until their TTL runs out.
void World::do_dns_set(const DnsSet& d) {
  HostNode* h = host(d.server);
  auto zones = zones_.find(d.server);
  if (!h || zones == zones_.end()) return;
  for (const ZoneText& z : d.records) {
    auto records = dns_set_records(scenario_, z);
    auto* rrs = std::get_if<std::vector<dns::ResourceRecord>>(&records);
    if (!rrs || !zones->second->replace_rrsets(*rrs).empty()) continue;  // refused at load time
    std::map<std::pair<std::string, dns::Type>, std::vector<dns::ResourceRecord>> sets;
    for (const auto& rr : *rrs) sets[{rr.name, rr.type}].push_back(rr);
    for (const auto& [name_type, set] : sets)
      h->runtime->trace(agent::kDns, ev::kDnsUpdate,
                        {{key::kName, name_type.first},
                         {key::kType, dns::to_string(name_type.second)},
                         {key::kTtl, std::to_string(set.front().ttl)},
                         {key::kRecords, records_text(set)}});
  }
}

}  // namespace maillab::scenario
