// scenario::SimRuntime: io::Runtime for one virtual host, on the simulator's clock,
// network and the host's virtual disk. The glue that lets services written against
// io::Runtime (the MTA, DNS and POP3 servers, MUAs) run inside the simulation.
//
// Crash semantics: crash() bumps the host's epoch; every timer, accept and connect
// callback armed before it is dropped unrecognised, so destroyed services are never called.
// The disk (and the RNG streams, which belong to the run, not the host) survive.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "protocols/io/runtime.hpp"
#include "sim/network.hpp"
#include "sim/simulator.hpp"
#include "sim/trace_recorder.hpp"

namespace maillab::scenario {

class SimRuntime final : public io::Runtime {
 public:
  SimRuntime(sim::Simulator& sim, sim::Network& net, sim::TraceRecorder& trace,
             std::string hostname, std::string address, io::Disk& disk);

  io::Time now() const override { return sim_.now(); }
  const std::string& hostname() const override { return hostname_; }
  const std::string& address() const override { return address_; }

  io::TimerHandle start_timer(io::Time delay, std::function<void()> fn) override;
  void cancel_timer(io::TimerHandle h) override;

  void listen(std::uint16_t port, std::function<void(io::ConnectionPtr)> on_accept) override;
  void connect(const std::string& address, std::uint16_t port, io::Time timeout,
               std::function<void(io::ConnectStatus, io::ConnectionPtr)> done) override;

  std::uint16_t udp_bind(std::uint16_t port, DatagramFn fn) override;
  void udp_unbind(std::uint16_t port) override;
  void udp_send(std::uint16_t from_port, const std::string& to, std::uint16_t to_port,
                std::string_view bytes) override;

  io::Disk& disk() override { return disk_; }
  std::mt19937_64& rng(std::string_view purpose) override;
  void trace(std::string_view agent, std::string_view event,
             std::initializer_list<io::TraceField> fields) override;

  // The host crashed: forget every callback armed so far.
  void crash() { ++epoch_; }
  sim::Address sim_address() const { return addr_; }

 private:
  sim::Simulator& sim_;
  sim::Network& net_;
  sim::TraceRecorder& trace_;
  std::string hostname_;
  std::string address_;
  sim::Address addr_;
  io::Disk& disk_;
  std::uint64_t epoch_ = 0;
  std::map<std::string, std::mt19937_64, std::less<>> rngs_;
};

// An io::Connection over a simulated stream.
class SimConnection final : public io::Connection, public sim::StreamHandler {
 public:
  explicit SimConnection(sim::StreamPtr s) : stream_(std::move(s)) {}
  ~SimConnection() override {
    if (stream_) stream_->set_handler(nullptr);
  }
  void set_handler(io::ConnectionHandler* h) override {
    handler_ = h;
    stream_->set_handler(h ? this : nullptr);
  }
  void send(std::string_view bytes) override { stream_->send(bytes); }
  void close() override { stream_->close(); }
  void abort() override { stream_->abort(); }
  std::string peer_address() const override { return sim::format_address(stream_->peer_address()); }
  std::uint16_t local_port() const override { return stream_->local_port(); }

  void on_data(std::string_view bytes) override {
    if (handler_) handler_->on_data(bytes);
  }
  void on_close(sim::CloseReason why) override {
    if (!handler_) return;
    handler_->on_close(why == sim::CloseReason::kOrderly ? io::CloseKind::kOrderly
                       : why == sim::CloseReason::kReset ? io::CloseKind::kReset
                                                         : io::CloseKind::kTimedOut);
  }

 private:
  sim::StreamPtr stream_;
  io::ConnectionHandler* handler_ = nullptr;
};

}  // namespace maillab::scenario
