// io::Runtime: everything a service (the MTA, the POP3 server, a MUA) needs from the
// world it runs in, and nothing more: time, timers, TCP-like connections, UDP datagrams,
// the host's disk, a random stream and the trace. The simulator implements it with virtual
// streams and its clock (scenarios/sim_runtime.*); the bridge implements it with Asio.
// Services are written once against this interface (DESIGN.md "Layers").
//
// Invariants: callbacks are never invoked re-entrantly from inside a call into the runtime
// (send() never calls on_data()); a cancelled timer never fires; times are simulated
// nanoseconds since the start of the run.
//
// Backpressure (DESIGN.md "Backpressure in the glue"): a Connection says how many bytes
// it was given and has not sent yet (unsent()), can stop and resume reading, and tells its
// handler once the unsent bytes have drained to a level. services::SessionDriver uses
// them for every engine: a peer that sends and never reads is left to TCP's flow control
// instead of filling the server's memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <string_view>

#include "protocols/io/disk.hpp"
#include "protocols/io/trace_vocab.hpp"

namespace maillab::io {

using Time = std::int64_t;  // nanoseconds since the start of the run
using TimerHandle = std::uint64_t;  // 0 is "no timer"

enum class CloseKind { Orderly, Reset, TimedOut };
enum class ConnectStatus { Connected, Refused, TimedOut, Unreachable };

class ConnectionHandler {
 public:
  virtual ~ConnectionHandler() = default;
  virtual void on_data(std::string_view bytes) = 0;
  virtual void on_close(CloseKind why) = 0;
  // The connection's unsent() fell to the level given to notify_drained().
  virtual void on_drained() {}
};

class Connection {
 public:
  virtual ~Connection() = default;
  virtual void set_handler(ConnectionHandler* h) = 0;
  virtual void send(std::string_view bytes) = 0;
  virtual void close() = 0;  // orderly, after what was sent
  virtual void abort() = 0;  // reset
  // Bytes given to send() that have not left for the peer yet (it does not read, the path
  // is cut, or they wait for the disk to be synced).
  virtual std::size_t unsent() const = 0;
  // While paused no on_data is called and nothing more is read from the peer (what it
  // sends waits in TCP's buffers, then holds the peer back). Closes by the peer come after
  // the data before them, so an orderly one waits too; a reset may not.
  virtual void pause_reading(bool paused) = 0;
  // Asks for one on_drained() once unsent() <= level: from an event of its own, never from
  // inside this call (even when unsent() is already that low).
  virtual void notify_drained(std::size_t level) = 0;
  virtual std::string peer_address() const = 0;
  virtual std::uint16_t local_port() const = 0;
};
using ConnectionPtr = std::shared_ptr<Connection>;

// A trace record: who (agent), what (event), and key=value detail, all named by the
// vocabulary (trace_vocab.hpp, docs/trace.md). `host` is filled by the runtime.
struct TraceField {
  trace::Key key;
  std::string value;
  // False for a field that is not recorded: one the vocabulary marks optional ("key?")
  // whose value is empty. Every Runtime::trace that records honours it.
  bool recorded_in(trace::Event event) const { return !value.empty() || !trace::is_optional(event, key); }
};

class Runtime {
 public:
  virtual ~Runtime() = default;
  virtual Time now() const = 0;
  virtual const std::string& hostname() const = 0;
  virtual const std::string& address() const = 0;

  virtual TimerHandle start_timer(Time delay, std::function<void()> fn) = 0;
  virtual void cancel_timer(TimerHandle h) = 0;
  // Re-arms the pending timer `h` to fire `delay` from now with the callback it has: as
  // cancel_timer(h) then start_timer(delay, that callback), without building a new one
  // (a session re-arms its timeout after every exchange). Returns the new handle, or 0
  // when the runtime cannot (h not pending, or not supported): then nothing changed.
  virtual TimerHandle restart_timer(TimerHandle /*h*/, Time /*delay*/) { return 0; }

  virtual void listen(std::uint16_t port, std::function<void(ConnectionPtr)> on_accept) = 0;
  virtual void connect(const std::string& address, std::uint16_t port, Time timeout,
                       std::function<void(ConnectStatus, ConnectionPtr)> done) = 0;

  // UDP: bind a port (0 = pick an ephemeral one; the port is returned), send, unbind.
  using DatagramFn = std::function<void(const std::string& from, std::uint16_t from_port,
                                        std::string_view bytes)>;
  virtual std::uint16_t udp_bind(std::uint16_t port, DatagramFn fn) = 0;
  virtual void udp_unbind(std::uint16_t port) = 0;
  virtual void udp_send(std::uint16_t from_port, const std::string& to, std::uint16_t to_port,
                        std::string_view bytes) = 0;

  virtual Disk& disk() = 0;
  virtual std::mt19937_64& rng(std::string_view purpose) = 0;

  // Records `event`; a field the vocabulary marks optional is left out when its value is
  // empty (TraceField::recorded_in), so a producer passes it whether it has one or not.
  virtual void trace(trace::Agent agent, trace::Event event, std::initializer_list<TraceField> fields) = 0;
  // False when trace() records nothing (a benchmark run): callers may skip building the
  // fields of a trace event that costs more than the event itself.
  virtual bool tracing() const { return true; }
};

}  // namespace maillab::io
