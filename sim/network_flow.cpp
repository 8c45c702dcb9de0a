// sim::Network stream flow control and the callbacks to the application: the receive
// window, reading paused and resumed, "drained" notifications, and the delivery of bytes
// and closes to the StreamHandler (network_streams.cpp moves the segments).
//
// The window (kReceiveWindow) counts the bytes in flight to an endpoint plus those waiting
// in its `unread` buffer. An endpoint that reads at once keeps `unread` empty, so only a
// paused (or not yet attached) reader ever fills it; then the sender's segments wait on its
// side, where unsent() counts them, and leave one latency after the reader takes bytes out
// (the window update travelling back). Nothing here changes a run whose readers all read:
// the same segments at the same times.
#include <algorithm>

#include "sim/network_impl.hpp"

namespace maillab::sim {

std::size_t NetworkCore::window_room(Conn& cn, int dir) const {
  const Direction& d = cn.dir[dir];
  const std::uint64_t in_flight = d.tx_abs - (d.base + d.head);
  const std::uint64_t used = in_flight + cn.ep[1 - dir].unread.size();
  return used >= kReceiveWindow ? 0 : static_cast<std::size_t>(kReceiveWindow - used);
}

std::size_t NetworkCore::unsent(std::uint32_t c, int side) const {
  const Direction& d = conns[c].dir[side];
  return static_cast<std::size_t>(d.base + d.bytes.size() - d.tx_abs);
}

void NetworkCore::open_window(std::uint32_t c, int dir) {
  Conn& cn = conns[c];
  Direction& d = cn.dir[dir];
  if (!d.window_blocked || d.window_update_scheduled || window_room(cn, dir) == 0) return;
  d.window_update_scheduled = true;
  sim.after(conn_path(cn).latency, [this, c, g = cn.gen, dir] { window_update(c, g, dir); });
}

void NetworkCore::window_update(std::uint32_t c, std::uint32_t gen, int dir) {
  Conn& cn = conns[c];
  if (!cn.live || cn.gen != gen) return;
  Direction& d = cn.dir[dir];
  d.window_update_scheduled = false;
  if (!d.window_blocked) return;
  d.window_blocked = false;
  if (d.stalled_since < 0) pump(c, dir);
  check_drained(c, dir);
  release_if_done(c);
}

void NetworkCore::pause_reading(std::uint32_t c, int side, bool paused) {
  Endpoint& e = conns[c].ep[side];
  e.paused = paused;
  if (!paused && e.handler && (!e.unread.empty() || e.pending_close)) schedule_flush(c, side);
}

void NetworkCore::notify_drained(std::uint32_t c, int side, std::size_t level) {
  Conn& cn = conns[c];
  Endpoint& e = cn.ep[side];
  e.drain_wanted = true;
  e.drain_level = level;
  if (unsent(c, side) <= level) {
    sim.after(0, [this, c, g = cn.gen, side] {
      if (conns[c].live && conns[c].gen == g) {
        check_drained(c, side);
        release_if_done(c);
      }
    });
  }
}

void NetworkCore::check_drained(std::uint32_t c, int side) {
  Conn& cn = conns[c];
  Endpoint& e = cn.ep[side];
  if (!e.drain_wanted || unsent(c, side) > e.drain_level) return;
  if (!e.handler || e.state != EndState::Open || e.final_sent) return;
  e.drain_wanted = false;
  ++cn.busy;
  e.handler->on_drained();
  --cn.busy;
}

void NetworkCore::hand_over(std::uint32_t c, int side, std::string_view bytes) {
  Conn& cn = conns[c];
  Endpoint& e = cn.ep[side];
  ++cn.busy;
  while (!bytes.empty()) {
    if (!e.handler || e.final_sent) break;  // closed or detached meanwhile
    if (e.paused) {
      e.unread.append(bytes);
      break;
    }
    const std::size_t n = std::min(bytes.size(), kReadSize);
    e.handler->on_data(bytes.substr(0, n));
    bytes.remove_prefix(n);
  }
  if (!bytes.empty() && e.state == EndState::Open && !e.handler) e.unread.append(bytes);
  --cn.busy;
}

void NetworkCore::notify_data(std::uint32_t c, int side, std::string_view bytes) {
  Endpoint& e = conns[c].ep[side];
  if (!e.handler || e.paused || !e.unread.empty() || e.flush_scheduled) {
    e.unread.append(bytes);  // no handler yet, or not reading: kept for later
    if (e.handler && !e.paused) schedule_flush(c, side);
    return;
  }
  hand_over(c, side, bytes);
}

void NetworkCore::notify_close(std::uint32_t c, int side, CloseReason why) {
  Conn& cn = conns[c];
  Endpoint& e = cn.ep[side];
  if (e.final_sent) return;
  e.final_sent = true;
  // A FIN comes after the data before it; a reset or a timeout is not held back by a
  // reader that waits (what it did not read is lost, as with a real socket).
  const bool now = e.handler && (why != CloseReason::Orderly && e.paused);
  if (now) e.unread.clear();
  if (!now && (!e.handler || e.paused || !e.unread.empty() || e.flush_scheduled)) {
    e.pending_close = why;
    if (e.handler && !e.paused) schedule_flush(c, side);
    return;
  }
  ++cn.busy;
  e.handler->on_close(why);
  --cn.busy;
}

void NetworkCore::schedule_flush(std::uint32_t c, int side) {
  Conn& cn = conns[c];
  Endpoint& e = cn.ep[side];
  if (e.flush_scheduled) return;
  e.flush_scheduled = true;
  sim.after(0, [this, c, g = cn.gen, side] { flush(c, g, side); });
}

// Delivers what arrived while no handler was attached or reading was paused (from an
// event, never from inside set_handler() or pause_reading()).
void NetworkCore::flush(std::uint32_t c, std::uint32_t gen, int side) {
  Conn& cn = conns[c];
  if (!cn.live || cn.gen != gen) return;
  Endpoint& e = cn.ep[side];
  e.flush_scheduled = false;
  if (!e.handler) return;
  ++cn.busy;
  while (e.handler && !e.paused && !e.unread.empty()) {
    const std::size_t n = std::min(e.unread.size(), kReadSize);
    read_scratch.assign(e.unread, 0, n);
    e.unread.erase(0, n);
    e.handler->on_data(read_scratch);
  }
  if (e.handler && !e.paused && e.unread.empty() && e.pending_close) {
    const CloseReason why = *e.pending_close;
    e.pending_close.reset();
    e.handler->on_close(why);
  }
  --cn.busy;
  open_window(c, 1 - side);
  release_if_done(c);
}

}  // namespace maillab::sim
