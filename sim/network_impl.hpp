// sim::NetworkCore (= Network::Impl): the private state of the virtual network, shared by
// network.cpp (public entry points, addresses, hosts up/down), network_topology.cpp
// (nodes, links, cuts, routes), network_streams.cpp (TCP-like streams) and
// network_datagrams.cpp (UDP). Not part of the API: include only from sim/network*.cpp.
//
// Invariants:
// - Every simulator event the network schedules captures only the NetworkCore pointer and
//   small ids (connection index + generation, ...), never a shared_ptr: an event for a
//   connection or attempt that has since been freed sees a stale generation and does
//   nothing. The Network must outlive the runs of its simulator.
// - Handlers and application callbacks are only ever called from simulator events, never
//   from inside an API call (no re-entrancy), and a connection is never freed while one
//   of its callbacks runs (Conn::busy).
// - NetworkCore::epoch counts topology changes; cached routes are valid for one epoch.
// - Per host the network keeps a Node (8 bytes), its name and two hash-map entries;
//   listeners and bindings live in flat maps keyed by (address, port), not per host.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "sim/network.hpp"

namespace maillab::sim {

inline constexpr std::uint32_t kNone = ~0u;

// TCP-like timers (Linux defaults, see tcp(7)).
inline constexpr Time kInitialRto = 200 * kMillisecond;   // TCP_RTO_MIN-ish first RTO
inline constexpr Time kMaxRto = 120 * kSecond;            // TCP_RTO_MAX
inline constexpr Time kGiveUp = 15 * kMinute;             // ~ tcp_retries2 = 15
inline constexpr Time kSynRto = 1 * kSecond;              // SYN retries at 1, 3, 7, 15 s...

// Drained stream buffers up to this capacity are kept for reuse (NetworkCore::spare_bytes).
inline constexpr std::size_t kSpareMax = 64u << 10;

inline constexpr std::uint8_t kFin = 0x01, kSyn = 0x02, kRst = 0x04, kPsh = 0x08,
                              kAck = 0x10;

// Serialisation delay of `bytes` at `bps` (0 = unlimited), in integer nanoseconds.
inline Time transmission_time(std::uint64_t bytes, std::uint64_t bps) {
  if (bps == 0 || bytes == 0) return 0;
  __extension__ using Wide = unsigned __int128;  // bytes * 8e9 overflows 64 bits past 2 GB
  return static_cast<Time>(static_cast<Wide>(bytes) * 8 * kSecond / bps);
}

inline std::uint64_t pair_key(std::uint32_t a, std::uint32_t b) {
  if (a > b) std::swap(a, b);
  return (std::uint64_t{a} << 32) | b;
}
inline std::uint64_t port_key(Address a, std::uint16_t port) {
  return (std::uint64_t{a} << 16) | port;
}

// A FIFO over a power-of-two ring: no allocation once grown (std::deque allocates a map
// and a 512-byte block even when empty, twice per connection).
template <class T>
class RingQueue {
 public:
  bool empty() const { return size_ == 0; }
  std::size_t size() const { return size_; }
  T& operator[](std::size_t i) { return buf_[(head_ + i) & (buf_.size() - 1)]; }
  T& front() { return buf_[head_]; }
  void push_back(const T& v) {
    if (size_ == buf_.size()) grow();
    buf_[(head_ + size_) & (buf_.size() - 1)] = v;
    ++size_;
  }
  void pop_front() {
    head_ = (head_ + 1) & (buf_.size() - 1);
    --size_;
  }
  void pop_back() { --size_; }
  void clear() { head_ = size_ = 0; }
  // Inserts `v` before element i (i <= size()), shifting the later ones.
  void insert(std::size_t i, const T& v) {
    push_back(v);
    for (std::size_t k = size_ - 1; k > i; --k) std::swap((*this)[k], (*this)[k - 1]);
  }

