// Authority: RFC 1034 4.3.2 answers, negative answers, referrals, errors and truncation,
// through answer() and through handle() on the wire.
#include "protocols/dns/authority.hpp"

#include <catch2/catch.hpp>
#include <random>

#include "tests/support/dns_zones.hpp"

using namespace maillab::dns;

namespace {

using maillab::test::kZoneB;
using maillab::test::kZoneC;

Zone zone(const char* text) {
  auto r = parse_zone(text);
  INFO(r.error.to_string());
  REQUIRE(r.ok());
  return *r.zone;
}

Authority make_authority() {
  Authority a;
  a.add_zone(zone(kZoneB));
  a.add_zone(zone(kZoneC));
  return a;
}

Message ask(const Authority& a, const std::string& name, Type type) {
  return a.answer(make_query(42, name, type));
}

std::vector<std::string> texts(const std::vector<ResourceRecord>& rrs) {
  std::vector<std::string> out;
  for (const auto& rr : rrs) out.push_back(rr.to_string());
  return out;
}

using Lines = std::vector<std::string>;

}  // namespace

TEST_CASE("MX answers carry the exchanges' addresses", "[dns][authority]") {
  const Authority a = make_authority();
  const Message r = ask(a, "B.Example.", Type::MX);
  CHECK(r.qr);
  CHECK(r.aa);
  CHECK(r.rd);
  CHECK_FALSE(r.ra);
  CHECK(r.id == 42);
  CHECK(r.rcode == Rcode::NoError);
  CHECK(r.questions == make_query(42, "b.example", Type::MX).questions);
  CHECK(texts(r.answers) == Lines{"b.example. 3600 IN MX 10 mx1.b.example.",
                                  "b.example. 3600 IN MX 20 mx2.b.example."});
  CHECK(r.authority.empty());
  CHECK(texts(r.additional) ==
        Lines{"mx1.b.example. 3600 IN A 192.0.2.21", "mx2.b.example. 3600 IN A 192.0.2.22"});
}

TEST_CASE("A, NS and SOA answers", "[dns][authority]") {
  const Authority a = make_authority();
  CHECK(texts(ask(a, "mx1.b.example", Type::A).answers) ==
        Lines{"mx1.b.example. 3600 IN A 192.0.2.21"});
  const Message ns = ask(a, "c.example", Type::NS);
  CHECK(texts(ns.answers) == Lines{"c.example. 300 IN NS ns.c.example."});
  CHECK(texts(ns.additional) == Lines{"ns.c.example. 300 IN A 192.0.2.53"});
  CHECK(ask(a, "b.example", Type::SOA).answers.at(0).type == Type::SOA);
  CHECK(ask(a, "b.example", Type::ANY).answers.size() == 4);
}

TEST_CASE("CNAME chains are followed inside our zones", "[dns][authority]") {
  const Authority a = make_authority();
  SECTION("across two zones to an address") {
    const Message r = ask(a, "www.c.example", Type::A);
    CHECK(r.rcode == Rcode::NoError);
    CHECK(r.aa);
    CHECK(texts(r.answers) == Lines{"www.c.example. 300 IN CNAME web.c.example.",
                                    "web.c.example. 300 IN CNAME mx1.b.example.",
                                    "mx1.b.example. 3600 IN A 192.0.2.21"});
  }
  SECTION("asking for the CNAME itself does not follow it") {
    CHECK(texts(ask(a, "www.c.example", Type::CNAME).answers) ==
          Lines{"www.c.example. 300 IN CNAME web.c.example."});
  }
  SECTION("a target outside our zones ends the chain") {
    const Message r = ask(a, "ext.c.example", Type::MX);
    CHECK(r.rcode == Rcode::NoError);
    CHECK(texts(r.answers) == Lines{"ext.c.example. 300 IN CNAME mail.other.net."});
    CHECK(r.authority.empty());
  }
  SECTION("a dangling target is NXDOMAIN, for the last name (RFC 6604)") {
    const Message r = ask(a, "dangling.c.example", Type::A);
    CHECK(r.rcode == Rcode::NxDomain);
    CHECK(r.answers.size() == 1);
    CHECK(r.authority.at(0).type == Type::SOA);
  }
  SECTION("a loop stops when a name comes back") {
    const Message r = ask(a, "loop1.c.example", Type::A);
    CHECK(r.rcode == Rcode::NoError);
    CHECK(texts(r.answers) == Lines{"loop1.c.example. 300 IN CNAME loop2.c.example.",
                                    "loop2.c.example. 300 IN CNAME loop1.c.example."});
  }
  SECTION("a long chain stops after 8 CNAMEs") {
    const Message r = ask(a, "c1.c.example", Type::A);
    CHECK(r.answers.size() == 8);
    CHECK(r.answers.back().name == "c8.c.example");
    CHECK(ask(a, "c3.c.example", Type::A).answers.back().to_string() ==
          "c10.c.example. 300 IN A 192.0.2.10");
  }
}

