// sim::Network flow control: a reader that stops reading holds its peer back at the
// receive window (the rest waits on the sender's side, unsent()), gets every byte in
// order, in reads of at most kReadSize, once it reads again; the sender hears when its
// unsent bytes have drained; a FIN waits behind unread data, a RST does not; and a
// reader that reads at once sees the same timing as before flow control existed.
#include <catch2/catch.hpp>

#include "net_fixture.hpp"

using namespace maillab::sim;
using namespace maillab::sim::test;

namespace {

std::string pattern(std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + (i * 7 + i / 251) % 26);
  return s;
}

}  // namespace

TEST_CASE("a paused reader holds the sender at its window; resumed, it gets every byte",
          "[sim][net][flow]") {
  Net n;
  Pair p(n);
  REQUIRE(p.result == ConnectResult::Connected);
  p.server->pause_reading(true);
  const std::string bytes = pattern(1u << 20);
  for (std::size_t at = 0; at < bytes.size(); at += 100'000) p.client->send(bytes.substr(at, 100'000));
  CHECK(p.client->unsent() <= bytes.size());
  n.sim.run();
  CHECK(p.sr.silent());
  // The window filled (in flight, then unread at the receiver); the rest waits.
  CHECK(p.client->unsent() == bytes.size() - kReceiveWindow);

  p.client->notify_drained(0);
  n.sim.run();
  CHECK(p.cr.drained.empty());  // nothing left yet

  p.server->pause_reading(false);
  CHECK(p.sr.silent());  // never from inside pause_reading()
  n.sim.run();
  CHECK(p.sr.data == bytes);
  for (const auto& chunk : p.sr.chunks) CHECK(chunk.second.size() <= kReadSize);
  CHECK(p.client->unsent() == 0);
  REQUIRE(p.cr.drained.size() == 1);
  CHECK(p.cr.drained[0] > p.sr.chunks.front().first);
}

TEST_CASE("pausing from inside on_data keeps the rest of the read for later",
          "[sim][net][flow]") {
  Net n;
  Pair p(n);
  REQUIRE(p.result == ConnectResult::Connected);
  p.sr.on_data_hook = [&](std::string_view) { p.server->pause_reading(true); };
  const std::string bytes = pattern(200'000);  // one segment, handed over in reads
  p.client->send(bytes);
  n.sim.run();
  REQUIRE(p.sr.chunks.size() == 1);
  CHECK(p.sr.chunks[0].second == bytes.substr(0, kReadSize));
  p.sr.on_data_hook = nullptr;
  p.server->pause_reading(false);
  n.sim.run();
  CHECK(p.sr.data == bytes);
}

TEST_CASE("notify_drained answers from an event when nothing waits", "[sim][net][flow]") {
  Net n;
  Pair p(n);
  REQUIRE(p.result == ConnectResult::Connected);
  p.client->notify_drained(10);
  CHECK(p.cr.drained.empty());
  n.sim.run();
  CHECK(p.cr.drained.size() == 1);
}

TEST_CASE("a FIN waits behind unread data; a reset is not held by a paused reader",
          "[sim][net][flow]") {
  SECTION("FIN") {
    Net n;
    Pair p(n);
    REQUIRE(p.result == ConnectResult::Connected);
    p.server->pause_reading(true);
    p.client->send("QUIT\r\n");
    p.client->close();
    n.sim.run();
    CHECK(p.sr.silent());
    p.server->pause_reading(false);
    n.sim.run();
    CHECK(p.sr.data == "QUIT\r\n");
    CHECK(p.sr.closed == CloseReason::Orderly);
  }
  SECTION("RST") {
    Net n;
    Pair p(n);
    REQUIRE(p.result == ConnectResult::Connected);
    p.server->pause_reading(true);
    p.client->send("QUIT\r\n");
    n.sim.run();
    p.client->abort();
    n.sim.run();
    CHECK(p.sr.data.empty());
    CHECK(p.sr.closed == CloseReason::Reset);
  }
}

TEST_CASE("a reader that reads at once: timing as without flow control", "[sim][net][flow]") {
  Net n;
  Pair p(n);
  REQUIRE(p.result == ConnectResult::Connected);
  const Time start = n.sim.now();
  const std::string bytes = pattern(kReceiveWindow);  // a whole window in one send
  p.client->send(bytes);
  n.sim.run();
  CHECK(p.sr.data == bytes);
  for (const auto& chunk : p.sr.chunks) CHECK(chunk.first == start + kLatency);
  CHECK(p.client->unsent() == 0);
}
