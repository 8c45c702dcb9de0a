// scenario::SimRuntime timers (restart_timer) and services::SessionDriver's idle timeout,
// which is re-armed in place after every exchange: a session times out one timeout after
// its last exchange, never earlier, and a crash still drops what was armed before it.
#include <catch2/catch.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "protocols/services/session_driver.hpp"
#include "scenarios/sim_runtime.hpp"

using namespace maillab;

namespace {

constexpr io::Time kMs = 1'000'000;

struct Lab {
  sim::Simulator sim{1};
  sim::TraceRecorder trace;
  sim::Network net{sim};
  io::MemoryDisk disk_a, disk_b;
  std::unique_ptr<scenario::SimRuntime> a, b;

  Lab() {
    sim::LinkParams p;
    p.latency = 10 * kMs;
    net.set_default_path(p);
    net.add_host("a", *sim::parse_address("192.0.2.1"));
    net.add_host("b", *sim::parse_address("192.0.2.2"));
    a = std::make_unique<scenario::SimRuntime>(sim, net, trace, "a", "192.0.2.1", disk_a);
    b = std::make_unique<scenario::SimRuntime>(sim, net, trace, "b", "192.0.2.2", disk_b);
  }
};

// A line echo engine with a 1 s idle timeout that says "bye" when it fires.
struct Echo {
  std::string out;
  bool done = false;
  void receive(std::string_view bytes) { out.append(bytes); }
  void receive_eof() { done = true; }
  std::string take_output() { return std::exchange(out, {}); }
  std::chrono::milliseconds timeout() const { return std::chrono::milliseconds(done ? 0 : 1000); }
  void on_timeout() {
    out = "bye";
    done = true;
  }
  bool closed() const { return false; }
};

}  // namespace

TEST_CASE("restart_timer moves a pending timer, keeping its callback", "[scenarios][runtime]") {
  Lab lab;
  std::vector<io::Time> fired;
  io::TimerHandle h = lab.a->start_timer(10 * kMs, [&] { fired.push_back(lab.sim.now()); });
  lab.sim.run_until(5 * kMs);
  const io::TimerHandle moved = lab.a->restart_timer(h, 20 * kMs);
  REQUIRE(moved != 0);
  CHECK(lab.a->restart_timer(h, 1 * kMs) == 0);  // the old handle is spent
  lab.a->cancel_timer(h);                          // and cancelling it changes nothing
  lab.sim.run_until(100 * kMs);
  CHECK(fired == std::vector<io::Time>{25 * kMs});
  CHECK(lab.a->restart_timer(moved, 1 * kMs) == 0);  // fired: nothing to move
  CHECK(lab.a->restart_timer(0, 1 * kMs) == 0);
}

TEST_CASE("restart_timer declines after a crash; the old timer stays dropped",
          "[scenarios][runtime]") {
  Lab lab;
  int fired = 0;
  io::TimerHandle h = lab.a->start_timer(10 * kMs, [&] { ++fired; });
  lab.a->crash();
  CHECK(lab.a->restart_timer(h, 10 * kMs) == 0);
  lab.sim.run_until(100 * kMs);
  CHECK(fired == 0);
  // A timer armed after the crash works through start_timer as before.
  lab.a->start_timer(10 * kMs, [&] { ++fired; });
  lab.sim.run_until(200 * kMs);
  CHECK(fired == 1);
}

TEST_CASE("a session times out one timeout after its last exchange", "[scenarios][runtime]") {
  Lab lab;
  using Driver = services::SessionDriver<Echo>;
  std::shared_ptr<Driver> server;
  std::optional<io::CloseKind> server_end;
  io::Time server_end_at = -1;
  lab.b->listen(7, [&](io::ConnectionPtr c) {
    server = std::make_shared<Driver>(*lab.b, std::move(c));
    server->start([&](io::CloseKind why) {
      server_end = why;
      server_end_at = lab.sim.now();
    });
  });
  struct Client : io::ConnectionHandler {
    std::string got;
    std::optional<io::CloseKind> closed;
    void on_data(std::string_view bytes) override { got.append(bytes); }
    void on_close(io::CloseKind why) override { closed = why; }
  } client;
  io::ConnectionPtr conn;
  lab.a->connect("192.0.2.2", 7, 1000 * kMs, [&](io::ConnectStatus st, io::ConnectionPtr c) {
    REQUIRE(st == io::ConnectStatus::Connected);
    conn = std::move(c);
    conn->set_handler(&client);
  });
  lab.sim.run_until(100 * kMs);
  REQUIRE(conn);
  // Exchanges at 0.1 s, 0.6 s and 1.05 s (each arrives 10 ms later): every one pushes the
  // 1 s timeout back, so the session lives until 1.06 s + 1 s.
  for (io::Time t : {100 * kMs, 600 * kMs, 1050 * kMs}) {
    lab.sim.run_until(t);
    conn->send("ping\n");
  }
  lab.sim.run_until(2050 * kMs);
  CHECK_FALSE(server_end);
  CHECK(client.got == "ping\nping\nping\n");
  lab.sim.run_until(3000 * kMs);
  REQUIRE(server_end);
  CHECK(*server_end == io::CloseKind::TimedOut);
  CHECK(server_end_at == 2060 * kMs);
  CHECK(client.got == "ping\nping\nping\nbye");
  CHECK(client.closed == io::CloseKind::Orderly);
}
