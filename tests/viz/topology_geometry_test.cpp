// The Topology panel's layout, without a display: the layered story (senders' MUAs, MSA,
// DNS, the MXs with the backup below the primary, the readers' MUAs, left to right) and no
// node circle or label overlapping another, up to 20 hosts, in the topology panel of the
// window sizes a teacher meets, for a 20-host fixture and every built-in scenario; packet
// labels never land on a node or on each other.
#include "viz_fixture.hpp"
#include "viz/gui/layout.hpp"
#include "viz/gui/topology_geometry.hpp"
#include "viz/host_roles.hpp"
#include "viz/topology_layout.hpp"

using namespace maillab;
using namespace maillab::viz;
using gui::Rect;

namespace {

// A wide font's widths (DejaVu Sans at 15 px is narrower on average): 9 px a code point.
float width_of(const std::string& s) {
  float n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80 ? 9.0f : 0.0f;
  return n;
}

std::vector<gui::NodeTexts> texts_of(const scenario::Scenario& s, const Topology& t) {
  std::vector<gui::NodeTexts> out;
  for (const auto& n : t.nodes) {
    gui::NodeTexts x;
    x.name = n.name;
    for (const auto& h : s.hosts)
      if (h.name == n.name) x.roles = roles_label(host_roles(s, h));
    x.counts = "DOWN  queue 12, 3 deferred  \u2709 20  disk full";  // the longest it gets
    out.push_back(x);
  }
  return out;
}

bool inside(const Rect& r, const Rect& area) {
  return r.x >= area.x - 0.01f && r.y >= area.y - 0.01f && r.x + r.w <= area.x + area.w + 0.01f &&
         r.y + r.h <= area.y + area.h + 0.01f;
}

// The topology panel's drawing area at each size and scale (its header and legend lines off).
std::vector<std::pair<Rect, float>> panel_areas() {
  std::vector<std::pair<Rect, float>> out;
  for (auto [w, h] : {std::pair{1024.0f, 768.0f}, {1280.0f, 720.0f}, {1600.0f, 1000.0f}, {1920.0f, 1080.0f}})
    for (float scale : {1.0f, 1.25f})
      for (bool presentation : {false, true}) {
        gui::PanelLayout l = gui::default_layout(w, scale);
        l.presentation = presentation;
        const Rect p = gui::place_panels(l, w, h, scale, 21 * scale, 27 * scale).topology;
        const float line = 17 * scale;
        out.emplace_back(Rect{p.x + 6 * scale, p.y + 2 * line + 8, p.w - 12 * scale, p.h - 4 * line - 20 * scale}, scale);
      }
  return out;
}

void check_no_overlap(const scenario::Scenario& s) {
  const Topology t = layout_topology(s);
  const auto texts = texts_of(s, t);
  for (const auto& [area, scale] : panel_areas()) {
    INFO(s.id << " in a topology area of " << area.w << "x" << area.h << " at scale " << scale);
    const auto geo = gui::place_topology(t, texts, area, gui::TextMetrics{17 * scale, width_of}, scale);
    REQUIRE(geo.size() == t.nodes.size());
    std::vector<std::pair<std::size_t, Rect>> boxes;
    for (std::size_t i = 0; i < geo.size(); ++i) {
      CHECK(geo[i].name.w > 0);
      for (const Rect& r : geo[i].boxes()) {
        CHECK(inside(r, area));
        boxes.emplace_back(i, r);
      }
    }
    for (std::size_t a = 0; a < boxes.size(); ++a)
      for (std::size_t b = a + 1; b < boxes.size(); ++b) {
        INFO(t.nodes[boxes[a].first].name << " and " << t.nodes[boxes[b].first].name);
        CHECK_FALSE(boxes[a].second.overlaps(boxes[b].second));
      }
    // Packets everywhere between the nodes: their labels keep off every box and each other.
    std::vector<Rect> taken;
    for (const auto& [i, r] : boxes) taken.push_back(r);
    const std::size_t fixed = taken.size();
    for (const auto& e : t.edges)
      for (float along : {0.25f, 0.5f, 0.75f}) {
        const float x = geo[e.a].cx + (geo[e.b].cx - geo[e.a].cx) * along;
        const float y = geo[e.a].cy + (geo[e.b].cy - geo[e.a].cy) * along;
        if (auto r = gui::place_flight_label(x, y, 120, 17, area, taken)) CHECK(inside(*r, area));
      }
    for (std::size_t a = fixed; a < taken.size(); ++a)
      for (std::size_t b = 0; b < a; ++b) CHECK_FALSE(taken[a].overlaps(taken[b]));
  }
}

}  // namespace

TEST_CASE("topology: 20 hosts in story order, no node or label overlapping another") {
  auto s = viz_test::load(viz_test::kData + "twenty-hosts.yaml");
  REQUIRE(s.hosts.size() == 20);
  const Topology t = layout_topology(s);
  auto x = [&](const std::string& name) { return t.nodes[t.node_of(name)].x; };
  auto y = [&](const std::string& name) { return t.nodes[t.node_of(name)].y; };
  CHECK(x("pc.sender1.a.example") < x("mail.a.example"));
  CHECK(x("mail.a.example") < x("ns.example"));
  CHECK(x("ns.example") < x("mx1.b.example"));
  CHECK(x("mx1.b.example") == x("mx2.b.example"));
  CHECK(y("mx1.b.example") < y("mx2.b.example"));  // the backup MX below the primary
  CHECK(x("mx1.b.example") < x("pc.reader1.b.example"));
  CHECK(y("pc.sender1.a.example") < y("pc.sender8.a.example"));
  check_no_overlap(s);
}

TEST_CASE("topology: every built-in scenario, no node or label overlapping another") {
  for (const auto& b : scenario::builtin_scenarios()) check_no_overlap(viz_test::load(std::string(b.name)));
}

TEST_CASE("topology: the same picture every time, inside the unit square") {
  auto s = viz_test::load(viz_test::kData + "mx-failover.yaml");
  const Topology a = layout_topology(s), b = layout_topology(s);
  for (std::size_t i = 0; i < a.nodes.size(); ++i) {
    CHECK(a.nodes[i].x == b.nodes[i].x);
    CHECK(a.nodes[i].y == b.nodes[i].y);
  }
  CHECK(a.nodes[a.node_of("pc.alice")].x < a.nodes[a.node_of("mail.a.example")].x);
}