TEST_CASE("NXDOMAIN, NODATA and empty non-terminals", "[dns][authority]") {
  const Authority a = make_authority();
  const Message nx = ask(a, "nope.b.example", Type::A);
  CHECK(nx.rcode == Rcode::NxDomain);
  CHECK(nx.aa);
  CHECK(nx.answers.empty());
  // RFC 2308 3: the SOA's TTL is capped by its MINIMUM field (3600 -> 300).
  CHECK(texts(nx.authority) ==
        Lines{"b.example. 300 IN SOA ns.example. hostmaster.b.example. 1 3600 600 604800 300"});

  const Message nodata = ask(a, "mx1.b.example", Type::MX);
  CHECK(nodata.rcode == Rcode::NoError);
  CHECK(nodata.aa);
  CHECK(nodata.answers.empty());
  CHECK(nodata.authority.size() == 1);
  CHECK(nodata.authority[0].type == Type::SOA);

  const Message ent = ask(a, "ent.c.example", Type::A);
  CHECK(ent.rcode == Rcode::NoError);
  CHECK(ent.answers.empty());
  CHECK(ent.authority.at(0).ttl == 60);
  CHECK(ask(a, "x.ent.c.example", Type::A).rcode == Rcode::NxDomain);
  CHECK(ask(a, "deep.ent.c.example", Type::A).answers.size() == 1);
}

TEST_CASE("wildcards synthesise answers for names that do not exist", "[dns][authority]") {
  const Authority a = make_authority();
  const Message r = ask(a, "host.wild.c.example", Type::MX);
  CHECK(r.rcode == Rcode::NoError);
  CHECK(texts(r.answers) == Lines{"host.wild.c.example. 300 IN MX 5 mx1.b.example."});
  CHECK(texts(r.additional) == Lines{"mx1.b.example. 3600 IN A 192.0.2.21"});
  CHECK(ask(a, "a.b.wild.c.example", Type::MX).answers.size() == 1);
  CHECK(ask(a, "host.wild.c.example", Type::A).answers.empty());
  CHECK(ask(a, "wild.c.example", Type::MX).answers.empty());  // an empty non-terminal
  CHECK(ask(a, "wild.c.example", Type::MX).rcode == Rcode::NoError);
}

TEST_CASE("names below a delegation get a referral", "[dns][authority]") {
  const Authority a = make_authority();
  const Message r = ask(a, "host.sub.c.example", Type::A);
  CHECK(r.rcode == Rcode::NoError);
  CHECK_FALSE(r.aa);
  CHECK(r.answers.empty());
  CHECK(texts(r.authority) == Lines{"sub.c.example. 300 IN NS ns.sub.c.example."});
  CHECK(texts(r.additional) == Lines{"ns.sub.c.example. 300 IN A 192.0.2.54"});
  CHECK_FALSE(ask(a, "ns.sub.c.example", Type::A).aa);  // glue is not authoritative
}

