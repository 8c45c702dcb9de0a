// sim::Network topology: nodes, links, cuts and loss overrides, and the paths between
// hosts. With no link, every pair of hosts talks over the default path (full mesh); once a
// link exists, packets follow links only, along the lowest total latency (Dijkstra on a
// Boost.Graph adjacency list). Routes are computed on demand and cached until the next
// topology or fault change (`epoch`).
//
// A cut names two nodes: when a link joins them, that link (no packet crosses it; routes
// go around it if they can); otherwise the pair itself (two hosts cut apart cannot talk,
// whatever the route - in full mesh this is the only kind). A loss override names two
// nodes the same way: the loss of their link, or else the end-to-end loss of their path.
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/dijkstra_shortest_paths.hpp>

#include <cassert>
#include <limits>

#include "sim/network_impl.hpp"

namespace maillab::sim {
namespace {

using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS,
                                    boost::no_property,
                                    boost::property<boost::edge_weight_t, Time>>;

constexpr Time kInfinity = std::numeric_limits<Time>::max();

}  // namespace

std::uint32_t NetworkCore::add_node(std::string name, bool is_host, Address address) {
  assert(by_name.find(name) == by_name.end() && "add_host/add_router: duplicate name");
  const auto n = static_cast<std::uint32_t>(nodes.size());
  Node node;
  node.address = address;
  node.is_host = is_host;
  nodes.push_back(node);
  names.push_back(std::move(name));
  by_name.emplace(names.back(), n);
  if (is_host) by_address.emplace(address, n);
  if (!links.empty()) topology_changed();
  return n;
}

std::uint32_t NetworkCore::node_named(std::string_view name) const {
  auto it = by_name.find(name);
  assert(it != by_name.end() && "Network: unknown node name");
  return it == by_name.end() ? kNone : it->second;
}

std::uint32_t NetworkCore::node_of(Address a) const {
  auto it = by_address.find(a);
  return it == by_address.end() ? kNone : it->second;
}

void NetworkCore::topology_changed() {
  ++epoch;
  path_cache.clear();
  trees.clear();
  resume_stalled();
}

PathInfo NetworkCore::path(std::uint32_t from, std::uint32_t to) const {
  PathInfo p;
  if (from == kNone || to == kNone) return p;
  if (from == to) {  // loopback
    p.reachable = true;
    return p;
  }
  const std::uint64_t key = pair_key(from, to);
  const bool linked = link_pairs.count(key) != 0;  // then cut/loss name the link
  if (!linked && !cuts.empty() && cuts.count(key)) return p;
  const auto override_loss = [&](PathInfo& q) {
    if (linked || loss_override.empty()) return;
    auto it = loss_override.find(key);
    if (it != loss_override.end()) q.loss = it->second;
  };
  if (links.empty()) {
    if (!nodes[from].is_host || !nodes[to].is_host) return p;
    p.reachable = true;
    p.latency = default_path.latency;
    p.loss = default_path.loss;
    p.bandwidth_bps = default_path.bandwidth_bps;
    override_loss(p);
    return p;
  }
  if (auto it = path_cache.find(key); it != path_cache.end()) return it->second;

  // Routes are symmetric (undirected graph), so one tree per smaller endpoint serves both
  // directions.
  const std::uint32_t src = std::min(from, to), dst = std::max(from, to);
  auto tree_it = trees.find(src);
  if (tree_it == trees.end()) {
    // The graph without cut links; of parallel links the fastest is kept by Dijkstra
    // anyway, and `best` below picks the same one when walking the route.
    Graph g(nodes.size());
    for (const Link& l : links) {
      if (!cuts.empty() && cuts.count(pair_key(l.a, l.b))) continue;
      boost::add_edge(l.a, l.b, l.params.latency, g);
    }
    Tree t;
    t.dist.assign(nodes.size(), kInfinity);
    std::vector<Graph::vertex_descriptor> pred(nodes.size());
    boost::dijkstra_shortest_paths(
        g, src,
        boost::predecessor_map(pred.data())
            .distance_map(t.dist.data())
            .distance_inf(kInfinity));
    t.pred.assign(pred.begin(), pred.end());
    if (trees.size() > 64) trees.clear();  // bounded: one tree is O(nodes)
    tree_it = trees.emplace(src, std::move(t)).first;
  }
  const Tree& t = tree_it->second;
  if (t.dist[dst] == kInfinity) {
    path_cache.emplace(key, p);
    return p;
  }
  // Walk the route back: total latency, bottleneck bandwidth, combined loss.
  p.reachable = true;
  p.latency = t.dist[dst];
  double pass = 1.0;
  for (std::uint32_t v = dst; v != src; v = t.pred[v]) {
    const std::uint32_t u = t.pred[v];
    const Link* best = nullptr;
    for (const Link& l : links) {
      if (pair_key(l.a, l.b) != pair_key(u, v)) continue;
      if (!best || l.params.latency < best->params.latency) best = &l;
    }
    assert(best);
    double loss = best->params.loss;
    if (auto it = loss_override.find(pair_key(u, v)); it != loss_override.end()) loss = it->second;
    pass *= 1.0 - loss;
    const std::uint64_t bw = best->params.bandwidth_bps;
    if (bw && (!p.bandwidth_bps || bw < p.bandwidth_bps)) p.bandwidth_bps = bw;
  }
  p.loss = 1.0 - pass;
  override_loss(p);
  path_cache.emplace(key, p);
  return p;
}

const Network::Tamper* NetworkCore::tamper_between(std::uint32_t from, std::uint32_t to) {
  if (from == kNone || to == kNone) return nullptr;
  if (auto it = tampers.find(pair_key(from, to)); it != tampers.end()) return &it->second;
  if (links.empty() || from == to) return nullptr;
  // A rewriter on a link: walk the current route (one tree per smaller endpoint, as path()).
  const std::uint32_t src = std::min(from, to), dst = std::max(from, to);
  if (!trees.count(src)) {
    path_cache.erase(pair_key(from, to));
    path(from, to);
  }
  auto tree_it = trees.find(src);
  if (tree_it == trees.end() || tree_it->second.dist[dst] == kInfinity) return nullptr;
  const Tree& t = tree_it->second;
  for (std::uint32_t v = dst; v != src; v = t.pred[v]) {
    if (auto it = tampers.find(pair_key(t.pred[v], v)); it != tampers.end()) return &it->second;
  }
  return nullptr;
}

// Number of transmissions lost before one gets through and the retransmission backoff
// they cost (RTO doubling from kInitialRto up to kMaxRto); false when the sender would
// give up first (kGiveUp), as TCP does after tcp_retries2 retransmissions.
bool NetworkCore::lossy_attempts(double loss, std::uint32_t& lost, Time& backoff) {
  lost = 0;
  backoff = 0;
  if (loss <= 0.0) return true;
  if (loss >= 1.0) return false;
  std::uniform_real_distribution<double> u(0.0, 1.0);
  Time rto = kInitialRto;
  while (u(loss_rng) < loss) {
    ++lost;
    backoff += rto;
    rto = std::min(rto * 2, kMaxRto);
    if (backoff > kGiveUp) return false;
  }
  return true;
}

}  // namespace maillab::sim
