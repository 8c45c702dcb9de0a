// The chart layout the Timeline panel draws with: the lane spacing for the width it has
// (the lanes share it; the last lane's marks get what is left, up to kTimelineRightRoom),
// its font, its zoom, the UI scale. Shared by the panel and the layout tests
// (tests/viz/chart_layout_test.cpp, layout_test.cpp), so they check what the panel draws.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "viz/chart_layout.hpp"

namespace maillab::viz::gui {

constexpr float kTimelineLeft = 96;       // the time labels' column
constexpr float kTimelineRightRoom = 260;  // beyond the last lane, for its marks, when there is room
constexpr float kMinRightRoom = 100;
constexpr float kMinLaneSpacing = 96;      // at scale 1; narrower scrolls sideways

// The width the timeline's chart has in a window that wide and high, in the layout the
// window opens with or in the presentation layout (the timeline panel minus its padding,
// border and scroll bar).
float timeline_width(float display_width, float display_height, float scale = 1, bool presentation = false);

// Each lane's host name in the lines its header shows (whole, wrapped at dots to the width
// a header has at that lane spacing).
std::vector<std::vector<std::string>> header_names(const SequenceChart& c, double lane_spacing,
                                                   const std::function<double(std::string_view)>& measure);

LayoutParams timeline_layout_params(const SequenceChart& c, float chart_width, float zoom_lanes,
                                    float zoom_time, float scale,
                                    std::function<double(std::string_view)> measure);

}  // namespace maillab::viz::gui
