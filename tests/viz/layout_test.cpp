// The window's layout at the three sizes a teacher meets (a projector's 1024x768, a laptop's
// 1280x720, a full-HD screen): panels apart and inside the window, the timeline wide enough
// that the five lanes of full-journey and mx-failover fit without scrolling, in the layout
// the window opens with and in the presentation layout; panels hidden give their room to
// the timeline; the speed snaps to its presets.
#include <cmath>

#include "viz_fixture.hpp"
#include "viz/gui/chrome.hpp"
#include "viz/gui/fonts.hpp"
#include "viz/gui/layout.hpp"
#include "viz/gui/timeline_layout.hpp"
#include "viz/sequence_chart.hpp"

using namespace maillab;
using namespace maillab::viz;
using gui::Rect;

namespace {

const std::pair<float, float> kSizes[] = {{1024, 768}, {1280, 720}, {1920, 1080}};

std::vector<Rect> shown(const gui::Placement& p) {
  std::vector<Rect> out;
  for (const Rect& r : {p.menu, p.lab, p.timeline, p.topology, p.inspector, p.status, p.split_lab, p.split_right,
                        p.split_rows})
    if (!r.empty()) out.push_back(r);
  return out;
}

void check_apart_and_inside(const gui::Placement& p, float w, float h) {
  const auto rects = shown(p);
  for (std::size_t i = 0; i < rects.size(); ++i) {
    const Rect& a = rects[i];
    INFO("rect " << i << ": " << a.x << "," << a.y << " " << a.w << "x" << a.h);
    CHECK(a.x >= 0);
    CHECK(a.y >= 0);
    CHECK(a.x + a.w <= w + 0.01f);
    CHECK(a.y + a.h <= h + 0.01f);
    for (std::size_t j = i + 1; j < rects.size(); ++j) CHECK_FALSE(a.overlaps(rects[j]));
  }
}

}  // namespace

TEST_CASE("layout: panels apart and inside the window, at three sizes, two scales, both layouts") {
  for (auto [w, h] : kSizes)
    for (float scale : {1.0f, 1.25f})
      for (bool presentation : {false, true}) {
        INFO(w << "x" << h << " scale " << scale << (presentation ? " presentation" : ""));
        gui::PanelLayout l = gui::default_layout(w, scale);
        l.presentation = presentation;
        const auto p = gui::place_panels(l, w, h, scale, 21 * scale, 27 * scale);
        check_apart_and_inside(p, w, h);
        CHECK(p.timeline.w >= gui::kMinTimeline * scale);
        CHECK_FALSE(p.topology.empty());
        CHECK(p.inspector.empty() == presentation);
        CHECK((presentation ? p.lab.empty() : true));
      }
}

TEST_CASE("layout: five lanes fit the timeline without scrolling at every size") {
  gui::OffscreenFonts fonts;
  for (const char* name : {"full-journey", "mx-failover"}) {
    auto s = viz_test::load(name);
    auto world = viz_test::run_world(s);
    SequenceChart c = build_sequence_chart(s, world->trace().events(), s.duration_ns);
    REQUIRE(c.lanes.size() == 5);
    for (auto [w, h] : kSizes)
      for (bool presentation : {false, true}) {
        INFO(name << " " << w << "x" << h << (presentation ? " presentation" : ""));
        const float room = gui::timeline_width(w, h, 1, presentation);
        ChartLayout l(c, gui::timeline_layout_params(c, room, 1, 1, 1, fonts.measure()));
        CHECK(l.width() <= room + 0.5);
        CHECK(l.params().lane_spacing >= gui::kMinLaneSpacing);
      }
  }
}

TEST_CASE("layout: what is hidden gives its room to the timeline; splitters resize") {
  gui::PanelLayout l = gui::default_layout(1920, 1);
  REQUIRE(l.lab);
  const auto full = gui::place_panels(l, 1920, 1080, 1, 21, 27);
  l.inspector = false;
  const auto no_inspector = gui::place_panels(l, 1920, 1080, 1, 21, 27);
  CHECK(no_inspector.inspector.empty());
  CHECK(no_inspector.topology.h > full.topology.h);
  l.lab = false;
  l.topology = false;
  const auto alone = gui::place_panels(l, 1920, 1080, 1, 21, 27);
  CHECK(alone.timeline.w == 1920);
  l = gui::default_layout(1920, 1);
  l.lab_width = 300;
  l.right_width = 400;
  const auto dragged = gui::place_panels(l, 1920, 1080, 1, 21, 27);
  CHECK(dragged.lab.w == 300);
  CHECK(dragged.topology.w == 400);
  CHECK(dragged.timeline.w == 1920 - 300 - 400 - 2 * gui::kGap);
  // At 1280 the lab column starts hidden: the timeline has the room.
  CHECK_FALSE(gui::default_layout(1280, 1).lab);
}

TEST_CASE("speed: the slider snaps to 1x, 10x, 60x, 600x and 3600x") {
  CHECK(gui::snap_speed(std::log10(58.0)) == std::log10(60.0));
  CHECK(gui::snap_speed(std::log10(3500.0)) == std::log10(3600.0));
  CHECK(gui::snap_speed(std::log10(1.1)) == 0);
  CHECK(gui::snap_speed(std::log10(30.0)) == std::log10(30.0));
}
