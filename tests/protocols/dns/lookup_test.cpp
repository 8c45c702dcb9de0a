// Lookup paired in memory with Authority (and with fake servers for what Authority never
// says): answers, negative answers, failures, retries, spoofing, CNAME chasing.
#include "protocols/dns/lookup.hpp"

#include <catch2/catch.hpp>
#include <functional>

#include "protocols/dns/authority.hpp"
#include "tests/support/dns_zones.hpp"

using namespace maillab::dns;
using namespace std::chrono_literals;

namespace {

using maillab::test::kZoneB;

constexpr const char* kZoneC = R"($ORIGIN c.example.
$TTL 300
@         SOA ns hostmaster 7 3600 600 604800 60
ext       CNAME mail.other.net.
dangling  CNAME nothere
loop1     CNAME loop2
loop2     CNAME loop1
away      CNAME back.other.net.
sub       NS ns.sub
c1 CNAME c2
c2 CNAME c3
c3 CNAME c4
c4 CNAME c5
c5 CNAME c6
c6 CNAME c7
c7 CNAME c8
c8 CNAME c9
c9 CNAME c10
c10 A 192.0.2.10
)";

constexpr const char* kZoneOther = R"($ORIGIN other.net.
$TTL 60
@     SOA ns hostmaster 1 3600 600 604800 60
mail  A 198.51.100.25
back  CNAME away.c.example.
)";

Authority authority(std::initializer_list<const char*> zones) {
  Authority a;
  for (const char* text : zones) {
    auto r = parse_zone(text);
    REQUIRE(r.ok());
    a.add_zone(*r.zone);
  }
  return a;
}

using Server = std::function<std::string(std::string_view)>;  // "" = no response

// Drives `lookup` like a driver would: send what it offers, deliver the answer or fire
// the timer; a query for TCP goes to `tcp` (none: the connection fails). Returns the
// datagrams sent.
std::vector<std::string> run(Lookup& lookup, const Server& server, const Server& tcp = nullptr) {
  std::vector<std::string> sent;
  for (int step = 0; step < 64 && !lookup.done(); ++step) {
    if (auto query = lookup.take_stream_query()) {
      if (!tcp) {
        lookup.on_stream_failed("connection refused");
        continue;
      }
      const std::string reply = tcp(*query);
      if (reply.empty()) {
        lookup.on_timeout();
      } else {
        lookup.receive(reply, Transport::Tcp);
      }
      continue;
    }
    auto datagram = lookup.take_datagram();
    if (!datagram) {
      lookup.on_timeout();
      continue;
    }
    sent.push_back(*datagram);
    const std::string reply = server(*datagram);
    if (reply.empty()) {
      lookup.on_timeout();
    } else {
      lookup.receive(reply);
    }
  }
  REQUIRE(lookup.done());
  return sent;
}

Server serve(const Authority& a) {
  return [&a](std::string_view q) { return a.handle(q); };
}

// A fake server answering every query with `rcode` (and TC when asked).
Server fixed(Rcode rcode, bool tc = false) {
  return [=](std::string_view q) {
    Message reply = make_reply(decode(q).message, rcode);
    reply.tc = tc;
    return encode(reply);
  };
}

}  // namespace

TEST_CASE("a lookup gets an MX answer with the exchanges' addresses", "[dns][lookup]") {
  const Authority a = authority({kZoneB});
  Lookup lookup("B.Example.", Type::MX, 100);
  CHECK(lookup.timeout() == 5000ms);
  const auto sent = run(lookup, serve(a));
  CHECK(sent.size() == 1);
  const auto query = decode(sent[0]);
  REQUIRE(query.ok());
  CHECK(query.message.id == 100);
  CHECK(query.message.rd);
  const LookupResult& r = lookup.result();
  CHECK(r.outcome == Outcome::Answer);
  CHECK(r.canonical_name == "b.example");
  REQUIRE(r.answers.size() == 2);
  CHECK(std::get<MxData>(r.answers[0].data).exchange == "mx1.b.example");
  CHECK(r.additional.size() == 2);
  CHECK(lookup.timeout() == 0ms);
  CHECK_FALSE(lookup.take_datagram());
}

