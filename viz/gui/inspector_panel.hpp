// The Message inspector: pick a message; see where it is now (queued, deferred until T,
// delivered, bounced), its envelope at each hop, its Received chain and headers, and every
// delivery attempt with the replies it got; above it, the packet pane (packet_pane.hpp).
#pragma once

#include "viz/gui/model.hpp"
#include "viz/gui/ui.hpp"

namespace maillab::viz {

struct InspectorPanel {
  explicit InspectorPanel(Ui& u) : ui(u) {}
  void draw(const Model& m);

  Ui& ui;
};

}  // namespace maillab::viz
