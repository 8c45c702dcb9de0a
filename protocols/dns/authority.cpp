#include "protocols/dns/authority.hpp"

#include <algorithm>

#include "protocols/dns/name.hpp"

namespace maillab::dns {
namespace {

bool is_transfer_or_mailbox_query(Type t) {  // AXFR, IXFR, MAILB, MAILA: not over this engine
  const auto v = static_cast<std::uint16_t>(t);
  return v >= 251 && v <= 254;
}

const std::string* target_of(const ResourceRecord& rr) {
  if (const auto* n = std::get_if<NameData>(&rr.data)) return &n->target;
  if (const auto* m = std::get_if<MxData>(&rr.data)) return &m->exchange;
  return nullptr;
}

}  // namespace

void Authority::add_zone(Zone zone) {
  ZoneData data;
  data.origin = zone.origin;
  data.names.insert(data.origin);
  for (auto& rr : zone.records) {
    if (!name_in_zone(rr.name, data.origin)) continue;
    for (std::string n = rr.name; data.names.insert(n).second && n != data.origin;) {
      n = parent_name(n);
    }
    if (rr.type == Type::SOA && rr.name == data.origin && !data.soa) data.soa = rr;
    data.nodes[rr.name].push_back(std::move(rr));
  }
  remove_zone(data.origin);
  by_origin_[data.origin] = zones_.size();
  zones_.push_back(std::move(data));
}

bool Authority::remove_zone(std::string_view origin) {
  const auto n = std::erase_if(zones_, [&](const ZoneData& z) { return z.origin == origin; });
  if (n > 0) {
    by_origin_.clear();
    for (std::size_t i = 0; i < zones_.size(); ++i) by_origin_[zones_[i].origin] = i;
  }
  return n > 0;
}

bool Authority::has_zone(std::string_view origin) const {
  return by_origin_.count(std::string(origin)) != 0;
}

const Authority::ZoneData* Authority::find_zone(std::string_view name) const {
  // The deepest zone holding `name`: the name itself, then each parent up to the root
  // (the same label walk as name_in_zone, so the answer is the longest matching origin).
  std::string n(name);
  while (true) {
    if (auto it = by_origin_.find(n); it != by_origin_.end()) return &zones_[it->second];
    if (n.empty()) return nullptr;
    n = parent_name(n);
  }
}

// The highest zone cut at or above `name` and below the apex (RFC 1034 4.3.2 step 3b).
std::optional<std::string> Authority::delegation(const ZoneData& zone, std::string_view name) {
  std::vector<std::string> path;
  for (std::string n(name); n != zone.origin; n = parent_name(n)) {
    path.push_back(n);
    if (n.empty()) break;
  }
  for (auto it = path.rbegin(); it != path.rend(); ++it) {
    const auto node = zone.nodes.find(*it);
    if (node == zone.nodes.end()) continue;
    for (const auto& rr : node->second) {
      if (rr.type == Type::NS) return *it;
    }
  }
  return std::nullopt;
}

Authority::Node Authority::find_node(const ZoneData& zone, const std::string& name) {
  if (const auto it = zone.nodes.find(name); it != zone.nodes.end()) {
    return {NodeKind::Records, it->second};
  }
  if (zone.names.count(name)) return {NodeKind::EmptyNonTerminal, {}};
  // RFC 4592 3.3.1: the closest encloser's "*" child, if any, answers for the name.
  std::string encloser = parent_name(name);
  while (encloser != zone.origin && !zone.names.count(encloser)) encloser = parent_name(encloser);
  const std::string wildcard = encloser.empty() ? "*" : "*." + encloser;
  if (const auto it = zone.nodes.find(wildcard); it != zone.nodes.end()) {
    Node node{NodeKind::Records, it->second};
    for (auto& rr : node.records) rr.name = name;
    return node;
  }
  return {NodeKind::Missing, {}};
}

void Authority::add_soa(const ZoneData& zone, Message& response) {
  if (!zone.soa) return;
  ResourceRecord soa = *zone.soa;
  if (const auto* d = std::get_if<SoaData>(&soa.data)) soa.ttl = std::min(soa.ttl, d->minimum);
  response.authority.push_back(std::move(soa));
}

void Authority::resolve(const Question& question, Message& response) const {
  std::string current = question.name;
  std::set<std::string> seen{current};
  int chain = 0;
  while (true) {
    const ZoneData* zone = find_zone(current);
    if (!zone) return;  // the CNAME chain left our zones; the resolver goes on from here
    if (auto cut = delegation(*zone, current)) {
      if (response.answers.empty()) {  // a referral: the child zone is not ours
        response.aa = false;
        for (const auto& rr : zone->nodes.at(*cut)) {
          if (rr.type == Type::NS) response.authority.push_back(rr);
        }
      }
      return;
    }
    const Node node = find_node(*zone, current);
    if (node.kind == NodeKind::Missing) {
      response.rcode = Rcode::NxDomain;
      add_soa(*zone, response);
      return;
    }
    const auto cname =
        std::find_if(node.records.begin(), node.records.end(),
                     [](const ResourceRecord& rr) { return rr.type == Type::CNAME; });
    if (cname != node.records.end() && question.type != Type::CNAME && question.type != Type::ANY) {
      response.answers.push_back(*cname);
      const auto* target = std::get_if<NameData>(&cname->data);
      if (!target || ++chain >= kMaxCnameChain || !seen.insert(target->target).second) return;
      current = target->target;
      continue;
    }
    bool any = false;
    for (const auto& rr : node.records) {
      if (question.type == Type::ANY || rr.type == question.type) {
        response.answers.push_back(rr);
        any = true;
      }
    }
    if (!any) add_soa(*zone, response);  // NODATA (an empty non-terminal included)
    return;
  }
}

// Additional section processing (RFC 1035 3.3.9, 3.3.11; RFC 1034 4.3.2 step 6): the A
// and AAAA records we hold for MX exchanges and name servers in the answer or authority.
void Authority::add_addresses(Message& response) const {
  auto present = [&](const ResourceRecord& rr) {
    for (const auto* section : {&response.answers, &response.additional}) {
      if (std::find(section->begin(), section->end(), rr) != section->end()) return true;
    }
    return false;
  };
  std::vector<std::string> targets;
  for (const auto* section : {&response.answers, &response.authority}) {
    for (const auto& rr : *section) {
      if (rr.type != Type::MX && rr.type != Type::NS) continue;
      if (const auto* t = target_of(rr); t && !t->empty()) targets.push_back(*t);
    }
  }
  for (const auto& target : targets) {
    const ZoneData* zone = find_zone(target);
    if (!zone) continue;
    const auto it = zone->nodes.find(target);
    if (it == zone->nodes.end()) continue;
    for (const auto& rr : it->second) {
      if ((rr.type == Type::A || rr.type == Type::AAAA) && !present(rr)) {
        response.additional.push_back(rr);
      }
    }
  }
}

Message Authority::answer(const Message& query) const {
  Message response = make_reply(query);
  if (query.opcode != kOpcodeQuery) {
    response.rcode = Rcode::NotImp;
    return response;
  }
  if (query.questions.size() != 1) {  // RFC 1035 4.1.2 allows more; nobody answers them
    response.rcode = Rcode::FormErr;
    response.questions.clear();
    return response;
  }
  Question question = query.questions[0];
  if (is_transfer_or_mailbox_query(question.type)) {
    response.rcode = Rcode::NotImp;
    return response;
  }
  auto name = canonical_name(question.name);
  if (!name) {
    response.rcode = Rcode::FormErr;
    return response;
  }
  question.name = *name;
  if ((question.klass != kClassIn && question.klass != kClassAny) || !find_zone(question.name)) {
    response.rcode = Rcode::Refused;
    return response;
  }
  response.aa = true;
  resolve(question, response);
  add_addresses(response);
  return response;
}

std::string Authority::handle(std::string_view wire, std::size_t max_size) const {
  const DecodeResult decoded = decode(wire);
  if (!decoded.header_ok() || decoded.message.qr) return {};
  Message response;
  if (decoded.message.opcode != kOpcodeQuery) {
    response = make_reply(decoded.message, Rcode::NotImp);
    if (!decoded.ok()) response.questions.clear();
  } else if (!decoded.ok()) {
    response = make_reply(decoded.message, Rcode::FormErr);
    response.questions.clear();
  } else {
    response = answer(decoded.message);
  }

  std::string out = encode(response);
  if (out.empty()) {  // cannot happen with parsed zones; never send nothing to a valid query
    response.rcode = Rcode::ServFail;
    response.answers.clear();
    response.authority.clear();
    response.additional.clear();
    out = encode(response);
  }
  if (out.size() <= max_size) return out;
  // RFC 2181 9: dropping additional data needs no TC; losing answer or authority does.
  response.additional.clear();
  out = encode(response);
  if (out.size() <= max_size) return out;
  response.tc = true;
  response.answers.clear();
  response.authority.clear();
  return encode(response);
}

}  // namespace maillab::dns