TEST_CASE("NXDOMAIN, NODATA, SERVFAIL, REFUSED and FORMERR stay apart", "[dns][lookup]") {
  const Authority a = authority({kZoneB, kZoneC});
  auto outcome = [&](const std::string& name, Type type, const Server& server) {
    Lookup lookup(name, type, 1);
    run(lookup, server);
    return lookup.result();
  };
  CHECK(outcome("nope.b.example", Type::MX, serve(a)).outcome == Outcome::NxDomain);
  CHECK(outcome("nope.b.example", Type::MX, serve(a)).detail ==
        "nope.b.example. does not exist (NXDOMAIN)");
  CHECK(outcome("mx1.b.example", Type::MX, serve(a)).outcome == Outcome::NoData);
  CHECK(outcome("b.example", Type::AAAA, serve(a)).detail == "no AAAA record for b.example.");
  CHECK(outcome("b.example", Type::MX, fixed(Rcode::ServFail)).outcome == Outcome::ServFail);
  CHECK(outcome("example.org", Type::MX, serve(a)).outcome == Outcome::Refused);
  CHECK(outcome("b.example", Type::MX, fixed(Rcode::NotImp)).outcome == Outcome::ServFail);
  CHECK(outcome("b.example", Type::MX, fixed(static_cast<Rcode>(12))).detail ==
        "the server answered RCODE12 for b.example. MX");
  // A FORMERR without a question section still counts.
  const auto formerr = outcome("b.example", Type::MX, [](std::string_view q) {
    Message reply = make_reply(decode(q).message, Rcode::FormErr);
    reply.questions.clear();
    return encode(reply);
  });
  CHECK(formerr.outcome == Outcome::FormErr);
  // TC over UDP and TCP refused: a temporary failure.
  const auto truncated = outcome("b.example", Type::MX, fixed(Rcode::NoError, true));
  CHECK(truncated.outcome == Outcome::ServFail);
  CHECK(truncated.detail ==
        "truncated response for b.example. MX and no answer over TCP: connection refused");
  // A referral from a server that does not recurse is a failure, not NODATA.
  CHECK(outcome("x.sub.c.example", Type::A, serve(a)).outcome == Outcome::ServFail);
}

