#include "viz/topology_layout.hpp"

#include <algorithm>
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/fruchterman_reingold.hpp>
#include <boost/graph/random_layout.hpp>
#include <boost/graph/topology.hpp>
#include <boost/random/linear_congruential.hpp>
#include <set>

#include "viz/host_roles.hpp"

namespace maillab::viz {

int Topology::node_of(const std::string& name) const {
  for (std::size_t i = 0; i < nodes.size(); ++i)
    if (nodes[i].name == name) return static_cast<int>(i);
  return -1;
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
  if (t.nodes.size() <= 1) return t;

  using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS>;
  using Topo = boost::rectangle_topology<boost::minstd_rand>;
  Graph g(t.nodes.size());
  for (const auto& e : t.edges) boost::add_edge(e.a, e.b, g);
  boost::minstd_rand gen(20260302);
  Topo topo(gen, -1.0, -1.0, 1.0, 1.0);
  std::vector<Topo::point_type> pos(t.nodes.size());
  auto pmap = boost::make_iterator_property_map(pos.begin(), boost::get(boost::vertex_index, g));
  boost::random_graph_layout(g, pmap, topo);
  boost::fruchterman_reingold_force_directed_layout(
      g, pmap, topo, boost::cooling(boost::linear_cooling<double>(300)));
  double lo[2] = {1e9, 1e9}, hi[2] = {-1e9, -1e9};
  for (const auto& p : pos)
    for (int k = 0; k < 2; ++k) {
      lo[k] = std::min(lo[k], p[k]);
      hi[k] = std::max(hi[k], p[k]);
    }
  for (std::size_t i = 0; i < pos.size(); ++i) {
    double span_x = std::max(1e-9, hi[0] - lo[0]), span_y = std::max(1e-9, hi[1] - lo[1]);
    t.nodes[i].x = 0.1 + 0.8 * (pos[i][0] - lo[0]) / span_x;
    t.nodes[i].y = 0.1 + 0.8 * (pos[i][1] - lo[1]) / span_y;
  }
  return t;
}

}  // namespace maillab::viz
