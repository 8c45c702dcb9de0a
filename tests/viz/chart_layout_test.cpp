// The chart layout never overlaps: for every built-in scenario, at its end and at several
// times on the way, in the SVG layout and in the Timeline panel's (the font the panel uses,
// at the widths of a projector, a laptop and a full-HD screen, and at UI scales 1.5 and
// 2.5), no two label boxes intersect, no label covers a mark's dot, commands pipelined
// together keep their order,
// and every label is drawn (elided texts end in "…" and are the start of the full text).
#include <algorithm>
#include <regex>

#include "viz_fixture.hpp"
#include "viz/chart_layout.hpp"
#include "viz/gui/fonts.hpp"
#include "viz/gui/timeline_layout.hpp"
#include "viz/svg_writer.hpp"
#include "viz/text.hpp"

using namespace maillab;
using namespace maillab::viz;

namespace {

struct Case {
  std::string scenario;
  Time end;
};

// Every built-in scenario at its end and at five times between its first and last events.
std::vector<Case> cases_of(const scenario::Scenario& s, const std::vector<sim::TraceEvent>& trace) {
  std::vector<Case> out{{s.id, s.duration_ns}};
  if (trace.empty()) return out;
  for (int k = 1; k <= 5; ++k) {
    const Time t = trace[(trace.size() - 1) * k / 6].t_ns;
    if (t < s.duration_ns) out.push_back({s.id, t});
  }
  return out;
}

// The label boxes are apart, the dots free, siblings in order, texts whole or elided.
void check_layout(const SequenceChart& c, const ChartLayout& l) {
  for (const auto& u : l.labels()) {
    if (u.placed) continue;
    const std::string& full = u.of == PlacedLabel::Of::Arrow ? c.arrows[u.index].label : c.marks[u.index].label;
    UNSCOPED_INFO("unplaced: " << full << " box " << u.box.x0 << "," << u.box.y0 << " " << u.box.x1 << "," << u.box.y1 << " rounds " << l.growth_rounds());
  }
  REQUIRE(l.unplaced() == 0);
  const auto& labels = l.labels();
  std::vector<Quad> quads;
  std::vector<Box> bounds;
  for (const auto& x : labels) {
    quads.push_back(x.quad());
    bounds.push_back(quads.back().bounds());
  }
  std::vector<std::size_t> order(labels.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return bounds[a].y0 < bounds[b].y0; });
  for (std::size_t i = 0; i < order.size(); ++i) {
    const PlacedLabel& a = labels[order[i]];
    const Box& ab = bounds[order[i]];
    const std::string& full = a.of == PlacedLabel::Of::Arrow ? c.arrows[a.index].label : c.marks[a.index].label;
    INFO("label '" << a.text << "' (" << full << ")");
    CHECK(a.box.x1 > a.box.x0);
    CHECK(ab.x0 >= l.params().left - 1);
    CHECK(ab.x1 <= l.width());
    if (a.text != full) {
      CHECK(a.text.size() >= 3);
      CHECK(a.text.rfind("\u2026") == a.text.size() - 3);
      CHECK(full.rfind(a.text.substr(0, a.text.size() - 3), 0) == 0);
    }
    for (std::size_t j = i + 1; j < order.size(); ++j) {
      if (bounds[order[j]].y0 > ab.y1 + 1) break;
      INFO("overlaps '" << labels[order[j]].text << "'");
      CHECK_FALSE(quads[order[i]].intersects(quads[order[j]]));
    }
    for (std::size_t m = 0; m < c.marks.size(); ++m) {
      if (c.marks[m].lane < 0) continue;
      INFO("covers the dot of '" << c.marks[m].label << "'");
      CHECK_FALSE(quads[order[i]].intersects(Quad(l.dot_box(c.marks[m]), 0)));
    }
    for (const Arrow& e : c.arrows) {  // the padlocks of encrypted arrows
      if (!e.encrypted || e.from == e.to) continue;
      INFO("covers the lock of '" << e.label << "'");
      CHECK_FALSE(quads[order[i]].intersects(Quad(l.lock_box(e), 0)));
    }
  }
  // Pipelined: arrows leaving one lane for another at one instant, labels in slot order.
  for (std::size_t i = 0; i < c.arrows.size(); ++i)
    for (std::size_t j = 0; j < c.arrows.size(); ++j) {
      const Arrow &a = c.arrows[i], &b = c.arrows[j];
      if (a.from == a.to || a.from != b.from || a.to != b.to || a.t_from != b.t_from || a.slot_from >= b.slot_from)
        continue;
      const PlacedLabel *la = l.arrow_label(i), *lb = l.arrow_label(j);
      if (!la || !lb) continue;
      INFO(a.label << " before " << b.label);
      CHECK(la->box.y0 + la->box.y1 < lb->box.y0 + lb->box.y1);
    }
}

}  // namespace

