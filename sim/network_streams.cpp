// sim::Network stream data path: segments, retransmission, cuts, FIN and RST, and the
// callbacks to the application's StreamHandler.
//
// Model (what an application sees of TCP, not TCP's state machine):
// - Each send() is one segment. It leaves when the sender's side of the bottleneck is free
//   (size * 8 / bandwidth per segment) and arrives one path latency later, never before an
//   earlier segment of the same direction (in-order delivery holds back later segments).
// - Loss: each lost transmission of a segment costs one RTO (200 ms, doubling up to 120 s),
//   drawn from sim.rng("loss"); later segments wait behind it. Nothing is ever dropped
//   silently or reordered.
// - A send while the path is cut (or loss is total) waits; the sender keeps retransmitting
//   on its RTO schedule, so when the path heals the data goes at the next retransmission.
//   After 15 minutes without a path (tcp_retries2) the sender gets on_close(kTimedOut).
// - Flow control (network_flow.cpp): a segment leaves only within the receiver's window
//   (kReceiveWindow: bytes in flight to it plus bytes it has not read), split to fit; the
//   rest waits (window_blocked) until the receiver reads and the window update arrives,
//   one latency later. A receiver that reads at once never fills it.
// - close() queues a FIN behind the data: the peer gets on_close(kOrderly) after the last
//   byte. abort() sends a RST: the peer gets on_close(kReset) one latency later.
// - A segment for an endpoint whose stack forgot the connection (closed, timed out, host
//   rebooted) is answered with a RST; one for a host that is down is simply lost.
#include <algorithm>
#include <cassert>

#include "sim/network_impl.hpp"

