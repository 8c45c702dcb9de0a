#include "viz/gui/timeline_panel.hpp"

#include <imgui.h>

#include <algorithm>

#include "scenarios/runner.hpp"
#include "viz/gui/draw_util.hpp"
#include "viz/host_roles.hpp"

namespace maillab::viz {

using namespace gui;

namespace {

constexpr float kHeader = 46;  // sticky lane headers
constexpr float kLeft = 96;    // time labels
constexpr float kTopPad = 16;

}  // namespace

void TimelinePanel::draw(const Model& m) {
  ImGui::Begin("Timeline", nullptr, ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoMove |
                                        ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoSavedSettings);
  if (!m.loaded) {
    ImGui::TextDisabled("No scenario loaded: pick one in the scenario list.");
    ImGui::End();
    return;
  }
  ImGui::SetNextItemWidth(110);
  ImGui::SliderFloat("##zt", &zoom_time, 0.25f, 6.0f, "time x%.2f", ImGuiSliderFlags_Logarithmic);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(110);
  ImGui::SliderFloat("##zl", &zoom_lanes, 0.5f, 3.0f, "lanes x%.2f", ImGuiSliderFlags_Logarithmic);
  ImGui::SameLine();
  ImGui::Checkbox("follow now", &ui.follow_now);
  ImGui::SameLine();
  for (const auto& e : kLegend) {
    ImGui::SameLine();
    ImGui::TextColored(col4(e.outcome), "\u25a0");
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", e.text);
  }
  ImGui::SameLine();
  ImGui::TextDisabled("(hover a colour, an arrow or a mark)");

  if (axis_revision != m.revision || axis_end != m.chart.end || axis_zoom != zoom_time) {
    AxisParams p;
    p.slot_px = 18;
    p.scale = zoom_time;
    axis = TimeAxis(m.chart, p);
    axis_revision = m.revision;
    axis_end = m.chart.end;
    axis_zoom = zoom_time;
  }
  const SequenceChart& c = m.chart;
  ImGuiIO& io = ImGui::GetIO();
  ImFont* small = io.Fonts->Fonts.Size > 1 ? io.Fonts->Fonts[1] : nullptr;
  if (small) ImGui::PushFont(small);
  ImGui::BeginChild("chart", ImVec2(0, 0), true,
                    ImGuiWindowFlags_HorizontalScrollbar | ImGuiWindowFlags_NoMove);
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float lanes = static_cast<float>(std::max<std::size_t>(1, c.lanes.size()));
  const float spacing = std::max(120.0f, (avail.x - kLeft - 200) / lanes) * zoom_lanes;
  const float width = kLeft + lanes * spacing + 260;
  const float height = kHeader + kTopPad + static_cast<float>(axis.height()) + 40;
  const ImVec2 o = ImGui::GetCursorScreenPos();
  ImGui::Dummy(ImVec2(width, height));
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 win = ImGui::GetWindowPos();
  const ImVec2 win_size = ImGui::GetWindowSize();
  const float vis_top = win.y, vis_bottom = win.y + win_size.y;

  auto lane_x = [&](int lane) { return o.x + kLeft + spacing / 2 + lane * spacing; };
  auto y_of = [&](Time t, int slot) {
    return o.y + kHeader + kTopPad + static_cast<float>(axis.y(t, slot));
  };
  auto visible = [&](float y0, float y1) {
    return std::max(y0, y1) >= vis_top - 20 && std::min(y0, y1) <= vis_bottom + 20;
  };
  dl->AddRectFilled(o, ImVec2(o.x + std::max(width, avail.x), o.y + std::max(height, avail.y)),
                    IM_COL32(255, 255, 255, 255));

  // Gaps, lanes, down intervals, queue bars, time labels.
  const ImVec2 mouse = ImGui::GetMousePos();
  const bool hovered = ImGui::IsWindowHovered();
  std::string tip;
  float best = 6;
  for (const auto& g : axis.gaps()) {
    float y0 = o.y + kHeader + kTopPad + static_cast<float>(g.y0) + 5;
    float y1 = o.y + kHeader + kTopPad + static_cast<float>(g.y1) - 5;
    if (!visible(y0, y1)) continue;
    dl->AddRectFilled(ImVec2(o.x, y0), ImVec2(o.x + width, y1), IM_COL32(238, 238, 238, 255));
    std::string span = "\u22ef " + format_span(g.to - g.from) + " \u22ef";
    ImVec2 ts = ImGui::CalcTextSize(span.c_str());
    dl->AddText(ImVec2(o.x + kLeft - 8 - ts.x, (y0 + y1) / 2 - ts.y / 2), IM_COL32(110, 110, 110, 255),
                span.c_str());
    if (hovered && mouse.y >= y0 && mouse.y <= y1 && tip.empty())
      tip = "idle for " + format_span(g.to - g.from) + "\n" + scenario::format_clock(g.from) +
            " .. " + scenario::format_clock(g.to);
  }
  const float bottom = o.y + height - 20;
  for (std::size_t i = 0; i < c.lanes.size(); ++i) {
    float x = lane_x(static_cast<int>(i));
    dl->AddLine(ImVec2(x, o.y + kHeader), ImVec2(x, bottom), IM_COL32(154, 164, 180, 255), 1.5f);
    for (const auto& d : c.lanes[i].down) {
      float y0 = y_of(d.from, 0), y1 = std::max(y_of(d.to, 0), y0 + 4);
      if (!visible(y0, y1)) continue;
      dl->AddRectFilled(ImVec2(x - 9, y0), ImVec2(x + 9, y1), col(kDown, 0.18f));
      dashed_line(dl, ImVec2(x, y0), ImVec2(x, y1), col(kDown), 2, 4, 3);
      if (hovered && mouse.x >= x - 9 && mouse.x <= x + 9 && mouse.y >= y0 && mouse.y <= y1)
        tip = c.lanes[i].host + " is down from " + scenario::format_clock(d.from) + " to " +
              scenario::format_clock(d.to);
    }
  }
  for (const auto& b : c.bars) {
    float x = lane_x(b.lane) - 7 - b.column * 9;
    float y0 = y_of(b.from, 0), y1 = std::max(y_of(b.to, 0), y0 + 2);
    if (!visible(y0, y1)) continue;
    dl->AddRectFilled(ImVec2(x - 3, y0), ImVec2(x + 3, y1), col(b.deferred ? kQueueDeferred : kQueueActive));
    if (hovered && mouse.x >= x - 4 && mouse.x <= x + 4 && mouse.y >= y0 && mouse.y <= y1)
      tip = std::string(b.deferred ? "deferred in the queue: " : "in the queue: ") + b.queue_id +
            " \u201c" + b.subject + "\u201d\n" + scenario::format_clock(b.from) + " .. " +
            scenario::format_clock(b.to);
  }
  float last_label = -1e9f;
  for (const auto& st : axis.stops()) {
    float y = y_of(st.t, 0);
    if (y - last_label < 16 || !visible(y, y)) continue;
    last_label = y;
    std::string t = scenario::format_clock(st.t);
    ImVec2 ts = ImGui::CalcTextSize(t.c_str());
    dl->AddText(ImVec2(o.x + kLeft - 8 - ts.x, y - ts.y / 2), IM_COL32(90, 90, 90, 255), t.c_str());
  }

  // Arrows.
  for (const auto& a : c.arrows) {
    ImVec2 p1(lane_x(a.from), y_of(a.t_from, a.slot_from));
    ImVec2 p2(p1.x + (lane_x(a.to) - p1.x) * static_cast<float>(a.reach), y_of(a.t_to, a.slot_to));
    if (!visible(p1.y, p2.y)) continue;
    ImU32 cl = col(a.outcome);
    bool failed = a.kind == ArrowKind::kLost || a.kind == ArrowKind::kConnectFailed;
    bool dashed = failed || a.kind == ArrowKind::kConnect;
    ImVec2 l1 = p1, l2 = p2, tpos;
    bool centred = true;
    float room;
    if (a.from == a.to) {
      ImVec2 q1(p1.x + 30, p1.y), q2(p1.x + 30, p2.y);
      dl->AddLine(p1, q1, cl, 1.4f);
      dl->AddLine(q1, q2, cl, 1.4f);
      l1 = q2;
      l2 = ImVec2(p1.x + 2, p2.y);
      tpos = ImVec2(p1.x + 36, (p1.y + p2.y) / 2 - 8);
      centred = false;
      room = spacing - 50;
    } else {
      tpos = ImVec2((p1.x + p2.x) / 2, (p1.y + p2.y) / 2 - 14);
      // A label may reach past a short arrow: it sits on the arrow's own row.
      room = std::max(std::abs(p2.x - p1.x) - 24, 190.0f);
    }
    if (dashed) dashed_line(dl, l1, l2, cl, 1.4f);
    else dl->AddLine(l1, l2, cl, 1.4f);
    if (failed) cross(dl, l2, cl);
    else arrow_head(dl, l1, l2, cl);
    label(dl, tpos, cl, fit(a.label, room), centred);
    if (hovered) {
      float d = std::min(segment_distance(mouse, p1, p2),
                         segment_distance(mouse, ImVec2(tpos.x, tpos.y + 7), ImVec2(tpos.x, tpos.y + 7)));
      if (d < best) {
        best = d;
        tip = a.detail;
      }
    }
  }
  // Marks.
  for (const auto& mk : c.marks) {
    float x = mk.lane >= 0 ? lane_x(mk.lane) : o.x + kLeft + 6;
    float y = y_of(mk.t, mk.slot);
    if (!visible(y, y)) continue;
    ImU32 cl = col(mk.outcome);
    dl->AddCircleFilled(ImVec2(x, y), 4.5f, cl);
    // Right of the lane, or left of it when the right runs out of the view (last lane).
    const float right_room = std::max(spacing * 1.4f, win.x + win_size.x - x - 24);
    const float left_room = x - std::max(o.x, win.x) - kLeft - 16;
    const float full = ImGui::CalcTextSize(mk.label.c_str()).x;
    const bool left = full > right_room && left_room > right_room;
    std::string text = fit(mk.label, left ? left_room : right_room);
    float tx = left ? x - 8 - ImGui::CalcTextSize(text.c_str()).x : x + 8;
    label(dl, ImVec2(tx, y - 8), cl, text, false);
    if (hovered) {
      ImVec2 ts = ImGui::CalcTextSize(text.c_str());
      if (mouse.x >= std::min(tx, x) - 5 && mouse.x <= std::max(tx + ts.x, x) + 5 && std::abs(mouse.y - y) < 8) {
        best = 0;
        tip = mk.detail;
      }
    }
  }
  // The present: the end of what has happened.
  float now_y = y_of(c.end, 0);
  dl->AddLine(ImVec2(o.x, now_y + 6), ImVec2(o.x + width, now_y + 6), IM_COL32(40, 90, 200, 160), 2);
  std::string now_text = "now " + scenario::format_clock(c.end);
  dl->AddText(ImVec2(o.x + kLeft + 4, now_y + 8), IM_COL32(40, 90, 200, 255), now_text.c_str());

  // Sticky lane headers.
  float hy = win.y;
  dl->AddRectFilled(ImVec2(win.x, hy), ImVec2(win.x + win_size.x, hy + kHeader), IM_COL32(250, 250, 252, 245));
  for (std::size_t i = 0; i < c.lanes.size(); ++i) {
    const Lane& l = c.lanes[i];
    float x = lane_x(static_cast<int>(i));
    ImVec2 a(x - spacing / 2 + 8, hy + 3), b(x + spacing / 2 - 8, hy + kHeader - 4);
    bool down = !l.down.empty() && l.down.back().to == c.end;
    dl->AddRectFilled(a, b, down ? IM_COL32(250, 225, 225, 255) : IM_COL32(238, 242, 248, 255), 5);
    dl->AddRect(a, b, down ? col(kDown) : IM_COL32(136, 153, 187, 255), 5);
    std::string name = fit(l.host, spacing - 20);
    std::string roles = fit(roles_label(l.roles) + (down ? "  (down)" : ""), spacing - 20);
    ImVec2 ns = ImGui::CalcTextSize(name.c_str()), rs = ImGui::CalcTextSize(roles.c_str());
    dl->AddText(ImVec2(x - ns.x / 2, hy + 6), IM_COL32(26, 42, 74, 255), name.c_str());
    dl->AddText(ImVec2(x - rs.x / 2, hy + 23), IM_COL32(70, 85, 110, 255), roles.c_str());
    if (hovered && mouse.y < hy + kHeader && std::abs(mouse.x - x) < spacing / 2) {
      tip = l.host + "  " + l.address + "\n" + roles_label(l.roles);
      if (ImGui::IsMouseClicked(0)) ui.selected_host = l.host;
    }
  }

  // Zoom with Ctrl + wheel around the mouse; pan by dragging.
  if (hovered && io.KeyCtrl && io.MouseWheel != 0) {
    float before = zoom_time;
    zoom_time = std::clamp(zoom_time * (io.MouseWheel > 0 ? 1.2f : 1 / 1.2f), 0.25f, 6.0f);
    float rel = mouse.y - win.y + ImGui::GetScrollY();
    ImGui::SetScrollY(rel * zoom_time / before - (mouse.y - win.y));
    ui.follow_now = false;
  } else if (hovered && ImGui::IsMouseDragging(0)) {
    ImVec2 d = io.MouseDelta;
    ImGui::SetScrollX(ImGui::GetScrollX() - d.x);
    ImGui::SetScrollY(ImGui::GetScrollY() - d.y);
    ui.follow_now = false;
  } else if (ui.follow_now) {
    float target = now_y - o.y - win_size.y * 0.75f;
    ImGui::SetScrollY(std::max(0.0f, std::min(target, ImGui::GetScrollMaxY())));
  }
  if (hovered && !tip.empty()) ImGui::SetTooltip("%s", tip.c_str());
  ImGui::EndChild();
  if (small) ImGui::PopFont();
  ImGui::End();
}

}  // namespace maillab::viz
