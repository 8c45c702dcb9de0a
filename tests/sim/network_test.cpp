// sim::Network: addresses, topology and routes, cuts, UDP, the packet observer, and
// determinism of a lossy run.
#include <catch2/catch.hpp>

#include <algorithm>
#include <charconv>
#include <optional>
#include <random>
#include <string>

#include "net_fixture.hpp"

using namespace maillab::sim;
using namespace maillab::sim::test;

TEST_CASE("dotted IPv4 addresses parse strictly and format back", "[sim][net][address]") {
  CHECK(parse_address("10.0.0.1") == Address{0x0A000001});
  CHECK(parse_address("0.0.0.0") == Address{0});
  CHECK(parse_address("255.255.255.255") == Address{0xFFFFFFFF});
  CHECK(format_address(0xC0A80001) == "192.168.0.1");
  CHECK(format_address(*parse_address("203.0.113.7")) == "203.0.113.7");
  for (const char* bad : {"", "1.2.3", "1.2.3.4.5", "256.0.0.1", "01.2.3.4", "1.2.3.4 ",
                          " 1.2.3.4", "a.b.c.d", "1..2.3", "-1.2.3.4", "+1.2.3.4", "1.2.3.",
                          "1.2.3.1000", "1.2.3.4\n"}) {
    INFO(bad);
    CHECK_FALSE(parse_address(bad));
  }
}

namespace {

// Implementations written another way (from_chars / to_string), kept as the oracle
// base/ipv4.hpp (inet_pton and a digit-by-digit writer) must agree with.
std::optional<Address> reference_parse(std::string_view dotted) {
  Address a = 0;
  std::size_t pos = 0;
  for (int i = 0; i < 4; ++i) {
    if (i) {
      if (pos >= dotted.size() || dotted[pos] != '.') return std::nullopt;
      ++pos;
    }
    const std::size_t start = pos;
    while (pos < dotted.size() && dotted[pos] >= '0' && dotted[pos] <= '9') ++pos;
    const std::size_t len = pos - start;
    if (len == 0 || len > 3 || (len > 1 && dotted[start] == '0')) return std::nullopt;
    unsigned v = 0;
    std::from_chars(dotted.data() + start, dotted.data() + pos, v);
    if (v > 255) return std::nullopt;
    a = (a << 8) | v;
  }
  if (pos != dotted.size()) return std::nullopt;
  return a;
}

std::string reference_format(Address a) {
  std::string s;
  for (int i = 3; i >= 0; --i) {
    s += std::to_string((a >> (8 * i)) & 0xff);
    if (i) s += '.';
  }
  return s;
}

}  // namespace

TEST_CASE("address parsing and formatting agree with the reference implementations",
          "[sim][net][address]") {
  std::mt19937_64 rng(7);
  // Digits and dots mostly (so that many inputs are valid or nearly so), plus edge bytes.
  const std::string alphabet = std::string("0123456789....") + "\r\n :\t" + std::string(1, '\0') +
                               "\x80\xff-+a/";
  std::size_t valid = 0;
  for (int n = 0; n < 200000; ++n) {
    std::string s;
    if (n % 2) {
      // Near-valid: four random octets, then one random edit.
      s = reference_format(static_cast<Address>(rng()));
      const std::size_t at = rng() % (s.size() + 1);
      switch (rng() % 4) {
        case 0: s.insert(at, 1, alphabet[rng() % alphabet.size()]); break;
        case 1: if (at < s.size()) s.erase(at, 1); break;
        case 2: if (at < s.size()) s[at] = alphabet[rng() % alphabet.size()]; break;
        default: break;
      }
    } else {
      const std::size_t len = rng() % 18;
      for (std::size_t i = 0; i < len; ++i) s += alphabet[rng() % alphabet.size()];
    }
    INFO(s);
    const auto got = parse_address(s);
    REQUIRE(got == reference_parse(s));
    if (got) ++valid;
  }
  CHECK(valid > 10000);  // the comparison covered accepted inputs, not only rejections
  for (const char* edge : {"0.0.0.0", "255.255.255.255", "256.1.1.1", "1.1.1.256", "00.1.1.1",
                           "1.1.1.01", "1.1.1.0", "999.1.1.1", "1.1.1.1000", "0001.1.1.1",
                           "1.1.1.1.", ".1.1.1.1", "1.1..1", "100.200.250.199"}) {
    INFO(edge);
    CHECK(parse_address(edge) == reference_parse(edge));
  }
  for (int n = 0; n < 100000; ++n) {
    const auto a = static_cast<Address>(rng() >> (n % 33));  // small octets too
    REQUIRE(format_address(a) == reference_format(a));
  }
  for (Address a : {Address{0}, Address{0xFFFFFFFF}, Address{0x0A000001}, Address{0x64C80A09},
                    Address{0x09630A64}}) {
    CHECK(format_address(a) == reference_format(a));
  }
}

