// Where the visualiser's panels go in the window by default, and the chart layout the
// Timeline panel draws with (lane spacing for the width it has, its font, its zoom). Shared
// by the panels and the layout test (tests/viz/chart_layout_test.cpp), so the test checks
// the layout the panel draws.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "viz/chart_layout.hpp"

namespace maillab::viz::gui {

constexpr float kTimelineLeft = 96;      // the time labels' column
constexpr float kTimelineRightRoom = 260;
constexpr float kMinLaneSpacing = 150;   // at scale 1

// The default split of a window `display_width` wide: controls and lists on the left, the
// timeline in the centre, topology and inspector on the right.
struct Columns {
  float left, centre, right;
};
Columns default_columns(float display_width, float scale = 1);

// The width the timeline's chart has in a window that wide (the centre column minus the
// window's padding, border and scroll bar).
float timeline_width(float display_width, float scale = 1);

// Each lane's host name in the lines its header shows (whole, wrapped at dots to the width
// a header has at that lane spacing).
std::vector<std::vector<std::string>> header_names(const SequenceChart& c, double lane_spacing,
                                                   const std::function<double(std::string_view)>& measure);

LayoutParams timeline_layout_params(const SequenceChart& c, float chart_width, float zoom_lanes,
                                    float zoom_time, float scale,
                                    std::function<double(std::string_view)> measure);

}  // namespace maillab::viz::gui
