#include "viz/gui/timeline_layout.hpp"

#include <algorithm>

#include "viz/gui/fonts.hpp"
#include "viz/gui/layout.hpp"
#include "viz/text.hpp"

namespace maillab::viz::gui {

float timeline_width(float display_width, float display_height, float scale, bool presentation) {
  PanelLayout l = default_layout(display_width, scale);
  l.presentation = presentation;
  // The menu bar and the status line are a frame high each (font 15 px plus padding).
  const float bar = 21 * scale;
  return place_panels(l, display_width, display_height, scale, bar, bar + 6 * scale).timeline.w - 34 * scale;
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
  const float left = kTimelineLeft * scale;
  LayoutParams p;
  p.left = left;
  p.lane_spacing = std::max(kMinLaneSpacing * scale, (chart_width - left - kMinRightRoom * scale) / lanes);
  p.lane_spacing = std::min<double>(p.lane_spacing, 420 * scale) * zoom_lanes;
  p.right_room = std::clamp<double>(chart_width - left - lanes * p.lane_spacing, kMinRightRoom * scale,
                                    kTimelineRightRoom * scale);
  p.label_height = kChartFontPx * scale;
  p.gap = 2 * scale;
  p.pad = 2 * scale;
  p.dot_radius = 4.5f * scale;
  p.turn = Turn::Shear;
  p.axis.slot_px = 18;
  p.axis.scale = zoom_time * scale;
  p.measure = std::move(measure);
  return p;
}

}  // namespace maillab::viz::gui