TEST_CASE("hosts without links form a full mesh; a cut cuts one pair",
          "[sim][net][topology]") {
  Net n;
  CHECK(n.net.path_latency(n.a, n.b) == kLatency);
  CHECK(n.net.path_latency(n.a, n.a) == Time{0});
  CHECK_FALSE(n.net.path_latency(n.a, *parse_address("192.0.2.1")));
  n.net.cut("a", "b");
  CHECK_FALSE(n.net.path_latency(n.a, n.b));
  CHECK_FALSE(n.net.path_latency(n.b, n.a));
  CHECK(n.net.path_latency(n.a, n.c) == kLatency);
  CHECK(n.net.path_latency(n.b, n.c) == kLatency);
  n.net.heal("a", "b");
  CHECK(n.net.path_latency(n.a, n.b) == kLatency);
  n.net.set_default_path(LinkParams{3 * kMillisecond, 0.0, 0});
  CHECK(n.net.path_latency(n.a, n.b) == 3 * kMillisecond);
}

TEST_CASE("with links, routes take the lowest total latency, through routers",
          "[sim][net][topology]") {
  Simulator sim;
  Network net(sim);
  const Address h1 = *parse_address("10.1.0.1"), h2 = *parse_address("10.2.0.1"),
                h3 = *parse_address("10.3.0.1");
  net.add_host("h1", h1);
  net.add_host("h2", h2);
  net.add_host("h3", h3);
  net.add_router("r1");
  net.add_router("r2");
  CHECK(net.path_latency(h1, h2) == 10 * kMillisecond);  // no link yet: full mesh
  net.add_link("h1", "r1", LinkParams{10 * kMillisecond, 0.0, 0});
  net.add_link("r1", "h2", LinkParams{10 * kMillisecond, 0.0, 0});
  net.add_link("h1", "r2", LinkParams{1 * kMillisecond, 0.0, 0});
  net.add_link("r2", "h2", LinkParams{2 * kMillisecond, 0.0, 0});
  CHECK(net.path_latency(h1, h2) == 3 * kMillisecond);
  CHECK(net.path_latency(h2, h1) == 3 * kMillisecond);
  CHECK_FALSE(net.path_latency(h1, h3));  // no link to h3: no path any more
  net.cut("h1", "r2");
  CHECK(net.path_latency(h1, h2) == 20 * kMillisecond);
  net.cut("r1", "h2");
  CHECK_FALSE(net.path_latency(h1, h2));
  net.heal("h1", "r2");
  CHECK(net.path_latency(h1, h2) == 3 * kMillisecond);
  net.heal("r1", "h2");
  net.cut("h1", "h2");  // a pair cut between non-neighbours still separates them
  CHECK_FALSE(net.path_latency(h1, h2));
  net.heal("h1", "h2");

  // A connection follows the route: SYN + SYN-ACK = 2 x 3 ms.
  Time connected = -1;
  net.listen(h2, 25, [](StreamPtr) {});
  StreamPtr keep;
  net.connect(h1, h2, 25, kSecond, [&](ConnectResult r, StreamPtr s) {
    CHECK(r == ConnectResult::Connected);
    connected = sim.now();
    keep = std::move(s);
  });
  sim.run();
  CHECK(connected == 6 * kMillisecond);

  // Between linked nodes a cut names the link: the route goes around it.
  net.add_link("h1", "h2", LinkParams{kMillisecond, 0.0, 0});
  CHECK(net.path_latency(h1, h2) == kMillisecond);
  net.cut("h1", "h2");
  CHECK(net.path_latency(h1, h2) == 3 * kMillisecond);
  net.heal("h1", "h2");
  CHECK(net.path_latency(h1, h2) == kMillisecond);
}

TEST_CASE("the bottleneck bandwidth of a route applies", "[sim][net][topology]") {
  Simulator sim;
  Network net(sim);
  const Address h1 = *parse_address("10.1.0.1"), h2 = *parse_address("10.2.0.1");
  net.add_host("h1", h1);
  net.add_host("h2", h2);
  net.add_router("r");
  net.add_link("h1", "r", LinkParams{kMillisecond, 0.0, 100'000'000});
  net.add_link("r", "h2", LinkParams{kMillisecond, 0.0, 8'000'000});  // 1000 B = 1 ms
  Recorder sr(sim);
  StreamPtr server, client;
  net.listen(h2, 25, [&](StreamPtr s) {
    server = std::move(s);
    server->set_handler(&sr);
  });
  net.connect(h1, h2, 25, kSecond, [&](ConnectResult, StreamPtr s) {
    client = std::move(s);
    client->send(std::string(1000, 'z'));
  });
  sim.run();
  REQUIRE(sr.chunks.size() == 1);
  CHECK(sr.chunks[0].first == 4 * kMillisecond + 2 * kMillisecond + kMillisecond);
}