namespace maillab::sim {

const PathInfo& NetworkCore::conn_path(Conn& c) {
  if (c.path_epoch != epoch) {
    c.path = path(c.ep[0].node, c.ep[1].node);
    c.path_epoch = epoch;
  }
  return c.path;
}

void NetworkCore::send(std::uint32_t c, int side, std::string_view bytes) {
  Conn& cn = conns[c];
  if (cn.ep[side].state != EndState::Open || bytes.empty()) return;
  Direction& d = cn.dir[side];
  if (d.failed) return;
  const std::size_t need = d.bytes.size() + bytes.size();
  if (need > d.bytes.capacity()) {
    if (d.bytes.empty() && !spare_bytes.empty()) {
      d.bytes.swap(spare_bytes.back());
      spare_bytes.pop_back();
      d.bytes.clear();
    }
    // Grown once to a size that holds a typical exchange, not step by step.
    if (need > d.bytes.capacity()) d.bytes.reserve(std::max<std::size_t>(need, 1024));
  }
  const std::size_t at = d.bytes.size();
  d.bytes.append(bytes);
  if (!tampers.empty()) {
    if (const Network::Tamper* t = tamper_between(cn.ep[side].node, cn.ep[1 - side].node))
      (*t)(cn.ep[side].address, cn.ep[side].port, cn.ep[1 - side].address, cn.ep[1 - side].port,
           std::span<char>(d.bytes.data() + at, bytes.size()));
  }
  d.segs.push_back(Segment{static_cast<std::uint32_t>(bytes.size()), false});
  // Segments already waiting (a cut, a full window) go first.
  if (d.stalled_since < 0 && !d.window_blocked) transmit(c, side);
}

void NetworkCore::close(std::uint32_t c, int side) {
  Conn& cn = conns[c];
  Endpoint& e = cn.ep[side];
  if (e.state != EndState::Open) return;
  e.state = EndState::Closed;
  e.final_sent = true;
  e.handler = nullptr;
  e.unread.clear();
  e.pending_close.reset();
  Direction& d = cn.dir[side];
  if (!d.failed) {
    d.segs.push_back(Segment{0, true});
    if (d.stalled_since < 0 && !d.window_blocked) transmit(c, side);
  }
  open_window(c, 1 - side);  // its receive buffer is gone
  release_if_done(c);
}

void NetworkCore::abort(std::uint32_t c, int side) {
  if (conns[c].ep[side].state != EndState::Open) return;
  vanish(c, side, EndState::Aborted);
  send_rst(c, side);
  release_if_done(c);
}

void NetworkCore::set_handler(std::uint32_t c, int side, StreamHandler* h) {
  Endpoint& e = conns[c].ep[side];
  // After close()/abort() or its host's death the endpoint has no application any more.
  if (e.state == EndState::Closed || e.state == EndState::Aborted ||
      e.state == EndState::Vanished) {
    return;
  }
  e.handler = h;
  if (h && (!e.unread.empty() || e.pending_close)) schedule_flush(c, side);
}

void NetworkCore::handle_gone(std::uint32_t c, int side) {
  Conn& cn = conns[c];
  Endpoint& e = cn.ep[side];
  e.handle = nullptr;
  e.handler = nullptr;
  if (e.state == EndState::Open) {
    close(c, side);  // like destroying a socket
  } else {
    release_if_done(c);
  }
}

// Drops the segments that have not been transmitted yet (and their bytes).
void NetworkCore::drop_waiting(Direction& d) {
  while (d.segs.size() > d.in_flight) d.segs.pop_back();
  d.bytes.resize(static_cast<std::size_t>(d.tx_abs - d.base));
  d.stalled_since = -1;
  d.resume_scheduled = false;
  d.window_blocked = false;
}

void NetworkCore::pump(std::uint32_t c, int dir) {
  Direction& d = conns[c].dir[dir];
  while (d.in_flight < d.segs.size()) {
    if (!transmit(c, dir)) return;
  }
}

bool NetworkCore::transmit(std::uint32_t c, int dir) {
  Conn& cn = conns[c];
  Direction& d = cn.dir[dir];
  Segment seg = d.segs[d.in_flight];
  if (seg.len > 0) {
    const std::size_t room = window_room(cn, dir);
    if (room == 0) {
      d.window_blocked = true;
      return false;
    }
    if (seg.len > room) {  // what fits leaves now, the rest waits for the window
      const auto first = static_cast<std::uint32_t>(room);
      d.segs[d.in_flight].len = first;
      d.segs.insert(d.in_flight + 1, Segment{seg.len - first, false});
      seg.len = first;
    }
  }
  const PathInfo& p = conn_path(cn);
  std::uint32_t lost = 0;
  Time backoff = 0;
  if (!p.reachable || !lossy_attempts(p.loss, lost, backoff)) {
    stall(c, dir);
    return false;
  }
  const std::uint32_t seq = d.snd_nxt;
  const std::uint64_t abs = d.tx_abs;
  d.snd_nxt += seg.len + (seg.fin ? 1 : 0);
  d.tx_abs += seg.len;
  if (observer) {
    const std::uint8_t flags = seg.fin ? (kFin | kAck) : (kPsh | kAck);
    report_copy(c, cn.gen, dir, abs, seg.len, seq, flags, lost > 0);
    Time rto = kInitialRto, at = 0;
    for (std::uint32_t k = 1; k <= lost; ++k) {  // each retransmission, at its own time
      at += rto;
      rto = std::min(rto * 2, kMaxRto);
      sim.after(at, [this, c, g = cn.gen, dir, abs, len = seg.len, seq, flags, drop = k < lost] {
        report_copy(c, g, dir, abs, len, seq, flags, drop);
      });
    }
  }
  const Time tx = transmission_time(seg.len, p.bandwidth_bps);
  const Time start = std::max(sim.now() + backoff, d.tx_free);
  d.tx_free = start + tx;
  const Time arrival = std::max(d.last_arrival, d.tx_free + p.latency);
  d.last_arrival = arrival;
  ++d.in_flight;
  sim.at(arrival, [this, c, g = cn.gen, dir] { deliver(c, g, dir); });
  return true;
}

void NetworkCore::report_copy(std::uint32_t c, std::uint32_t gen, int dir,
                                std::uint64_t abs, std::uint32_t len, std::uint32_t seq,
                                std::uint8_t flags, bool dropped) {
  Conn& cn = conns[c];
  if (!observer || !cn.live || cn.gen != gen) return;
  const Direction& d = cn.dir[dir];
  std::string_view payload;
  if (len && abs >= d.base && abs - d.base + len <= d.bytes.size()) {
    payload = std::string_view(d.bytes).substr(static_cast<std::size_t>(abs - d.base), len);
  }
  const Endpoint& from = cn.ep[dir];
  const Endpoint& to = cn.ep[1 - dir];
  report(Protocol::Tcp, from.address, from.port, to.address, to.port, flags, seq,
         from.rcv_nxt, payload, dropped);
}

void NetworkCore::deliver(std::uint32_t c, std::uint32_t gen, int dir) {
  Conn& cn = conns[c];
  if (!cn.live || cn.gen != gen) return;
  Direction& d = cn.dir[dir];
  assert(d.in_flight > 0);
  const Segment seg = d.segs.front();
  d.segs.pop_front();
  --d.in_flight;
  const int to = 1 - dir;
  Endpoint& e = cn.ep[to];
  const bool wanted = up(e.node) && e.state == EndState::Open && !e.final_sent;
  if (wanted && seg.len) scratch.assign(d.bytes, d.head, seg.len);
  d.head += seg.len;
  if (d.head == d.bytes.size()) {
    d.base += d.bytes.size();
    d.bytes.clear();
    d.head = 0;
    // Lend a heap buffer out while the direction is idle (a huge one stays here).
    if (d.bytes.capacity() > 15 && d.bytes.capacity() <= kSpareMax) {
      spare_bytes.emplace_back().swap(d.bytes);
    }
  } else if (d.head > (64u << 10) && d.head > d.bytes.size() / 2) {
    d.bytes.erase(0, d.head);  // a long-lived stream: keep the buffer bounded
    d.base += d.head;
    d.head = 0;
  }
  if (!up(e.node)) return;  // lost at a dead host
  switch (e.state) {
    case EndState::Open:
      if (!wanted) break;
      if (seg.fin) {
        ++e.rcv_nxt;
        report(Protocol::Tcp, e.address, e.port, cn.ep[dir].address, cn.ep[dir].port, kAck,
               cn.dir[to].snd_nxt, e.rcv_nxt, {}, false);
        notify_close(c, to, CloseReason::Orderly);
      } else {
        e.rcv_nxt += seg.len;
        notify_data(c, to, scratch);
      }
      open_window(c, dir);
      break;
    case EndState::Closed:
      if (!seg.fin) send_rst(c, to);  // data for a closed socket (Linux answers RST)
      break;
    case EndState::TimedOut:
    case EndState::Vanished:
      send_rst(c, to);  // the stack has no such connection any more
      break;
    case EndState::Aborted:
    case EndState::Reset:
      break;
  }
  release_if_done(c);
}

void NetworkCore::send_rst(std::uint32_t c, int from_side) {
  Conn& cn = conns[c];
  const Endpoint& e = cn.ep[from_side];
  const Endpoint& peer = cn.ep[1 - from_side];
  const PathInfo& p = conn_path(cn);
  report(Protocol::Tcp, e.address, e.port, peer.address, peer.port, kRst | kAck,
         cn.dir[from_side].snd_nxt, e.rcv_nxt, {}, !p.reachable);
  if (!p.reachable) return;
  sim.after(p.latency, [this, c, g = cn.gen, to = 1 - from_side] { rst_arrived(c, g, to); });
}

void NetworkCore::rst_arrived(std::uint32_t c, std::uint32_t gen, int to) {
  Conn& cn = conns[c];
  if (!cn.live || cn.gen != gen) return;
  Endpoint& e = cn.ep[to];
  if (!up(e.node) || e.state != EndState::Open) return;
  e.state = EndState::Reset;
  drop_waiting(cn.dir[to]);
  cn.dir[to].failed = true;
  notify_close(c, to, CloseReason::Reset);
  release_if_done(c);
}

void NetworkCore::stall(std::uint32_t c, int dir) {
  Conn& cn = conns[c];
  Direction& d = cn.dir[dir];
  if (d.stalled_since >= 0) return;
  const Time since = sim.now();
  d.stalled_since = since;
  if (!d.listed) {
    d.listed = true;
    stalled.push_back(StallRef{c, cn.gen, static_cast<std::uint8_t>(dir)});
  }
  sim.after(kGiveUp, [this, c, g = cn.gen, dir, since] { stall_expired(c, g, dir, since); });
}

void NetworkCore::stall_expired(std::uint32_t c, std::uint32_t gen, int dir, Time since) {
  Conn& cn = conns[c];
  if (!cn.live || cn.gen != gen || cn.dir[dir].stalled_since != since) return;
  fail_direction(c, dir);
}

// The sender gives up: its application gets on_close(kTimedOut); the peer gets nothing.
void NetworkCore::fail_direction(std::uint32_t c, int dir) {
  Conn& cn = conns[c];
  Direction& d = cn.dir[dir];
  drop_waiting(d);
  d.failed = true;
  Endpoint& e = cn.ep[dir];
  if (e.state == EndState::Open) {
    e.state = EndState::TimedOut;
    notify_close(c, dir, CloseReason::TimedOut);
  } else if (e.state == EndState::Closed) {
    e.state = EndState::TimedOut;
  }
  release_if_done(c);
}

// After a topology change: each stalled direction whose path is back resumes at its next
// retransmission (the RTO schedule that started when it stalled).
void NetworkCore::resume_stalled() {
  std::size_t w = 0;
  for (std::size_t i = 0; i < stalled.size(); ++i) {
    const StallRef ref = stalled[i];
    Conn& cn = conns[ref.conn];
    if (!cn.live || cn.gen != ref.gen) continue;
    Direction& d = cn.dir[ref.dir];
    if (d.stalled_since < 0) {
      d.listed = false;
      continue;
    }
    stalled[w++] = ref;
    if (d.resume_scheduled) continue;
    const PathInfo& p = conn_path(cn);
    if (!p.reachable || p.loss >= 1.0) continue;
    Time t = d.stalled_since + kInitialRto, rto = kInitialRto;
    while (t < sim.now()) {
      rto = std::min(rto * 2, kMaxRto);
      t += rto;
    }
    d.resume_scheduled = true;
    sim.at(t, [this, c = ref.conn, g = ref.gen, dir = ref.dir] { resume(c, g, dir); });
  }
  stalled.resize(w);
}

void NetworkCore::resume(std::uint32_t c, std::uint32_t gen, int dir) {
  Conn& cn = conns[c];
  if (!cn.live || cn.gen != gen) return;
  Direction& d = cn.dir[dir];
  if (!d.resume_scheduled) return;
  d.resume_scheduled = false;
  const Time since = d.stalled_since;
  d.stalled_since = -1;
  pump(c, dir);
  // Cut again before the retransmission: still the same outage for the give-up timer.
  if (d.stalled_since >= 0) d.stalled_since = since;
}

}  // namespace maillab::sim
