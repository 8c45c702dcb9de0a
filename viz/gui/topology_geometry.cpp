#include "viz/gui/topology_geometry.hpp"

#include <algorithm>
#include <cmath>

namespace maillab::viz::gui {

std::vector<Rect> NodeGeometry::boxes() const {
  std::vector<Rect> out;
  for (const Rect& box : {circle, name, roles, counts})
    if (!box.empty()) out.push_back(box);
  return out;
}

std::vector<NodeGeometry> place_topology(const Topology& t, const std::vector<NodeTexts>& texts, Rect area,
                                         const TextMetrics& m, float scale) {
  std::vector<NodeGeometry> out(t.nodes.size());
  if (t.nodes.empty()) return out;
  std::vector<int> in_layer(static_cast<std::size_t>(std::max(1, t.layers)), 0);
  for (const auto& n : t.nodes) in_layer[n.layer] = std::max(in_layer[n.layer], n.rank + 1);
  // The most that fits: full blocks (counts, circle, name, roles); else without the roles
  // line (the tooltip has it); else small dots. A layer taller than the panel wraps into
  // sub-columns of equal size.
  const float gap = 6 * scale;
  float ring = 5 * scale, r_host = 13 * scale, r_router = 8 * scale, block_h = 0;
  bool with_roles = true;
  std::vector<int> first_col(in_layer.size()), sub(in_layer.size()), rows(in_layer.size());
  int cols = 0;
  for (int step = 0; step < 3; ++step) {
    with_roles = step == 0;
    if (step == 2) {
      ring = 3 * scale;
      r_host = 6 * scale;
      r_router = 4 * scale;
    }
    block_h = (with_roles ? 3 : 2) * m.line_h + 2 * r_host + 3 * gap;
    const int rows_fit = std::max(1, static_cast<int>(std::floor(area.h / block_h)));
    cols = 0;
    for (std::size_t l = 0; l < in_layer.size(); ++l) {
      sub[l] = std::max(1, (in_layer[l] + rows_fit - 1) / rows_fit);
      rows[l] = std::max(1, (in_layer[l] + sub[l] - 1) / sub[l]);
      first_col[l] = cols;
      cols += sub[l];
    }
    if (static_cast<float>(cols) * (2 * (r_host + ring) + 2 * gap) <= area.w) break;
  }
  const float col_w = area.w / static_cast<float>(cols);
  // Staggered when there is height to spare: neighbouring columns take alternate slots of
  // one grid, so a label may be twice as wide as its column (full names in a small lab).
  int most = 1;
  for (std::size_t l = 0; l < in_layer.size(); ++l) most = std::max(most, rows[l]);
  const bool stagger = cols > 1 && 2 * most * block_h <= area.h;
  const float slot_h = area.h / static_cast<float>(2 * most);
  for (std::size_t i = 0; i < t.nodes.size(); ++i) {
    const auto& n = t.nodes[i];
    const int col = first_col[n.layer] + n.rank / rows[n.layer];
    const int row = n.rank % rows[n.layer];
    const int in_col = std::min(rows[n.layer], in_layer[n.layer] - (n.rank / rows[n.layer]) * rows[n.layer]);
    const float cell_h = area.h / static_cast<float>(in_col);
    float top = area.y + cell_h * (static_cast<float>(row) + 0.5f) - block_h / 2;
    if (stagger) {
      const int slot = 2 * ((row * most) / in_col) + (col % 2);
      top = area.y + slot_h * (static_cast<float>(slot) + 0.5f) - block_h / 2;
    }
    top = std::clamp(top, area.y, area.y + area.h - block_h);
    NodeGeometry& g = out[i];
    // Never wider than the column (a last resort when even dots do not fit).
    g.r = std::max(1.0f, std::min(n.router ? r_router : r_host, col_w / 2 - ring - 1));
    g.ring = ring;
    g.cx = area.x + col_w * (static_cast<float>(col) + 0.5f);
    g.cy = top + m.line_h + gap + r_host;
    const float half = stagger ? std::min({col_w - gap, g.cx - area.x, area.x + area.w - g.cx}) : col_w / 2 - gap;
    g.max_label_w = std::max(0.0f, 2 * half - 4);
    g.circle = Rect{g.cx - g.r - ring, g.cy - g.r - ring, 2 * (g.r + ring), 2 * (g.r + ring)};  // with its rings
    auto line = [&](const std::string& text, float y) {
      if (text.empty()) return Rect{};
      const float w = std::min(m.width ? m.width(text) : 0.0f, g.max_label_w) + 4;  // + the halo
      return Rect{g.cx - w / 2, y, w, m.line_h};
    };
    const NodeTexts& tx = i < texts.size() ? texts[i] : NodeTexts{};
    g.counts = line(tx.counts, top);
    g.name = line(tx.name, g.cy + r_host + gap);
    if (with_roles) g.roles = line(tx.roles, g.cy + r_host + gap + m.line_h);
  }
  return out;
}

std::optional<Rect> place_flight_label(float x, float y, float w, float h, Rect area, std::vector<Rect>& taken) {
  const float d = 8;
  const Rect tries[] = {{x + d, y - h - 2, w, h}, {x + d, y + 2, w, h}, {x - d - w, y - h - 2, w, h},
                        {x - d - w, y + 2, w, h}, {x - w / 2, y - h - d, w, h}, {x - w / 2, y + d, w, h}};
  for (const Rect& r : tries) {
    if (r.x < area.x || r.y < area.y || r.x + r.w > area.x + area.w || r.y + r.h > area.y + area.h) continue;
    if (std::any_of(taken.begin(), taken.end(), [&](const Rect& o) { return o.overlaps(r); })) continue;
    taken.push_back(r);
    return r;
  }
  return std::nullopt;
}

}  // namespace maillab::viz::gui