TEST_CASE("UDP datagrams arrive after the latency or vanish", "[sim][net][udp]") {
  Net n;
  n.observe();
  std::vector<std::tuple<Time, Address, std::uint16_t, std::string>> got;
  n.net.bind_udp(n.b, 53, [&](Address from, std::uint16_t port, std::string_view bytes) {
    got.emplace_back(n.sim.now(), from, port, std::string(bytes));
  });
  const std::uint16_t port = n.net.ephemeral_port(n.a);
  CHECK(port == 49152);
  n.net.send_udp(n.a, port, n.b, 53, "query");
  n.net.send_udp(n.a, port, n.b, 54, "unbound port");
  n.sim.run();
  REQUIRE(got.size() == 1);
  CHECK(got[0] == std::make_tuple(kLatency, n.a, port, std::string("query")));

  n.net.cut("a", "b");
  n.net.send_udp(n.a, port, n.b, 53, "cut");
  n.sim.run();
  CHECK(got.size() == 1);
  CHECK(n.packets.back().dropped);
  n.net.heal("a", "b");

  n.net.set_loss("a", "b", 1.0);
  n.net.send_udp(n.a, port, n.b, 53, "lost");
  n.sim.run();
  CHECK(got.size() == 1);
  n.net.set_loss("a", "b", 0.0);

  n.net.set_host_up(n.b, false);
  n.net.send_udp(n.a, port, n.b, 53, "down");
  n.sim.run();
  n.net.set_host_up(n.b, true);  // the binding died with the software
  n.net.send_udp(n.a, port, n.b, 53, "rebooted");
  n.sim.run();
  CHECK(got.size() == 1);

  n.net.bind_udp(n.b, 53, [&](Address from, std::uint16_t p, std::string_view bytes) {
    got.emplace_back(n.sim.now(), from, p, std::string(bytes));
    n.net.unbind_udp(n.b, 53);  // a handler may unbind itself
  });
  n.net.send_udp(n.a, port, n.b, 53, "again");
  n.net.send_udp(n.a, port, n.b, 53, "after unbind");
  n.sim.run();
  REQUIRE(got.size() == 2);
  CHECK(std::get<3>(got[1]) == "again");
  const Packet& last = n.packets.back();
  CHECK(last.protocol == Protocol::Udp);
  CHECK(last.payload == "after unbind");
}

TEST_CASE("ephemeral ports count per host and wrap", "[sim][net][udp]") {
  Net n;
  CHECK(n.net.ephemeral_port(n.a) == 49152);
  CHECK(n.net.ephemeral_port(n.a) == 49153);
  CHECK(n.net.ephemeral_port(n.b) == 49152);
  for (int i = 49154; i <= 65535; ++i) n.net.ephemeral_port(n.a);
  CHECK(n.net.ephemeral_port(n.a) == 49152);
}

TEST_CASE("the packet observer sees a consistent TCP conversation", "[sim][net][packets]") {
  Net n;
  n.observe();
  Pair p(n);
  p.client->send("hello");
  n.sim.run();
  p.server->send("ok");
  p.server->close();
  n.sim.run();
  p.client->close();
  n.sim.run();
  const auto& k = n.packets;
  REQUIRE(k.size() >= 8);
  const std::uint32_t ci = k[0].seq, si = k[1].seq;
  // handshake
  CHECK((k[0].tcp_flags == 0x02 && k[0].time == 0 && k[0].src == n.a && k[0].dst_port == 25));
  CHECK((k[1].tcp_flags == 0x12 && k[1].ack == ci + 1 && k[1].time == kLatency));
  CHECK((k[2].tcp_flags == 0x10 && k[2].seq == ci + 1 && k[2].ack == si + 1));
  CHECK(k[2].time == 2 * kLatency);
  // data both ways, then FIN from the server, ACK, and the client's FIN
  CHECK((k[3].tcp_flags == 0x18 && k[3].seq == ci + 1 && k[3].ack == si + 1));
  CHECK(k[3].payload == "hello");
  CHECK((k[4].tcp_flags == 0x18 && k[4].seq == si + 1 && k[4].ack == ci + 6));
  CHECK(k[4].payload == "ok");
  CHECK((k[5].tcp_flags == 0x11 && k[5].seq == si + 3));
  CHECK((k[6].tcp_flags == 0x10 && k[6].src == n.a && k[6].ack == si + 4));
  CHECK((k[7].tcp_flags == 0x11 && k[7].src == n.a && k[7].seq == ci + 6));
  for (std::size_t i = 1; i < k.size(); ++i) CHECK(k[i - 1].time <= k[i].time);
  for (const Packet& pk : k) CHECK_FALSE(pk.dropped);
}

