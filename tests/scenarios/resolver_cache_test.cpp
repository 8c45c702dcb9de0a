// services::Resolver's optional answer cache (MtaConfig::resolver_cache), over the
// simulated network against a real DnsServer: a cached answer comes back without a
// datagram, for as long as the record's TTL, and the cache stays within its bound.
#include <catch2/catch.hpp>

#include "protocols/dns/authority.hpp"
#include "protocols/dns/zone.hpp"
#include "protocols/services/dns_server.hpp"
#include "protocols/services/resolver.hpp"
#include "scenarios/sim_runtime.hpp"

using namespace maillab;

namespace {

struct Lab {
  sim::Simulator sim{1};
  sim::TraceRecorder trace;
  sim::Network net{sim};
  io::MemoryDisk ns_disk, client_disk;
  std::unique_ptr<scenario::SimRuntime> ns, client;
  std::unique_ptr<services::DnsServer> server;
  int datagrams = 0;

  Lab() {
    net.add_host("ns", *sim::parse_address("192.0.2.53"));
    net.add_host("mx", *sim::parse_address("192.0.2.1"));
    ns = std::make_unique<scenario::SimRuntime>(sim, net, trace, "ns", "192.0.2.53", ns_disk);
    client = std::make_unique<scenario::SimRuntime>(sim, net, trace, "mx", "192.0.2.1", client_disk);
    auto auth = std::make_shared<dns::Authority>();
    for (const char* d : {"a.example", "b.example", "c.example"}) {
      std::string text = std::string("$ORIGIN ") + d + ".\n$TTL 60\n@ IN SOA ns.example. h." + d +
                         ". 1 3600 600 604800 300\n@ IN MX 10 mx." + d + ".\nmx IN A 192.0.2.9\n";
      auto z = dns::parse_zone(text);
      REQUIRE(z.ok());
      auth->add_zone(std::move(*z.zone));
    }
    server = std::make_unique<services::DnsServer>(*ns, auth);
    net.set_packet_observer([this](const sim::Packet& p) {
      if (p.protocol == sim::Protocol::Udp && p.dst_port == 53) ++datagrams;
    });
  }

  std::string ask(services::Resolver& r, const std::string& name) {
    std::string got = "none";
    r.lookup(name, dns::Type::MX, [&](const dns::LookupResult& res) {
      got = std::string(dns::to_string(res.outcome));
      for (const auto& rr : res.answers) got += " " + rr.rdata_text();
    });
    sim.run_until(sim.now() + 5'000'000'000LL);
    return got;
  }
};

}  // namespace

TEST_CASE("resolver cache: hits until the TTL runs out, no datagram on a hit") {
  Lab lab;
  services::Resolver r(*lab.client, "192.0.2.53");
  r.enable_cache(16);
  const std::string first = lab.ask(r, "a.example");
  CHECK(first.find("10 mx.a.example.") != std::string::npos);
  CHECK(lab.datagrams == 1);
  CHECK(lab.ask(r, "A.Example") == first);  // names compare case-insensitively
  CHECK(lab.datagrams == 1);
  // The record's TTL is 60 s: 5 s per ask so far; after 60 s the answer is asked again.
  lab.sim.run_until(lab.sim.now() + 60'000'000'000LL);
  CHECK(lab.ask(r, "a.example") == first);
  CHECK(lab.datagrams == 2);
  // Negative answers are not cached.
  const std::string nx(dns::to_string(dns::Outcome::NxDomain));
  CHECK(lab.ask(r, "nowhere.a.example") == nx);
  CHECK(lab.ask(r, "nowhere.a.example") == nx);
  CHECK(lab.datagrams == 4);
}

TEST_CASE("resolver cache: off by default, and bounded") {
  Lab lab;
  services::Resolver plain(*lab.client, "192.0.2.53");
  lab.ask(plain, "a.example");
  lab.ask(plain, "a.example");
  CHECK(lab.datagrams == 2);

  services::Resolver small(*lab.client, "192.0.2.53");
  small.enable_cache(2);
  for (const char* d : {"a.example", "b.example", "c.example"}) lab.ask(small, d);
  CHECK(lab.datagrams == 5);
  // Three names, room for two: asking all three again needs at least one new datagram,
  // and every answer is still right.
  for (const char* d : {"a.example", "b.example", "c.example"}) {
    CHECK(lab.ask(small, d).find(std::string("mx.") + d) != std::string::npos);
  }
  CHECK(lab.datagrams > 5);
  CHECK(lab.datagrams < 8);
}
