#include "viz/gui/layout.hpp"

#include <algorithm>

namespace maillab::viz::gui {

PanelLayout default_layout(float width, float scale) {
  PanelLayout l;
  l.lab = width >= 1400 * scale;
  return l;
}

Placement place_panels(const PanelLayout& l, float width, float height, float scale, float menu_h,
                       float status_h) {
  Placement p;
  const float gap = kGap * scale;
  p.menu = {0, 0, width, menu_h};
  p.status = {0, height - status_h, width, status_h};
  const float top = menu_h, h = std::max(0.0f, height - menu_h - status_h);
  const bool lab = l.lab && !l.presentation;
  const bool topology = l.topology || l.presentation;
  const bool inspector = l.inspector && !l.presentation;
  const bool right = topology || inspector;

  float lab_w = lab ? (l.lab_width > 0 ? l.lab_width * scale : std::clamp(width * 0.2f, 250 * scale, 380 * scale)) : 0;
  float right_w = 0;
  if (right) {
    const float share = l.presentation ? (width < 1300 * scale ? 0.3f : 0.36f) : 0.28f;
    right_w = l.right_width > 0 && !l.presentation ? l.right_width * scale
                                                   : std::clamp(width * share, 300 * scale, 620 * scale);
  }
  // The timeline keeps its least width: the side columns give way, the lab column first.
  const float min_timeline = kMinTimeline * scale;
  auto room = [&] { return width - lab_w - right_w - (lab ? gap : 0) - (right ? gap : 0); };
  if (room() < min_timeline && lab) lab_w = std::max(kMinSide * scale, lab_w - (min_timeline - room()));
  if (room() < min_timeline && right) right_w = std::max(kMinSide * scale, right_w - (min_timeline - room()));
  if (room() < min_timeline && lab) lab_w = 0;  // still too narrow: no lab column at all
  const bool lab_shown = lab && lab_w > 0;

  float x = 0;
  if (lab_shown) {
    p.lab = {0, top, lab_w, h};
    p.split_lab = {lab_w, top, gap, h};
    x = lab_w + gap;
  }
  const float timeline_w = std::max(0.0f, width - x - (right ? right_w + gap : 0));
  p.timeline = {x, top, timeline_w, h};
  if (right) {
    const float rx = x + timeline_w + gap;
    p.split_right = {x + timeline_w, top, gap, h};
    if (topology && inspector) {
      const float th = std::clamp(h * l.topology_share, 120 * scale, h - 120 * scale);
      p.topology = {rx, top, right_w, th};
      p.split_rows = {rx, top + th, right_w, gap};
      p.inspector = {rx, top + th + gap, right_w, h - th - gap};
    } else if (topology) {
      p.topology = {rx, top, right_w, h};
    } else {
      p.inspector = {rx, top, right_w, h};
    }
  }
  return p;
}

}  // namespace maillab::viz::gui
