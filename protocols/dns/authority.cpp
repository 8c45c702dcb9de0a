#include "protocols/dns/authority.hpp"

#include <algorithm>
#include <optional>
#include <set>
#include <utility>

#include "base/ascii.hpp"
#include "protocols/dns/name.hpp"

namespace maillab::dns {
namespace {

bool is_transfer_or_mailbox_query(Type t) {  // AXFR, IXFR, MAILB, MAILA: not over UDP
  const auto v = static_cast<std::uint16_t>(t);
  return v >= 251 && v <= 254;
}

bool is_transfer(const Message& m) {
  return m.questions.size() == 1 &&
         (m.questions[0].type == Type::AXFR || m.questions[0].type == Type::IXFR);
}

// What a query says about EDNS(0) (RFC 6891 6.1.1).
struct Edns {
  bool present = false;
  bool malformed = false;  // two OPTs, or an OPT whose owner is not the root
  std::uint8_t version = 0;
  std::uint16_t payload = 0;
};

Edns edns_of(const Message& query) {
  Edns e;
  for (const auto& rr : query.additional) {
    if (rr.type != Type::OPT) continue;
    if (e.present || !rr.name.empty()) e.malformed = true;
    e.present = true;
    e.version = static_cast<std::uint8_t>(rr.ttl >> 16);
    e.payload = rr.klass;
  }
  return e;
}

// Our OPT: payload size kEdnsSize, no flags; `extended_rcode` is the upper 8 bits of a
// 12-bit rcode (1 with rcode 0 is BADVERS, 16).
ResourceRecord our_opt(std::uint8_t extended_rcode = 0) {
  ResourceRecord opt;
  opt.name = "";
  opt.type = Type::OPT;
  opt.klass = Authority::kEdnsSize;
  opt.ttl = static_cast<std::uint32_t>(extended_rcode) << 24;
  opt.data = RawData{};
  return opt;
}

// The length of the question name at offset 12 of a query (uncompressed: the first name
// of a message cannot point anywhere), or 0 when it is not there whole.
std::size_t first_name_length(std::string_view wire) {
  std::size_t p = 12;
  while (p < wire.size()) {
    const auto len = static_cast<unsigned char>(wire[p]);
    if (len == 0) return p + 1 - 12;
    if (len > 63) return 0;
    p += 1 + len;
  }
  return 0;
}

// DNS 0x20: the response's question name (at offset 12, written from the canonical,
// lowercase name) takes the query's octets back when they are the same name.
void keep_question_case(std::string_view query, std::string& response) {
  if (query.size() < 12 || response.size() < 12) return;
  if (query[4] == 0 && query[5] == 0) return;         // QDCOUNT 0
  if (response[4] == 0 && response[5] == 0) return;
  const std::size_t n = first_name_length(query);
  if (n == 0 || first_name_length(response) != n) return;
  if (!base::iequals(query.substr(12, n), std::string_view(response).substr(12, n))) return;
  response.replace(12, n, query.substr(12, n));
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

std::string Authority::replace_rrsets(const std::vector<ResourceRecord>& records) {
  for (const ResourceRecord& rr : records) {
    if (rr.type == Type::SOA) return "a SOA record cannot be replaced by an update";
    const ZoneData* zone = find_zone(rr.name);
    if (!zone) return "'" + rr.name + "' is in no zone of this server";
    if (delegation(*zone, rr.name))
      return "'" + rr.name + "' is below a delegation of zone '" + zone->origin + "'";
    // What the name will hold: the records of other types that stay, and the new ones.
    bool cname = false, other = false;
    auto count = [&](Type t) { (t == Type::CNAME ? cname : other) = true; };
    if (auto node = zone->nodes.find(rr.name); node != zone->nodes.end()) {
      for (const ResourceRecord& old : node->second) {
        const bool replaced = std::any_of(records.begin(), records.end(), [&](const ResourceRecord& r) {
          return r.name == old.name && r.type == old.type;
        });
        if (!replaced) count(old.type);
      }
    }
    for (const ResourceRecord& r : records)
      if (r.name == rr.name) count(r.type);
    if (cname && other) return "'" + rr.name + "' would have a CNAME beside other data";
  }
  std::set<ZoneData*> changed;
  std::set<std::pair<std::string, Type>> cleared;
  for (const ResourceRecord& rr : records) {
    ZoneData* zone = find_zone(rr.name);
    auto& node = zone->nodes[rr.name];
    if (cleared.emplace(rr.name, rr.type).second)
      std::erase_if(node, [&](const ResourceRecord& old) { return old.type == rr.type; });
    if (std::find(node.begin(), node.end(), rr) == node.end()) node.push_back(rr);
    for (std::string n = rr.name; zone->names.insert(n).second && n != zone->origin;) n = parent_name(n);
    changed.insert(zone);
  }
  for (ZoneData* zone : changed) {
    if (!zone->soa) continue;
    auto& soa = std::get<SoaData>(zone->soa->data);
    soa.serial += 1;  // wraps at 2^32 (RFC 1982)
    for (ResourceRecord& rr : zone->nodes[zone->origin])
      if (rr.type == Type::SOA) rr = *zone->soa;
  }
  return "";
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
  const Edns edns = decoded.ok() ? edns_of(decoded.message) : Edns{};
  if (decoded.message.opcode != kOpcodeQuery) {
    response = make_reply(decoded.message, Rcode::NotImp);
    if (!decoded.ok()) response.questions.clear();
  } else if (!decoded.ok() || edns.malformed) {
    response = make_reply(decoded.message, Rcode::FormErr);
    if (!decoded.ok()) response.questions.clear();
  } else if (edns.present && edns.version != 0) {
    response = make_reply(decoded.message);  // BADVERS (RFC 6891 6.1.3): rcode 16
  } else {
    response = answer(decoded.message);
  }
  // Every answer to a query with an OPT carries ours (RFC 6891 7), truncated ones too.
  std::optional<ResourceRecord> opt;
  if (edns.present && !edns.malformed) {
    opt = our_opt(edns.version != 0 ? 1 : 0);
    if (max_size < kTcpSize) {
      max_size = std::max<std::size_t>(max_size, std::min(edns.payload, kEdnsSize));
    }
  }
  auto encoded = [&] {
    if (opt) response.additional.push_back(*opt);
    std::string out = encode(response);
    if (opt) response.additional.pop_back();
    keep_question_case(wire, out);
    return out;
  };

  std::string out = encoded();
  if (out.empty()) {  // cannot happen with parsed zones; never send nothing to a valid query
    response.rcode = Rcode::ServFail;
    response.answers.clear();
    response.authority.clear();
    response.additional.clear();
    out = encoded();
  }
  if (out.size() <= max_size) return out;
  // RFC 2181 9: dropping additional data needs no TC; losing answer or authority does.
  response.additional.clear();
  out = encoded();
  if (out.size() <= max_size) return out;
  response.tc = true;
  response.answers.clear();
  response.authority.clear();
  return encoded();
}

std::vector<std::string> Authority::handle_tcp(std::string_view wire) const {
  const DecodeResult decoded = decode(wire);
  if (decoded.ok() && !decoded.message.qr && decoded.message.opcode == kOpcodeQuery &&
      is_transfer(decoded.message) && !edns_of(decoded.message).malformed) {
    return transfer(decoded.message, wire);
  }
  std::string out = handle(wire, kTcpSize);
  if (out.empty()) return {};
  return {std::move(out)};
}

// RFC 5936 2.2: the zone's SOA, every other record, the SOA again, packed into as few
// messages as fit in 64 KiB each; the question only in the first.
std::vector<std::string> Authority::transfer(const Message& query, std::string_view wire) const {
  const Edns edns = edns_of(query);
  Message head = make_reply(query);
  auto name = canonical_name(query.questions[0].name);
  const auto it = name ? by_origin_.find(*name) : by_origin_.end();
  std::vector<std::string> out;
  auto emit = [&](Message m) {
    if (edns.present) m.additional.push_back(our_opt(edns.version != 0 ? 1 : 0));
    std::string bytes = encode(m);
    keep_question_case(wire, bytes);
    out.push_back(std::move(bytes));
  };
  if (edns.present && edns.version != 0) {  // BADVERS
    emit(head);
    return out;
  }
  if (query.questions[0].klass != kClassIn || it == by_origin_.end() || !zones_[it->second].soa) {
    head.rcode = name && find_zone(*name) ? Rcode::NotAuth : Rcode::Refused;
    emit(head);
    return out;
  }
  const ZoneData& zone = zones_[it->second];
  std::vector<const ResourceRecord*> records{&*zone.soa};
  for (const auto& [owner, rrs] : zone.nodes) {
    for (const auto& rr : rrs) {
      if (&rr == &*zone.soa || (rr.type == Type::SOA && rr.name == zone.origin)) continue;
      records.push_back(&rr);
    }
  }
  records.push_back(&*zone.soa);

  head.aa = true;
  Message current = head;
  // Records are added in batches, and a batch that overflows is split, so a message is
  // encoded a handful of times rather than once per record.
  constexpr std::size_t kBatch = 64;
  constexpr std::size_t kRoom = kTcpSize - 64;  // the OPT and the length prefix
  auto fits = [&](const Message& m) {  // encode() says "" past the largest message
    const std::string bytes = encode(m);
    return !bytes.empty() && bytes.size() <= kRoom;
  };
  std::size_t i = 0;
  while (i < records.size()) {
    std::size_t n = std::min(kBatch, records.size() - i);
    Message trial;
    for (;; n /= 2) {
      trial = current;
      for (std::size_t k = 0; k < n; ++k) trial.answers.push_back(*records[i + k]);
      if (n == 1 || fits(trial)) break;
    }
    if (fits(trial)) {
      current = std::move(trial);
      i += n;
    } else if (current.answers.empty()) {
      ++i;  // one record over 64 KiB cannot be sent at all (no zone file makes one)
    } else {  // the next record starts a new message
      emit(current);
      current = head;
      current.questions.clear();
    }
  }
  if (!current.answers.empty() || out.empty()) emit(current);
  return out;
}

}  // namespace maillab::dns
