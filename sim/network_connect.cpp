// sim::Network connection set-up and tear-down: the three-way handshake (SYN, SYN-ACK,
// ACK), refusals, SYN retransmission and connect timeouts, the connection pool, and what a
// host going down does to its connections.
//
// Timeline of a successful connect() at t0 over a path of one-way latency L:
//   t0        SYN leaves the client
//   t0 + L    SYN arrives: the listener's AcceptFn gets the server stream; SYN-ACK leaves
//   t0 + 2L   SYN-ACK arrives: done(Connected, client stream); ACK leaves
// A SYN that is lost, cut or unanswered (host down, unknown address) is retransmitted after
// 1 s, then 2 s, 4 s... (Linux's tcp_syn_retries backoff) until the caller's timeout fires
// with kTimedOut. A closed or refused port answers RST: kRefused at t0 + 2L.
#include <cassert>

#include "sim/network_impl.hpp"
#include "sim/recycling_allocator.hpp"

namespace maillab::sim {
namespace {

// Deterministic initial sequence numbers, derived from the connection's 4-tuple.
std::uint32_t isn_for(Address a, std::uint16_t ap, Address b, std::uint16_t bp) {
  std::uint64_t x = (std::uint64_t{a} << 32 | b) ^ (std::uint64_t{ap} << 16 | bp) * 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return static_cast<std::uint32_t>(x ^ (x >> 31));
}

}  // namespace

void NetworkCore::connect(Address from, Address to, std::uint16_t port, Time timeout,
                            ConnectFn done) {
  assert(done && "connect: empty completion function");
  const std::uint32_t fn = node_of(from);
  assert(fn != kNone && "connect: unknown source address");
  if (fn == kNone || !nodes[fn].up) {
    // A dead host runs no software; answered from an event all the same (no re-entrancy).
    sim.after(0, [d = std::move(done)]() mutable { d(ConnectResult::Unreachable, nullptr); });
    return;
  }
  std::uint32_t a = attempt_free;
  if (a == kNone) {
    a = static_cast<std::uint32_t>(attempts.size());
    attempts.emplace_back();
  } else {
    attempt_free = attempts[a].next_free;
  }
  Attempt& at = attempts[a];
  at.live = true;
  at.from_node = fn;
  at.from = from;
  at.to = to;
  std::uint16_t& next = nodes[fn].next_port;  // as Network::ephemeral_port
  at.from_port = next;
  next = next == 65535 ? 49152 : static_cast<std::uint16_t>(next + 1);
  at.to_port = port;
  at.syn_rto = kSynRto;
  at.isn = isn_for(from, at.from_port, to, port);
  at.conn = kNone;
  at.done = std::move(done);
  at.timeout = sim.after(timeout, [this, a, g = at.gen] { attempt_timed_out(a, g); });
  send_syn(a);
}

void NetworkCore::send_syn(std::uint32_t a) {
  Attempt& at = attempts[a];
  at.syn_sent = sim.now();
  const PathInfo p = path(at.from_node, node_of(at.to));
  std::uint32_t lost = 0;
  Time backoff = 0;
  // One draw: the SYN itself is lost or not (its retransmission is the retry below).
  const bool through = p.reachable && lossy_attempts(p.loss, lost, backoff) && lost == 0;
  report(Protocol::Tcp, at.from, at.from_port, at.to, at.to_port, kSyn, at.isn, 0, {},
         !through);
  if (through) sim.after(p.latency, [this, a, g = at.gen] { syn_arrived(a, g); });
  at.retry = sim.after(at.syn_rto, [this, a, g = at.gen] { syn_retry(a, g); });
}

void NetworkCore::syn_retry(std::uint32_t a, std::uint32_t gen) {
  Attempt& at = attempts[a];
  if (!at.live || at.gen != gen || at.conn != kNone) return;
  at.syn_rto *= 2;
  send_syn(a);
}

void NetworkCore::syn_arrived(std::uint32_t a, std::uint32_t gen) {
  Attempt& at = attempts[a];
  if (!at.live || at.gen != gen || at.conn != kNone) return;  // gone, or a duplicate SYN
  const std::uint32_t tn = node_of(at.to);
  if (!up(tn)) return;  // nobody answers; the retry timer resends
  const PathInfo back = path(tn, at.from_node);
  if (!back.reachable) return;  // the answer cannot get through (cut meanwhile)
  auto it = listeners.find(port_key(at.to, at.to_port));
  if (it == listeners.end() || it->second.refused || !it->second.on_accept ||
      (at.from != at.to && loopback_only.count(it->first))) {
    report(Protocol::Tcp, at.to, at.to_port, at.from, at.from_port, kRst | kAck, 0,
           at.isn + 1, {}, false);
    sim.cancel(at.retry);
    sim.after(back.latency, [this, a, gen] { refused_arrived(a, gen); });
    return;
  }
  sim.cancel(at.retry);
  const std::uint32_t c = new_conn();
  Conn& cn = conns[c];
  Endpoint& cl = cn.ep[0];
  Endpoint& sv = cn.ep[1];
  cl.address = at.from;
  cl.port = at.from_port;
  cl.node = at.from_node;
  cl.isn = at.isn;
  sv.address = at.to;
  sv.port = at.to_port;
  sv.node = tn;
  sv.connected = true;
  sv.isn = isn_for(at.to, at.to_port, at.from, at.from_port);
  cl.rcv_nxt = sv.isn + 1;
  sv.rcv_nxt = cl.isn + 1;
  cn.dir[0].snd_nxt = cl.isn + 1;
  cn.dir[1].snd_nxt = sv.isn + 1;
  cn.attempt = a;
  at.conn = c;
  at.conn_gen = cn.gen;
  report(Protocol::Tcp, sv.address, sv.port, cl.address, cl.port, kSyn | kAck, sv.isn,
         sv.rcv_nxt, {}, false);
  // Scheduled before the application runs, so the client learns it is connected before
  // any byte the server sends from its accept function arrives.
  sim.after(back.latency, [this, a, gen, c, cg = cn.gen] { synack_arrived(a, gen, c, cg); });
  const std::uint64_t key = it->first;
  AcceptFn accept = std::move(it->second.on_accept);
  it->second.on_accept = nullptr;
  auto stream =
      std::allocate_shared<StreamImpl>(RecyclingAllocator<StreamImpl>(), this, c, cn.gen, 1, sv, cl);
  sv.handle = stream.get();
  ++cn.busy;
  accepting = true;
  accept_replaced = false;
  accepting_key = key;
  accept(std::move(stream));
  accepting = false;
  if (!accept_replaced) listeners[key].on_accept = std::move(accept);
  --cn.busy;
  release_if_done(c);
}

void NetworkCore::refused_arrived(std::uint32_t a, std::uint32_t gen) {
  Attempt& at = attempts[a];
  if (!at.live || at.gen != gen) return;
  ConnectFn done = std::move(at.done);
  sim.cancel(at.timeout);
  free_attempt(a);
  done(ConnectResult::Refused, nullptr);
}

void NetworkCore::synack_arrived(std::uint32_t a, std::uint32_t gen, std::uint32_t c,
                                   std::uint32_t cgen) {
  Conn& cn = conns[c];
  Attempt& at = attempts[a];
  if (!at.live || at.gen != gen) {
    // The client gave up (timeout) or its host died meanwhile: its stack answers RST.
    if (cn.live && cn.gen == cgen && up(cn.ep[0].node)) send_rst(c, 0);
    return;
  }
  assert(cn.live && cn.gen == cgen);
  ConnectFn done = std::move(at.done);
  sim.cancel(at.timeout);
  free_attempt(a);
  cn.attempt = kNone;
  Endpoint& cl = cn.ep[0];
  cl.connected = true;
  report(Protocol::Tcp, cl.address, cl.port, cn.ep[1].address, cn.ep[1].port, kAck,
         cn.dir[0].snd_nxt, cl.rcv_nxt, {}, false);
  auto stream = std::allocate_shared<StreamImpl>(RecyclingAllocator<StreamImpl>(), this, c, cn.gen,
                                                 0, cl, cn.ep[1]);
  cl.handle = stream.get();
  ++cn.busy;
  done(ConnectResult::Connected, std::move(stream));
  --cn.busy;
  release_if_done(c);
}

void NetworkCore::attempt_timed_out(std::uint32_t a, std::uint32_t gen) {
  Attempt& at = attempts[a];
  if (!at.live || at.gen != gen) return;
  ConnectFn done = std::move(at.done);
  sim.cancel(at.retry);
  if (at.conn != kNone) {
    // Accepted, but the SYN-ACK is still on its way (timeout shorter than the RTT): the
    // client's socket is closed; the SYN-ACK will meet a RST.
    Conn& cn = conns[at.conn];
    if (cn.live && cn.gen == at.conn_gen) {
      cn.attempt = kNone;
      Endpoint& cl = cn.ep[0];
      cl.state = EndState::Closed;
      cl.final_sent = true;
      cn.dir[0].failed = true;
      release_if_done(at.conn);
    }
  }
  free_attempt(a);
  done(ConnectResult::TimedOut, nullptr);
}

void NetworkCore::free_attempt(std::uint32_t a) {
  Attempt& at = attempts[a];
  at.live = false;
  ++at.gen;
  at.done = nullptr;
  at.next_free = attempt_free;
  attempt_free = a;
}

std::uint32_t NetworkCore::new_conn() {
  std::uint32_t c = conn_free;
  if (c == kNone) {
    c = static_cast<std::uint32_t>(conns.size());
    conns.emplace_back();
  } else {
    conn_free = conns[c].next_free;
  }
  Conn& cn = conns[c];
  cn.live = true;
  cn.busy = 0;
  cn.attempt = kNone;
  cn.path_epoch = 0;
  for (Endpoint& e : cn.ep) {
    e.state = EndState::Open;
    e.connected = false;
    e.final_sent = false;
    e.flush_scheduled = false;
    e.paused = false;
    e.drain_wanted = false;
    e.pending_close.reset();
    e.handler = nullptr;
    e.handle = nullptr;
    e.unread.clear();
  }
  for (Direction& d : cn.dir) {
    d.bytes.clear();  // keeps its capacity: no allocation once the pool is warm
    d.head = 0;
    d.base = 0;
    d.segs.clear();
    d.in_flight = 0;
    d.tx_free = 0;
    d.last_arrival = 0;
    d.stalled_since = -1;
    d.resume_scheduled = false;
    d.window_blocked = false;
    d.window_update_scheduled = false;
    d.listed = false;
    d.failed = false;
    d.tx_abs = 0;
  }
  return c;
}

// A connection is gone once neither side can get a callback any more.
void NetworkCore::release_if_done(std::uint32_t c) {
  Conn& cn = conns[c];
  if (!cn.live || cn.busy || !finished(cn.ep[0]) || !finished(cn.ep[1])) return;
  if (cn.attempt != kNone) return;  // the client's connect() has not completed yet
  cn.live = false;
  ++cn.gen;
  for (Endpoint& e : cn.ep) e.unread.clear();
  cn.next_free = conn_free;
  conn_free = c;
}

// The host's stack forgets the endpoint: no callback to its (dead) software, its queued
// bytes are gone, and whatever arrives for it later is lost (host down) or answered RST.
// abort() forgets it the same way, as `as` (kAborted), before its RST.
void NetworkCore::vanish(std::uint32_t c, int side, EndState as) {
  Conn& cn = conns[c];
  Endpoint& e = cn.ep[side];
  e.state = as;
  e.final_sent = true;
  e.handler = nullptr;
  e.unread.clear();
  e.pending_close.reset();
  drop_waiting(cn.dir[side]);
  cn.dir[side].failed = true;
}

void NetworkCore::host_down(std::uint32_t n) {
  const Address addr = nodes[n].address;
  for (auto it = listeners.begin(); it != listeners.end();) {
    if ((it->first >> 16) != addr) {
      ++it;
      continue;
    }
    listener_changed(it->first);
    if (it->second.refused) {
      it->second.on_accept = nullptr;
      ++it;
    } else {
      it = listeners.erase(it);
    }
  }
  for (auto it = udp.begin(); it != udp.end();) {
    it = (it->first >> 16) == addr ? udp.erase(it) : std::next(it);
  }
  for (std::uint32_t a = 0; a < attempts.size(); ++a) {
    Attempt& at = attempts[a];
    if (!at.live || at.from_node != n) continue;
    sim.cancel(at.timeout);
    sim.cancel(at.retry);
    if (at.conn != kNone && conns[at.conn].live && conns[at.conn].gen == at.conn_gen) {
      conns[at.conn].attempt = kNone;
    }
    free_attempt(a);
  }
  for (std::uint32_t c = 0; c < conns.size(); ++c) {
    Conn& cn = conns[c];
    if (!cn.live) continue;
    bool touched = false;
    for (int side = 0; side < 2; ++side) {
      if (cn.ep[side].node == n && cn.ep[side].state != EndState::Vanished) {
        vanish(c, side);
        touched = true;
      }
    }
    if (touched) release_if_done(c);
  }
}

}  // namespace maillab::sim
