// sim::Network streams: handshake timing, refusals, timeouts, data timing and order,
// loss, cuts and heals, FIN/RST, hosts going down, and handler lifetime rules.
#include <catch2/catch.hpp>

#include "net_fixture.hpp"

using namespace maillab::sim;
using namespace maillab::sim::test;

TEST_CASE("connect completes after exactly one round trip", "[sim][net][stream]") {
  Net n;
  Time accepted = -1, done_at = -1;
  StreamPtr server, client;
  std::optional<ConnectResult> result;
  n.net.listen(n.b, 25, [&](StreamPtr s) {
    accepted = n.sim.now();
    server = std::move(s);
  });
  n.net.connect(n.a, n.b, 25, 30 * kSecond, [&](ConnectResult r, StreamPtr s) {
    result = r;
    done_at = n.sim.now();
    client = std::move(s);
  });
  CHECK_FALSE(result);  // never from inside connect()
  n.sim.run();
  CHECK(accepted == kLatency);
  CHECK(done_at == 2 * kLatency);
  REQUIRE(result == ConnectResult::Connected);
  REQUIRE(client);
  REQUIRE(server);
  CHECK(client->is_open());
  CHECK(client->local_address() == n.a);
  CHECK(client->local_port() == 49152);
  CHECK(client->peer_address() == n.b);
  CHECK(client->peer_port() == 25);
  CHECK(server->local_port() == 25);
  CHECK(server->peer_port() == 49152);
  CHECK(n.sim.pending() == 0);  // the SYN retry and the timeout were cancelled
}

TEST_CASE("data arrives one latency after send, in order", "[sim][net][stream]") {
  Net n;
  Pair p(n);
  REQUIRE(p.result == ConnectResult::Connected);
  p.client->send("EHLO a\r\n");
  p.client->send("MAIL FROM:<>\r\n");
  CHECK(p.sr.silent());  // never delivered from inside send()
  n.sim.run();
  REQUIRE(p.sr.chunks.size() == 2);
  CHECK(p.sr.chunks[0] == std::make_pair(3 * kLatency, std::string("EHLO a\r\n")));
  CHECK(p.sr.chunks[1] == std::make_pair(3 * kLatency, std::string("MAIL FROM:<>\r\n")));
  p.server->send("250 ok\r\n");
  n.sim.run();
  CHECK(p.cr.chunks == std::vector<std::pair<Time, std::string>>{{4 * kLatency, "250 ok\r\n"}});
}

TEST_CASE("a greeting sent on accept arrives after the client is connected",
          "[sim][net][stream]") {
  Net n;
  Recorder cr(n.sim);
  StreamPtr server, client;
  std::vector<std::string> order;
  n.net.listen(n.b, 25, [&](StreamPtr s) {
    server = std::move(s);
    server->send("220 b ESMTP\r\n");
  });
  cr.on_data_hook = [&](std::string_view) { order.push_back("data"); };
  n.net.connect(n.a, n.b, 25, kSecond, [&](ConnectResult r, StreamPtr s) {
    order.push_back("connected");
    client = std::move(s);
    client->set_handler(&cr);
  });
  n.sim.run();
  CHECK(order == std::vector<std::string>{"connected", "data"});
  CHECK(cr.chunks.at(0).first == 2 * kLatency);
}

TEST_CASE("bandwidth adds the serialisation delay", "[sim][net][stream]") {
  Net n;
  n.net.set_default_path(LinkParams{kLatency, 0.0, 8'000'000});  // 1000 bytes = 1 ms
  Pair p(n);
  REQUIRE(p.result == ConnectResult::Connected);
  const Time t0 = n.sim.now();
  p.client->send(std::string(1000, 'x'));
  p.client->send(std::string(500, 'y'));
  n.sim.run();
  REQUIRE(p.sr.chunks.size() == 2);
  CHECK(p.sr.chunks[0].first == t0 + kLatency + kMillisecond);
  CHECK(p.sr.chunks[1].first == t0 + kLatency + kMillisecond + kMillisecond / 2);
}

