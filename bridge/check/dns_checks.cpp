// The DNS check table of `maillab check dns://HOST[:PORT]/ZONE` (an authoritative server
// for ZONE). Queries are built and read with the lab's codec (dns::encode/decode, the
// hardened decoder: a reply it cannot decode is a FAIL, not a crash); each query goes
// out on a fresh UDP socket (a fresh source port), so a late reply cannot be taken for
// the answer to the next question.
//
//   check                           RFC             level   how
//   SOA answered, AA set            1035 4.1.1, 6.2 MUST    UDP: NOERROR, AA, SOA of the zone in answer
//   ID and question echoed          1035 4.1.1      MUST    every reply so far: same ID, QR set, same question
//   MX answered                     1035 3.3.9      MUST    NOERROR; no MX record (NODATA) warns; a truncated
//                                                           (TC) UDP answer is asked again over TCP (7766 5)
//   MX targets have addresses       5321 5.1        SHOULD  A/AAAA in additional, else queried; a CNAME FAILs
//                                                           (RFC 2181 10.3)
//   NXDOMAIN carries the SOA        2308 3          MUST    random name under the zone: NXDOMAIN, SOA in authority
//   NODATA carries the SOA          2308 2.2, 3     MUST    the apex, type HINFO: NOERROR, no answer, SOA
//   SOA over TCP                    7766 5          MUST    the same SOA query, two-octet length framing
//   malformed query survived        1035 4.1.1      MUST    5-octet datagram and QDCOUNT=2 with one question:
//                                                           FORMERR or silence, then a good query is answered
//   question case kept (0x20)       1035 4.1.1      SHOULD  the zone's SOA asked with random upper/lower case
//                                                           letters: the reply's question has the same octets
//                                                           (resolvers with DNS 0x20, e.g. Unbound's
//                                                           use-caps-for-id, drop answers that change it)
//   EDNS(0) answered                6891 7          SHOULD  SOA with an OPT of 1232: an OPT back (its payload
//                                                           size reported); an answer without OPT warns (no
//                                                           EDNS: allowed, but large answers need TCP)
//   EDNS version 1 -> BADVERS       6891 6.1.3      MUST    only when EDNS(0) is spoken: OPT version 1 gets
//                                                           extended rcode BADVERS (16)
//   AXFR over TCP                   5936 2.2        MAY     a zone transfer: SOA first and last; REFUSED,
//                                                           NOTAUTH or NOTIMP (a policy) is a skip
//   --name resolves                 1035 3.3        MAY     A (else AAAA) of --name has an answer
#include <array>
#include <random>
#include <sstream>

#include "bridge/check/check.hpp"
#include "bridge/check/check_table.hpp"
#include "bridge/check/probe_socket.hpp"
#include "protocols/dns/message.hpp"
#include "protocols/dns/name.hpp"

namespace maillab::check {

namespace {

constexpr auto kHinfo = static_cast<dns::Type>(13);

struct DnsCtx {
  const Url& url;
  const Options& opt;
  std::string stop;
  std::string zone;  // canonical
  std::mt19937 rng{std::random_device{}()};
  std::vector<std::pair<dns::Message, dns::Message>> log;  // (query, reply) for the echo check
  std::vector<dns::MxData> mx;
  bool edns = false;  // the server answered an OPT with an OPT

