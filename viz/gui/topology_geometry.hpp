// Where the Topology panel draws each node and its labels, in pixels: the layered layout
// (viz::Topology's layers and ranks) fitted into the panel. Pure geometry, no ImGui: the
// text widths come from a function, so tests/viz/topology_geometry_test.cpp checks it with
// a fixed-width font for every built-in scenario and a 20-host one.
// Invariants (when the panel has room for one node block, 2r + 3 lines, in height): no two
// node circles or labels overlap; every label fits its column (max_label_w, the caller cuts
// the text to it); a layer too tall for the panel wraps into more columns; when the columns
// get too narrow the roles line goes (the tooltip has it), then the circles shrink to dots. In-flight labels
// are placed where they touch no node, no node label and no other in-flight label, or not
// at all.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "viz/gui/layout.hpp"
#include "viz/topology_layout.hpp"

namespace maillab::viz::gui {

struct NodeTexts {
  std::string name, roles, counts;  // counts: queue and mailbox ("" = no line)
};

struct NodeGeometry {
  float cx = 0, cy = 0, r = 0;
  float ring = 0;  // room around the circle for the selection and followed rings
  float max_label_w = 0;
  Rect circle, name, roles, counts;  // counts empty when there is no counts line

  std::vector<Rect> boxes() const;  // the non-empty ones
};

struct TextMetrics {
  float line_h = 16;
  std::function<float(const std::string&)> width;
};

std::vector<NodeGeometry> place_topology(const Topology& t, const std::vector<NodeTexts>& texts, Rect area,
                                         const TextMetrics& m, float scale = 1.0f);

// A label of size w x h for a packet at (x, y): beside it, clear of `taken` (and added to
// it), inside `area`; nullopt when every place is taken.
std::optional<Rect> place_flight_label(float x, float y, float w, float h, Rect area, std::vector<Rect>& taken);

}  // namespace maillab::viz::gui
