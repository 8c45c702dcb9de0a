// The Topology panel: hosts (and routers) where Boost.Graph's force-directed layout put
// them, green when up and red when down, with their roles, queue sizes and delivered mail;
// the scenario's links (or, in a full mesh, who talks to whom); cut pairs in red; packets
// in flight moving along the lines. Click a host to select it (Ctrl + click a second one
// for a pair); right-click for faults: down/up, cut/heal a link.
#pragma once

#include "viz/gui/model.hpp"
#include "viz/gui/ui.hpp"

namespace maillab::viz {

struct TopologyPanel {
  explicit TopologyPanel(Ui& u) : ui(u) {}
  void draw(const Model& m);

  Ui& ui;
  std::string context_node;  // the node whose context menu is open
};

}  // namespace maillab::viz
