// parse_zone(): the scenario zone, a zone using every supported feature, and errors with
// their exact line:column.
#include "protocols/dns/zone.hpp"

#include <catch2/catch.hpp>

#include "protocols/dns/address.hpp"
#include "tests/support/dns_zones.hpp"

using namespace maillab::dns;

namespace {

using maillab::test::kZoneB;

Zone parse_ok(std::string_view text, std::string origin = "") {
  auto r = parse_zone(text, std::move(origin));
  INFO(r.error.to_string());
  REQUIRE(r.ok());
  return *r.zone;
}

// "line:column: message" of a zone that must fail.
std::string parse_error(std::string_view text, std::string origin = "b.example") {
  auto r = parse_zone(text, std::move(origin));
  REQUIRE_FALSE(r.ok());
  return r.error.to_string();
}

std::vector<std::string> lines_of(const Zone& z) {
  std::vector<std::string> out;
  for (const auto& rr : z.records) out.push_back(rr.to_string());
  return out;
}

}  // namespace

TEST_CASE("the scenario zone parses", "[dns][zone]") {
  const Zone z = parse_ok(kZoneB);
  CHECK(z.origin == "b.example");
  CHECK(lines_of(z) ==
        std::vector<std::string>{
            "b.example. 3600 IN SOA ns.example. hostmaster.b.example. 1 3600 600 604800 300",
            "b.example. 3600 IN NS ns.example.",
            "b.example. 3600 IN MX 10 mx1.b.example.",
            "b.example. 3600 IN MX 20 mx2.b.example.",
            "mx1.b.example. 3600 IN A 192.0.2.21",
            "mx2.b.example. 3600 IN A 192.0.2.22",
        });
  const auto& soa = std::get<SoaData>(z.records[0].data);
  CHECK(soa.serial == 1);
  CHECK(soa.minimum == 300);
  CHECK(std::get<MxData>(z.records[3].data).exchange == "mx2.b.example");
  CHECK(std::get<AData>(z.records[4].data).address == 0xc0000215u);
}

TEST_CASE("a zone using every supported feature", "[dns][zone]") {
  const char* text =
      "; a realistic zone\n"
      "$TTL 1h\n"
      "@\tIN\tSOA\tns1 HostMaster (   ; parentheses span lines\n"
      "        2024060701 ; serial\n"
      "        3h 15m 1w\n"
      "        1D )\n"
      "\n"
      "        NS ns1\n"
      "        NS NS2.Example.NET.\n"
      "        IN 300 MX 10 mail\n"
      "        600 IN MX 20 mail.backup.example.\n"
      "        TXT \"v=spf1 mx -all\"\n"
      "ns1     A 192.0.2.1\n"
      "mail 120 AAAA 2001:db8::25\n"
      "        A 192.0.2.25\n"
      "www     CNAME mail\n"
      "text    TXT \"two words\" unquoted \"quote\\\" and \\\\ and \\065\" \"\"\n"
      "*.wild  MX 5 mail\n"
      "deep.ent A 192.0.2.99\n"
      "$ORIGIN 2.0.192.in-addr.arpa.\n"
      "25      PTR mail.C.Example.\n"
      "odd     TYPE99 \\# 3 ab CDEF\n";
  const Zone z = parse_ok(text, "C.Example.");
  CHECK(z.origin == "c.example");
  CHECK(lines_of(z) == std::vector<std::string>{
                           "c.example. 3600 IN SOA ns1.c.example. hostmaster.c.example. 2024060701 "
                           "10800 900 604800 86400",
                           "c.example. 3600 IN NS ns1.c.example.",
                           "c.example. 3600 IN NS ns2.example.net.",
                           "c.example. 300 IN MX 10 mail.c.example.",
                           "c.example. 600 IN MX 20 mail.backup.example.",
                           "c.example. 3600 IN TXT \"v=spf1 mx -all\"",
                           "ns1.c.example. 3600 IN A 192.0.2.1",
                           "mail.c.example. 120 IN AAAA 2001:db8::25",
                           "mail.c.example. 3600 IN A 192.0.2.25",
                           "www.c.example. 3600 IN CNAME mail.c.example.",
                           "text.c.example. 3600 IN TXT \"two words\" \"unquoted\" \"quote\\\" and "
                           "\\\\ and A\" \"\"",
                           "*.wild.c.example. 3600 IN MX 5 mail.c.example.",
                           "deep.ent.c.example. 3600 IN A 192.0.2.99",
                           "25.2.0.192.in-addr.arpa. 3600 IN PTR mail.c.example.",
                           "odd.2.0.192.in-addr.arpa. 3600 IN TYPE99 \\# 3 abcdef",
                       });
}