TEST_CASE("REFUSED, FORMERR and NOTIMP", "[dns][authority]") {
  const Authority a = make_authority();
  const Message refused = ask(a, "example.org", Type::A);
  CHECK(refused.rcode == Rcode::Refused);
  CHECK_FALSE(refused.aa);
  CHECK(ask(a, "example", Type::A).rcode == Rcode::Refused);  // the parent is not ours

  Message two = make_query(5, "b.example", Type::A);
  two.questions.push_back({"c.example", Type::A, kClassIn});
  CHECK(a.answer(two).rcode == Rcode::FormErr);
  Message none = make_query(5, "b.example", Type::A);
  none.questions.clear();
  CHECK(a.answer(none).rcode == Rcode::FormErr);

  Message status = make_query(6, "b.example", Type::A);
  status.opcode = 2;
  const auto notimp = decode(a.handle(encode(status)));
  REQUIRE(notimp.ok());
  CHECK(notimp.message.rcode == Rcode::NotImp);
  CHECK(notimp.message.opcode == 2);
  CHECK(notimp.message.id == 6);
  CHECK(a.answer(make_query(7, "b.example", static_cast<Type>(252))).rcode == Rcode::NotImp);

  Message chaos = make_query(8, "b.example", Type::TXT);
  chaos.questions[0].klass = 3;
  CHECK(a.answer(chaos).rcode == Rcode::Refused);

  // A query whose body does not decode: FORMERR to the same id; no header: dropped.
  std::string bad = encode(make_query(0x5151, "b.example", Type::A));
  bad[12] = static_cast<char>(0x80);
  const auto formerr = decode(a.handle(bad));
  REQUIRE(formerr.ok());
  CHECK(formerr.message.rcode == Rcode::FormErr);
  CHECK(formerr.message.id == 0x5151);
  CHECK(formerr.message.qr);
  CHECK(formerr.message.questions.empty());
  CHECK(a.handle(bad.substr(0, 11)).empty());

  // A response is never answered (no reflection loops).
  Message response = make_query(9, "b.example", Type::A);
  response.qr = true;
  CHECK(a.handle(encode(response)).empty());
}

TEST_CASE("handle() answers on the wire and truncates with TC", "[dns][authority]") {
  const Authority a = make_authority();
  const std::string query = encode(make_query(77, "b.example", Type::MX));
  const std::string full = a.handle(query);
  const auto r = decode(full);
  REQUIRE(r.ok());
  CHECK(r.message == a.answer(make_query(77, "b.example", Type::MX)));
  CHECK_FALSE(r.message.tc);

  // Just too small: the additional section goes, no TC (RFC 2181 9).
  const auto smaller = decode(a.handle(query, full.size() - 1));
  REQUIRE(smaller.ok());
  CHECK_FALSE(smaller.message.tc);
  CHECK(smaller.message.answers.size() == 2);
  CHECK(smaller.message.additional.empty());
  // Answers do not fit: TC, and only the question remains.
  const auto tiny = decode(a.handle(query, 60));
  REQUIRE(tiny.ok());
  CHECK(tiny.message.tc);
  CHECK(tiny.message.answers.empty());
  CHECK(tiny.message.questions.size() == 1);

  // A big RRset over UDP is truncated; over TCP (65535) it is whole.
  std::string big = "$ORIGIN big.example.\n$TTL 60\n@ SOA ns hm 1 2 3 4 5\n";
  for (int i = 0; i < 20; ++i)
    big += "@ TXT \"" + std::string(50, static_cast<char>('a' + i)) + "\"\n";
  Authority b;
  b.add_zone(zone(big.c_str()));
  const std::string txt_query = encode(make_query(1, "big.example", Type::TXT));
  const auto udp = decode(b.handle(txt_query));
  REQUIRE(udp.ok());
  CHECK(udp.message.tc);
  CHECK(udp.message.answers.empty());
  const std::string tcp_wire = b.handle(txt_query, 65535);
  CHECK(tcp_wire.size() > 512);
  const auto tcp = decode(tcp_wire);
  REQUIRE(tcp.ok());
  CHECK_FALSE(tcp.message.tc);
  CHECK(tcp.message.answers.size() == 20);
}

TEST_CASE("zones can be replaced and removed", "[dns][authority]") {
  Authority a = make_authority();
  a.add_zone(zone("$ORIGIN b.example.\n$TTL 60\n@ SOA ns hm 2 2 3 4 5\n@ MX 0 .\n"));
  CHECK(texts(ask(a, "b.example", Type::MX).answers) == Lines{"b.example. 60 IN MX 0 ."});
  CHECK(ask(a, "b.example", Type::MX).additional.empty());
  CHECK(a.has_zone("b.example"));
  CHECK(a.remove_zone("b.example"));
  CHECK_FALSE(a.remove_zone("b.example"));
  CHECK(ask(a, "b.example", Type::MX).rcode == Rcode::Refused);
  // Out-of-zone data is ignored.
  Authority o;
  o.add_zone(zone("$ORIGIN d.example.\n$TTL 60\n@ SOA ns hm 1 2 3 4 5\nx.other. A 192.0.2.1\n"));
  CHECK(o.answer(make_query(1, "x.other", Type::A)).rcode == Rcode::Refused);
}

