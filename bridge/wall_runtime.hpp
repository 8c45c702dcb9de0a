// bridge::WallRuntime: the io::Runtime of the bridge's own services (serve --http), which
// belong to no virtual host: timers in real time on the bridge's io_context, so an HTTP
// client's idle timeout is seconds of the wall clock whatever --speed says.
//
// It has no network, address or trace of its own: listen/connect/udp are refused (the
// fronts accept the sockets themselves, bridge/http_front.hpp); disk() is an empty memory
// disk; trace() records nothing (tracing() is false).
//
// Invariants: a cancelled timer never fires, even when its expiry was already queued in
// Asio (the callback looks its handle up first); everything runs on the loop's thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <random>
#include <string>

#include "protocols/io/disk.hpp"
#include "protocols/io/runtime.hpp"

namespace maillab::bridge {

class WallRuntime final : public io::Runtime {
 public:
  explicit WallRuntime(boost::asio::io_context& io, std::string name = "bridge");
  ~WallRuntime() override;

  io::Time now() const override;
  const std::string& hostname() const override { return name_; }
  const std::string& address() const override { return address_; }
  io::TimerHandle start_timer(io::Time delay, std::function<void()> fn) override;
  void cancel_timer(io::TimerHandle h) override;
  void listen(std::uint16_t, std::function<void(io::ConnectionPtr)>) override {}
  void connect(const std::string&, std::uint16_t, io::Time,
               std::function<void(io::ConnectStatus, io::ConnectionPtr)> done) override;
  std::uint16_t udp_bind(std::uint16_t, DatagramFn) override { return 0; }
  void udp_unbind(std::uint16_t) override {}
  void udp_send(std::uint16_t, const std::string&, std::uint16_t, std::string_view) override {}
  io::Disk& disk() override { return disk_; }
  std::mt19937_64& rng(std::string_view) override { return rng_; }
  void trace(io::trace::Agent, io::trace::Event, std::initializer_list<io::TraceField>) override {}
  bool tracing() const override { return false; }

  std::size_t pending_timers() const { return timers_.size(); }

 private:
  boost::asio::io_context& io_;
  std::string name_, address_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::map<io::TimerHandle, std::unique_ptr<boost::asio::steady_timer>> timers_;
  io::TimerHandle next_ = 0;
  io::MemoryDisk disk_;
  std::mt19937_64 rng_{0};
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);  // handlers outliving *this see it gone
};

}  // namespace maillab::bridge
