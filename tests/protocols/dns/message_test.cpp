// message.hpp / name.hpp: presentation text, round trips, and the exact bytes of
// RFC 1035 4.1.4 compression.
#include "protocols/dns/message.hpp"

#include <catch2/catch.hpp>

#include "protocols/dns/address.hpp"
#include "protocols/dns/name.hpp"

using namespace maillab::dns;

namespace {

std::string bytes(std::initializer_list<int> list) {
  std::string s;
  for (int b : list) s.push_back(static_cast<char>(b));
  return s;
}

Message sample_message() {
  Message m;
  m.id = 0xbeef;
  m.qr = m.aa = m.rd = m.ra = true;
  m.rcode = Rcode::NoError;
  m.questions.push_back({"b.example", Type::MX, kClassIn});
  m.answers.push_back(ResourceRecord::mx("b.example", 3600, 10, "mx1.b.example"));
  m.answers.push_back(ResourceRecord::mx("b.example", 3600, 20, "mx2.b.example"));
  m.answers.push_back(ResourceRecord::target(Type::CNAME, "www.b.example", 60, "b.example"));
  m.answers.push_back(
      ResourceRecord::target(Type::PTR, "21.2.0.192.in-addr.arpa", 60, "mx1.b.example"));
  m.answers.push_back(
      ResourceRecord::txt("b.example", 300, {"v=spf1 -all", "", "quote\" back\\ \x01"}));
  m.answers.push_back(ResourceRecord::aaaa("mx1.b.example", 300, *parse_ipv6("2001:db8::21")));
  m.answers.push_back({"b.example", static_cast<Type>(99), kClassIn, 5, RawData{bytes({1, 2, 3})}});
  m.answers.push_back(ResourceRecord::mx("null.example", 300, 0, ""));
  m.answers.push_back(ResourceRecord::a("a\\.b.example", 300, 0x01020304));
  m.authority.push_back(ResourceRecord::target(Type::NS, "b.example", 3600, "ns.example"));
  m.authority.push_back(ResourceRecord::soa(
      "b.example", 3600, {"ns.example", "hostmaster.b.example", 1, 3600, 600, 604800, 300}));
  m.additional.push_back(ResourceRecord::a("mx1.b.example", 3600, 0xc0000215));
  m.additional.push_back({"", static_cast<Type>(41), 4096, 0, RawData{}});  // EDNS OPT
  return m;
}

}  // namespace

TEST_CASE("names are canonical: lowercase, no trailing dot, escapes", "[dns][name]") {
  CHECK(canonical_name("MX1.B.Example.") == "mx1.b.example");
  CHECK(canonical_name(".") == "");
  CHECK(canonical_name("") == "");
  CHECK(canonical_name("a\\.b.example") == "a\\.b.example");
  CHECK(canonical_name("a\\046b.example") == "a\\.b.example");
  CHECK(canonical_name("sp\\032ace") == "sp\\032ace");
  std::string why;
  CHECK_FALSE(canonical_name("a..b", &why));
  CHECK(why == "empty label");
  CHECK_FALSE(canonical_name(std::string(64, 'a'), &why));
  CHECK(why == "label longer than 63 octets");
  CHECK(canonical_name(std::string(63, 'a')));
  std::string long_name;
  for (int i = 0; i < 4; ++i) long_name += std::string(63, 'a') + ".";  // 4*64+1 = 257
  CHECK_FALSE(canonical_name(long_name, &why));
  CHECK(why == "name longer than 255 octets");
  CHECK_FALSE(canonical_name("a\\999"));

  CHECK(name_in_zone("mx1.b.example", "b.example"));
  CHECK(name_in_zone("b.example", "b.example"));
  CHECK(name_in_zone("anything", ""));
  CHECK_FALSE(name_in_zone("xb.example", "b.example"));
  CHECK_FALSE(name_in_zone("a\\.b.example", "b.example.example"));
  CHECK(name_in_zone("a\\.b.example", "example"));
  CHECK_FALSE(name_in_zone("x.a\\.b", "b"));
  CHECK(parent_name("mx1.b.example") == "b.example");
  CHECK(parent_name("a\\.b.example") == "example");
  CHECK(parent_name("example") == "");
  CHECK(absolute_name("") == ".");
}

TEST_CASE("rdata_text is master-file presentation", "[dns][message]") {
  CHECK(ResourceRecord::a("x", 1, 0xc0000215).rdata_text() == "192.0.2.21");
  CHECK(ResourceRecord::mx("b.example", 1, 10, "mx1.b.example").rdata_text() ==
        "10 mx1.b.example.");
  CHECK(ResourceRecord::mx("b.example", 1, 0, ".").rdata_text() == "0 .");
  CHECK(ResourceRecord::txt("x", 1, {"a b", "q\"\\"}).rdata_text() == "\"a b\" \"q\\\"\\\\\"");
  CHECK(ResourceRecord::soa("b.example", 1, {"ns.example", "hostmaster.b.example", 1, 2, 3, 4, 5})
            .rdata_text() == "ns.example. hostmaster.b.example. 1 2 3 4 5");
  CHECK(ResourceRecord::aaaa("x", 1, *parse_ipv6("2001:DB8:0:0::1")).rdata_text() == "2001:db8::1");
  ResourceRecord raw{"x", static_cast<Type>(99), kClassIn, 1, RawData{bytes({0xab, 1})}};
  CHECK(raw.rdata_text() == "\\# 2 ab01");
  CHECK(raw.to_string() == "x. 1 IN TYPE99 \\# 2 ab01");
  CHECK(ResourceRecord::mx("B.Example.", 3600, 10, "MX1.b.example.").to_string() ==
        "b.example. 3600 IN MX 10 mx1.b.example.");
  CHECK(to_string(Rcode::NxDomain) == "NXDOMAIN");
  CHECK(to_string(static_cast<Rcode>(12)) == "RCODE12");
}

