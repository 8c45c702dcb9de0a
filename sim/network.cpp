// sim::Network: the public entry points, IPv4 addresses, hosts going up and down,
// listeners, and the application's stream handles. The machinery is split by concern:
// network_topology.cpp (graph, routes), network_streams.cpp (TCP-like streams),
// network_datagrams.cpp (UDP); network_impl.hpp holds the shared private state.
#include <cassert>

#include "sim/network_impl.hpp"

namespace maillab::sim {

// ---- addresses ---------------------------------------------------------------------

// ---- Impl lifetime -------------------------------------------------------------------

NetworkCore::NetworkCore(Simulator& s) : sim(s), loss_rng(s.rng("loss")) {}

NetworkCore::~NetworkCore() {
  for (Conn& c : conns) {
    if (!c.live) continue;
    for (Endpoint& e : c.ep) {
      if (e.handle) e.handle->detach();
    }
  }
}

Network::Network(Simulator& sim) : impl_(std::make_unique<Impl>(sim)) {}
Network::~Network() = default;

// ---- topology and faults (forwarders; see network_topology.cpp) ----------------------

void Network::add_host(std::string name, Address address) {
  assert(impl_->node_of(address) == kNone && "add_host: address already in use");
  impl_->add_node(std::move(name), true, address);
}

void Network::add_router(std::string name) { impl_->add_node(std::move(name), false, 0); }

void Network::add_link(std::string_view a, std::string_view b, LinkParams params) {
  const std::uint32_t na = impl_->node_named(a), nb = impl_->node_named(b);
  assert(na != nb && "add_link: a link joins two different nodes");
  impl_->links.push_back(Link{na, nb, params});
  impl_->link_pairs.insert(pair_key(na, nb));
  impl_->topology_changed();
}

void Network::set_default_path(LinkParams params) {
  impl_->default_path = params;
  impl_->topology_changed();
}

void Network::cut(std::string_view a, std::string_view b) {
  impl_->cuts.insert(pair_key(impl_->node_named(a), impl_->node_named(b)));
  impl_->topology_changed();
}

void Network::heal(std::string_view a, std::string_view b) {
  impl_->cuts.erase(pair_key(impl_->node_named(a), impl_->node_named(b)));
  impl_->topology_changed();
}

void Network::set_tamper(std::string_view a, std::string_view b, Tamper tamper) {
  impl_->tampers[pair_key(impl_->node_named(a), impl_->node_named(b))] = std::move(tamper);
}

void Network::clear_tamper(std::string_view a, std::string_view b) {
  impl_->tampers.erase(pair_key(impl_->node_named(a), impl_->node_named(b)));
}

void Network::set_loss(std::string_view a, std::string_view b, double rate) {
  assert(rate >= 0.0 && rate <= 1.0 && "set_loss: rate is a probability");
  impl_->loss_override[pair_key(impl_->node_named(a), impl_->node_named(b))] = rate;
  impl_->topology_changed();
}

std::optional<Time> Network::path_latency(Address from, Address to) const {
  const std::uint32_t a = impl_->node_of(from), b = impl_->node_of(to);
  if (a == kNone || b == kNone) return std::nullopt;
  const PathInfo p = impl_->path(a, b);
  if (!p.reachable) return std::nullopt;
  return p.latency;
}

// ---- hosts up and down ------------------------------------------------------------------

bool Network::host_up(Address host) const { return impl_->up(impl_->node_of(host)); }

// Down: the host's software is dead. Its listeners and UDP bindings go, its connections
// vanish without a callback on either side (peers find out by timing out, or by a RST when
// they send after the host is back), its pending connects are forgotten. Refused-port
// flags are a property of the (simulated) firewall, not of the software: they stay.
// Up: the host comes back empty; its software registers its listeners again.
void Network::set_host_up(Address host, bool up) {
  const std::uint32_t n = impl_->node_of(host);
  assert(n != kNone && "set_host_up: unknown address");
  if (impl_->nodes[n].up == up) return;
  impl_->nodes[n].up = up;
  if (!up) impl_->host_down(n);
}

// ---- listeners ---------------------------------------------------------------------------

void Network::listen(Address host, std::uint16_t port, AcceptFn on_accept) {
  assert(impl_->node_of(host) != kNone && "listen: unknown address");
  assert(on_accept && "listen: empty accept function");
  if (!host_up(host)) return;  // dead software listens to nothing
  const std::uint64_t k = port_key(host, port);
  impl_->listener_changed(k);
  impl_->listeners[k].on_accept = std::move(on_accept);
}

void Network::unlisten(Address host, std::uint16_t port) {
  auto it = impl_->listeners.find(port_key(host, port));
  if (it == impl_->listeners.end()) return;
  impl_->listener_changed(it->first);
  if (it->second.refused) {
    it->second.on_accept = nullptr;
  } else {
    impl_->listeners.erase(it);
  }
}

void Network::set_loopback_only(Address host, std::uint16_t port, bool loopback_only) {
  if (loopback_only) {
    impl_->loopback_only.insert(port_key(host, port));
  } else {
    impl_->loopback_only.erase(port_key(host, port));
  }
}

void Network::set_refused(Address host, std::uint16_t port, bool refused) {
  const std::uint64_t k = port_key(host, port);
  if (refused) {
    impl_->listeners[k].refused = true;
    return;
  }
  auto it = impl_->listeners.find(k);
  if (it == impl_->listeners.end()) return;
  it->second.refused = false;
  // (An empty function during an accept is the running one: the listener stays.)
  if (!it->second.on_accept && !(impl_->accepting && k == impl_->accepting_key)) {
    impl_->listeners.erase(it);
  }
}

void Network::connect(Address from, Address to, std::uint16_t port, Time timeout,
                      ConnectFn done) {
  impl_->connect(from, to, port, timeout, std::move(done));
}

// ---- UDP -----------------------------------------------------------------------------------

void Network::bind_udp(Address host, std::uint16_t port, DatagramFn on_datagram) {
  assert(impl_->node_of(host) != kNone && "bind_udp: unknown address");
  assert(on_datagram && "bind_udp: empty datagram function");
  if (!host_up(host)) return;
  const std::uint64_t key = port_key(host, port);
  auto& udp = impl_->udp;
  if (auto it = udp.find(key); it != udp.end()) {
    it->second = std::move(on_datagram);
    return;
  }
  auto& spare = impl_->spare_udp_nodes;
  if (spare.empty()) {
    udp.emplace(key, std::move(on_datagram));
    return;
  }
  auto node = std::move(spare.back());
  spare.pop_back();
  node.key() = key;
  node.mapped() = std::move(on_datagram);
  udp.insert(std::move(node));
}

void Network::unbind_udp(Address host, std::uint16_t port) {
  auto node = impl_->udp.extract(port_key(host, port));
  if (node.empty()) return;
  node.mapped() = nullptr;
  impl_->spare_udp_nodes.push_back(std::move(node));
}

void Network::send_udp(Address from, std::uint16_t from_port, Address to,
                       std::uint16_t to_port, std::string_view bytes) {
  impl_->send_udp(from, from_port, to, to_port, bytes);
}

std::uint16_t Network::ephemeral_port(Address host) {
  const std::uint32_t n = impl_->node_of(host);
  assert(n != kNone && "ephemeral_port: unknown address");
  std::uint16_t& next = impl_->nodes[n].next_port;
  const std::uint16_t p = next;
  next = p == 65535 ? 49152 : static_cast<std::uint16_t>(p + 1);
  return p;
}

void Network::set_packet_observer(std::function<void(const Packet&)> observer) {
  impl_->observer = std::move(observer);
}

// ---- stream handles -----------------------------------------------------------------------

bool StreamImpl::live() const {
  if (!net_ || conn_ >= net_->conns.size()) return false;
  const Conn& c = net_->conns[conn_];
  return c.live && c.gen == gen_;
}

StreamImpl::~StreamImpl() {
  if (live()) net_->handle_gone(conn_, side_);
}

void StreamImpl::set_handler(StreamHandler* h) {
  if (live()) net_->set_handler(conn_, side_, h);
}

void StreamImpl::send(std::string_view bytes) {
  if (live()) net_->send(conn_, side_, bytes);
}

void StreamImpl::close() {
  if (live()) net_->close(conn_, side_);
}

void StreamImpl::abort() {
  if (live()) net_->abort(conn_, side_);
}

std::size_t StreamImpl::unsent() const { return live() ? net_->unsent(conn_, side_) : 0; }

void StreamImpl::pause_reading(bool paused) {
  if (live()) net_->pause_reading(conn_, side_, paused);
}

void StreamImpl::notify_drained(std::size_t level) {
  if (live()) net_->notify_drained(conn_, side_, level);
}

bool StreamImpl::is_open() const {
  return live() && net_->conns[conn_].ep[side_].state == EndState::Open;
}

}  // namespace maillab::sim
