// viz::Topology: where the Topology panel draws each host - a layered layout that tells the
// mail's story left to right: the senders' MUAs, their MSAs, the sending MTAs, DNS (and
// routers), the receiving MXs (primary above backup), the mail stores (MDA / POP3 without
// MX), the readers' MUAs. Layers come from the scenario alone (host_roles, and who sends),
// and within a layer the hosts keep lane_order, so the picture never moves while a run
// plays and matches the timeline's lanes. Empty layers take no room.
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
  int layer = 0;  // TopologyLayer, compacted: 0 .. layers-1 with no empty layer
  int rank = 0;   // place within its layer, top to bottom (lane order)
  double x = 0.5, y = 0.5;  // in [0, 1]: the layer's column, the rank's row
};

struct TopologyEdge {
  int a = 0, b = 0;  // node indexes
  bool link = false;  // a scenario link (else a "talks to" path over the full mesh)
};

struct Topology {
  std::vector<TopologyNode> nodes;
  std::vector<TopologyEdge> edges;
  bool full_mesh = true;
  int layers = 0;  // non-empty layers

  int node_of(const std::string& name) const;
};

// The story's layers, left to right.
enum class TopologyLayer { Sender, Msa, Mta, Dns, Mx, Store, Reader };

TopologyLayer topology_layer(const scenario::Scenario& s, const scenario::Host& host);

Topology layout_topology(const scenario::Scenario& s);

}  // namespace maillab::viz
