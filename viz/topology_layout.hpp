// viz::Topology: where the Topology panel draws each host, from Boost.Graph's
// Fruchterman-Reingold force-directed layout (deterministic: a fixed seed for the starting
// positions, so the same scenario always gets the same picture).
//
// With `network.links` the graph is the scenario's links (hosts and routers). With no links
// the network is a full mesh, which tells nothing; the graph is then who talks to whom:
// host -> its resolver, MUA -> the server of its send/fetch, MTA -> every MX host.
#pragma once

#include <string>
#include <vector>

#include "scenarios/model.hpp"

namespace maillab::viz {

struct TopologyNode {
  std::string name;
  bool router = false;
  double x = 0.5, y = 0.5;  // in [0, 1]
};

struct TopologyEdge {
  int a = 0, b = 0;  // node indexes
  bool link = false;  // a scenario link (else a "talks to" path over the full mesh)
};

struct Topology {
  std::vector<TopologyNode> nodes;
  std::vector<TopologyEdge> edges;
  bool full_mesh = true;

  int node_of(const std::string& name) const;
};

Topology layout_topology(const scenario::Scenario& s);

}  // namespace maillab::viz
