// test::ClockRuntime: an io::Runtime for one part of a service run alone, without the
// simulator: a clock the test moves (timers fire in time order, ties in the order they
// were started; never from inside start_timer), a MemoryDisk, one random stream, and the
// trace kept as lines "event key=value ..." for the test to read. No network unless a
// subclass adds one: nothing listens, every connect is refused (from a fresh event).
// Used by tests/protocols/mta (test_host.hpp) and tests/protocols/mua (loop_runtime.hpp).
#pragma once

#include <functional>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "protocols/io/disk.hpp"
#include "protocols/io/runtime.hpp"

namespace maillab::test {

class ClockRuntime : public io::Runtime {
 public:
  explicit ClockRuntime(std::string hostname = "mx.test", std::string address = "192.0.2.25")
      : name_(std::move(hostname)), address_(std::move(address)) {}

  io::Time now() const override { return now_; }
  const std::string& hostname() const override { return name_; }
  const std::string& address() const override { return address_; }
  io::TimerHandle start_timer(io::Time delay, std::function<void()> fn) override {
    timers_[{now_ + delay, ++next_}] = std::move(fn);
    return next_;
  }
  void cancel_timer(io::TimerHandle h) override {
    for (auto it = timers_.begin(); it != timers_.end(); ++it) {
      if (it->first.second == h) {
        timers_.erase(it);
        return;
      }
    }
  }
  void listen(std::uint16_t, std::function<void(io::ConnectionPtr)>) override {}
  void connect(const std::string&, std::uint16_t, io::Time,
               std::function<void(io::ConnectStatus, io::ConnectionPtr)> done) override {
    start_timer(0, [done = std::move(done)] { done(io::ConnectStatus::Refused, nullptr); });
  }
  std::uint16_t udp_bind(std::uint16_t port, DatagramFn) override { return port; }
  void udp_unbind(std::uint16_t) override {}
  void udp_send(std::uint16_t, const std::string&, std::uint16_t, std::string_view) override {}
  io::Disk& disk() override { return disk_; }
  std::mt19937_64& rng(std::string_view) override { return rng_; }
  void trace(io::trace::Agent, io::trace::Event event, std::initializer_list<io::TraceField> fields) override {
    std::string line(event.text());
    for (const auto& f : fields)
      if (f.recorded_in(event)) line += " " + std::string(f.key.text()) + "=" + f.value;
    traced.push_back(std::move(line));
  }

  // Fires every timer due at or before `t`, then leaves the clock at `t`.
  void run_until(io::Time t) {
    while (!timers_.empty() && timers_.begin()->first.first <= t) fire_first();
    now_ = t;
  }
  // Fires timers until none is left (a session's idle timeout ends it at the latest).
  void run() {
    while (!timers_.empty()) fire_first();
  }

  io::MemoryDisk& memory_disk() { return disk_; }
  std::vector<std::string> traced;

 private:
  void fire_first() {
    auto node = timers_.extract(timers_.begin());
    now_ = node.key().first;
    node.mapped()();
  }

  std::string name_, address_;
  io::Time now_ = 0;
  std::map<std::pair<io::Time, io::TimerHandle>, std::function<void()>> timers_;
  io::TimerHandle next_ = 0;
  io::MemoryDisk disk_;
  std::mt19937_64 rng_;
};

}  // namespace maillab::test