TEST_CASE("a truncated UDP answer is asked again over TCP (RFC 7766)", "[dns][lookup][tcp]") {
  // 40 MX records with long names: far over 512 octets.
  std::string zone = "$ORIGIN big.example.\n$TTL 3600\n@ SOA ns hostmaster 1 3600 600 604800 60\n";
  for (int i = 0; i < 40; ++i) {
    zone += "@ MX " + std::to_string(i) + " a-rather-long-mail-exchanger-name-" + std::to_string(i) + ".big.example.\n";
  }
  auto parsed = parse_zone(zone);
  REQUIRE(parsed.ok());
  Authority a;
  a.add_zone(*parsed.zone);
  const Server udp = [&a](std::string_view q) { return a.handle(q); };
  const Server tcp = [&a](std::string_view q) { return a.handle(q, 65535); };
  REQUIRE(decode(udp(encode(make_query(1, "big.example", Type::MX)))).message.tc);

  SECTION("the TCP answer is the whole set") {
    Lookup lookup("big.example", Type::MX, 9);
    const auto sent = run(lookup, udp, tcp);
    CHECK(sent.size() == 1);
    CHECK(lookup.sent() == 2);  // the datagram, then the same query over TCP
    CHECK(lookup.result().outcome == Outcome::Answer);
    CHECK(lookup.result().answers.size() == 40);
  }
  SECTION("the stream query is the datagram; late UDP answers no longer count") {
    Lookup lookup("big.example", Type::MX, 9);
    const auto datagram = lookup.take_datagram();
    REQUIRE(datagram);
    lookup.receive(udp(*datagram));
    CHECK_FALSE(lookup.done());
    CHECK(lookup.over_tcp());
    CHECK_FALSE(lookup.take_datagram());
    lookup.receive(udp(*datagram));  // a duplicate of the truncated answer
    CHECK(lookup.ignored() == 1);
    const auto query = lookup.take_stream_query();
    REQUIRE(query);
    CHECK(*query == *datagram);
    CHECK_FALSE(lookup.take_stream_query());  // once
    lookup.receive(udp(*datagram));
    CHECK(lookup.ignored() == 2);
    CHECK_FALSE(lookup.done());
    lookup.receive(tcp(*query), Transport::Tcp);
    CHECK(lookup.result().outcome == Outcome::Answer);
  }
  SECTION("no answer over TCP: Timeout, with no retry") {
    Lookup lookup("big.example", Type::MX, 9);
    run(lookup, udp, [](std::string_view) { return std::string(); });
    CHECK(lookup.result().outcome == Outcome::Timeout);
    CHECK(lookup.sent() == 2);
    CHECK(lookup.result().detail.find("no answer over TCP within 5000 ms") != std::string::npos);
  }
  SECTION("TC even over TCP: ServFail") {
    Lookup lookup("big.example", Type::MX, 9);
    run(lookup, udp, fixed(Rcode::NoError, true));
    CHECK(lookup.result().outcome == Outcome::ServFail);
    CHECK(lookup.result().detail == "truncated: the response had TC set even over TCP");
  }
  SECTION("a TCP answer before any truncated UDP answer does not count") {
    Lookup lookup("big.example", Type::MX, 9);
    const auto datagram = lookup.take_datagram();
    lookup.receive(tcp(*datagram), Transport::Tcp);
    CHECK_FALSE(lookup.done());
    CHECK(lookup.ignored() == 1);
  }
}

TEST_CASE("timeout after every attempt; a retry can succeed", "[dns][lookup]") {
  const Authority a = authority({kZoneB});
  SECTION("silence: two sends of the same datagram, then Timeout") {
    Lookup lookup("b.example", Type::MX, 7);
    const auto sent = run(lookup, [](std::string_view) { return std::string(); });
    CHECK(sent.size() == 2);
    CHECK(sent[0] == sent[1]);
    CHECK(lookup.result().outcome == Outcome::Timeout);
    CHECK(lookup.result().detail == "no response for b.example. MX after 2 attempt(s) of 5000 ms");
  }
  SECTION("attempts:3 timeout:1") {
    Lookup lookup("b.example", Type::MX, 7, ResolverConfig{1000ms, 3, 8});
    CHECK(lookup.timeout() == 1000ms);
    CHECK(run(lookup, [](std::string_view) { return std::string(); }).size() == 3);
    CHECK(lookup.sent() == 3);
  }
  SECTION("the first datagram is lost, the second answered") {
    Lookup lookup("b.example", Type::MX, 7);
    int n = 0;
    const auto sent =
        run(lookup, [&](std::string_view q) { return ++n == 1 ? std::string() : a.handle(q); });
    CHECK(sent.size() == 2);
    CHECK(lookup.result().outcome == Outcome::Answer);
  }
  SECTION("a late answer to the first send counts during the second") {
    Lookup lookup("b.example", Type::MX, 7);
    const std::string first = *lookup.take_datagram();
    lookup.on_timeout();
    REQUIRE(lookup.take_datagram());
    lookup.receive(a.handle(first));
    CHECK(lookup.done());
    CHECK(lookup.result().outcome == Outcome::Answer);
  }
}

