// The packet pane, at the top of the message inspector once an arrow of the timeline was
// clicked: the exact bytes that crossed the network for it, the DNS message field by field,
// the RFC section that governs it and the server session's state before and after
// (viz::packet_detail). "close" hides it; another click shows another arrow's.
#pragma once

#include "viz/gui/model.hpp"
#include "viz/gui/ui.hpp"

namespace maillab::viz::gui {

// The arrow the pane shows in `m`'s chart, or nullptr (none chosen, or not there at this
// time: before it happened).
const Arrow* packet_arrow(const Ui& ui, const Model& m);

void packet_pane(Ui& ui, const Model& m);

}  // namespace maillab::viz::gui