 private:
  void grow() {
    std::vector<T> next(buf_.empty() ? 4 : buf_.size() * 2);
    for (std::size_t i = 0; i < size_; ++i) next[i] = (*this)[i];
    buf_.swap(next);
    head_ = 0;
  }
  std::vector<T> buf_;
  std::size_t head_ = 0, size_ = 0;
};

struct Node {
  Address address = 0;
  std::uint16_t next_port = 49152;
  bool is_host = false;
  bool up = true;
};

struct Link {
  std::uint32_t a, b;
  LinkParams params;
};

struct PathInfo {
  bool reachable = false;
  Time latency = 0;
  double loss = 0.0;
  std::uint64_t bandwidth_bps = 0;  // bottleneck, 0 = unlimited
};

class StreamImpl;

// One endpoint's view of a connection.
enum class EndState : std::uint8_t {
  Open,      // the application may send; callbacks flow (until final_sent)
  Closed,    // close() called: FIN queued, no more callbacks
  Aborted,   // abort() called
  Reset,     // a RST arrived
  TimedOut,  // retransmissions gave up
  Vanished,  // its host went down: the stack forgot the connection
};

struct Endpoint {
  Address address = 0;
  std::uint16_t port = 0;
  std::uint32_t node = kNone;
  EndState state = EndState::Open;
  bool connected = false;      // the client side: false until the SYN-ACK arrives
  bool final_sent = false;     // on_close delivered or owed: no more data callbacks
  bool flush_scheduled = false;
  bool paused = false;         // pause_reading(true): arrivals wait in `unread`
  bool drain_wanted = false;   // notify_drained(drain_level) is pending
  std::size_t drain_level = 0;
  std::optional<CloseReason> pending_close;  // owed to a handler not yet attached
  StreamHandler* handler = nullptr;
  StreamImpl* handle = nullptr;  // the application's Stream (non-owning)
  std::string unread;            // arrived while no handler was attached, or paused
  std::uint32_t isn = 0;
  std::uint32_t rcv_nxt = 0;     // next sequence number expected from the peer
};

struct Segment {
  std::uint32_t len;
  bool fin;
};

// The bytes travelling from endpoint i to endpoint 1 - i.
struct Direction {
  std::string bytes;             // payload of the undelivered segments, from `head`
  std::size_t head = 0;
  std::uint64_t base = 0;        // stream offset of bytes[0]
  RingQueue<Segment> segs;       // the first `in_flight` have a delivery scheduled
  std::uint32_t in_flight = 0;
  Time tx_free = 0;              // the sender's side of the bottleneck is free from then
  Time last_arrival = 0;         // a segment never overtakes an earlier one
  Time stalled_since = -1;       // >= 0 while waiting for a cut to heal
  bool resume_scheduled = false;
  bool window_blocked = false;   // segments wait for the receiver's window to open
  bool window_update_scheduled = false;
  bool listed = false;           // has an entry in NetworkCore::stalled
  bool failed = false;           // given up or aborted: later sends vanish
  std::uint32_t snd_nxt = 0;     // sequence number of the next transmission
  std::uint64_t tx_abs = 0;      // stream offset of the next transmission's payload
};

struct Conn {
  std::uint32_t gen = 1;
  bool live = false;
  std::uint32_t busy = 0;        // callbacks running right now
  std::uint32_t next_free = kNone;
  std::uint32_t attempt = kNone; // the client's connect attempt until it completes
  std::uint64_t path_epoch = 0;  // `path` is valid while equal to NetworkCore::epoch
  PathInfo path;                 // ep[0] -> ep[1]; routes are symmetric
  Endpoint ep[2];                // [0] the client (connect), [1] the server (accept)
  Direction dir[2];
};

struct Attempt {
  std::uint32_t gen = 1;
  bool live = false;
  std::uint32_t next_free = kNone;
  std::uint32_t from_node = kNone;
  Address from = 0, to = 0;
  std::uint16_t from_port = 0, to_port = 0;
  Time syn_sent = 0;
  Time syn_rto = kSynRto;
  std::uint32_t isn = 0;
  std::uint32_t conn = kNone, conn_gen = 0;
  TimerId timeout, retry;
  ConnectFn done;
};

struct Listener {
  AcceptFn on_accept;  // empty: only a refused flag is stored
  bool refused = false;
};

struct Datagram {
  Address from = 0, to = 0;
  std::uint16_t from_port = 0, to_port = 0;
  std::uint32_t next_free = kNone;
  std::string payload;
};

// The network's state and machinery (Network::Impl is this; a separate name lets the
// stream handles, which are not members of Network, refer to it).
struct NetworkCore {
  explicit NetworkCore(Simulator& s);
  ~NetworkCore();
  NetworkCore(const NetworkCore&) = delete;
  NetworkCore& operator=(const NetworkCore&) = delete;

  Simulator& sim;
  Rng loss_rng;
  std::function<void(const Packet&)> observer;