TEST_CASE("lost segments are retransmitted, never reordered", "[sim][net][stream]") {
  Net n(5);
  n.observe();
  n.net.set_loss("a", "b", 0.3);
  Pair p(n);
  REQUIRE(p.result == ConnectResult::Connected);
  std::string expected;
  for (int i = 0; i < 200; ++i) {
    const std::string m = cat("m", i, ";");
    expected += m;
    p.client->send(m);
  }
  const Time t0 = n.sim.now();
  n.sim.run();
  CHECK(p.sr.data == expected);
  for (std::size_t i = 1; i < p.sr.chunks.size(); ++i) {
    CHECK(p.sr.chunks[i - 1].first <= p.sr.chunks[i].first);
  }
  CHECK(p.sr.chunks.back().first >= t0 + kLatency + 200 * kMillisecond);  // some loss
  int dropped = 0;
  for (const Packet& pk : n.packets) dropped += pk.dropped;
  CHECK(dropped > 20);
  CHECK(p.cr.silent());
}

TEST_CASE("a closed or refused port answers RST after one round trip", "[sim][net][stream]") {
  Net n;
  std::optional<ConnectResult> result;
  Time at = -1;
  auto done = [&](ConnectResult r, StreamPtr s) {
    result = r;
    at = n.sim.now();
    CHECK((r == ConnectResult::Connected) == (s != nullptr));
  };
  SECTION("nobody listens") {
    n.net.connect(n.a, n.b, 25, 30 * kSecond, done);
    n.sim.run();
    CHECK(result == ConnectResult::Refused);
    CHECK(at == 2 * kLatency);
  }
  SECTION("the port is set refused") {
    bool accepted = false;
    n.net.listen(n.b, 25, [&](StreamPtr) { accepted = true; });
    n.net.set_refused(n.b, 25, true);
    n.net.connect(n.a, n.b, 25, 30 * kSecond, done);
    n.sim.run();
    CHECK(result == ConnectResult::Refused);
    CHECK_FALSE(accepted);
    n.net.set_refused(n.b, 25, false);
    n.net.connect(n.a, n.b, 25, 30 * kSecond, done);
    n.sim.run();
    CHECK(result == ConnectResult::Connected);
    CHECK(accepted);
  }
  SECTION("the listener was removed") {
    n.net.listen(n.b, 25, [&](StreamPtr) {});
    n.net.unlisten(n.b, 25);
    n.net.connect(n.a, n.b, 25, 30 * kSecond, done);
    n.sim.run();
    CHECK(result == ConnectResult::Refused);
  }
}

TEST_CASE("connect times out when the host is down or the path is cut",
          "[sim][net][stream]") {
  Net n;
  n.observe();
  std::optional<ConnectResult> result;
  Time at = -1;
  n.net.listen(n.b, 25, [](StreamPtr) {});
  auto done = [&](ConnectResult r, StreamPtr) {
    result = r;
    at = n.sim.now();
  };
  SECTION("host down") {
    n.net.set_host_up(n.b, false);
    CHECK_FALSE(n.net.host_up(n.b));
  }
  SECTION("path cut") { n.net.cut("a", "b"); }
  SECTION("unknown address") {
    n.net.connect(n.a, *parse_address("192.0.2.9"), 25, 5 * kSecond, done);
    n.sim.run();
    CHECK(result == ConnectResult::TimedOut);
    return;
  }
  n.net.connect(n.a, n.b, 25, 5 * kSecond, done);
  n.sim.run();
  CHECK(result == ConnectResult::TimedOut);
  CHECK(at == 5 * kSecond);
  // SYN at 0 s, retransmitted at 1 s and 3 s (next would be 7 s)
  std::vector<Time> syns;
  for (const Packet& p : n.packets) {
    if (p.tcp_flags == 0x02) syns.push_back(p.time);
  }
  CHECK(syns == std::vector<Time>{0, kSecond, 3 * kSecond});
}

TEST_CASE("a SYN retransmitted after a heal connects", "[sim][net][stream]") {
  Net n;
  n.net.cut("a", "b");
  n.sim.at(2 * kSecond, [&] { n.net.heal("a", "b"); });
  Pair p(n);
  CHECK(p.result == ConnectResult::Connected);
  CHECK(n.sim.now() == 3 * kSecond + 2 * kLatency);  // the SYN sent at 3 s got through
}

TEST_CASE("connect from a host that is down is unreachable", "[sim][net][stream]") {
  Net n;
  n.net.set_host_up(n.a, false);
  std::optional<ConnectResult> result;
  n.net.connect(n.a, n.b, 25, kSecond, [&](ConnectResult r, StreamPtr) { result = r; });
  CHECK_FALSE(result);
  n.sim.run();
  CHECK(result == ConnectResult::Unreachable);
  CHECK(n.sim.now() == 0);
}