TEST_CASE("responses that do not match are ignored", "[dns][lookup][spoofing]") {
  const Authority a = authority({kZoneB});
  Lookup lookup("b.example", Type::MX, 0x1000);
  const std::string early = a.handle(encode(make_query(0x1000, "b.example", Type::MX)));
  lookup.receive(early);  // nothing sent yet
  CHECK(lookup.ignored() == 1);
  const std::string query = *lookup.take_datagram();

  Message reply = a.answer(decode(query).message);
  Message wrong_id = reply;
  wrong_id.id = 0x1001;
  Message wrong_name = reply;
  wrong_name.questions[0].name = "evil.example";
  Message wrong_type = reply;
  wrong_type.questions[0].type = Type::A;
  Message not_a_response = reply;
  not_a_response.qr = false;
  Message no_question = reply;
  no_question.questions.clear();
  for (const Message& m : {wrong_id, wrong_name, wrong_type, not_a_response, no_question}) {
    lookup.receive(encode(m));
  }
  lookup.receive("garbage");
  lookup.receive(encode(reply).substr(0, 30));
  CHECK_FALSE(lookup.done());
  CHECK(lookup.ignored() == 8);

  lookup.receive(encode(reply));
  CHECK(lookup.done());
  CHECK(lookup.result().outcome == Outcome::Answer);
  lookup.receive(encode(wrong_id));  // after the end: no effect
  CHECK(lookup.result().outcome == Outcome::Answer);
}

TEST_CASE("CNAMEs are chased, across a second query when needed", "[dns][lookup][cname]") {
  const Authority c = authority({kZoneB, kZoneC});
  const Authority other = authority({kZoneOther});
  // Two servers behind one address, like a forwarder that does not follow CNAMEs.
  const Server both = [&](std::string_view q) {
    const auto name = decode(q).message.questions.at(0).name;
    return name.size() >= 9 && name.compare(name.size() - 9, 9, "other.net") == 0 ? other.handle(q)
                                                                                  : c.handle(q);
  };
  SECTION("the target is answered by a second query with the next id") {
    Lookup lookup("ext.c.example", Type::A, 0xffff);
    const auto sent = run(lookup, both);
    REQUIRE(sent.size() == 2);
    CHECK(decode(sent[0]).message.id == 0xffff);
    CHECK(decode(sent[1]).message.id == 0);
    CHECK(decode(sent[1]).message.questions.at(0).name == "mail.other.net");
    const auto& r = lookup.result();
    CHECK(r.outcome == Outcome::Answer);
    CHECK(r.canonical_name == "mail.other.net");
    REQUIRE(r.answers.size() == 1);
    CHECK(r.answers[0].to_string() == "mail.other.net. 60 IN A 198.51.100.25");
  }
  SECTION("a chain inside one response needs one query") {
    Lookup lookup("c3.c.example", Type::A, 1);
    CHECK(run(lookup, both).size() == 1);
    CHECK(lookup.result().canonical_name == "c10.c.example");
    CHECK(lookup.result().outcome == Outcome::Answer);
  }
  SECTION("a dangling CNAME is NXDOMAIN for the target") {
    Lookup lookup("dangling.c.example", Type::MX, 1);
    run(lookup, both);
    CHECK(lookup.result().outcome == Outcome::NxDomain);
    CHECK(lookup.result().canonical_name == "nothere.c.example");
  }
  SECTION("a loop inside one response") {
    Lookup lookup("loop1.c.example", Type::A, 1);
    run(lookup, both);
    CHECK(lookup.result().outcome == Outcome::CnameLoop);
    CHECK(lookup.result().detail == "CNAME loop: loop2.c.example. points back to loop1.c.example.");
  }
  SECTION("a loop across two servers") {
    Lookup lookup("away.c.example", Type::A, 1);
    CHECK(run(lookup, both).size() == 2);
    CHECK(lookup.result().outcome == Outcome::CnameLoop);
  }
  SECTION("a chain longer than max_cname_depth") {
    Lookup lookup("c1.c.example", Type::A, 1);  // 9 CNAMEs; the server stops after 8
    CHECK(run(lookup, both).size() == 2);
    CHECK(lookup.result().outcome == Outcome::CnameLoop);
    CHECK(lookup.result().detail == "more than 8 CNAMEs after c1.c.example.");
    Lookup longer("c1.c.example", Type::A, 1, ResolverConfig{5000ms, 2, 9});
    run(longer, both);
    CHECK(longer.result().outcome == Outcome::Answer);
    CHECK(longer.result().canonical_name == "c10.c.example");
  }
  SECTION("asking for the CNAME itself") {
    Lookup lookup("ext.c.example", Type::CNAME, 1);
    CHECK(run(lookup, both).size() == 1);
    CHECK(lookup.result().outcome == Outcome::Answer);
    CHECK(lookup.result().canonical_name == "ext.c.example");
  }
}

