#include "viz/topology_layout.hpp"

#include <algorithm>
#include <iterator>
#include <set>
#include <tuple>

#include "viz/host_roles.hpp"

namespace maillab::viz {

int Topology::node_of(const std::string& name) const {
  for (std::size_t i = 0; i < nodes.size(); ++i)
    if (nodes[i].name == name) return static_cast<int>(i);
  return -1;
}

TopologyLayer topology_layer(const scenario::Scenario& s, const scenario::Host& host) {
  const auto roles = host_roles(s, host);
  auto has = [&](const char* r) { return std::find(roles.begin(), roles.end(), r) != roles.end(); };
  bool sends = false, submits = false;  // the MUA of a send; the server a send submits to
  for (const auto& e : s.events)
    if (auto* send = std::get_if<scenario::Send>(&e.action)) {
      sends = sends || send->client.value_or(send->server) == host.name;
      submits = submits || send->server == host.name;
    }
  if (submits && has("MTA")) return TopologyLayer::Msa;  // even when it is its domain's MX too
  if (has("MX")) return TopologyLayer::Mx;
  if (has("MSA")) return TopologyLayer::Msa;
  if (has("MDA") || has("MRA")) return TopologyLayer::Store;
  if (has("MTA")) return TopologyLayer::Mta;
  if (has("DNS")) return TopologyLayer::Dns;
  if (has("MUA")) return sends ? TopologyLayer::Sender : TopologyLayer::Reader;
  return TopologyLayer::Dns;
}

Topology layout_topology(const scenario::Scenario& s) {
  Topology t;
  for (const auto& h : s.hosts) t.nodes.push_back(TopologyNode{h.name, false});
  for (const auto& r : s.network.routers) t.nodes.push_back(TopologyNode{r, true});
  std::set<std::pair<int, int>> seen;
  auto edge = [&](const std::string& a, const std::string& b, bool link) {
    int x = t.node_of(a), y = t.node_of(b);
    if (x < 0 || y < 0 || x == y) return;
    if (!seen.insert({std::min(x, y), std::max(x, y)}).second) return;
    t.edges.push_back(TopologyEdge{x, y, link});
  };
  t.full_mesh = s.network.links.empty();
  if (!t.full_mesh) {
    for (const auto& l : s.network.links) edge(l.a, l.b, true);
  } else {
    std::vector<std::string> mx;
    for (const auto& h : s.hosts) {
      auto roles = host_roles(s, h);
      if (std::find(roles.begin(), roles.end(), "MX") != roles.end()) mx.push_back(h.name);
    }
    for (const auto& h : s.hosts) {
      if (h.resolver)
        for (const auto& d : s.hosts)
          if (d.address.value == h.resolver->value) edge(h.name, d.name, false);
      if (h.mta)
        for (const auto& m : mx) edge(h.name, m, false);
    }
    for (const auto& e : s.events) {
      if (auto* send = std::get_if<scenario::Send>(&e.action))
        edge(send->client.value_or(send->server), send->server, false);
      else if (auto* fetch = std::get_if<scenario::Fetch>(&e.action))
        edge(fetch->client.value_or(fetch->server), fetch->server, false);
    }
  }
  // Layers: compact the used ones; within a layer, lane order (routers last).
  const auto lanes = lane_order(s);
  auto lane_index = [&](const std::string& name) {
    auto it = std::find(lanes.begin(), lanes.end(), name);
    return static_cast<int>(it - lanes.begin());
  };
  std::vector<int> raw(t.nodes.size());
  std::set<int> used;
  for (std::size_t i = 0; i < t.nodes.size(); ++i) {
    raw[i] = static_cast<int>(TopologyLayer::Dns);
    for (const auto& h : s.hosts)
      if (h.name == t.nodes[i].name) raw[i] = static_cast<int>(topology_layer(s, h));
    used.insert(raw[i]);
  }
  std::vector<int> order(t.nodes.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
    return std::make_tuple(raw[a], t.nodes[a].router, lane_index(t.nodes[a].name)) <
           std::make_tuple(raw[b], t.nodes[b].router, lane_index(t.nodes[b].name));
  });
  t.layers = static_cast<int>(used.size());
  std::vector<int> count(used.size(), 0);
  for (int i : order) {
    auto& n = t.nodes[i];
    n.layer = static_cast<int>(std::distance(used.begin(), used.find(raw[i])));
    n.rank = count[n.layer]++;
  }
  for (auto& n : t.nodes) {
    n.x = t.layers <= 1 ? 0.5 : 0.05 + 0.9 * n.layer / (t.layers - 1);
    n.y = (n.rank + 0.5) / count[n.layer];
  }
  return t;
}

}  // namespace maillab::viz