  // --- topology (network_topology.cpp) ---
  std::vector<Node> nodes;
  std::deque<std::string> names;  // stable: by_name keys view into it
  std::unordered_map<std::string_view, std::uint32_t> by_name;
  std::unordered_map<Address, std::uint32_t> by_address;
  std::vector<Link> links;
  std::unordered_set<std::uint64_t> link_pairs;          // pair_key of linked nodes
  std::unordered_set<std::uint64_t> cuts;                // pair_key of node indices
  std::unordered_map<std::uint64_t, double> loss_override;  // pair_key -> rate
  std::unordered_map<std::uint64_t, Network::Tamper> tampers;  // pair_key -> rewriter
  LinkParams default_path;
  std::uint64_t epoch = 1;  // bumped on every topology/fault change that affects paths
  mutable std::unordered_map<std::uint64_t, PathInfo> path_cache;  // pair_key -> path
  struct Tree {
    std::vector<Time> dist;
    std::vector<std::uint32_t> pred;
  };
  mutable std::unordered_map<std::uint32_t, Tree> trees;  // source node -> Dijkstra

  std::uint32_t add_node(std::string name, bool is_host, Address address);
  std::uint32_t node_named(std::string_view name) const;   // asserts it exists
  std::uint32_t node_of(Address a) const;                   // kNone when unknown
  bool up(std::uint32_t node) const { return node != kNone && nodes[node].up; }
  PathInfo path(std::uint32_t from, std::uint32_t to) const;
  void topology_changed();  // invalidates routes, resumes stalled streams
  // The rewriter on the route between two nodes, or nullptr (network_topology.cpp).
  const Network::Tamper* tamper_between(std::uint32_t from, std::uint32_t to);

  // --- packets ---
  void report(Protocol proto, Address src, std::uint16_t sport, Address dst,
              std::uint16_t dport, std::uint8_t flags, std::uint32_t seq, std::uint32_t ack,
              std::string_view payload, bool dropped) const {
    if (!observer) return;
    observer(Packet{sim.now(), proto, src, sport, dst, dport, flags, seq, ack, payload, dropped});
  }
  // Draws how many transmissions are lost before one gets through, and the RTO backoff
  // they cost; false when the sender would give up first (see network_topology.cpp).
  bool lossy_attempts(double loss, std::uint32_t& lost, Time& backoff);

  // --- streams (network_streams.cpp) ---
  std::deque<Conn> conns;  // stable references: callbacks may open connections
  std::uint32_t conn_free = kNone;
  std::deque<Attempt> attempts;
  std::uint32_t attempt_free = kNone;
  std::unordered_map<std::uint64_t, Listener> listeners;  // port_key -> listener
  std::unordered_set<std::uint64_t> loopback_only;        // port_keys refusing other hosts
  // The accept function runs moved out of its listener (not copied: a copy allocates),
  // and goes back afterwards unless the listener was replaced or removed meanwhile.
  bool accepting = false;
  bool accept_replaced = false;
  std::uint64_t accepting_key = 0;
  void listener_changed(std::uint64_t key) {
    if (accepting && key == accepting_key) accept_replaced = true;
  }
  struct StallRef {
    std::uint32_t conn, gen;
    std::uint8_t dir;
  };
  std::vector<StallRef> stalled;
  std::string scratch;  // the bytes handed to on_data (a handler may send meanwhile)
  std::string read_scratch;  // a read from an endpoint's `unread` (flush)
  // Grown buffers of drained directions, lent to the next direction that sends: only the
  // directions with bytes in flight hold one, so a warm run sends without allocating.
  std::vector<std::string> spare_bytes;

  void connect(Address from, Address to, std::uint16_t port, Time timeout, ConnectFn done);
  void send_syn(std::uint32_t a);
  void syn_retry(std::uint32_t a, std::uint32_t gen);
  void syn_arrived(std::uint32_t a, std::uint32_t gen);
  void refused_arrived(std::uint32_t a, std::uint32_t gen);
  void synack_arrived(std::uint32_t a, std::uint32_t gen, std::uint32_t c, std::uint32_t cgen);
  void attempt_timed_out(std::uint32_t a, std::uint32_t gen);
  void free_attempt(std::uint32_t a);
  void vanish(std::uint32_t c, int side, EndState as = EndState::Vanished);
  std::uint32_t new_conn();
  void release_if_done(std::uint32_t c);
  const PathInfo& conn_path(Conn& c);