namespace {

// A small lossy exchange: every random draw and every packet must repeat with the seed.
std::vector<std::string> lossy_run(std::uint64_t seed) {
  Net n(seed);
  n.observe();
  n.net.set_loss("a", "b", 0.25);
  n.net.set_loss("a", "c", 0.25);
  std::vector<std::unique_ptr<Pair>> pairs;
  for (int i = 0; i < 3; ++i) {
    pairs.push_back(std::make_unique<Pair>(n, static_cast<std::uint16_t>(25 + i)));
    for (int j = 0; j < 20; ++j) pairs.back()->client->send(cat("line ", j));
    pairs.back()->client->close();
  }
  for (int j = 0; j < 20; ++j) n.net.send_udp(n.a, 5353, n.c, 53, cat("q", j));
  n.sim.run();
  for (auto& p : pairs) {
    std::string expected;
    for (int j = 0; j < 20; ++j) expected += cat("line ", j);
    CHECK(p->sr.data == expected);
  }
  return n.log;
}

}  // namespace

TEST_CASE("the same seed gives the same packet log", "[sim][net][determinism]") {
  const auto one = lossy_run(7);
  const auto two = lossy_run(7);
  CHECK(one == two);
  CHECK(one.size() > 100);
  CHECK(lossy_run(8) != one);
}

TEST_CASE("a UDP handler stays bound across datagrams and may rebind itself",
          "[sim][net][udp]") {
  Net n;
  std::vector<std::string> got;
  std::function<void(Address, std::uint16_t, std::string_view)> second =
      [&](Address, std::uint16_t, std::string_view bytes) { got.push_back("2:" + std::string(bytes)); };
  n.net.bind_udp(n.b, 53, [&](Address, std::uint16_t, std::string_view bytes) {
    got.push_back("1:" + std::string(bytes));
    if (bytes == "switch") n.net.bind_udp(n.b, 53, second);  // replaced while running
  });
  const std::uint16_t port = n.net.ephemeral_port(n.a);
  for (const char* m : {"x", "y", "switch", "z"}) {
    n.net.send_udp(n.a, port, n.b, 53, m);
    n.sim.run();
  }
  CHECK(got == std::vector<std::string>{"1:x", "1:y", "1:switch", "2:z"});
}

TEST_CASE("an accept function may keep, replace or remove its listener",
          "[sim][net][stream]") {
  Net n;
  std::vector<std::string> log;
  std::vector<StreamPtr> keep;
  std::vector<ConnectResult> results;
  auto connect = [&] {
    n.net.connect(n.a, n.b, 25, kSecond, [&](ConnectResult r, StreamPtr s) {
      results.push_back(r);
      if (s) keep.push_back(std::move(s));
    });
    n.sim.run();
  };
  n.net.listen(n.b, 25, [&](StreamPtr s) {
    keep.push_back(std::move(s));
    log.push_back("first");
    if (log.size() == 2) {
      n.net.listen(n.b, 25, [&](StreamPtr t) {
        keep.push_back(std::move(t));
        log.push_back("second");
        n.net.unlisten(n.b, 25);
      });
    }
  });
  connect();  // kept
  connect();  // replaced from inside
  connect();  // the replacement unlistens
  connect();  // nobody listens: refused
  CHECK(log == std::vector<std::string>{"first", "first", "second"});
  CHECK(results == std::vector<ConnectResult>{ConnectResult::Connected, ConnectResult::Connected,
                                              ConnectResult::Connected, ConnectResult::Refused});

  // A refused flag cleared from inside the accept function keeps the listener.
  n.net.listen(n.b, 110, [&](StreamPtr s) {
    keep.push_back(std::move(s));
    log.push_back("pop");
    n.net.set_refused(n.b, 110, false);
  });
  for (int i = 0; i < 2; ++i) {
    n.net.connect(n.a, n.b, 110, kSecond, [&](ConnectResult r, StreamPtr s) {
      results.push_back(r);
      if (s) keep.push_back(std::move(s));
    });
    n.sim.run();
  }
  CHECK(log.back() == "pop");
  CHECK(std::count(log.begin(), log.end(), "pop") == 2);
  CHECK(results.back() == ConnectResult::Connected);
}
