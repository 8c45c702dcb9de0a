// Authority on the wire, as real resolvers use it: the question's case comes back as sent
// (DNS 0x20), EDNS(0) (RFC 6891) and zone transfers over TCP (RFC 5936, RFC 1995).
#include <catch2/catch.hpp>
#include <string>

#include "protocols/dns/authority.hpp"

using namespace maillab::dns;

namespace {

Authority with_zone(const std::string& text) {
  auto r = parse_zone(text);
  INFO(r.error.to_string());
  REQUIRE(r.ok());
  Authority a;
  a.add_zone(*r.zone);
  return a;
}

const char* kZone = R"($ORIGIN b.example.
$TTL 3600
@    IN SOA ns.example. hostmaster.b.example. 1 3600 600 604800 300
@    IN NS  ns.example.
@    IN MX  10 mx1.b.example.
mx1  IN A   192.0.2.21
www  IN CNAME mx1
)";

// A zone whose MX answer is about 700 octets: over 512, under 1232.
std::string big_mx_zone() {
  std::string z = "$ORIGIN big.example.\n$TTL 60\n@ SOA ns.example. h.big.example. 1 1 1 1 1\n";
  for (int i = 0; i < 16; ++i) {
    z += "@ MX " + std::to_string(i) + " a-rather-long-exchange-name-" + std::to_string(i) +
         ".big.example.\n";
  }
  return z;
}

// A query's wire form with the name's octets exactly as given (mixed case kept).
std::string raw_query(std::uint16_t id, const std::string& name, std::uint16_t type,
                      const std::string& additional = "", std::uint16_t arcount = 0) {
  std::string w;
  w += static_cast<char>(id >> 8);
  w += static_cast<char>(id & 0xff);
  w += '\x01';  // RD
  w += '\0';
  w += std::string("\0\x01\0\0\0\0", 6);
  w += static_cast<char>(arcount >> 8);
  w += static_cast<char>(arcount & 0xff);
  std::size_t start = 0;
  while (start <= name.size()) {
    std::size_t dot = name.find('.', start);
    if (dot == std::string::npos) dot = name.size();
    w += static_cast<char>(dot - start);
    w += name.substr(start, dot - start);
    start = dot + 1;
  }
  w += '\0';
  w += static_cast<char>(type >> 8);
  w += static_cast<char>(type & 0xff);
  w += std::string("\0\x01", 2);
  w += additional;
  return w;
}

// An OPT pseudo-record: root owner, payload size, extended rcode/version/flags.
std::string opt(std::uint16_t payload, std::uint8_t version = 0) {
  std::string r(1, '\0');
  r += std::string("\0\x29", 2);
  r += static_cast<char>(payload >> 8);
  r += static_cast<char>(payload & 0xff);
  r += '\0';
  r += static_cast<char>(version);
  r += std::string("\0\0\0\0", 4);
  return r;
}

const ResourceRecord* find_opt(const Message& m) {
  for (const auto& rr : m.additional) {
    if (rr.type == Type::OPT) return &rr;
  }
  return nullptr;
}

Message decoded(const std::string& wire) {
  auto d = decode(wire);
  INFO(d.detail);
  REQUIRE(d.ok());
  return d.message;
}

}  // namespace

TEST_CASE("the question comes back in the case it was asked (DNS 0x20)") {
  const Authority a = with_zone(kZone);
  const std::string q = raw_query(7, "mX1.B.eXaMpLe", 1);
  const std::string r = a.handle(q);
  REQUIRE(r.size() > q.size());
  // The question section (offset 12, name + type + class) is the query's octets.
  CHECK(r.substr(12, q.size() - 12) == q.substr(12));
  const Message m = decoded(r);
  CHECK(m.rcode == Rcode::NoError);
  REQUIRE(m.answers.size() == 1);
  CHECK(m.answers[0].rdata_text() == "192.0.2.21");
}

TEST_CASE("0x20 case survives an NXDOMAIN, a REFUSED and a TCP answer") {
  const Authority a = with_zone(kZone);
  for (const char* name : {"NoSuch.B.Example", "WWW.other.NET"}) {
    const std::string q = raw_query(9, name, 15);
    const std::string r = a.handle(q);
    CHECK(r.substr(12, q.size() - 12) == q.substr(12));
  }
  const std::string q = raw_query(10, "B.EXAMPLE", 15);
  const auto tcp = a.handle_tcp(q);
  REQUIRE(tcp.size() == 1);
  CHECK(tcp[0].substr(12, q.size() - 12) == q.substr(12));
}

