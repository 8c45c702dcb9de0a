// scenario::SimRuntime: io::Runtime for one virtual host, on the simulator's clock,
// network and the host's virtual disk. The glue that lets services written against
// io::Runtime (the MTA, DNS and POP3 servers, MUAs) run inside the simulation.
//
// Crash semantics: crash() bumps the host's epoch; every timer, accept and connect
// callback armed before it is dropped unrecognised, so destroyed services are never called.
// The disk (and the RNG streams, which belong to the run, not the host) survive.
//
// Bridge hooks (maillab serve, bridge/): the runtime also remembers which ports the host's
// services listen on (TCP) or bind (UDP, fixed ports only), so connections and datagrams
// from real sockets can be handed to the very same service objects; and an optional
// ExternalNetwork takes connect() and udp_send() calls whose destination lies outside the
// virtual network. With no ExternalNetwork set the runtime behaves exactly as in `run`.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "protocols/io/runtime.hpp"
#include "sim/network.hpp"
#include "sim/simulator.hpp"
#include "sim/trace_recorder.hpp"

namespace maillab::scenario {

class SimRuntime;

// Where a host's connect() and udp_send() go when the destination is outside the virtual
// network (the bridge's real sockets). Results are delivered later, from the event loop,
// never from inside the call.
class ExternalNetwork {
 public:
  virtual ~ExternalNetwork() = default;
  // True when address:port is to be reached over the real network.
  virtual bool is_external(const std::string& address, std::uint16_t port) const = 0;
  virtual void connect(SimRuntime& from, const std::string& address, std::uint16_t port,
                       io::Time timeout,
                       std::function<void(io::ConnectStatus, io::ConnectionPtr)> done) = 0;
  virtual void udp_send(SimRuntime& from, std::uint16_t from_port, const std::string& to,
                        std::uint16_t to_port, std::string_view bytes) = 0;
};

class SimRuntime final : public io::Runtime {
 public:
  SimRuntime(sim::Simulator& sim, sim::Network& net, sim::TraceRecorder& trace,
             std::string hostname, std::string address, io::Disk& disk);
  SimRuntime(const SimRuntime&) = delete;
  SimRuntime& operator=(const SimRuntime&) = delete;

  io::Time now() const override { return sim_.now(); }
  const std::string& hostname() const override { return hostname_; }
  const std::string& address() const override { return address_; }

  io::TimerHandle start_timer(io::Time delay, std::function<void()> fn) override;
  void cancel_timer(io::TimerHandle h) override;
  io::TimerHandle restart_timer(io::TimerHandle h, io::Time delay) override;

  void listen(std::uint16_t port, std::function<void(io::ConnectionPtr)> on_accept) override;
  void connect(const std::string& address, std::uint16_t port, io::Time timeout,
               std::function<void(io::ConnectStatus, io::ConnectionPtr)> done) override;

  std::uint16_t udp_bind(std::uint16_t port, DatagramFn fn) override;
  void udp_unbind(std::uint16_t port) override;
  void udp_send(std::uint16_t from_port, const std::string& to, std::uint16_t to_port,
                std::string_view bytes) override;

  io::Disk& disk() override { return disk_; }
  std::mt19937_64& rng(std::string_view purpose) override;
  void trace(io::trace::Agent agent, io::trace::Event event,
             std::initializer_list<io::TraceField> fields) override;
  bool tracing() const override { return trace_.enabled(); }

  // The host crashed: forget every callback armed so far (the crash hook, if any, runs
  // first, while the host's services still exist).
  void crash();
  sim::Address sim_address() const { return addr_; }

  // ---- Bridge hooks (see the header comment); unused by the simulation itself. ----
  std::uint64_t epoch() const { return epoch_; }
  void set_external(ExternalNetwork* external);
  // Runs at the start of crash(): callbacks armed from it are still dropped by the crash.
  void set_crash_hook(std::function<void()> hook);
  // A port that a `refuse:` fault closed (World keeps this in step with the network).
  void set_port_refused(std::uint16_t port, bool refused);
  // A service listens on `port` now and the port is not refused.
  bool accepting(std::uint16_t port) const;
  // Hands a connection from outside (a real socket) to the service listening on `port`;
  // false, and nothing is called, when accepting(port) is false.
  bool accept_external(std::uint16_t port, io::ConnectionPtr c);
  // Hands a datagram from outside to the handler bound to `port`; false when none is.
  bool deliver_datagram(std::uint16_t port, const std::string& from, std::uint16_t from_port,
                        std::string_view bytes);

 private:
  sim::Simulator& sim_;
  sim::Network& net_;
  sim::TraceRecorder& trace_;
  std::string hostname_;
  std::string address_;
  sim::Address addr_;
  io::Disk& disk_;
  std::uint64_t epoch_ = 0;
  // A handful per host, looked up per DNS query and per queued message: a linear scan is
  // cheaper than a map's string compares. Boxed: rng() hands out stable references.
  struct RngStream {
    std::string purpose;
    std::mt19937_64 rng;
  };
  std::vector<std::unique_ptr<RngStream>> rngs_;
  // Allocated on the first listen()/fixed-port udp_bind() or bridge call, so an idle host
  // pays one pointer for the bridge hooks.
  struct Services {
    std::vector<std::pair<std::uint16_t, std::function<void(io::ConnectionPtr)>>> listeners;
    std::vector<std::pair<std::uint16_t, DatagramFn>> udp;
    std::vector<std::uint16_t> refused;
    ExternalNetwork* external = nullptr;
    std::function<void()> crash_hook;
  };
  Services& services();
  ExternalNetwork* external() const { return services_ ? services_->external : nullptr; }
  std::unique_ptr<Services> services_;
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
  std::size_t unsent() const override { return stream_->unsent(); }
  void pause_reading(bool paused) override { stream_->pause_reading(paused); }
  void notify_drained(std::size_t level) override { stream_->notify_drained(level); }
  std::string peer_address() const override { return sim::format_address(stream_->peer_address()); }
  std::uint16_t local_port() const override { return stream_->local_port(); }

  void on_data(std::string_view bytes) override {
    if (handler_) handler_->on_data(bytes);
  }
  void on_drained() override {
    if (handler_) handler_->on_drained();
  }
  void on_close(sim::CloseReason why) override {
    if (!handler_) return;
    handler_->on_close(why == sim::CloseReason::Orderly ? io::CloseKind::Orderly
                       : why == sim::CloseReason::Reset ? io::CloseKind::Reset
                                                         : io::CloseKind::TimedOut);
  }

 private:
  sim::StreamPtr stream_;
  io::ConnectionHandler* handler_ = nullptr;
};

}  // namespace maillab::scenario
