#include "viz/gui/timeline_layout.hpp"

#include <algorithm>

#include "viz/gui/fonts.hpp"
#include "viz/text.hpp"

namespace maillab::viz::gui {

Columns default_columns(float display_width, float scale) {
  Columns c;
  c.left = std::clamp(display_width * 0.19f, 290.0f * scale, 380.0f * scale);
  c.right = std::clamp(display_width * 0.26f, 360.0f * scale, 520.0f * scale);
  c.centre = std::max(300.0f * scale, display_width - c.left - c.right);
  return c;
}

float timeline_width(float display_width, float scale) {
  return default_columns(display_width, scale).centre - 34 * scale;
}

std::vector<std::vector<std::string>> header_names(const SequenceChart& c, double lane_spacing,
                                                   const std::function<double(std::string_view)>& measure) {
  std::vector<std::vector<std::string>> out;
  for (const auto& l : c.lanes) out.push_back(wrap_name(l.host, lane_spacing - 20, measure));
  return out;
}

LayoutParams timeline_layout_params(const SequenceChart& c, float chart_width, float zoom_lanes,
                                    float zoom_time, float scale,
                                    std::function<double(std::string_view)> measure) {
  const float lanes = static_cast<float>(std::max<std::size_t>(1, c.lanes.size()));
  const float left = kTimelineLeft * scale, room = kTimelineRightRoom * scale;
  LayoutParams p;
  p.left = left;
  p.lane_spacing = std::max(kMinLaneSpacing * scale, (chart_width - left - room) / lanes) * zoom_lanes;
  p.right_room = room;
  p.label_height = kChartFontPx * scale;
  p.gap = 2 * scale;
  p.pad = 2 * scale;
  p.dot_radius = 4.5f * scale;
  p.turn = Turn::kShear;
  p.axis.slot_px = 18;
  p.axis.scale = zoom_time * scale;
  p.measure = std::move(measure);
  return p;
}

}  // namespace maillab::viz::gui
