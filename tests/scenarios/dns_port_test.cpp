// `refuse: {service: dns}` as a client of the DNS host sees it: UDP queries go unanswered
// (UDP has no reset), a TCP connection to port 53 is refused; `accept` serves both again.
#include <catch2/catch.hpp>

#include "scenarios/loader.hpp"
#include "scenarios/world.hpp"

using namespace maillab;
using namespace maillab::scenario;

namespace {

const char* kYaml = R"(scenario: dns-port
duration: 1h
hosts:
  ns.example:
    address: 192.0.2.53
    dns:
      zones:
        - |
          $ORIGIN b.example.
          $TTL 3600
          @ SOA ns.example. hostmaster.b.example. 1 3600 600 604800 300
          @ MX 10 mx.b.example.
  client.example:
    address: 192.0.2.10
    mta:
      domains: [client.example]
events:
  - at: 1m
    refuse: {host: ns.example, service: dns}
  - at: 2m
    accept: {host: ns.example, service: dns}
)";

io::ConnectStatus connect_at(World& w, io::Time t) {
  w.run_until(t);
  std::optional<io::ConnectStatus> got;
  w.host("client.example")->runtime->connect("192.0.2.53", 53, 5'000'000'000LL,
                                              [&](io::ConnectStatus st, io::ConnectionPtr c) {
                                                got = st;
                                                if (c) c->abort();
                                              });
  w.run_until(t + 10'000'000'000LL);
  REQUIRE(got);
  return *got;
}

}  // namespace

TEST_CASE("dns port: refused over TCP while `refuse: dns` holds, served before and after") {
  auto loaded = load_scenario_text(kYaml, "dns-port.yaml");
  REQUIRE(std::holds_alternative<Scenario>(loaded));
  const Scenario& s = std::get<Scenario>(loaded);
  auto built = World::build(s, 1);
  REQUIRE(std::holds_alternative<std::unique_ptr<World>>(built));
  World& w = *std::get<std::unique_ptr<World>>(built);
  CHECK(connect_at(w, 10'000'000'000LL) == io::ConnectStatus::Connected);
  CHECK(connect_at(w, 70'000'000'000LL) == io::ConnectStatus::Refused);
  CHECK(connect_at(w, 130'000'000'000LL) == io::ConnectStatus::Connected);
}
