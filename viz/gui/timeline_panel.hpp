// The Timeline panel: the sequence chart of the run so far (the same chart as the SVG
// export: lanes, arrows, marks, queue bars, compressed gaps), with zoom (Ctrl + wheel, or
// the sliders), pan (drag, wheel, Shift + wheel), hover for the full trace lines, and a
// "follow" mode that keeps the current time in view while playing.
#pragma once

#include <cstdint>

#include "viz/gui/model.hpp"
#include "viz/gui/ui.hpp"
#include "viz/time_axis.hpp"

namespace maillab::viz {

struct TimelinePanel {
  explicit TimelinePanel(Ui& u) : ui(u) {}
  void draw(const Model& m);

  Ui& ui;
  float zoom_time = 1.0f;   // time axis scale
  float zoom_lanes = 1.0f;  // lane spacing scale
  // The axis is rebuilt only when the chart or the zoom changed.
  TimeAxis axis;
  std::uint64_t axis_revision = ~std::uint64_t{0};
  Time axis_end = -1;
  float axis_zoom = 0;
};

}  // namespace maillab::viz
