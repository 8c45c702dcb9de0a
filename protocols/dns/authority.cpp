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

bool Authority::has_zone(std::string_view origin) const { return by_origin_.find(origin) != by_origin_.end(); }

const Authority::ZoneData* Authority::find_zone(std::string_view name) const {
  // The deepest zone holding `name`: the name itself, then each parent up to the root
  // (the same label walk as name_in_zone, so the answer is the longest matching origin).
  while (true) {
    if (auto it = by_origin_.find(name); it != by_origin_.end()) return &zones_[it->second];
    if (name.empty()) return nullptr;
    name = parent_view(name);
  }
}

// The highest zone cut at or above `name` and below the apex (RFC 1034 4.3.2 step 3b).
std::optional<std::string> Authority::delegation(const ZoneData& zone, std::string_view name) {
  // Walking up from `name`, the last cut seen is the highest.
  std::optional<std::string_view> cut;
  for (std::string_view n = name; n != zone.origin; n = parent_view(n)) {
    const auto node = zone.nodes.find(n);
    if (node != zone.nodes.end() &&
        std::any_of(node->second.begin(), node->second.end(), [](const ResourceRecord& rr) { return rr.type == Type::NS; }))
      cut = n;
    if (n.empty()) break;
  }
  if (!cut) return std::nullopt;
  return std::string(*cut);
}

Authority::Node Authority::find_node(const ZoneData& zone, std::string_view name) {
  Node node;
  if (const auto it = zone.nodes.find(name); it != zone.nodes.end()) {
    node.kind = NodeKind::Records;
    node.zone_records = &it->second;
    return node;
  }
  if (zone.names.count(name)) {
    node.kind = NodeKind::EmptyNonTerminal;
    return node;
  }
  // RFC 4592 3.3.1: the closest encloser's "*" child, if any, answers for the name.
  std::string_view encloser = parent_view(name);
  while (encloser != zone.origin && !zone.names.count(encloser)) encloser = parent_view(encloser);
  const std::string wildcard = encloser.empty() ? "*" : "*." + std::string(encloser);
  if (const auto it = zone.nodes.find(wildcard); it != zone.nodes.end()) {
    node.kind = NodeKind::Records;
    node.synthesized = it->second;
    for (auto& rr : node.synthesized) rr.name = name;
  }
  return node;
}

void Authority::add_soa(const ZoneData& zone, Message& response) {
  if (!zone.soa) return;
  ResourceRecord soa = *zone.soa;
  if (const auto* d = std::get_if<SoaData>(&soa.data)) soa.ttl = std::min(soa.ttl, d->minimum);
  response.authority.push_back(std::move(soa));
}

void Authority::resolve(const Question& question, Message& response) const {
  std::string current = question.name;
  std::vector<std::string> seen;  // CNAME targets followed (the question's name is the first)
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
    const std::vector<ResourceRecord>& records = node.records();
    const auto cname = std::find_if(records.begin(), records.end(),
                                    [](const ResourceRecord& rr) { return rr.type == Type::CNAME; });
    if (cname != records.end() && question.type != Type::CNAME && question.type != Type::ANY) {
      response.answers.push_back(*cname);
      const auto* target = std::get_if<NameData>(&cname->data);
      if (!target || ++chain >= kMaxCnameChain || target->target == question.name ||
          std::find(seen.begin(), seen.end(), target->target) != seen.end())
        return;
      seen.push_back(target->target);
      current = target->target;
      continue;
    }
    bool any = false;
    for (const auto& rr : records) {
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
  // Only `additional` grows below, so answer and authority can be walked as they are.
  for (const auto* section : {&response.answers, &response.authority}) {
    for (const auto& target_rr : *section) {
      if (target_rr.type != Type::MX && target_rr.type != Type::NS) continue;
      const auto* target = target_of(target_rr);
      if (!target || target->empty()) continue;
      const ZoneData* zone = find_zone(*target);
      if (!zone) continue;
      const auto it = zone->nodes.find(*target);
      if (it == zone->nodes.end()) continue;
      for (const auto& rr : it->second) {
        if ((rr.type == Type::A || rr.type == Type::AAAA) && !present(rr)) {
          response.additional.push_back(rr);
        }
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
  question.name = std::move(*name);
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
