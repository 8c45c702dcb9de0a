// Next hops as Postfix writes them (relayhost, transport(5)): what is looked up, where.
#include <catch2/catch.hpp>

#include "protocols/mta/mta_config.hpp"
#include "protocols/mta/next_hop.hpp"

using namespace maillab::mta;

TEST_CASE("next hop syntax: brackets turn the MX lookup off, :port picks the port") {
  struct Row {
    const char* text;
    const char* host;
    int port;
    bool mx_lookup, literal;
  };
  const Row rows[] = {
      {"[smart.a.example]", "smart.a.example", 25, false, false},
      {"[smart.a.example]:587", "smart.a.example", 587, false, false},
      {"smart.a.example", "smart.a.example", 25, true, false},
      {"smart.a.example:2525", "smart.a.example", 2525, true, false},
      {"smtp:[mx.c.example]", "mx.c.example", 25, false, false},
      {"relay:[Mx.C.Example]:26", "mx.c.example", 26, false, false},
      {"[192.0.2.7]:2525", "192.0.2.7", 2525, false, true},
  };
  for (const Row& r : rows) {
    INFO(r.text);
    auto hop = parse_next_hop(r.text);
    REQUIRE(hop);
    CHECK(hop->host == r.host);
    CHECK(hop->port == r.port);
    CHECK(hop->mx_lookup == r.mx_lookup);
    CHECK(hop->literal == r.literal);
  }
  CHECK(parse_next_hop("[smart.a.example]:587")->text() == "[smart.a.example]:587");
  CHECK(parse_next_hop("smtp:[mx.c.example]:25")->text() == "[mx.c.example]");
}

TEST_CASE("next hop syntax: what Postfix would not take is refused with a reason") {
  for (const char* bad : {"", "[]", "[smart.a.example", "[smart.a.example]x", "smart.a.example:",
                          "smart.a.example:0", "smart.a.example:65536", "smart.a.example:2x",
                          "bad host", "192.0.2.7", "lmtp:[x.example]x"}) {
    INFO(bad);
    std::string why;
    CHECK_FALSE(parse_next_hop(bad, &why));
    CHECK_FALSE(why.empty());
  }
}

TEST_CASE("the transport table wins over the relayhost, domain by domain") {
  MtaConfig cfg;
  CHECK_FALSE(configured_next_hop(cfg, "b.example"));
  cfg.relayhost = "[smart.a.example]";
  cfg.transport["c.example"] = "smtp:[mx.c.example]:2525";
  CHECK(configured_next_hop(cfg, "b.example")->host == "smart.a.example");
  auto c = configured_next_hop(cfg, "c.example");
  CHECK(c->host == "mx.c.example");
  CHECK(c->port == 2525);
}
