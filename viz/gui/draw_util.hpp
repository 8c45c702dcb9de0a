// Small drawing helpers for the ImGui panels: chart colours as ImU32, dashed lines, arrow
// heads, crosses, text that fits a width, distance to a segment (for hovering).
#pragma once

#include <imgui.h>

#include <cmath>
#include <string>

#include "viz/chart_style.hpp"
#include "viz/text.hpp"

namespace maillab::viz::gui {

inline ImU32 col(Rgb c, float alpha = 1.0f) {
  return IM_COL32(c.r, c.g, c.b, static_cast<int>(alpha * 255));
}
inline ImU32 col(Outcome o, float alpha = 1.0f) { return col(outcome_rgb(o), alpha); }
inline ImVec4 col4(Outcome o) {
  Rgb c = outcome_rgb(o);
  return ImVec4(c.r / 255.0f, c.g / 255.0f, c.b / 255.0f, 1.0f);
}

inline void dashed_line(ImDrawList* dl, ImVec2 a, ImVec2 b, ImU32 c, float thickness,
                        float dash = 6, float gap = 4) {
  float dx = b.x - a.x, dy = b.y - a.y, len = std::sqrt(dx * dx + dy * dy);
  if (len < 1e-3f) return;
  float ux = dx / len, uy = dy / len;
  for (float s = 0; s < len; s += dash + gap) {
    float e = std::min(len, s + dash);
    dl->AddLine(ImVec2(a.x + ux * s, a.y + uy * s), ImVec2(a.x + ux * e, a.y + uy * e), c, thickness);
  }
}

inline void arrow_head(ImDrawList* dl, ImVec2 from, ImVec2 to, ImU32 c, float size = 8) {
  float dx = to.x - from.x, dy = to.y - from.y, len = std::sqrt(dx * dx + dy * dy);
  if (len < 1e-3f) return;
  float ux = dx / len, uy = dy / len;
  ImVec2 base(to.x - ux * size, to.y - uy * size);
  dl->AddTriangleFilled(to, ImVec2(base.x - uy * size * 0.45f, base.y + ux * size * 0.45f),
                        ImVec2(base.x + uy * size * 0.45f, base.y - ux * size * 0.45f), c);
}

inline void cross(ImDrawList* dl, ImVec2 p, ImU32 c, float r = 5) {
  dl->AddLine(ImVec2(p.x - r, p.y - r), ImVec2(p.x + r, p.y + r), c, 2);
  dl->AddLine(ImVec2(p.x + r, p.y - r), ImVec2(p.x - r, p.y + r), c, 2);
}

// `text` cut (with an ellipsis) to fit `width` pixels in the current font.
inline std::string fit(const std::string& text, float width) {
  if (ImGui::CalcTextSize(text.c_str()).x <= width) return text;
  // The longest prefix (plus the ellipsis) that fits: a binary search over code points.
  std::size_t lo = 1, hi = utf8_length(text);
  while (lo < hi) {
    std::size_t mid = (lo + hi + 1) / 2;
    if (ImGui::CalcTextSize(truncate_utf8(text, mid).c_str()).x <= width) lo = mid;
    else hi = mid - 1;
  }
  return truncate_utf8(text, lo);
}

// Text on a light halo (a filled rectangle behind it), so lines never cross it.
inline void label(ImDrawList* dl, ImVec2 pos, ImU32 c, const std::string& text, bool centred,
                  ImU32 halo = IM_COL32(255, 255, 255, 225)) {
  ImVec2 size = ImGui::CalcTextSize(text.c_str());
  if (centred) pos.x -= size.x / 2;
  dl->AddRectFilled(ImVec2(pos.x - 2, pos.y), ImVec2(pos.x + size.x + 2, pos.y + size.y), halo, 2);
  dl->AddText(pos, c, text.c_str());
}

// Moves each glyph drawn since vertex `first` (AddText: four vertices a glyph) up or down
// by `slope` times its distance from `centre_x`, in whole pixels: text along a sloping
// arrow with every glyph upright and sharp.
inline void shear_glyphs(ImDrawList* dl, int first, float centre_x, double slope) {
  for (int i = first; i + 3 < dl->VtxBuffer.Size; i += 4) {
    ImDrawVert* v = &dl->VtxBuffer[i];
    const float gx = (v[0].pos.x + v[1].pos.x + v[2].pos.x + v[3].pos.x) / 4;
    const float dy = std::round(static_cast<float>((gx - centre_x) * slope));
    for (int k = 0; k < 4; ++k) v[k].pos.y += dy;
  }
}

inline float segment_distance(ImVec2 p, ImVec2 a, ImVec2 b) {
  float dx = b.x - a.x, dy = b.y - a.y, l2 = dx * dx + dy * dy;
  float t = l2 > 0 ? ((p.x - a.x) * dx + (p.y - a.y) * dy) / l2 : 0;
  t = std::max(0.0f, std::min(1.0f, t));
  float x = a.x + t * dx - p.x, y = a.y + t * dy - p.y;
  return std::sqrt(x * x + y * y);
}

}  // namespace maillab::viz::gui