TEST_CASE("chart layout: no label overlaps, every built-in scenario, several times, SVG and panel") {
  gui::OffscreenFonts fonts;
  gui::OffscreenFonts fonts_15(1.5f), fonts_25(2.5f);  // presentation: the UI scale
  if (!fonts.dejavu()) WARN("DejaVu Sans is not installed: the panel's layout is checked with ImGui's built-in font");
  std::size_t layouts = 0;
  for (const auto& b : scenario::builtin_scenarios()) {
    auto s = viz_test::load(std::string(b.name));
    auto w = viz_test::run_world(s);
    const auto& trace = w->trace().events();
    for (const Case& k : cases_of(s, trace)) {
      SequenceChart c = build_sequence_chart(s, trace, k.end);
      INFO(k.scenario << " at " << k.end << " ns");
      {
        INFO("the SVG layout");
        ChartLayout l(c, svg_layout_params());
        check_layout(c, l);
        ++layouts;
      }
      for (auto [width, height] : {std::pair{1024.0f, 768.0f}, {1280.0f, 720.0f}, {1920.0f, 1080.0f}}) {
        INFO("the Timeline panel in a " << width << "x" << height << " window");
        ChartLayout l(c, gui::timeline_layout_params(c, gui::timeline_width(width, height), 1, 1, 1, fonts.measure()));
        check_layout(c, l);
        ++layouts;
      }
      for (auto [scale, f] : {std::pair{1.5f, &fonts_15}, {2.5f, &fonts_25}}) {
        INFO("the Timeline panel in the presentation layout at 1920x1080, scale " << scale);
        ChartLayout l(c, gui::timeline_layout_params(c, gui::timeline_width(1920, 1080, scale, true), 1, 1, scale,
                                                     f->measure()));
        check_layout(c, l);
        CHECK(l.growth_rounds() < 10);  // no row grown without end (a label that fits nowhere)
        ++layouts;
      }
    }
  }
  CHECK(layouts > 4 * scenario::builtin_scenarios().size());
}

TEST_CASE("the SVG draws each label where the layout put it: no two label halos intersect") {
  const std::regex halo(
      R"re(<rect class="halo" x="([-0-9.]+)" y="([-0-9.]+)" width="([0-9.]+)" height="([0-9.]+)"( transform="rotate\(([-0-9.]+) ([-0-9.]+) ([-0-9.]+)\)")?)re");
  for (const auto& b : scenario::builtin_scenarios()) {
    auto s = viz_test::load(std::string(b.name));
    auto w = viz_test::run_world(s);
    SequenceChart c = build_sequence_chart(s, w->trace().events(), s.duration_ns);
    const std::string svg = to_svg(c);
    std::vector<Quad> halos;
    for (auto it = std::sregex_iterator(svg.begin(), svg.end(), halo); it != std::sregex_iterator(); ++it) {
      const double x = std::stod((*it)[1]), y = std::stod((*it)[2]);
      const Box box{x, y, x + std::stod((*it)[3]), y + std::stod((*it)[4])};
      const double degrees = (*it)[5].matched ? std::stod((*it)[6]) : 0;
      halos.push_back(Quad(box, degrees * 3.14159265358979323846 / 180));
    }
    INFO(s.id);
    ChartLayout l(c, svg_layout_params());
    CHECK(halos.size() == l.labels().size());
    for (std::size_t i = 0; i < halos.size(); ++i)
      for (std::size_t j = i + 1; j < halos.size(); ++j) {
        INFO("halos " << i << " and " << j);
        CHECK_FALSE(halos[i].intersects(halos[j]));
      }
  }
}

TEST_CASE("chart layout: pipelined MAIL, RCPT, DATA and their replies read top to bottom") {
  auto s = viz_test::load("basic-delivery");
  auto w = viz_test::run_world(s);
  SequenceChart c = build_sequence_chart(s, w->trace().events(), s.duration_ns);
  ChartLayout l(c, svg_layout_params());
  auto label_top = [&](const std::string& prefix, int from) {
    for (std::size_t i = 0; i < c.arrows.size(); ++i)
      if (c.arrows[i].label.rfind(prefix, 0) == 0 && c.arrows[i].from == from) {
        const Box& b = l.arrow_label(i)->box;
        return (b.y0 + b.y1) / 2;
      }
    FAIL("no arrow " << prefix);
    return 0.0;
  };
  const int mta = c.lane_of("mail.a.example");
  CHECK(label_top("MAIL FROM", mta) < label_top("RCPT TO", mta));
  CHECK(label_top("RCPT TO", mta) < label_top("DATA", mta));
  CHECK(label_top("250 2.1.0", c.lane_of("mx.b.example")) < label_top("250 2.1.5", c.lane_of("mx.b.example")));
}

