// Authority with many zones (a DNS host serving a thousand domains, as `maillab bench
// mail` builds): the deepest zone holding a name answers, whatever the order the zones
// were added in, and zones can be replaced and removed.
#include <catch2/catch.hpp>
#include <string>

#include "protocols/dns/authority.hpp"
#include "protocols/dns/zone.hpp"

using namespace maillab::dns;

namespace {

Zone zone_for(const std::string& origin, const std::string& address) {
  std::string text = "$ORIGIN " + origin + ".\n$TTL 600\n@ IN SOA ns.example. hostmaster." +
                     origin + ". 1 3600 600 604800 300\n@ IN NS ns.example.\n@ IN MX 10 mx." +
                     origin + ".\nmx IN A " + address + "\n";
  auto r = parse_zone(text);
  INFO(r.error.to_string());
  REQUIRE(r.ok());
  return *r.zone;
}

std::string mx_address(const Authority& a, const std::string& name) {
  const Message r = a.answer(make_query(7, name, Type::MX));
  if (r.rcode != Rcode::NoError || r.additional.empty()) return "rcode " + std::to_string(static_cast<int>(r.rcode));
  return r.additional.front().rdata_text();
}

}  // namespace

TEST_CASE("many zones: the deepest zone holding the name answers", "[dns][authority]") {
  for (bool parent_first : {true, false}) {
    Authority a;
    if (parent_first) a.add_zone(zone_for("example", "192.0.2.1"));
    for (int i = 0; i < 1000; ++i) a.add_zone(zone_for("d" + std::to_string(i) + ".example", "10.0.3.1"));
    a.add_zone(zone_for("sub.d7.example", "192.0.2.77"));
    if (!parent_first) a.add_zone(zone_for("example", "192.0.2.1"));
    CHECK(mx_address(a, "d7.example") == "10.0.3.1");
    CHECK(mx_address(a, "sub.d7.example") == "192.0.2.77");
    CHECK(mx_address(a, "SUB.D7.Example.") == "192.0.2.77");
    CHECK(mx_address(a, "example") == "192.0.2.1");
    // Inside a zone but no such name: NXDOMAIN from that zone, not REFUSED.
    CHECK(a.answer(make_query(7, "x.d999.example", Type::MX)).rcode == Rcode::NxDomain);
    CHECK(a.answer(make_query(7, "other.net", Type::MX)).rcode == Rcode::Refused);
    CHECK(a.has_zone("d999.example"));
    CHECK_FALSE(a.has_zone("d1000.example"));
  }
}

TEST_CASE("many zones: replaced and removed zones", "[dns][authority]") {
  Authority a;
  for (int i = 0; i < 50; ++i) a.add_zone(zone_for("d" + std::to_string(i) + ".example", "10.0.0.1"));
  a.add_zone(zone_for("d3.example", "10.0.0.3"));  // replaces the first d3
  CHECK(mx_address(a, "d3.example") == "10.0.0.3");
  CHECK(a.remove_zone("d2.example"));
  CHECK_FALSE(a.remove_zone("d2.example"));
  CHECK_FALSE(a.has_zone("d2.example"));
  CHECK(a.answer(make_query(7, "d2.example", Type::MX)).rcode == Rcode::Refused);
  // Every other zone still answers after the table was rebuilt.
  for (int i = 0; i < 50; ++i) {
    if (i == 2) continue;
    CHECK(mx_address(a, "d" + std::to_string(i) + ".example") == (i == 3 ? "10.0.0.3" : "10.0.0.1"));
  }
}
