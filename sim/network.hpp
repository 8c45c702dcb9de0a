// sim::Network: the virtual internet. Nodes (hosts with an IPv4 address, or pure routers)
// joined by links in a Boost.Graph graph; with no links every pair of hosts talks over a
// default path (full mesh). Routes take the lowest total latency (Dijkstra).
//
// Transport, as an application sees TCP and UDP:
// - connect(): SYN over the path; accepted after one round trip when someone listens on the
//   port (on_connected), refused (RST) when nobody does or the port is set to refuse,
//   timed out after `timeout` when the host is down or the path is cut.
// - Stream bytes arrive in order, after the path latency (+ size / bandwidth); lost
//   segments are retransmitted (extra delay), never dropped silently or reordered.
// - close() is an orderly FIN after the bytes already sent; abort() a reset.
// - Flow control: a receiver holds at most kReceiveWindow bytes in flight to it or arrived
//   and not yet read; beyond that the sender's bytes wait on its side (unsent()). An
//   application that stops reading (pause_reading) so holds its peer back, as TCP's
//   window does; the peer learns when its waiting bytes have left (notify_drained).
// - A host that goes down loses every connection and listener silently: its peers see
//   nothing until their own timeouts fire (or a reset once the host is back up).
// - UDP datagrams are dropped by loss, cuts and down hosts; nobody is told.
// - An on-path rewriter (set_tamper) may overwrite a stream's bytes as they are sent
//   between two nodes, byte for byte (same length: sequence numbers stay right), as the
//   middleboxes that mask STARTTLS do; the network knows nothing of what it rewrites.
// Every packet is reported to the packet observer (for the pcap export and the trace).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "base/ipv4.hpp"
#include "sim/simulator.hpp"

namespace maillab::sim {

using Address = std::uint32_t;  // IPv4, host byte order
// Dotted quads (base/ipv4.hpp: strict, inet_pton's form).
inline std::string format_address(Address a) { return base::format_ipv4(a); }
inline std::optional<Address> parse_address(std::string_view dotted) { return base::parse_ipv4(dotted); }

enum class CloseReason { Orderly, Reset, TimedOut };
enum class ConnectResult { Connected, Refused, TimedOut, Unreachable };

struct LinkParams {
  Time latency = 10 * kMillisecond;  // one way
  double loss = 0.0;                 // 0..1 per packet
  std::uint64_t bandwidth_bps = 0;   // 0 = unlimited
};

// The receiving side of a stream. The handler must outlive the stream or be detached
// (set_handler(nullptr)) first.
class StreamHandler {
 public:
  virtual ~StreamHandler() = default;
  virtual void on_data(std::string_view bytes) = 0;
  virtual void on_close(CloseReason why) = 0;  // peer FIN, RST, or timeout; final
  // The stream's unsent() fell to the level asked for with notify_drained().
  virtual void on_drained() {}
};

// A receiver's window (Linux's default tcp_rmem is 128 KiB, autotuned up to 6 MiB): the
// bytes in flight to an endpoint plus those it received and has not read. Larger than
// any exchange of the lab's scenarios, so it only ever holds back a peer that stops reading.
inline constexpr std::size_t kReceiveWindow = 256u << 10;
// on_data hands over at most this much at a time (a read(2) into a buffer of this size).
inline constexpr std::size_t kReadSize = 64u << 10;

class Stream {
 public:
  virtual ~Stream() = default;
  virtual void set_handler(StreamHandler* h) = 0;
  virtual void send(std::string_view bytes) = 0;  // ignored once closed
  virtual void close() = 0;                       // FIN after queued bytes
  virtual void abort() = 0;                       // RST now
  virtual bool is_open() const = 0;
  // Bytes given to send() that have not been transmitted yet (the peer's window is full,
  // or the path is cut).
  virtual std::size_t unsent() const = 0;
  // While paused no on_data is called: what arrives waits in this endpoint's receive
  // buffer, and once that holds kReceiveWindow bytes the peer's sending waits. A FIN is
  // reported after the data before it, so it waits too; a reset or a timeout is not held.
  virtual void pause_reading(bool paused) = 0;
  // One on_drained() once unsent() <= level, from a simulator event of its own.
  virtual void notify_drained(std::size_t level) = 0;
  virtual Address local_address() const = 0;
  virtual std::uint16_t local_port() const = 0;
  virtual Address peer_address() const = 0;
  virtual std::uint16_t peer_port() const = 0;
};
// Dropping the last StreamPtr of an open stream closes it (FIN after the queued bytes), as
// destroying a socket does: keep the pointer for as long as the connection should live.
using StreamPtr = std::shared_ptr<Stream>;

using AcceptFn = std::function<void(StreamPtr)>;
// Move-only and stored inline up to 48 bytes: a connect or a binding that wraps another
// std::function (the runtime's epoch check) costs no allocation.
using ConnectFn = SmallFunction<void(ConnectResult, StreamPtr)>;
using DatagramFn = SmallFunction<void(Address from, std::uint16_t from_port, std::string_view bytes)>;

enum class Protocol : std::uint8_t { Tcp, Udp };
struct Packet {
  Time time;
  Protocol protocol;
  Address src;
  std::uint16_t src_port;
  Address dst;
  std::uint16_t dst_port;
  std::uint8_t tcp_flags;  // SYN 0x02, ACK 0x10, FIN 0x01, RST 0x04, PSH 0x08
  std::uint32_t seq, ack;
  std::string_view payload;
  bool dropped;  // lost on the way (still shown, as a capture on the sender would)
};

class Network {
 public:
  explicit Network(Simulator& sim);
  ~Network();
  Network(const Network&) = delete;
  Network& operator=(const Network&) = delete;

