// Where the visualiser's panels go: a menu bar on top, a status / caption line at the
// bottom, and between them three columns - the lab column (controls, scenario, queues as
// tabs), the timeline, and the topology above the message inspector. The user drags the
// gaps between them (splitters), hides and brings back panels (View menu), and switches to
// the presentation layout: the timeline and the topology only, with a caption line, for a
// projector. Pure geometry, no ImGui: the tests check it at 1024x768, 1280x720 and
// 1920x1080 (tests/viz/layout_test.cpp).
// Invariants: panels never overlap and never leave the window; the timeline is always
// shown and at least kMinTimeline * scale wide; the gaps hold the splitters.
#pragma once

namespace maillab::viz::gui {

struct Rect {
  float x = 0, y = 0, w = 0, h = 0;
  bool empty() const { return w <= 0 || h <= 0; }
  bool overlaps(const Rect& o) const { return x < o.x + o.w && o.x < x + w && y < o.y + o.h && o.y < y + h; }
};

// What the user chose; kept while the window lives.
struct PanelLayout {
  bool lab = true, topology = true, inspector = true;  // shown
  bool presentation = false;  // timeline + topology + caption, nothing else
  float lab_width = 0;        // px at scale 1; 0 = the default for the window's width
  float right_width = 0;      // likewise, the topology / inspector column
  float topology_share = 0.45f;  // of the right column's height
};

struct Placement {
  Rect menu, lab, timeline, topology, inspector, status;  // empty when hidden
  Rect split_lab, split_right, split_rows;              // the splitters' strips (empty: none)
};

constexpr float kGap = 6;             // between panels: the splitters' strips
constexpr float kMinTimeline = 420;   // at scale 1
constexpr float kMinSide = 220;

// The layout a window of that size opens with: below 1400 px (at scale 1) the lab column
// starts hidden, so the timeline has the room (View > Lab, or drag it back).
PanelLayout default_layout(float width, float scale);

Placement place_panels(const PanelLayout& l, float width, float height, float scale, float menu_h,
                       float status_h);

}  // namespace maillab::viz::gui
