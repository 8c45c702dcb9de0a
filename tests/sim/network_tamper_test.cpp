// sim::Network::set_tamper: an on-path rewriter sees the stream bytes between two nodes,
// in both directions, rewrites them in place (the capture shows the rewritten bytes with
// unchanged sequence numbers), and is gone after clear_tamper; other pairs are untouched.
#include <catch2/catch.hpp>

#include <algorithm>

#include "net_fixture.hpp"

using namespace maillab::sim;
using namespace maillab::sim::test;

namespace {

void upper_x(Address, std::uint16_t, Address, std::uint16_t, std::span<char> bytes) {
  std::replace(bytes.begin(), bytes.end(), 'x', 'X');
}

}  // namespace

TEST_CASE("a tamper between two hosts rewrites both directions, in place", "[sim][net][tamper]") {
  Net n;
  n.observe();
  n.net.set_tamper("a", "b", upper_x);
  Pair p(n);
  REQUIRE(p.result == ConnectResult::Connected);
  p.client->send("xyz\r\n");
  p.server->send("250 xx\r\n");
  n.sim.run();
  CHECK(p.sr.data == "Xyz\r\n");
  CHECK(p.cr.data == "250 XX\r\n");
  // The capture shows what crossed the wire after the attacker, same lengths and seqs.
  std::size_t seen = 0;
  for (const Packet& pk : n.packets) {
    if (pk.payload == "Xyz\r\n" || pk.payload == "250 XX\r\n") ++seen;
  }
  CHECK(seen == 2);

  n.net.clear_tamper("b", "a");  // either order names the pair
  p.client->send("xyz\r\n");
  n.sim.run();
  CHECK(p.sr.data == "Xyz\r\nxyz\r\n");
}

TEST_CASE("a tamper on one pair leaves other connections alone", "[sim][net][tamper]") {
  Net n;
  n.net.set_tamper("a", "c", upper_x);
  Pair p(n);  // a -> b
  p.client->send("xyz\r\n");
  n.sim.run();
  CHECK(p.sr.data == "xyz\r\n");
}

TEST_CASE("a tamper on a link rewrites every route over it", "[sim][net][tamper]") {
  Simulator sim(1);
  Network net(sim);
  const Address a = *parse_address("10.0.0.1"), b = *parse_address("10.0.0.2");
  net.add_host("a", a);
  net.add_host("b", b);
  net.add_router("r1");
  net.add_router("r2");
  net.add_link("a", "r1", LinkParams{});
  net.add_link("r1", "r2", LinkParams{});
  net.add_link("r2", "b", LinkParams{});
  net.set_tamper("r2", "r1", upper_x);
  Recorder sr(sim);
  StreamPtr server, client;
  net.listen(b, 25, [&](StreamPtr s) {
    server = std::move(s);
    server->set_handler(&sr);
  });
  net.connect(a, b, 25, 60 * kSecond, [&](ConnectResult, StreamPtr s) { client = std::move(s); });
  sim.run();
  REQUIRE(client);
  client->send("xx\r\n");
  sim.run();
  CHECK(sr.data == "XX\r\n");
}
