// bridge::Server: `maillab serve` (cli.md): one scenario's World run in real time on one
// thread and one Boost.Asio io_context, its services exposed on real sockets, its MTAs
// able to reach real SMTP servers. No protocol is implemented here: accepted sockets
// become io::Connections (AsioConnection) handed to the service objects the World built,
// through the listeners each host registered with io::Runtime::listen()/udp_bind().
//
// Time (ns-3's RealtimeSimulatorImpl is the model): simulated time = time since run()
// began on the steady clock, times `speed`. The loop runs every simulator event that is
// due, then the Asio handlers that are ready, blocking at most until the next event's
// wall time (capped at `max_wait`). Handlers run with the simulated clock at the last
// step (late by at most max_wait), so timers they arm never land in the past. Scheduled
// faults fire at their simulated time: a real client sees the lab MX go down on cue.
//
// Faithfulness of the real side:
// - a host that is down: the connection is accepted (the socket is the bridge's) but
//   nothing is ever said, as with a dead machine; it is reset once the host is back up.
//   A crash cuts open sessions the same way: the services go, their clients are not told.
// - a port with no service or under a `refuse:` fault: the connection is reset at once.
// - DNS: datagrams go to the handler the host bound on port 53; no handler, no answer.
//   DNS over TCP (RFC 1035 4.2.2, two-octet length prefix) on the same address and port.
//
// Shutdown (request_stop(), SIGINT/SIGTERM, or --until reached): listeners close, open
// sessions get `grace` (real time) to finish, then the rest are aborted (the service sees
// a reset, the client a RST); a second signal aborts at once. run() then returns.
//
// Durability (serve --mailboxes: the hosts' disks are MirroredDisks over FileDisks): group
// commit (bridge/group_commit.hpp, the crash argument in bridge/file_disk.hpp). The disks
// change files without waiting for the device; a thread makes the changes durable in
// batches, one in flight at a time, started at the end of a loop turn when there is
// something to sync (a turn that changed nothing syncs nothing), the next one as soon as
// the last completes. The SMTP 250 after DATA is the engine's pending decision, made when
// the batch holding the queue file completes (MirroredDisk::when_durable ->
// GroupCommit::when_durable; 451 4.3.0 if it failed): it never leaves before its queue
// file is durable. Other bytes a service sends on a real TCP connection (replies of
// inbound sessions, commands of outgoing ones) after a change they may rest on wait, as
// bytes, for the batch that holds it, while replies that follow no change leave at once.
// A failed sync resets the connections whose bytes waited, and stops every deferred
// removal. DNS replies (UDP and TCP) are not held: the
// DNS service answers from its zones, never from the disk. Without --mailboxes nothing
// is held and no thread runs.
//
// Threading: everything runs on the thread that calls run(); request_stop() is the only
// member that may be called from another thread. The io_context must outlive the World
// (services hold AsioConnections whose sockets belong to it); the Server must not outlive
// the World.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <chrono>
#include <fstream>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "bridge/serve_options.hpp"
#include "scenarios/sim_runtime.hpp"
#include "scenarios/world.hpp"

namespace maillab::bridge {

class AsioConnection;
class GroupCommit;
class TcpFront;
class DnsFront;

class Server final : public scenario::ExternalNetwork {
 public:
  struct Bound {
    ListenSpec spec;
    RealEndpoint real;  // the address and port actually bound (port 0 resolved)
  };

  Server(boost::asio::io_context& io, scenario::World& world, ServeOptions options);
  ~Server() override;
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds every --listen socket and opens the --trace file; false and *error when one
  // cannot be (nothing stays bound then).
  bool open(std::string* error);
  const std::vector<Bound>& bound() const { return bound_; }

  void handle_signals();  // SIGINT and SIGTERM start the shutdown (a second one: at once)
  void run();
  void request_stop();    // thread-safe

  // Called from the loop for every new trace event (the live timeline).
  std::function<void(const sim::TraceEvent&)> on_trace;
  // One line per notable bridge condition (bind trouble, accept errors, shutdown).
  std::function<void(const std::string&)> on_log;

  // scenario::ExternalNetwork
  bool is_external(const std::string& address, std::uint16_t port) const override;
  void connect(scenario::SimRuntime& from, const std::string& address, std::uint16_t port,
               io::Time timeout,
               std::function<void(io::ConnectStatus, io::ConnectionPtr)> done) override;
  void udp_send(scenario::SimRuntime& from, std::uint16_t from_port, const std::string& to,
                std::uint16_t to_port, std::string_view bytes) override;

  // For the fronts (tcp_front.cpp, dns_front.cpp).
  scenario::World& world() { return world_; }
  boost::asio::io_context& io() { return io_; }
  const ServeOptions& options() const { return opt_; }
  bool stopping() const { return stopping_; }
  // A write to --trace failed (the disk is full, ...): serve stopped, and exits 2.
  const std::string& output_error() const { return output_error_; }
  void track(const std::shared_ptr<AsioConnection>& c, const std::string& host, bool inbound);
  bool limbo_room() const;
  void log(const std::string& line);

  // Live connections the bridge knows (tests).
  std::size_t connections() const;

 private:
  struct PendingConnect;
  struct Tracked {
    std::weak_ptr<AsioConnection> conn;
    std::string host;
    bool inbound = false;
  };

  std::int64_t sim_time_now() const;
  std::chrono::nanoseconds wall(io::Time sim_ns) const;
  void advance();
  void housekeeping();
  void wait_for_io();
  void begin_shutdown(const std::string& why);
  void abort_everything();
  void on_host_crash(const std::string& host);
  void write_trace();
  void wait_signal();

  boost::asio::io_context& io_;
  scenario::World& world_;
  ServeOptions opt_;
  std::vector<std::unique_ptr<TcpFront>> tcp_;
  std::vector<std::unique_ptr<DnsFront>> dns_;
  std::vector<Bound> bound_;
  std::vector<Tracked> tracked_;
  std::vector<std::weak_ptr<PendingConnect>> connecting_;
  std::set<std::string> virtual_addresses_;
  std::set<std::pair<std::string, std::uint16_t>> route_targets_;
  std::unique_ptr<boost::asio::signal_set> signals_;
  std::shared_ptr<GroupCommit> commit_;  // --mailboxes: the hosts' real disks
  std::ofstream trace_out_;
  std::size_t trace_done_ = 0;

  std::chrono::steady_clock::time_point start_wall_;
  io::Time start_sim_ = 0;
  bool stopping_ = false;
  std::string output_error_;
  bool force_ = false;
  bool done_ = false;
  std::chrono::steady_clock::time_point deadline_;
};

}  // namespace maillab::bridge