TEST_CASE("TTL defaults follow RFC 1035 and RFC 2308", "[dns][zone]") {
  // Without $TTL: the SOA takes its minimum, later records the last explicit TTL.
  const Zone z = parse_ok(
      "@ IN SOA ns hm 1 2 3 4 77\n"
      "a 500 A 192.0.2.1\n"
      "b A 192.0.2.2\n",
      "d.example");
  CHECK(z.records[0].ttl == 77);
  CHECK(z.records[1].ttl == 500);
  CHECK(z.records[2].ttl == 500);
  // With $TTL, an omitted TTL is $TTL, not the last explicit one.
  const Zone z2 = parse_ok("$TTL 60\na 500 A 192.0.2.1\nb A 192.0.2.2\n", "d.example");
  CHECK(z2.records[1].ttl == 60);
  CHECK(z2.origin == "d.example");
}

TEST_CASE("identical records are kept once; origin falls back to $ORIGIN", "[dns][zone]") {
  const Zone z =
      parse_ok("$ORIGIN e.example.\n$TTL 5\na A 192.0.2.1\na. A 192.0.2.1\na A 192.0.2.1\n");
  CHECK(z.origin == "e.example");
  CHECK(z.records.size() == 2);
  CHECK(z.records[1].name == "a");
  CHECK(parse_ok("").records.empty());
  CHECK(parse_ok("; only a comment\n\n   \n").origin.empty());
}

TEST_CASE("zone errors say where, what was expected and what was found", "[dns][zone]") {
  const std::string head = "$TTL 3600\n@ IN SOA ns hm 1 2 3 4 5\n";  // lines 1-2
  CHECK(
      parse_error(head + "mx1  IN FOO 192.0.2.1\n") ==
      "3:9: unknown record type 'FOO': expected A, AAAA, NS, CNAME, MX, SOA, TXT, PTR or TYPEnnn");
  CHECK(parse_error(head + "mx1 IN A 192.0.2\n") ==
        "3:10: expected an IPv4 address, found '192.0.2'");
  CHECK(parse_error(head + "mx1 IN A   ; nothing\n") ==
        "3:21: expected an IPv4 address, found end of line");
  CHECK(parse_error(head + "mx1 IN\n") == "3:7: expected a record type, found end of line");
  CHECK(parse_error(head + "mx1 IN A 192.0.2.1 extra\n") ==
        "3:20: expected end of line after the A data, found 'extra'");
  CHECK(parse_error(head + "@ MX 70000 mx1\n") ==
        "3:6: expected an MX preference (0-65535), found '70000'");
  CHECK(parse_error(head + "@ MX ten mx1\n") ==
        "3:6: expected an MX preference (0-65535), found 'ten'");
  CHECK(parse_error(head + "@ CH A 192.0.2.1\n") ==
        "3:3: class 'CH' is not supported: expected IN");
  CHECK(parse_error(head + "@ 99999999999 A 192.0.2.1\n") ==
        "3:3: expected a TTL (at most 2147483647 seconds), found '99999999999'");
  CHECK(parse_error(head + "@ NS \"ns\"\n") ==
        "3:6: expected the NS target name, found quoted string \"ns\"");
  CHECK(parse_error(head + std::string(64, 'a') + " A 192.0.2.1\n") ==
        "3:1: expected an owner name, found '" + std::string(64, 'a') +
            "' (label longer than 63 octets)");
  CHECK(parse_error(head + "x TXT \"" + std::string(256, 'a') + "\"\n") ==
        "3:7: expected a TXT string of at most 255 octets, found one of 256 (split it into several "
        "strings)");
  CHECK(parse_error(head + "@ SOA ns hm 2 2 3 4 5\n") ==
        "3:3: second SOA record (the first is at line 2): expected exactly one SOA per zone");
  CHECK(parse_error(head + "$INCLUDE other.zone\n") ==
        "3:1: $INCLUDE is not supported: the zone parser reads no files, put the records in the "
        "zone text");
  CHECK(parse_error(head + "$GENERATE 1-9 x A 1.2.3.4\n") ==
        "3:1: unknown directive '$GENERATE': expected $ORIGIN or $TTL");
  CHECK(parse_error(head + "x TYPE99 \\# 2 abcdef\n") ==
        "3:15: expected 2 octets of hex RDATA, found 6 hex digits");
}