TEST_CASE("a connect timeout shorter than the RTT resets the accepted side",
          "[sim][net][stream]") {
  Net n;
  Recorder sr(n.sim);
  StreamPtr server;
  n.net.listen(n.b, 25, [&](StreamPtr s) {
    server = std::move(s);
    server->set_handler(&sr);
  });
  std::optional<ConnectResult> result;
  n.net.connect(n.a, n.b, 25, 15 * kMillisecond,
                [&](ConnectResult r, StreamPtr) { result = r; });
  n.sim.run();
  CHECK(result == ConnectResult::TimedOut);
  REQUIRE(server);
  CHECK(sr.closed == CloseReason::Reset);  // the late SYN-ACK met a RST
  CHECK(sr.closed_at == 3 * kLatency);
}

TEST_CASE("bytes sent across a cut wait and go at the next retransmission after the heal",
          "[sim][net][stream]") {
  Net n;
  Pair p(n);
  const Time s = n.sim.now();
  n.net.cut("a", "b");
  p.client->send("x");
  p.client->send("y");
  n.sim.at(s + kSecond, [&] { n.net.heal("a", "b"); });
  n.sim.run();
  // retransmissions at s + 0.2, 0.6, 1.4 s: the first one after the heal gets through
  const Time resend = s + 1400 * kMillisecond;
  CHECK(p.sr.chunks == std::vector<std::pair<Time, std::string>>{{resend + kLatency, "x"},
                                                                 {resend + kLatency, "y"}});
  CHECK(p.cr.silent());
}

TEST_CASE("a cut not healed in 15 minutes times the sender out", "[sim][net][stream]") {
  Net n;
  Pair p(n);
  const Time s = n.sim.now();
  n.net.cut("a", "b");
  p.client->send("lost");
  n.sim.run();
  CHECK(p.cr.closed == CloseReason::TimedOut);
  CHECK(p.cr.closed_at == s + 15 * kMinute);
  CHECK_FALSE(p.client->is_open());
  CHECK(p.sr.silent());
  CHECK(p.server->is_open());
  // The client's stack has forgotten the connection: the server's next bytes get a RST.
  n.net.heal("a", "b");
  const Time t = n.sim.now();
  p.server->send("250 ok\r\n");
  n.sim.run();
  CHECK(p.sr.closed == CloseReason::Reset);
  CHECK(p.sr.closed_at == t + 2 * kLatency);
  CHECK(p.cr.close_calls == 1);
}

TEST_CASE("close sends FIN after the data; both closed means gone", "[sim][net][stream]") {
  Net n;
  Pair p(n);
  const Time t = n.sim.now();
  p.client->send("QUIT\r\n");
  p.client->close();
  CHECK_FALSE(p.client->is_open());
  p.client->send("ignored");
  n.sim.run();
  CHECK(p.sr.data == "QUIT\r\n");
  CHECK(p.sr.closed == CloseReason::Orderly);
  CHECK(p.sr.closed_at == t + kLatency);
  CHECK(p.cr.silent());  // the closing side gets no callback
  CHECK(p.server->is_open());  // half-closed: the server may still answer
  p.server->send("221 bye\r\n");  // to a closed socket: answered by RST, nobody told
  p.server->close();
  n.sim.run();
  CHECK_FALSE(p.server->is_open());
  CHECK(p.cr.silent());
  CHECK(p.sr.close_calls == 1);
}

TEST_CASE("the peer's FIN arrives after its last bytes", "[sim][net][stream]") {
  Net n;
  Pair p(n);
  std::vector<std::string> events;
  p.cr.on_data_hook = [&](std::string_view b) { events.emplace_back(b); };
  p.cr.on_close_hook = [&](CloseReason) {
    events.emplace_back("close");
    p.client->close();  // from inside the callback
    p.client.reset();   // and drop the last reference too
  };
  p.server->send("221 bye\r\n");
  p.server->close();
  n.sim.run();
  CHECK(events == std::vector<std::string>{"221 bye\r\n", "close"});
  CHECK(p.cr.closed == CloseReason::Orderly);
  CHECK(p.sr.silent());
}

TEST_CASE("abort resets the peer after one latency", "[sim][net][stream]") {
  Net n;
  Pair p(n);
  const Time t = n.sim.now();
  p.client->abort();
  CHECK_FALSE(p.client->is_open());
  n.sim.run();
  CHECK(p.sr.closed == CloseReason::Reset);
  CHECK(p.sr.closed_at == t + kLatency);
  CHECK(p.cr.silent());
  CHECK_FALSE(p.server->is_open());
}