  // Topology. A node without an address is a pure router.
  void add_host(std::string name, Address address);
  void add_router(std::string name);
  void add_link(std::string_view a, std::string_view b, LinkParams params);
  void set_default_path(LinkParams params);  // used between hosts when no link was added

  // Faults.
  void set_host_up(Address host, bool up);
  bool host_up(Address host) const;
  void cut(std::string_view a, std::string_view b);   // by node name; no packets either way
  void heal(std::string_view a, std::string_view b);
  void set_loss(std::string_view a, std::string_view b, double rate);
  void set_refused(Address host, std::uint16_t port, bool refused);
  // An attacker on the path between nodes a and b (two hosts: their connections; two
  // linked nodes: every route over that link) sees each stream send before it leaves and
  // may overwrite bytes in place (never change the length). Replaces an earlier one.
  using Tamper = std::function<void(Address from, std::uint16_t from_port, Address to,
                                    std::uint16_t to_port, std::span<char> bytes)>;
  void set_tamper(std::string_view a, std::string_view b, Tamper tamper);
  void clear_tamper(std::string_view a, std::string_view b);
  // Postfix inet_interfaces = loopback-only: the port answers connections from `host`
  // itself and refuses (RST) every other client.
  void set_loopback_only(Address host, std::uint16_t port, bool loopback_only);

  // The current route's one-way latency, or nullopt when no path exists now.
  std::optional<Time> path_latency(Address from, Address to) const;

  // TCP-like streams.
  void listen(Address host, std::uint16_t port, AcceptFn on_accept);
  void unlisten(Address host, std::uint16_t port);
  void connect(Address from, Address to, std::uint16_t port, Time timeout, ConnectFn done);

  // UDP.
  void bind_udp(Address host, std::uint16_t port, DatagramFn on_datagram);
  void unbind_udp(Address host, std::uint16_t port);
  void send_udp(Address from, std::uint16_t from_port, Address to, std::uint16_t to_port,
                std::string_view bytes);
  std::uint16_t ephemeral_port(Address host);  // 49152.. in order, per host

  void set_packet_observer(std::function<void(const Packet&)> observer);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace maillab::sim