TEST_CASE("without EDNS, an answer over 512 octets is truncated; with EDNS 1232 it fits") {
  const Authority a = with_zone(big_mx_zone());
  const std::string plain = a.handle(raw_query(1, "big.example", 15));
  CHECK(plain.size() <= 512);
  const Message m1 = decoded(plain);
  CHECK(m1.tc);
  CHECK(find_opt(m1) == nullptr);  // no OPT to a query without one (RFC 6891 7)

  const std::string edns = a.handle(raw_query(2, "big.example", 15, opt(4096), 1));
  CHECK(edns.size() > 512);
  CHECK(edns.size() <= Authority::kEdnsSize);
  const Message m2 = decoded(edns);
  CHECK_FALSE(m2.tc);
  CHECK(m2.answers.size() == 16);
  const ResourceRecord* o = find_opt(m2);
  REQUIRE(o != nullptr);
  CHECK(o->klass == Authority::kEdnsSize);  // our payload size
  CHECK(o->name.empty());
  CHECK(o->ttl == 0);  // extended rcode 0, version 0, no DO
}

TEST_CASE("an EDNS payload size under 512 counts as 512, a smaller one truncates") {
  const Authority a = with_zone(big_mx_zone());
  const Message small = decoded(a.handle(raw_query(3, "big.example", 15, opt(100), 1)));
  CHECK(small.tc);
  CHECK(find_opt(small) != nullptr);  // kept in a truncated answer too
  const Message mid = decoded(a.handle(raw_query(4, "big.example", 15, opt(600), 1)));
  CHECK(mid.tc);
}

TEST_CASE("EDNS errors: a version above 0 is BADVERS, two OPT records are FORMERR") {
  const Authority a = with_zone(kZone);
  const Message badvers = decoded(a.handle(raw_query(5, "b.example", 15, opt(1232, 1), 1)));
  CHECK(badvers.rcode == Rcode::NoError);  // the low 4 bits of 16
  const ResourceRecord* o = find_opt(badvers);
  REQUIRE(o != nullptr);
  CHECK((o->ttl >> 24) == 1);  // upper 8 bits: 16 = BADVERS
  CHECK(badvers.answers.empty());

  const Message twice =
      decoded(a.handle(raw_query(6, "b.example", 15, opt(1232) + opt(1232), 2)));
  CHECK(twice.rcode == Rcode::FormErr);
}

TEST_CASE("AXFR over TCP: SOA first and last, every record once, in the zone's own case") {
  const Authority a = with_zone(kZone);
  const std::string q = raw_query(11, "B.Example", 252);
  const auto msgs = a.handle_tcp(q);
  REQUIRE(msgs.size() == 1);
  CHECK(msgs[0].substr(12, q.size() - 12) == q.substr(12));
  const Message m = decoded(msgs[0]);
  CHECK(m.rcode == Rcode::NoError);
  CHECK(m.aa);
  REQUIRE(m.answers.size() == 6);  // SOA, NS, MX, A, CNAME, SOA
  CHECK(m.answers.front().type == Type::SOA);
  CHECK(m.answers.back().type == Type::SOA);
  int soas = 0;
  for (const auto& rr : m.answers) soas += rr.type == Type::SOA;
  CHECK(soas == 2);
}

TEST_CASE("IXFR over TCP is answered with the whole zone; AXFR over UDP is NOTIMP") {
  const Authority a = with_zone(kZone);
  const auto ixfr = a.handle_tcp(raw_query(12, "b.example", 251));
  REQUIRE(ixfr.size() == 1);
  CHECK(decoded(ixfr[0]).answers.size() == 6);
  CHECK(decoded(a.handle(raw_query(13, "b.example", 252))).rcode == Rcode::NotImp);
}

TEST_CASE("AXFR of a name that is not a zone apex: NOTAUTH inside a zone, REFUSED outside") {
  const Authority a = with_zone(kZone);
  const auto inside = a.handle_tcp(raw_query(14, "mx1.b.example", 252));
  REQUIRE(inside.size() == 1);
  CHECK(decoded(inside[0]).rcode == Rcode::NotAuth);
  const auto outside = a.handle_tcp(raw_query(15, "other.net", 252));
  REQUIRE(outside.size() == 1);
  CHECK(decoded(outside[0]).rcode == Rcode::Refused);
}

TEST_CASE("a zone too big for one message is transferred in several, each under 64 KiB") {
  std::string z = "$ORIGIN huge.example.\n$TTL 60\n@ SOA ns.example. h.huge.example. 1 1 1 1 1\n";
  for (int i = 0; i < 3000; ++i) {
    z += "host" + std::to_string(i) + " TXT \"" + std::string(40, 'x') + "\"\n";
  }
  const Authority a = with_zone(z);
  const auto msgs = a.handle_tcp(raw_query(16, "huge.example", 252));
  REQUIRE(msgs.size() >= 2);
  std::size_t records = 0;
  for (std::size_t i = 0; i < msgs.size(); ++i) {
    CHECK(msgs[i].size() <= Authority::kTcpSize);
    const Message m = decoded(msgs[i]);
    CHECK(m.questions.size() == (i == 0 ? 1u : 0u));
    records += m.answers.size();
  }
  CHECK(records == 3002);
  CHECK(decoded(msgs.front()).answers.front().type == Type::SOA);
  CHECK(decoded(msgs.back()).answers.back().type == Type::SOA);
}