TEST_CASE("zone layout errors: parentheses, quotes, owners, TTLs, origins", "[dns][zone]") {
  CHECK(parse_error("$TTL 1\n@ SOA ns hm ( 1 2\n 3 4 5\n") ==
        "2:13: '(' is never closed: expected ')' before the end of the input");
  CHECK(parse_error("$TTL 1\n@ A 192.0.2.1 )\n") == "2:15: found ')' without a matching '('");
  CHECK(parse_error("$TTL 1\n@ SOA ( ns ( hm\n") == "2:12: nested '(': expected ')' first");
  CHECK(parse_error("$TTL 1\n@ TXT \"open\n") ==
        "2:7: unterminated quoted string: expected '\"' before the end of the line");
  CHECK(parse_error("$TTL 1\n  A 192.0.2.1\n") ==
        "2:1: line starts with a blank but no owner name came before: expected an owner name in "
        "column 1");
  CHECK(parse_error("a A 192.0.2.1\n") ==
        "1:1: no TTL for this record: expected a TTL field or a $TTL line before it");
  CHECK(parse_error("$TTL 1\nmx1 A 192.0.2.1\n", "") ==
        "2:1: relative name 'mx1' needs an origin: expected a $ORIGIN line before it, or an "
        "absolute name ending in '.'");
  CHECK(parse_error("$TTL 1h1x\n") ==
        "1:6: expected a TTL after $TTL (seconds, or units like 1h), found '1h1x'");
  CHECK(parse_error("$ORIGIN\n") == "1:8: expected a domain name after $ORIGIN, found end of line");
  CHECK(parse_error("$TTL 1\nx A 1.2.3.4\\") ==
        "2:13: expected a character after '\\', found the end of the input");
}

TEST_CASE("CNAME and other data at one name is an error at the later record", "[dns][zone]") {
  const std::string head = "$TTL 3600\n@ IN SOA ns hm 1 2 3 4 5\n";
  CHECK(parse_error(head + "www CNAME @\nwww A 192.0.2.1\n") ==
        "4:5: A at 'www.b.example.' conflicts with the CNAME at line 3: a CNAME cannot share its "
        "name "
        "with other data (RFC 1034 3.6.2)");
  CHECK(parse_error(head + "www A 192.0.2.1\n    MX 10 @\nwww CNAME @\n") ==
        "5:5: CNAME at 'www.b.example.' conflicts with the A at line 3: a CNAME cannot share its "
        "name "
        "with other data (RFC 1034 3.6.2)");
  CHECK(parse_error(head + "www CNAME a\nwww CNAME b\n") ==
        "4:5: second CNAME at 'www.b.example.' (the first is at line 3): a name has at most one "
        "CNAME");
  CHECK(parse_error(head + "@ CNAME other.example.\n") ==
        "3:3: CNAME at 'b.example.' conflicts with the SOA at line 2: a CNAME cannot share its "
        "name with "
        "other data (RFC 1034 3.6.2)");
  // The same CNAME twice is a duplicate, not a conflict.
  CHECK(parse_ok(head + "www CNAME a\nwww CNAME a\n", "b.example").records.size() == 2);
}