TEST_CASE("an invalid name ends the lookup at once", "[dns][lookup]") {
  Lookup lookup(std::string(64, 'a') + ".example", Type::A, 1);
  CHECK(lookup.done());
  CHECK_FALSE(lookup.take_datagram());
  CHECK(lookup.result().outcome == Outcome::FormErr);
  lookup.on_timeout();
  CHECK(lookup.result().outcome == Outcome::FormErr);
}

TEST_CASE("queries carry EDNS(0) with 1232 octets, so a large MX set needs no TCP",
          "[dns][lookup][edns]") {
  std::string z = "$ORIGIN big.example.\n$TTL 60\n@ SOA ns.example. h.big.example. 1 1 1 1 1\n";
  for (int i = 0; i < 16; ++i) {
    z += "@ MX " + std::to_string(i) + " a-rather-long-exchange-name-" + std::to_string(i) +
         ".big.example.\n";
  }
  auto parsed = parse_zone(z);
  REQUIRE(parsed.ok());
  Authority a;
  a.add_zone(*parsed.zone);
  Lookup lookup("big.example", Type::MX, 7);
  const auto sent = run(lookup, serve(a));  // no TCP server: TC would fail the lookup
  REQUIRE(sent.size() == 1);
  const auto query = decode(sent[0]);
  REQUIRE(query.ok());
  REQUIRE(query.message.additional.size() == 1);
  CHECK(query.message.additional[0].type == Type::OPT);
  CHECK(query.message.additional[0].klass == 1232);
  CHECK_FALSE(lookup.over_tcp());
  CHECK(lookup.result().outcome == Outcome::Answer);
  CHECK(lookup.result().answers.size() == 16);
  CHECK(lookup.result().additional.empty());  // the server's OPT is not a record

  ResolverConfig plain;
  plain.edns_payload = 0;
  Lookup old("big.example", Type::MX, 8, plain);
  const auto sent_plain =
      run(old, serve(a), [&a](std::string_view q) { return a.handle(q, Authority::kTcpSize); });
  CHECK(decode(sent_plain[0]).message.additional.empty());
  CHECK(old.over_tcp());  // 512 octets: truncated, asked again over TCP
  CHECK(old.result().answers.size() == 16);
}

TEST_CASE("a server that answers FORMERR to EDNS is asked again without it",
          "[dns][lookup][edns]") {
  const Authority a = authority({kZoneB});
  // An old server: FORMERR to anything with an additional record, answers otherwise.
  Server old = [&a](std::string_view q) {
    const auto d = decode(q);
    if (!d.message.additional.empty()) return encode(make_reply(d.message, Rcode::FormErr));
    return a.handle(q);
  };
  Lookup lookup("b.example", Type::MX, 20);
  const auto sent = run(lookup, old);
  REQUIRE(sent.size() == 2);
  CHECK(decode(sent[0]).message.additional.size() == 1);
  CHECK(decode(sent[1]).message.additional.empty());
  CHECK(lookup.result().outcome == Outcome::Answer);
  CHECK(lookup.result().answers.size() == 2);
}