  // Stream operations on endpoint `side` of connection c (generation-checked by callers).
  void send(std::uint32_t c, int side, std::string_view bytes);
  void close(std::uint32_t c, int side);
  void abort(std::uint32_t c, int side);
  void set_handler(std::uint32_t c, int side, StreamHandler* h);
  void handle_gone(std::uint32_t c, int side);

  void pump(std::uint32_t c, int dir);         // transmit the waiting segments
  bool transmit(std::uint32_t c, int dir);     // the first waiting segment; false: stalled
  void report_copy(std::uint32_t c, std::uint32_t gen, int dir, std::uint64_t abs,
                   std::uint32_t len, std::uint32_t seq, std::uint8_t flags, bool dropped);
  void drop_waiting(Direction& d);
  void deliver(std::uint32_t c, std::uint32_t gen, int dir);
  void send_rst(std::uint32_t c, int from_side);
  void rst_arrived(std::uint32_t c, std::uint32_t gen, int to_side);
  void stall(std::uint32_t c, int dir);
  void stall_expired(std::uint32_t c, std::uint32_t gen, int dir, Time since);
  void resume(std::uint32_t c, std::uint32_t gen, int dir);
  void resume_stalled();
  void fail_direction(std::uint32_t c, int dir);
  void notify_data(std::uint32_t c, int side, std::string_view bytes);
  void notify_close(std::uint32_t c, int side, CloseReason why);
  void flush(std::uint32_t c, std::uint32_t gen, int side);
  void schedule_flush(std::uint32_t c, int side);
  // Flow control (network_flow.cpp).
  std::size_t window_room(Conn& cn, int dir) const;  // bytes dir may transmit now
  std::size_t unsent(std::uint32_t c, int side) const;
  void open_window(std::uint32_t c, int dir);  // dir's receiver has read: tell the sender
  void window_update(std::uint32_t c, std::uint32_t gen, int dir);
  void pause_reading(std::uint32_t c, int side, bool paused);
  void notify_drained(std::uint32_t c, int side, std::size_t level);
  void check_drained(std::uint32_t c, int side);
  // Hands bytes to the application in reads of kReadSize; what it does not take (paused,
  // detached) waits in `unread`.
  void hand_over(std::uint32_t c, int side, std::string_view bytes);
  void host_down(std::uint32_t node);
  bool finished(const Endpoint& e) const { return e.state != EndState::Open; }

  // --- datagrams (network_datagrams.cpp) ---
  std::unordered_map<std::uint64_t, DatagramFn> udp;  // port_key -> handler
  // Nodes of unbound ports, reused by the next bind (a resolver binds a port per lookup).
  std::vector<std::unordered_map<std::uint64_t, DatagramFn>::node_type> spare_udp_nodes;
  std::vector<Datagram> datagrams;
  std::uint32_t datagram_free = kNone;
  std::string udp_scratch;

  void send_udp(Address from, std::uint16_t from_port, Address to, std::uint16_t to_port,
                std::string_view bytes);
  void datagram_arrived(std::uint32_t d);
};

struct Network::Impl : NetworkCore {
  using NetworkCore::NetworkCore;
};

// The application's handle on one endpoint. It holds ids, not the connection: the
// connection's state lives in the network, so the handle may be dropped at any time
// (even inside one of its own callbacks). Dropping the last handle of an open endpoint
// closes it, as destroying a socket does.
class StreamImpl final : public Stream {
 public:
  StreamImpl(NetworkCore* net, std::uint32_t conn, std::uint32_t gen, int side,
             const Endpoint& local, const Endpoint& peer)
      : net_(net), conn_(conn), gen_(gen), side_(static_cast<std::uint8_t>(side)),
        local_port_(local.port), peer_port_(peer.port), local_(local.address),
        peer_(peer.address) {}
  ~StreamImpl() override;

  void set_handler(StreamHandler* h) override;
  void send(std::string_view bytes) override;
  void close() override;
  void abort() override;
  bool is_open() const override;
  std::size_t unsent() const override;
  void pause_reading(bool paused) override;
  void notify_drained(std::size_t level) override;
  Address local_address() const override { return local_; }
  std::uint16_t local_port() const override { return local_port_; }
  Address peer_address() const override { return peer_; }
  std::uint16_t peer_port() const override { return peer_port_; }

  void detach() { net_ = nullptr; }  // the network is going away

 private:
  bool live() const;

  NetworkCore* net_;
  std::uint32_t conn_, gen_;
  std::uint8_t side_;
  std::uint16_t local_port_, peer_port_;
  Address local_, peer_;
};

}  // namespace maillab::sim
