// base/ipv4.hpp and base/ascii.hpp: the one IPv4 parser every layer uses (inet_pton's
// strict dotted quad), its writer, CIDR networks as the loader and mynetworks read them,
// and the locale-free ASCII case rules.
#include <catch2/catch.hpp>

#include <clocale>
#include <string_view>

#include "base/ascii.hpp"
#include "base/ipv4.hpp"

using namespace maillab::base;

TEST_CASE("ipv4: strict dotted quads in, the same form out", "[base][ipv4]") {
  CHECK(parse_ipv4("192.0.2.10") == 0xC000020Au);
  CHECK(parse_ipv4("0.0.0.0") == 0u);
  CHECK(parse_ipv4("255.255.255.255") == 0xFFFFFFFFu);
  for (const char* bad : {"", "1.2.3", "1.2.3.4.5", "1.2.3.256", "01.2.3.4", "1.2.3.04", "1.2.3.-4", "1..3.4",
                          " 1.2.3.4", "1.2.3.4 ", "1.2.3.4/24", "0x1.2.3.4", "1234.1.1.1", "255.255.255.2555"}) {
    INFO(bad);
    CHECK_FALSE(parse_ipv4(bad));
  }
  CHECK_FALSE(parse_ipv4(std::string_view("1.2.3.4\0", 8)));
  CHECK_FALSE(parse_ipv4(std::string_view("1.2.3.4\0.5", 10)));
  for (const char* text : {"0.0.0.0", "9.10.99.100", "192.0.2.10", "255.255.255.255"})
    CHECK(format_ipv4(*parse_ipv4(text)) == text);
}

TEST_CASE("ipv4: CIDR networks, a bare address is a /32", "[base][ipv4]") {
  auto net = Cidr::parse("192.0.2.0/24");
  REQUIRE(net);
  CHECK(net->prefix == 24);
  CHECK(net->contains(0xC00002FFu));
  CHECK_FALSE(net->contains(0xC0000300u));
  CHECK_FALSE(net->host_bits_set());
  auto one = Cidr::parse("198.51.100.7");
  REQUIRE(one);
  CHECK(one->prefix == 32);
  CHECK(one->contains(0xC6336407u));
  CHECK_FALSE(one->contains(0xC6336408u));
  auto all = Cidr::parse("0.0.0.0/0");
  REQUIRE(all);
  CHECK(all->contains(0xFFFFFFFFu));
  auto loose = Cidr::parse("192.0.2.1/24");
  REQUIRE(loose);
  CHECK(loose->host_bits_set());
  CHECK(loose->contains(0xC0000263u));  // compared under the mask
  for (const char* bad : {"192.0.2.0/", "192.0.2.0/33", "192.0.2.0/024", "192.0.2.0/-1", "192.0.2.0/+8",
                          "192.0.2.0/8 ", "192.0.2/24", "/24"}) {
    INFO(bad);
    CHECK_FALSE(Cidr::parse(bad));
  }
}

TEST_CASE("ascii: case rules ignore the locale and octets above 127", "[base][ascii]") {
  std::setlocale(LC_ALL, "C.UTF-8");
  CHECK(ascii_lower("MX.B.Example") == "mx.b.example");
  CHECK(ascii_upper("starttls") == "STARTTLS");
  CHECK(ascii_lower("\xC3\x89T\xC3\x89") == "\xC3\x89t\xC3\x89");  // ÉTÉ: only the T changes
  CHECK(iequals("Content-Type", "content-TYPE"));
  CHECK_FALSE(iequals("Content-Type", "Content-Typ"));
  CHECK_FALSE(iequals("\xC3\x89", "\xC3\xA9"));  // É and é are not ASCII
  CHECK(istarts_with("MAIL FROM:<a@b>", "mail from:"));
  CHECK_FALSE(istarts_with("MAIL", "mail from:"));
  std::setlocale(LC_ALL, "C");
}