  std::uint16_t id() { return static_cast<std::uint16_t>(rng()); }
};

struct Answer {
  std::optional<dns::Message> message;
  std::string error;  // no reply, or why it could not be decoded
};

std::string rcode_text(const dns::Message& m) {
  std::string s = dns::to_string(m.rcode);
  if (m.aa) s += " aa";
  if (m.tc) s += " tc";
  return s;
}

Answer decode_reply(DnsCtx& c, const dns::Message& q, const std::string& wire) {
  auto d = dns::decode(wire);
  if (!d.ok()) return {std::nullopt, "undecodable reply: " + std::string(dns::to_string(d.error)) + " " + d.detail};
  c.log.emplace_back(q, d.message);
  return {d.message, {}};
}

Answer ask_udp(DnsCtx& c, const dns::Message& q, std::chrono::milliseconds wait) {
  UdpSocket s;
  if (!s.connect(c.url.host, c.url.port)) return {std::nullopt, s.error()};
  if (!s.send(dns::encode(q))) return {std::nullopt, s.error()};
  std::string wire;
  if (s.receive(wire, wait) != ReadStatus::Data) return {std::nullopt, s.error()};
  return decode_reply(c, q, wire);
}

Answer ask_udp(DnsCtx& c, const dns::Message& q) { return ask_udp(c, q, c.opt.timeout); }

Answer ask_tcp(DnsCtx& c, const dns::Message& q) {
  TcpStream s;
  if (!s.connect(c.url.host, c.url.port, c.opt.timeout)) return {std::nullopt, s.error()};
  const std::string msg = dns::encode(q);
  std::string framed;
  framed += static_cast<char>(msg.size() >> 8);
  framed += static_cast<char>(msg.size() & 0xff);
  framed += msg;
  if (!s.send(framed)) return {std::nullopt, s.error()};
  std::string in;
  for (;;) {
    if (in.size() >= 2) {
      const std::size_t len = (static_cast<unsigned char>(in[0]) << 8) | static_cast<unsigned char>(in[1]);
      if (in.size() >= 2 + len) return decode_reply(c, q, in.substr(2, len));
    }
    if (s.read(in, c.opt.timeout) != ReadStatus::Data) return {std::nullopt, "over TCP: " + s.error()};
  }
}

bool has_soa(const std::vector<dns::ResourceRecord>& rrs, const std::string& zone) {
  for (const auto& rr : rrs)
    if (rr.type == dns::Type::SOA && rr.name == zone) return true;
  return false;
}

std::string first_record(const std::vector<dns::ResourceRecord>& rrs) {
  if (rrs.empty()) return {};
  std::ostringstream o;
  o << ' ' << rrs.front().to_string();
  return o.str();
}

Result soa_checks(DnsCtx& c, const Answer& a) {
  if (!a.message) return Result::fail(a.error);
  const dns::Message& m = *a.message;
  const std::string said = rcode_text(m) + first_record(m.answers);
  if (m.rcode != dns::Rcode::NoError) return Result::fail(said);
  if (!has_soa(m.answers, c.zone)) return Result::fail(said + " (no SOA of " + dns::absolute_name(c.zone) + ")");
  if (!m.aa) return Result::fail(said + " (AA not set: not authoritative)");
  return Result::pass(said);
}

Result soa(DnsCtx& c) {
  Answer a = ask_udp(c, dns::make_query(c.id(), c.zone, dns::Type::SOA));
  if (!a.message && a.error.find("decod") == std::string::npos) {
    c.stop = "server not reachable";
    return Result::fail(a.error);
  }
  return soa_checks(c, a);
}

Result echo(DnsCtx& c) {
  ask_udp(c, dns::make_query(c.id(), c.zone, dns::Type::NS));
  if (c.log.empty()) return Result::fail("no reply to look at");
  for (const auto& [q, r] : c.log) {
    if (r.id != q.id)
      return Result::fail("query ID " + std::to_string(q.id) + ", reply ID " + std::to_string(r.id));
    if (!r.qr) return Result::fail("QR bit not set in a reply");
    if (r.questions != q.questions)
      return Result::fail("question not echoed (" + (r.questions.empty() ? std::string("none") : r.questions.front().name) + ")");
  }
  return Result::pass(std::to_string(c.log.size()) + " replies: IDs and questions match");
}

Result mx(DnsCtx& c) {
  const dns::Message q = dns::make_query(c.id(), c.zone, dns::Type::MX);
  Answer a = ask_udp(c, q);
  if (!a.message) return Result::fail(a.error);
  std::string prefix;
  if (a.message->tc) {
    // Too big for a datagram: asked again over TCP, as a resolver must (RFC 7766 5).
    prefix = "UDP " + rcode_text(*a.message) + ", TCP: ";
    a = ask_tcp(c, q);
    if (!a.message) return Result::fail(prefix + a.error);
    if (a.message->tc) return Result::fail(prefix + rcode_text(*a.message) + " (TC set over TCP)");
  }
  const dns::Message& m = *a.message;
  for (const auto& rr : m.answers)
    if (const auto* d = std::get_if<dns::MxData>(&rr.data); d && rr.type == dns::Type::MX) c.mx.push_back(*d);
  std::string said = prefix + rcode_text(m);
  if (c.mx.size() > 1) said += ", " + std::to_string(c.mx.size()) + " MX:";
  said += first_record(m.answers);
  if (m.rcode != dns::Rcode::NoError) return Result::fail(said);
  if (c.mx.empty()) return Result::warn(said + " (no MX record)");
  return Result::pass(said);
}

Result mx_addresses(DnsCtx& c) {
  if (c.mx.empty()) return Result::skip("no MX record");
  std::string said;
  for (const auto& m : c.mx) {
    if (m.exchange.empty()) continue;  // null MX (RFC 7505)
    bool found = false;
    for (const auto& [q, r] : c.log)
      for (const auto& rr : r.additional)
        if (rr.name == m.exchange && (rr.type == dns::Type::A || rr.type == dns::Type::AAAA)) found = true;
    for (dns::Type t : {dns::Type::A, dns::Type::AAAA}) {
      if (found) break;
      Answer a = ask_udp(c, dns::make_query(c.id(), m.exchange, t));
      if (!a.message) return Result::fail(dns::absolute_name(m.exchange) + ": " + a.error);
      for (const auto& rr : a.message->answers) {
        if (rr.type == dns::Type::CNAME && rr.name == m.exchange)
          return Result::fail(dns::absolute_name(m.exchange) + " is an alias (RFC 2181 10.3)");
        if (rr.type == t) found = true;
      }
      if (!found && a.message->rcode != dns::Rcode::NoError && a.message->rcode != dns::Rcode::NxDomain)
        return Result::warn(dns::absolute_name(m.exchange) + ": " + rcode_text(*a.message) + " (not answered here)");
    }
    if (!found) return Result::fail(dns::absolute_name(m.exchange) + " has no A or AAAA");
    if (!said.empty()) said += ", ";
    said += dns::absolute_name(m.exchange);
  }
  return said.empty() ? Result::skip("null MX only") : Result::pass(said + " resolve");
}

Result nxdomain(DnsCtx& c) {
  char label[32];
  std::snprintf(label, sizeof label, "maillab-check-%08x", static_cast<unsigned>(c.rng()));
  const std::string name = std::string(label) + (c.zone.empty() ? "" : "." + c.zone);
  Answer a = ask_udp(c, dns::make_query(c.id(), name, dns::Type::A));
  if (!a.message) return Result::fail(a.error);
  const dns::Message& m = *a.message;
  const std::string said = rcode_text(m) + first_record(m.answers.empty() ? m.authority : m.answers);
  if (m.rcode == dns::Rcode::NoError && !m.answers.empty()) return Result::warn(said + " (a wildcard?)");
  if (m.rcode != dns::Rcode::NxDomain) return Result::fail(said + " (expected NXDOMAIN for " + name + ")");
  if (!has_soa(m.authority, c.zone)) return Result::fail(said + " (no SOA in authority)");
  return Result::pass(said);
}

Result nodata(DnsCtx& c) {
  Answer a = ask_udp(c, dns::make_query(c.id(), c.zone, kHinfo));
  if (!a.message) return Result::fail(a.error);
  const dns::Message& m = *a.message;
  const std::string said = rcode_text(m) + first_record(m.answers.empty() ? m.authority : m.answers);
  if (m.rcode == dns::Rcode::NoError && !m.answers.empty()) return Result::skip("the apex has HINFO records");
  if (m.rcode != dns::Rcode::NoError) return Result::fail(said + " (expected NOERROR, no answer)");
  if (!has_soa(m.authority, c.zone)) return Result::fail(said + " (no SOA in authority)");
  return Result::pass(said);
}

Result tcp(DnsCtx& c) { return soa_checks(c, ask_tcp(c, dns::make_query(c.id(), c.zone, dns::Type::SOA))); }

Result malformed(DnsCtx& c) {
  const auto wait = std::min(c.opt.timeout, std::chrono::milliseconds(2000));
  std::string said;
  // A truncated header, then a header announcing two questions followed by one.
  std::string good = dns::encode(dns::make_query(c.id(), c.zone, dns::Type::SOA));
  std::string two = good;
  two[5] = 2;
  for (const std::string& bad : {good.substr(0, 5), two}) {
    UdpSocket s;
    if (!s.connect(c.url.host, c.url.port) || !s.send(bad)) return Result::fail(s.error());
    std::string wire;
    ReadStatus st = s.receive(wire, wait);
    std::string what = bad.size() == 5 ? "5 octets: " : "QDCOUNT=2: ";
    if (st != ReadStatus::Data) {
      said += what + "no answer; ";
      continue;
    }
    auto d = dns::decode(wire);
    if (!d.header_ok()) return Result::fail(what + "an undecodable reply");
    said += what + dns::to_string(d.message.rcode) + "; ";
    if (d.message.rcode != dns::Rcode::FormErr) {
      Answer after = ask_udp(c, dns::make_query(c.id(), c.zone, dns::Type::SOA));
      if (!after.message) return Result::fail(said + "then " + after.error);
      return Result::warn(said + "(expected FORMERR)");
    }
  }
  Answer after = ask_udp(c, dns::make_query(c.id(), c.zone, dns::Type::SOA));
  if (!after.message) return Result::fail(said + "then no answer: " + after.error);
  return Result::pass(said + "then " + rcode_text(*after.message));
}

// The wire form of `q` with each letter of the question name in random case.
std::string mixed_case(DnsCtx& c, const dns::Message& q) {
  std::string wire = dns::encode(q);
  for (std::size_t p = 12; p < wire.size() && wire[p] != 0;) {
    const std::size_t len = static_cast<unsigned char>(wire[p]);
    for (std::size_t i = p + 1; i <= p + len && i < wire.size(); ++i) {
      const char ch = wire[i];
      if (ch >= 'a' && ch <= 'z' && (c.rng() & 1)) wire[i] = static_cast<char>(ch - 32);
    }
    p += 1 + len;
  }
  return wire;
}

Result question_case(DnsCtx& c) {
  // A zone name without letters (an address zone) still gets one: the SOA of a name with
  // letters would do, but the zone's own SOA is the question every server answers.
  const dns::Message q = dns::make_query(c.id(), c.zone, dns::Type::SOA);
  std::string asked = mixed_case(c, q);
  const std::size_t qlen = dns::encode(q).size() - 12;
  UdpSocket s;
  if (!s.connect(c.url.host, c.url.port) || !s.send(asked)) return Result::fail(s.error());
  std::string wire;
  if (s.receive(wire, c.opt.timeout) != ReadStatus::Data) return Result::fail(s.error());
  const std::string sent_name = asked.substr(12, qlen - 4);
  if (wire.size() < 12 + qlen) return Result::fail("a reply too short to hold the question");
  const std::string got = wire.substr(12, qlen - 4);
  auto shown = [](const std::string& w) {  // the wire name as text, case kept
    std::string out;
    for (std::size_t p = 0; p < w.size() && w[p] != 0;) {
      const std::size_t len = static_cast<unsigned char>(w[p]);
      out += w.substr(p + 1, len) + ".";
      p += 1 + len;
    }
    return out.empty() ? std::string(".") : out;
  };
  if (got != sent_name) return Result::fail("asked " + shown(sent_name) + ", the reply says " + shown(got));
  return Result::pass("asked and answered as " + shown(sent_name));
}

// An SOA query for the zone with an OPT record (payload 1232, `version`).
dns::Message edns_query(DnsCtx& c, std::uint8_t version) {
  dns::Message q = dns::make_query(c.id(), c.zone, dns::Type::SOA);
  dns::ResourceRecord opt;
  opt.type = dns::Type::OPT;
  opt.klass = 1232;
  opt.ttl = static_cast<std::uint32_t>(version) << 16;
  opt.data = dns::RawData{};
  q.additional.push_back(std::move(opt));
  return q;
}

const dns::ResourceRecord* opt_of(const dns::Message& m) {
  for (const auto& rr : m.additional)
    if (rr.type == dns::Type::OPT) return &rr;
  return nullptr;
}

Result edns(DnsCtx& c) {
  Answer a = ask_udp(c, edns_query(c, 0));
  if (!a.message) return Result::fail(a.error);
  const dns::Message& m = *a.message;
  const dns::ResourceRecord* opt = opt_of(m);
  if (!opt) {  // RFC 6891 7: no OPT back means the responder does not implement EDNS
    return Result::warn(rcode_text(m) + " without an OPT record (the server does not speak EDNS; "
                                        "answers over 512 octets need TCP)");
  }
  c.edns = true;
  return Result::pass(rcode_text(m) + ", OPT payload " + std::to_string(opt->klass) + " octets");
}

Result badvers(DnsCtx& c) {
  if (!c.edns) return Result::skip("no EDNS");
  Answer a = ask_udp(c, edns_query(c, 1));
  if (!a.message) return Result::fail(a.error);
  const dns::ResourceRecord* opt = opt_of(*a.message);
  if (!opt) return Result::fail(rcode_text(*a.message) + " without an OPT record");
  const unsigned rcode = (opt->ttl >> 24) << 4 | static_cast<unsigned>(a.message->rcode);
  if (rcode != 16) return Result::fail("extended rcode " + std::to_string(rcode) + " (expected BADVERS, 16)");
  return Result::pass("BADVERS, OPT version " + std::to_string((opt->ttl >> 16) & 0xff));
}

Result axfr(DnsCtx& c) {
  const dns::Message q = dns::make_query(c.id(), c.zone, dns::Type::AXFR);
  TcpStream s;
  if (!s.connect(c.url.host, c.url.port, c.opt.timeout)) return Result::fail(s.error());
  const std::string msg = dns::encode(q);
  std::string framed{static_cast<char>(msg.size() >> 8), static_cast<char>(msg.size() & 0xff)};
  if (!s.send(framed + msg)) return Result::fail(s.error());
  std::string in;
  std::size_t records = 0, messages = 0, soas = 0;
  for (;;) {
    while (in.size() >= 2) {
      const std::size_t len = (static_cast<unsigned char>(in[0]) << 8) | static_cast<unsigned char>(in[1]);
      if (in.size() < 2 + len) break;
      auto d = dns::decode(std::string_view(in).substr(2, len));
      in.erase(0, 2 + len);
      if (!d.ok()) return Result::fail("undecodable message: " + d.detail);
      const dns::Message& m = d.message;
      if (m.rcode == dns::Rcode::Refused || m.rcode == dns::Rcode::NotAuth ||
          m.rcode == dns::Rcode::NotImp)
        return Result::skip(rcode_text(m) + " (no transfers here: a policy)");
      if (m.rcode != dns::Rcode::NoError) return Result::fail(rcode_text(m));
      ++messages;
      for (const auto& rr : m.answers) {
        if (records == 0 && rr.type != dns::Type::SOA) return Result::fail("the transfer does not start with the SOA");
        ++records;
        if (rr.type == dns::Type::SOA) ++soas;
      }
      if (soas >= 2)
        return Result::pass(std::to_string(records) + " records in " + std::to_string(messages) + " message(s), SOA first and last");
    }
    if (s.read(in, c.opt.timeout) != ReadStatus::Data) {
      if (records == 0 && messages == 0) return Result::skip("no transfer: " + s.error());
      return Result::fail("the transfer ended before the closing SOA: " + s.error());
    }
  }
}

Result name(DnsCtx& c) {
  if (c.opt.name.empty()) return Result::skip("no --name");
  const std::string n = *dns::canonical_name(c.opt.name);
  std::string said;
  for (dns::Type t : {dns::Type::A, dns::Type::AAAA}) {
    Answer a = ask_udp(c, dns::make_query(c.id(), n, t));
    if (!a.message) return Result::fail(a.error);
    said = rcode_text(*a.message) + first_record(a.message->answers);
    for (const auto& rr : a.message->answers)
      if (rr.type == t) return Result::pass(said);
  }
  return Result::fail(said);
}

constexpr std::array<CheckSpec<DnsCtx>, 13> kChecks{{
    {"SOA answered, AA set", "1035 4.1.1, 6.2", Level::Must, soa},
    {"ID and question echoed", "1035 4.1.1", Level::Must, echo},
    {"MX answered", "1035 3.3.9", Level::Must, mx},
    {"MX targets have addresses", "5321 5.1, 2181 10.3", Level::Should, mx_addresses},
    {"NXDOMAIN carries the SOA", "2308 3", Level::Must, nxdomain},
    {"NODATA carries the SOA", "2308 2.2, 3", Level::Must, nodata},
    {"SOA over TCP", "7766 5", Level::Must, tcp},
    {"malformed query -> FORMERR/silence", "1035 4.1.1", Level::Must, malformed},
    {"question case kept (0x20)", "1035 4.1.1", Level::Should, question_case},
    {"EDNS(0) answered", "6891 7", Level::Should, edns},
    {"EDNS version 1 -> BADVERS", "6891 6.1.3", Level::Must, badvers},
    {"AXFR over TCP", "5936 2.2", Level::May, axfr},
    {"--name resolves", "1035 3.3", Level::May, name},
}};

}  // namespace

Report check_dns(const Url& url, const Options& options) {
  DnsCtx c{url, options, {}, *dns::canonical_name(url.path), {}, {}, {}, false};
  return run_table<DnsCtx>(kChecks, c);
}

}  // namespace maillab::check