TEST_CASE("a host going down takes its connections silently", "[sim][net][stream]") {
  Net n;
  Pair p(n);
  n.net.set_host_up(n.b, false);
  CHECK_FALSE(p.server->is_open());
  n.sim.run_until(n.sim.now() + kHour);
  CHECK(p.cr.silent());
  CHECK(p.sr.silent());
  CHECK(p.client->is_open());
  p.client->send("DATA\r\n");  // to a dead host: lost, nobody told
  n.sim.run_until(n.sim.now() + kHour);
  CHECK(p.cr.silent());
  CHECK(p.sr.silent());

  n.net.set_host_up(n.b, true);
  const Time t = n.sim.now();
  p.client->send("RSET\r\n");  // the rebooted host knows no such connection
  n.sim.run();
  CHECK(p.cr.closed == CloseReason::Reset);
  CHECK(p.cr.closed_at == t + 2 * kLatency);
  CHECK(p.sr.silent());

  // Its listeners are gone too: the software has to listen again.
  std::optional<ConnectResult> result;
  n.net.connect(n.a, n.b, 25, kSecond, [&](ConnectResult r, StreamPtr) { result = r; });
  n.sim.run();
  CHECK(result == ConnectResult::Refused);
}

TEST_CASE("segments in flight to a host that goes down are lost", "[sim][net][stream]") {
  Net n;
  Pair p(n);
  p.client->send("in flight");
  n.sim.run_until(n.sim.now() + kLatency / 2);
  n.net.set_host_up(n.b, false);
  n.sim.run();
  CHECK(p.sr.silent());
  CHECK(p.cr.silent());
}

TEST_CASE("bytes wait for a handler attached later", "[sim][net][stream]") {
  Net n;
  Recorder sr(n.sim);
  StreamPtr server;
  n.net.listen(n.b, 25, [&](StreamPtr s) { server = std::move(s); });
  StreamPtr client;
  n.net.connect(n.a, n.b, 25, kSecond, [&](ConnectResult, StreamPtr s) {
    client = std::move(s);
    client->send("abc");
    client->close();
  });
  n.sim.run();
  REQUIRE(server);
  n.sim.at(kSecond, [&] {
    server->set_handler(&sr);
    CHECK(sr.silent());  // not from inside set_handler()
  });
  n.sim.run();
  CHECK(sr.chunks == std::vector<std::pair<Time, std::string>>{{kSecond, "abc"}});
  CHECK(sr.closed == CloseReason::Orderly);
  CHECK(sr.closed_at == kSecond);
}

TEST_CASE("a handler may drop its stream inside on_data", "[sim][net][stream]") {
  Net n;
  Pair p(n);
  p.sr.on_data_hook = [&](std::string_view) {
    p.server->send("bye");
    p.server.reset();  // the last reference: the stream closes, like a socket
  };
  p.client->send("hi");
  n.sim.run();
  CHECK(p.sr.data == "hi");
  CHECK(p.cr.data == "bye");
  CHECK(p.cr.closed == CloseReason::Orderly);
}

TEST_CASE("set_handler(nullptr) detaches; the stream outlives the network safely",
          "[sim][net][stream]") {
  StreamPtr keep;
  {
    Net n;
    Pair p(n);
    p.client->set_handler(nullptr);
    p.server->send("held");
    n.sim.run();
    CHECK(p.cr.silent());
    keep = p.client;
  }
  keep->send("after the network is gone");  // a no-op, not a crash
  CHECK_FALSE(keep->is_open());
  CHECK(keep->peer_port() == 25);
}

TEST_CASE("loopback connections work with zero latency", "[sim][net][stream]") {
  Net n;
  Recorder sr(n.sim);
  StreamPtr server, client;
  n.net.listen(n.a, 110, [&](StreamPtr s) {
    server = std::move(s);
    server->set_handler(&sr);
  });
  n.net.connect(n.a, n.a, 110, kSecond, [&](ConnectResult r, StreamPtr s) {
    CHECK(r == ConnectResult::Connected);
    client = std::move(s);
    client->send("USER u\r\n");
  });
  n.sim.run();
  CHECK(sr.chunks == std::vector<std::pair<Time, std::string>>{{0, "USER u\r\n"}});
}
