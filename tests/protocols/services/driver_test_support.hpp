// Test support for tests/protocols/services: a runtime with timers only and a connection
// that records what a SessionDriver sends.
#pragma once

#include <functional>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "protocols/io/disk.hpp"
#include "protocols/io/runtime.hpp"

namespace maillab::services::test {

// Timers only: what a driver uses of a runtime.
class TimerRuntime : public io::Runtime {
 public:
  io::Time now() const override { return 0; }
  const std::string& hostname() const override { return name_; }
  const std::string& address() const override { return name_; }
  io::TimerHandle start_timer(io::Time delay, std::function<void()> fn) override {
    delays.push_back(delay);
    timers_[++next_] = std::move(fn);
    return next_;
  }
  std::vector<io::Time> delays;  // of every timer started
  void cancel_timer(io::TimerHandle h) override { timers_.erase(h); }
  void listen(std::uint16_t, std::function<void(io::ConnectionPtr)>) override {}
  void connect(const std::string&, std::uint16_t, io::Time,
               std::function<void(io::ConnectStatus, io::ConnectionPtr)>) override {}
  std::uint16_t udp_bind(std::uint16_t port, DatagramFn) override { return port; }
  void udp_unbind(std::uint16_t) override {}
  void udp_send(std::uint16_t, const std::string&, std::uint16_t, std::string_view) override {}
  io::Disk& disk() override { return disk_; }
  std::mt19937_64& rng(std::string_view) override { return rng_; }
  void trace(io::trace::Agent, io::trace::Event, std::initializer_list<io::TraceField>) override {}

  std::size_t pending() const { return timers_.size(); }
  // Fires the one pending timer (a driver has at most one).
  void fire() {
    REQUIRE(timers_.size() == 1);
    auto fn = std::move(timers_.begin()->second);
    timers_.clear();
    fn();
  }

 private:
  std::string name_ = "test";
  std::map<io::TimerHandle, std::function<void()>> timers_;
  io::TimerHandle next_ = 0;
  io::MemoryDisk disk_;
  std::mt19937_64 rng_;
};

struct RecordingConnection : io::Connection {
  io::ConnectionHandler* handler = nullptr;
  std::vector<std::string> sent;  // one entry per send()
  bool closed = false;
  bool reading_paused = false;
  void set_handler(io::ConnectionHandler* h) override { handler = h; }
  void send(std::string_view bytes) override { sent.emplace_back(bytes); }
  void close() override { closed = true; }
  void abort() override { closed = true; }
  std::size_t unsent() const override { return 0; }
  void pause_reading(bool p) override { reading_paused = p; }
  void notify_drained(std::size_t) override {}
  std::string peer_address() const override { return "192.0.2.9"; }
  std::uint16_t local_port() const override { return 25; }
};

}  // namespace maillab::services::test
