// sim::Network UDP: a datagram arrives one path latency (+ size / bandwidth) after it was
// sent, unless it is lost (sim.rng("loss")), the path is cut, the destination is down, or
// nothing is bound to the port; nobody is told. The payload waits in a pooled slot (no
// allocation per datagram once warm); the event carries only the slot's index.
#include <cassert>

#include "sim/network_impl.hpp"

namespace maillab::sim {

void NetworkCore::send_udp(Address from, std::uint16_t from_port, Address to,
                             std::uint16_t to_port, std::string_view bytes) {
  const std::uint32_t fn = node_of(from);
  assert(fn != kNone && "send_udp: unknown source address");
  if (!up(fn)) return;  // dead software sends nothing
  const PathInfo p = path(fn, node_of(to));
  bool through = p.reachable;
  if (through && p.loss > 0.0) {
    std::uniform_real_distribution<double> u(0.0, 1.0);
    through = !(u(loss_rng) < p.loss);
  }
  report(Protocol::Udp, from, from_port, to, to_port, 0, 0, 0, bytes, !through);
  if (!through) return;
  std::uint32_t d = datagram_free;
  if (d == kNone) {
    d = static_cast<std::uint32_t>(datagrams.size());
    datagrams.emplace_back();
  } else {
    datagram_free = datagrams[d].next_free;
  }
  Datagram& dg = datagrams[d];
  dg.from = from;
  dg.from_port = from_port;
  dg.to = to;
  dg.to_port = to_port;
  dg.payload.assign(bytes);
  sim.after(p.latency + transmission_time(bytes.size(), p.bandwidth_bps), [this, d] { datagram_arrived(d); });
}

void NetworkCore::datagram_arrived(std::uint32_t d) {
  Datagram& dg = datagrams[d];
  // The payload moves out of the pool first: the handler may send (and grow the pool).
  udp_scratch.swap(dg.payload);
  const Address from = dg.from, to = dg.to;
  const std::uint16_t from_port = dg.from_port, to_port = dg.to_port;
  dg.next_free = datagram_free;
  datagram_free = d;
  if (!up(node_of(to))) return;
  auto it = udp.find(port_key(to, to_port));
  if (it == udp.end()) return;  // nothing bound: dropped (no ICMP in this model)
  // The handler may unbind (or rebind) its port: it runs moved out of the table (no copy)
  // and goes back only if its entry is still there and was not given a new handler.
  DatagramFn fn = std::move(it->second);
  it->second = nullptr;
  const std::uint64_t key = port_key(to, to_port);
  fn(from, from_port, udp_scratch);
  it = udp.find(key);
  if (it != udp.end() && !it->second) it->second = std::move(fn);
}

}  // namespace maillab::sim
