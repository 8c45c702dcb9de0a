// The Timeline panel: the sequence chart of the run so far (the same chart as the SVG
// export: lanes, arrows, marks, queue bars, compressed gaps), with zoom (Ctrl + wheel, or
// the sliders), pan (drag, wheel, Shift + wheel), hover for the full trace lines, and a
// "follow" mode that keeps the current time in view while playing. Labels go where the
// chart layout put them (chart_layout.hpp), drawn after every line so no line crosses them.
#pragma once

#include <cstdint>

#include "viz/gui/model.hpp"
#include "viz/gui/ui.hpp"
#include "viz/chart_layout.hpp"

namespace maillab::viz {

struct TimelinePanel {
  explicit TimelinePanel(Ui& u) : ui(u) {}
  void draw(const Model& m);

  Ui& ui;
  float zoom_time = 1.0f;   // time axis scale
  float zoom_lanes = 1.0f;  // lane spacing scale
  // The layout is rebuilt only when the chart, the zoom or the width changed.
  ChartLayout layout;
  std::uint64_t layout_revision = ~std::uint64_t{0};
  Time layout_end = -1;
  float layout_zoom_time = 0, layout_zoom_lanes = 0, layout_width = 0, layout_scale = 0;
};

}  // namespace maillab::viz
