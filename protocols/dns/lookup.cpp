#include "protocols/dns/lookup.hpp"

#include <algorithm>

#include "protocols/dns/name.hpp"

namespace maillab::dns {
namespace {

const std::string* cname_target(const ResourceRecord& rr) {
  if (rr.type != Type::CNAME || rr.klass != kClassIn) return nullptr;
  const auto* d = std::get_if<NameData>(&rr.data);
  return d ? &d->target : nullptr;
}

// The additional section without the OPT pseudo-record (its TTL field is not a TTL).
std::vector<ResourceRecord> without_opt(const std::vector<ResourceRecord>& rrs) {
  std::vector<ResourceRecord> out;
  out.reserve(rrs.size());
  for (const auto& rr : rrs) {
    if (rr.type != Type::OPT) out.push_back(rr);
  }
  return out;
}

// A server that does not speak EDNS(0) (RFC 6891 6.2.2, 7): FORMERR or NOTIMP, or an OPT
// whose extended rcode says BADVERS.
bool refuses_edns(const Message& m) {
  if (m.rcode == Rcode::FormErr || m.rcode == Rcode::NotImp) return true;
  return std::any_of(m.additional.begin(), m.additional.end(), [](const ResourceRecord& rr) {
    return rr.type == Type::OPT && (rr.ttl >> 24) != 0;
  });
}

bool has_type(const std::vector<ResourceRecord>& rrs, Type type) {
  return std::any_of(rrs.begin(), rrs.end(),
                     [&](const ResourceRecord& rr) { return rr.type == type; });
}

}  // namespace

std::string_view to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::Answer: return "answer";
    case Outcome::NoData: return "nodata";
    case Outcome::NxDomain: return "nxdomain";
    case Outcome::ServFail: return "servfail";
    case Outcome::Refused: return "refused";
    case Outcome::Timeout: return "timeout";
    case Outcome::FormErr: return "formerr";
    case Outcome::CnameLoop: return "cname-loop";
  }
  return "unknown";
}

Lookup::Lookup(std::string name, Type type, std::uint16_t first_id, ResolverConfig cfg)
    : type_(type), cfg_(cfg), next_id_(first_id) {
  cfg_.attempts = std::max(cfg_.attempts, 1);
  edns_ = cfg_.edns_payload != 0;
  result_.detail = "in progress";
  std::string why;
  auto canonical = canonical_name(name, &why);
  if (!canonical) {
    result_.canonical_name = name;
    finish(Outcome::FormErr, "invalid name '" + name + "': " + why);
    return;
  }
  result_.canonical_name = *canonical;
  seen_.insert(*canonical);
  start_query(*canonical);
}

void Lookup::start_query(std::string name) {
  name_ = std::move(name);
  id_ = next_id_++;
  Message query = make_query(id_, name_, type_);
  if (edns_) {
    ResourceRecord opt;
    opt.type = Type::OPT;
    opt.klass = std::max<std::uint16_t>(cfg_.edns_payload, 512);
    opt.data = RawData{};
    query.additional.push_back(std::move(opt));
  }
  datagram_ = encode(query);
  pending_ = true;
  sent_current_ = false;
  over_tcp_ = false;
  stream_pending_ = false;
  attempts_left_ = cfg_.attempts - 1;
}

void Lookup::finish(Outcome outcome, std::string detail) {
  done_ = true;
  pending_ = false;
  stream_pending_ = false;
  result_.outcome = outcome;
  result_.detail = std::move(detail);
}

std::optional<std::string> Lookup::take_datagram() {
  if (done_ || !pending_) return std::nullopt;
  pending_ = false;
  sent_current_ = true;
  ++sent_;
  return datagram_;
}

std::optional<std::string> Lookup::take_stream_query() {
  if (done_ || !stream_pending_) return std::nullopt;
  stream_pending_ = false;
  ++sent_;
  return datagram_;
}

void Lookup::on_stream_failed(std::string_view why) {
  if (done_ || !over_tcp_) return;
  finish(Outcome::ServFail, "truncated response for " + absolute_name(name_) + " " + to_string(type_) +
                                " and no answer over TCP: " + std::string(why));
}

void Lookup::on_timeout() {
  if (done_) return;
  if (over_tcp_) {
    finish(Outcome::Timeout, "truncated response for " + absolute_name(name_) + " " + to_string(type_) +
                                 " and no answer over TCP within " +
                                 std::to_string(cfg_.timeout.count()) + " ms");
    return;
  }
  if (attempts_left_ > 0) {
    --attempts_left_;
    pending_ = true;
    return;
  }
  finish(Outcome::Timeout, "no response for " + absolute_name(name_) + " " + to_string(type_) +
                               " after " + std::to_string(cfg_.attempts) + " attempt(s) of " +
                               std::to_string(cfg_.timeout.count()) + " ms");
}

std::chrono::milliseconds Lookup::timeout() const {
  return done_ ? std::chrono::milliseconds::zero() : cfg_.timeout;
}