TEST_CASE("handle() survives mutated queries", "[dns][authority][fuzz]") {
  const Authority a = make_authority();
  const std::string valid = encode(make_query(3, "www.c.example", Type::A));
  std::mt19937 rng(7);
  int answered = 0;
  for (int i = 0; i < 5000; ++i) {
    std::string w = valid;
    for (int e = 0; e < 3; ++e) {
      const std::size_t at = rng() % w.size();
      if (rng() % 4 == 0) {
        w.resize(at);
        if (w.empty()) break;
      } else {
        w[at] = static_cast<char>(rng());
      }
    }
    const std::string out = a.handle(w);
    if (out.empty()) continue;
    ++answered;
    const auto r = decode(out);
    REQUIRE(r.ok());
    REQUIRE(r.message.qr);
    REQUIRE(out.size() <= 512);
  }
  CHECK(answered > 0);
}

TEST_CASE("an update replaces one name's records of one type and raises the serial (RFC 2136)",
          "[dns][authority][update]") {
  Authority a = make_authority();
  auto records = [](const char* text) {
    auto r = parse_zone(text, ".");
    INFO(r.error.to_string());
    REQUIRE(r.ok());
    return r.zone->records;
  };
  // Two MX replace the two there were; the A records of the same names stay.
  CHECK(a.replace_rrsets(records("b.example. 600 IN MX 5 mx2.b.example.\n")).empty());
  CHECK(texts(ask(a, "b.example", Type::MX).answers) == Lines{"b.example. 600 IN MX 5 mx2.b.example."});
  CHECK(texts(ask(a, "mx1.b.example", Type::A).answers) == Lines{"mx1.b.example. 3600 IN A 192.0.2.21"});
  auto serial = [&](const char* zone) {
    return std::get<SoaData>(ask(a, zone, Type::SOA).answers.at(0).data).serial;
  };
  CHECK(serial("b.example") == 2);
  CHECK(serial("c.example") == 7);
  // A new name appears (and its empty non-terminal parent stops being NXDOMAIN).
  CHECK(a.replace_rrsets(records("_dmarc.x.b.example. 300 IN TXT \"v=DMARC1; p=none\"\n")).empty());
  CHECK(texts(ask(a, "_dmarc.x.b.example", Type::TXT).answers) ==
        Lines{"_dmarc.x.b.example. 300 IN TXT \"v=DMARC1; p=none\""});
  CHECK(ask(a, "x.b.example", Type::A).rcode == Rcode::NoError);
  CHECK(serial("b.example") == 3);
  // All or nothing: one record outside our zones, a SOA, a CNAME beside data, a name
  // below a delegation; nothing changes, the serial stays.
  CHECK_FALSE(a.replace_rrsets(records("b.example. 60 IN MX 1 new.b.example.\nelsewhere.net. 60 IN A 192.0.2.1\n"))
                  .empty());
  CHECK_FALSE(a.replace_rrsets(records("b.example. 60 IN SOA ns. h. 9 1 1 1 1\n")).empty());
  CHECK_FALSE(a.replace_rrsets(records("mx1.b.example. 60 IN CNAME mx2.b.example.\n")).empty());
  CHECK_FALSE(a.replace_rrsets(records("host.sub.c.example. 60 IN A 192.0.2.7\n")).empty());
  CHECK(texts(ask(a, "b.example", Type::MX).answers) == Lines{"b.example. 600 IN MX 5 mx2.b.example."});
  CHECK(serial("b.example") == 3);
  // A CNAME that replaces the name's only data is fine.
  CHECK(a.replace_rrsets(records("web.c.example. 60 IN CNAME mx2.b.example.\n")).empty());
  CHECK(texts(ask(a, "web.c.example", Type::A).answers).at(0) == "web.c.example. 60 IN CNAME mx2.b.example.");
}