TEST_CASE("addresses parse strictly", "[dns][address]") {
  CHECK(parse_ipv4("192.0.2.21") == 0xc0000215u);
  CHECK_FALSE(parse_ipv4("192.0.2"));
  CHECK_FALSE(parse_ipv4("192.0.2.256"));
  CHECK_FALSE(parse_ipv4("192.0.2.1 "));
  CHECK_FALSE(parse_ipv6("2001:db8::g"));
  CHECK(ipv4_to_string(0xc0000215) == "192.0.2.21");
}

TEST_CASE("encode/decode round trip of every record kind", "[dns][message]") {
  const Message m = sample_message();
  const std::string wire = encode(m);
  REQUIRE_FALSE(wire.empty());
  const DecodeResult r = decode(wire);
  INFO(r.detail);
  REQUIRE(r.ok());
  CHECK(r.message == m);
  CHECK(encode(r.message) == wire);

  const Message q = make_query(7, "MX1.B.Example.", Type::A);
  CHECK(q.rd);
  CHECK(q.questions.at(0).name == "mx1.b.example");
  const auto rq = decode(encode(q));
  REQUIRE(rq.ok());
  CHECK(rq.message == q);
}

TEST_CASE("header flags, opcode and rcode survive the wire", "[dns][message]") {
  for (int bit = 0; bit < 5; ++bit) {
    Message m;
    m.id = static_cast<std::uint16_t>(bit * 1000);
    bool* flags[] = {&m.qr, &m.aa, &m.tc, &m.rd, &m.ra};
    *flags[bit] = true;
    m.opcode = static_cast<std::uint8_t>(bit + 1);
    m.rcode = static_cast<Rcode>(bit + 1);
    const auto r = decode(encode(m));
    REQUIRE(r.ok());
    CHECK(r.message == m);
  }
}

TEST_CASE("compression produces the bytes RFC 1035 4.1.4 describes", "[dns][message]") {
  // Like the RFC's example: F.ISI.ARPA at offset 12, FOO.F.ISI.ARPA as "3 FOO" plus a
  // pointer to 12, and ARPA alone as a pointer to where ARPA's label sits (offset 18).
  Message m;
  m.id = 0x1234;
  m.qr = m.aa = true;
  m.questions.push_back({"f.isi.arpa", Type::A, kClassIn});
  m.answers.push_back(ResourceRecord::a("F.ISI.ARPA", 3600, 0xc0000201));
  m.answers.push_back(ResourceRecord::target(Type::CNAME, "foo.f.isi.arpa", 3600, "arpa"));
  // clang-format off
  const std::string expected = bytes({
      0x12, 0x34, 0x84, 0x00, 0x00, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00,  // header
      1, 'f', 3, 'i', 's', 'i', 4, 'a', 'r', 'p', 'a', 0, 0x00, 0x01, 0x00, 0x01,  // @12
      0xc0, 12, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x0e, 0x10, 0x00, 0x04,   // @28
      192, 0, 2, 1,
      3, 'f', 'o', 'o', 0xc0, 12, 0x00, 0x05, 0x00, 0x01, 0x00, 0x00, 0x0e, 0x10,  // @44
      0x00, 0x02, 0xc0, 18});
  // clang-format on
  CHECK(encode(m) == expected);
  const auto r = decode(expected);
  REQUIRE(r.ok());
  CHECK(r.message.answers.at(1).name == "foo.f.isi.arpa");
  CHECK(std::get<NameData>(r.message.answers.at(1).data).target == "arpa");
}

TEST_CASE("the root name is one zero octet and MX exchanges compress", "[dns][message]") {
  Message m;
  m.answers.push_back(ResourceRecord::mx("b.example", 1, 10, "mx1.b.example"));
  m.answers.push_back(ResourceRecord::target(Type::NS, "", 1, "ns.example"));
  const std::string wire = encode(m);
  // owner b.example at 12 (11 octets), type/class/ttl/rdlength, preference, then
  // "3 mx1" + pointer to 12: RDLENGTH = 2 + 4 + 2 = 8.
  CHECK(wire.substr(12, 11) == bytes({1, 'b', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0}));
  CHECK(wire.substr(31, 2) == bytes({0, 8}));
  CHECK(wire.substr(35, 6) == bytes({3, 'm', 'x', '1', 0xc0, 12}));
  CHECK(wire[41] == 0);  // root owner of the NS record
  CHECK(decode(wire).message == m);
}

TEST_CASE("encode refuses what cannot be on the wire", "[dns][message]") {
  Message m;
  m.answers.push_back({"x", Type::MX, kClassIn, 1, AData{1}});  // data does not match type
  CHECK(encode(m).empty());
  m.answers.clear();
  m.questions.push_back({std::string(64, 'a'), Type::A, kClassIn});
  CHECK(encode(m).empty());
  m.questions.clear();
  m.answers.push_back(ResourceRecord::txt("x", 1, {std::string(256, 'a')}));
  CHECK(encode(m).empty());
  m.answers.clear();
  m.answers.push_back({"x", Type::MX, kClassIn, 1, RawData{bytes({0, 1, 0})}});  // RFC 3597
  CHECK_FALSE(encode(m).empty());
}
