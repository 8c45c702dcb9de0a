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

constexpr std::array<CheckSpec<DnsCtx>, 9> kChecks{{
    {"SOA answered, AA set", "1035 4.1.1, 6.2", Level::Must, soa},
    {"ID and question echoed", "1035 4.1.1", Level::Must, echo},
    {"MX answered", "1035 3.3.9", Level::Must, mx},
    {"MX targets have addresses", "5321 5.1, 2181 10.3", Level::Should, mx_addresses},
    {"NXDOMAIN carries the SOA", "2308 3", Level::Must, nxdomain},
    {"NODATA carries the SOA", "2308 2.2, 3", Level::Must, nodata},
    {"SOA over TCP", "7766 5", Level::Must, tcp},
    {"malformed query -> FORMERR/silence", "1035 4.1.1", Level::Must, malformed},
    {"--name resolves", "1035 3.3", Level::May, name},
}};

}  // namespace

Report check_dns(const Url& url, const Options& options) {
  DnsCtx c{url, options, {}, *dns::canonical_name(url.path), {}, {}, {}};
  return run_table<DnsCtx>(kChecks, c);
}

}  // namespace maillab::check
