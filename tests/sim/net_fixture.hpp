// Shared helpers for the sim::Network tests: a three-host network in full mesh (default
// path: 10 ms one way) and a StreamHandler that records what it gets, and when.
#pragma once

#include <deque>
#include <functional>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "sim/network.hpp"

namespace maillab::sim::test {

inline constexpr Time kLatency = 10 * kMillisecond;

struct Recorder : StreamHandler {
  explicit Recorder(Simulator& s) : sim(&s) {}
  Simulator* sim;
  std::string data;
  std::vector<std::pair<Time, std::string>> chunks;
  std::optional<CloseReason> closed;
  Time closed_at = -1;
  int close_calls = 0;
  std::vector<Time> drained;  // when on_drained() came
  std::function<void(std::string_view)> on_data_hook;
  std::function<void(CloseReason)> on_close_hook;

  void on_data(std::string_view bytes) override {
    data += bytes;
    chunks.emplace_back(sim->now(), std::string(bytes));
    if (on_data_hook) on_data_hook(bytes);
  }
  void on_close(CloseReason why) override {
    closed = why;
    closed_at = sim->now();
    ++close_calls;
    if (on_close_hook) on_close_hook(why);
  }
  void on_drained() override { drained.push_back(sim->now()); }
  bool silent() const { return chunks.empty() && close_calls == 0; }
};

// Concatenates anything streamable ("m" + std::to_string(i) trips GCC 12's -Wrestrict).
template <class... A>
std::string cat(const A&... parts) {
  std::ostringstream o;
  (o << ... << parts);
  return o.str();
}

inline std::string describe(const Packet& p) {
  std::ostringstream o;
  o << p.time << ' ' << (p.protocol == Protocol::Tcp ? "tcp " : "udp ") << format_address(p.src)
    << ':' << p.src_port << '>' << format_address(p.dst) << ':' << p.dst_port << " f"
    << int(p.tcp_flags) << " s" << p.seq << " a" << p.ack << " [" << p.payload << ']'
    << (p.dropped ? " dropped" : "");
  return o.str();
}

struct Net {
  explicit Net(std::uint64_t seed = 1) : sim(seed), net(sim) {
    net.add_host("a", a);
    net.add_host("b", b);
    net.add_host("c", c);
  }
  Simulator sim;
  Network net;
  Address a = *parse_address("10.0.0.1");
  Address b = *parse_address("10.0.0.2");
  Address c = *parse_address("10.0.0.3");
  std::vector<Packet> packets;     // payloads re-pointed into `payloads`: a Packet's
  std::deque<std::string> payloads;  // view is only valid during the observer call
  std::vector<std::string> log;

  void observe() {
    net.set_packet_observer([this](const Packet& p) {
      payloads.emplace_back(p.payload);
      packets.push_back(p);
      packets.back().payload = payloads.back();
      log.push_back(describe(p));
    });
  }
};

// A connection a -> b:25 with recorders attached on both sides; runs until connected.
struct Pair {
  explicit Pair(Net& n, std::uint16_t port = 25, Time timeout = 60 * kSecond)
      : cr(n.sim), sr(n.sim) {
    n.net.listen(n.b, port, [this](StreamPtr s) {
      server = std::move(s);
      server->set_handler(&sr);
    });
    n.net.connect(n.a, n.b, port, timeout, [this](ConnectResult r, StreamPtr s) {
      result = r;
      client = std::move(s);
      if (client) client->set_handler(&cr);
    });
    n.sim.run();
  }
  Recorder cr, sr;
  StreamPtr client, server;
  std::optional<ConnectResult> result;
};

}  // namespace maillab::sim::test