void Lookup::receive(std::string_view wire, Transport transport) {
  if (done_) return;
  // Once the query went to TCP, late UDP copies of the truncated answer do not count.
  if (over_tcp_ != (transport == Transport::Tcp) || stream_pending_) {
    ++ignored_;
    return;
  }
  const DecodeResult decoded = decode(wire);
  if (!sent_current_ || !decoded.ok() || !matches(decoded.message)) {
    ++ignored_;
    return;
  }
  on_response(decoded.message, transport);
}

bool Lookup::matches(const Message& m) const {
  if (!m.qr || m.id != id_ || m.opcode != kOpcodeQuery) return false;
  if (m.questions.empty()) return m.rcode == Rcode::FormErr || m.rcode == Rcode::NotImp;
  if (m.questions.size() != 1) return false;
  const Question& q = m.questions[0];
  return q.name == name_ && q.type == type_ && q.klass == kClassIn;
}

// Follows the CNAMEs of `m` from the name asked (not for CNAME or ANY questions, which
// CNAMEs answer). False, the lookup finished, on a loop or a chain over the limit.
bool Lookup::follow_chain(const Message& m, std::string& name) {
  name = name_;
  if (type_ == Type::CNAME || type_ == Type::ANY) return true;
  while (true) {
    const auto it = std::find_if(m.answers.begin(), m.answers.end(), [&](const ResourceRecord& rr) {
      return rr.name == name && cname_target(rr);
    });
    if (it == m.answers.end()) return true;
    const std::string& target = *cname_target(*it);
    if (++cname_depth_ > cfg_.max_cname_depth) {
      result_.canonical_name = name;
      finish(Outcome::CnameLoop, "more than " + std::to_string(cfg_.max_cname_depth) +
                                     " CNAMEs after " + absolute_name(*seen_.begin()));
      return false;
    }
    if (!seen_.insert(target).second) {
      result_.canonical_name = target;
      finish(Outcome::CnameLoop,
             "CNAME loop: " + absolute_name(name) + " points back to " + absolute_name(target));
      return false;
    }
    name = target;
  }
}

void Lookup::on_response(const Message& m, Transport transport) {
  if (m.tc && transport == Transport::Udp) {
    // RFC 7766 5 (and RFC 2181 9): ask again over TCP; the truncated part is not used.
    over_tcp_ = true;
    stream_pending_ = true;
    return;
  }
  if (m.tc) {
    finish(Outcome::ServFail, "truncated: the response had TC set even over TCP");
    return;
  }
  if (edns_ && refuses_edns(m)) {
    edns_ = false;
    start_query(name_);  // the same question in plain DNS, as a new query
    return;
  }
  auto asked = [&] { return absolute_name(name_) + " " + to_string(type_); };  // only for failures
  switch (m.rcode) {
    case Rcode::NoError: on_no_error(m); return;
    case Rcode::NxDomain: {
      std::string name;
      if (!follow_chain(m, name)) return;
      result_.canonical_name = name;
      result_.additional = without_opt(m.additional);
      finish(Outcome::NxDomain, absolute_name(name) + " does not exist (NXDOMAIN)");
      return;
    }
    case Rcode::ServFail:
      finish(Outcome::ServFail, "server failure (SERVFAIL) for " + asked());
      return;
    case Rcode::Refused: finish(Outcome::Refused, "the server refused (REFUSED) " + asked()); return;
    case Rcode::FormErr:
      finish(Outcome::FormErr, "the server found our query malformed (FORMERR)");
      return;
    default:
      finish(Outcome::ServFail, "the server answered " + to_string(m.rcode) + " for " + asked());
      return;
  }
}

void Lookup::on_no_error(const Message& m) {
  std::string name;
  if (!follow_chain(m, name)) return;
  result_.canonical_name = name;
  result_.additional = without_opt(m.additional);
  result_.answers.clear();
  for (const auto& rr : m.answers) {
    if (rr.name == name && rr.klass == kClassIn && (type_ == Type::ANY || rr.type == type_)) {
      result_.answers.push_back(rr);
    }
  }
  if (!result_.answers.empty()) {
    finish(Outcome::Answer, std::to_string(result_.answers.size()) + " " + to_string(type_) +
                                " record(s) for " + absolute_name(name));
    return;
  }
  // A SOA for a zone holding `name` says the server answered for it: NODATA. Without
  // one, a CNAME target the server did not resolve is asked for in a new query.
  const bool negative =
      std::any_of(m.authority.begin(), m.authority.end(), [&](const ResourceRecord& rr) {
        return rr.type == Type::SOA && name_in_zone(name, rr.name);
      });
  if (name != name_ && !negative) {
    start_query(name);
    return;
  }
  if (!negative && !m.aa && has_type(m.authority, Type::NS)) {
    finish(Outcome::ServFail,
           "referral for " + absolute_name(name) + ": the server does not recurse");
    return;
  }
  finish(Outcome::NoData, "no " + to_string(type_) + " record for " + absolute_name(name));
}

}  // namespace maillab::dns
