#include "viz/gui/timeline_panel.hpp"

#include <imgui.h>

#include <algorithm>
#include <set>

#include "scenarios/runner.hpp"
#include "viz/gui/draw_util.hpp"
#include "viz/gui/fonts.hpp"
#include "viz/gui/timeline_layout.hpp"
#include "viz/host_roles.hpp"

namespace maillab::viz {

using namespace gui;

namespace {

constexpr float kTopPad = 16;
constexpr float kDimmed = 0.18f;  // what is not the followed message's way
constexpr std::size_t kNoEvent = static_cast<std::size_t>(-1);

}  // namespace

void TimelinePanel::draw(const Model& m) {
  if (!m.loaded) {
    ImGui::TextDisabled("No scenario loaded: pick one in the scenario list.");
    return;
  }
  ImGui::SetNextItemWidth(110 * ui.scale);
  ImGui::SliderFloat("##zt", &zoom_time, 0.25f, 6.0f, "time x%.2f", ImGuiSliderFlags_Logarithmic);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(110 * ui.scale);
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

  const SequenceChart& c = m.chart;
  const float k = ui.scale;  // geometry scales with the fonts
  ImGuiIO& io = ImGui::GetIO();
  ImFont* small = io.Fonts->Fonts.Size > 1 ? io.Fonts->Fonts[1] : nullptr;
  if (small) ImGui::PushFont(small);
  ImGui::BeginChild("chart", ImVec2(0, 0), true,
                    ImGuiWindowFlags_HorizontalScrollbar | ImGuiWindowFlags_NoMove);
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  if (layout_revision != m.revision || layout_end != c.end || layout_zoom_time != zoom_time ||
      layout_zoom_lanes != zoom_lanes || layout_width != avail.x || layout_scale != ui.scale) {
    layout = ChartLayout(c, gui::timeline_layout_params(c, avail.x, zoom_lanes, zoom_time, ui.scale,
                                                        text_measure(ImGui::GetFont())));
    layout_revision = m.revision;
    layout_end = c.end;
    layout_zoom_time = zoom_time;
    layout_zoom_lanes = zoom_lanes;
    layout_width = avail.x;
    layout_scale = ui.scale;
  }
  const ChartLayout& L = layout;
  const float spacing = static_cast<float>(L.params().lane_spacing);
  const float width = static_cast<float>(L.width());
  // Sticky lane headers with the whole host name, wrapped at its dots when it is long.
  const auto names = gui::header_names(c, spacing, text_measure(ImGui::GetFont()));
  std::size_t name_lines = 1;
  for (const auto& n : names) name_lines = std::max(name_lines, n.size());
  const float line_h = ImGui::GetTextLineHeight();
  const float header_h = 9 + line_h * static_cast<float>(name_lines + 1) + 8;
  const float height = header_h + kTopPad * k + static_cast<float>(L.height()) + 40 * k;
  const ImVec2 o = ImGui::GetCursorScreenPos();
  ImGui::Dummy(ImVec2(width, height));
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 win = ImGui::GetWindowPos();
  const ImVec2 win_size = ImGui::GetWindowSize();
  const float vis_top = win.y, vis_bottom = win.y + win_size.y;
  const float top = o.y + header_h + kTopPad * k;

  auto lane_x = [&](int lane) { return o.x + static_cast<float>(L.lane_x(lane)); };
  auto y_of = [&](Time t, int slot) { return top + static_cast<float>(L.y(t, slot)); };
  auto visible = [&](float y0, float y1) {
    return std::max(y0, y1) >= vis_top - 20 && std::min(y0, y1) <= vis_bottom + 20;
  };
  dl->AddRectFilled(o, ImVec2(o.x + std::max(width, avail.x), o.y + std::max(height, avail.y)),
                    IM_COL32(255, 255, 255, 255));

  // Following a message: its way at full strength, everything else dimmed.
  const JourneyView* followed = ui.follow && ui.selected_journey >= 0 &&
                                        ui.selected_journey < static_cast<int>(m.journeys.size())
                                    ? &m.journeys[ui.selected_journey]
                                    : nullptr;
  std::set<std::pair<std::string, std::string>> followed_queues;  // (host, queue id)
  if (followed)
    for (std::size_t i : followed->path.events)
      if (!(*m.trace)[i].get("id").empty()) followed_queues.emplace((*m.trace)[i].host, (*m.trace)[i].get("id"));
  auto strength = [&](std::size_t trace_index) {
    return !followed || followed->path.contains(trace_index) ? 1.0f : kDimmed;
  };

  // Gaps, lanes, down intervals, queue bars, time labels.
  const ImVec2 mouse = ImGui::GetMousePos();
  const bool hovered = ImGui::IsWindowHovered();
  std::string tip;
  std::size_t hovered_event = kNoEvent;  // a click follows the message it is part of
  const Arrow* hovered_arrow = nullptr;  // and shows an arrow's packet
  float best = 6;
  for (const auto& g : L.axis().gaps()) {
    float y0 = top + static_cast<float>(g.y0) + 5;
    float y1 = top + static_cast<float>(g.y1) - 5;
    if (!visible(y0, y1)) continue;
    dl->AddRectFilled(ImVec2(o.x, y0), ImVec2(o.x + width, y1), IM_COL32(238, 238, 238, 255));
    std::string span = "\u22ef " + format_span(g.to - g.from) + " \u22ef";
    ImVec2 ts = ImGui::CalcTextSize(span.c_str());
    dl->AddText(ImVec2(o.x + gui::kTimelineLeft * k - 8 - ts.x, (y0 + y1) / 2 - ts.y / 2),
                IM_COL32(110, 110, 110, 255), span.c_str());
    if (hovered && mouse.y >= y0 && mouse.y <= y1 && tip.empty())
      tip = "idle for " + format_span(g.to - g.from) + "\n" + scenario::format_clock(g.from) +
            " .. " + scenario::format_clock(g.to);
  }
  const float bottom = o.y + height - 20;
  for (std::size_t i = 0; i < c.lanes.size(); ++i) {
    float x = lane_x(static_cast<int>(i));
    dl->AddLine(ImVec2(x, o.y + header_h), ImVec2(x, bottom), IM_COL32(154, 164, 180, 255), 1.5f);
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
    float x = lane_x(b.lane) - (7 + b.column * 9) * k;
    float y0 = y_of(b.from, 0), y1 = std::max(y_of(b.to, 0), y0 + 2);
    if (!visible(y0, y1)) continue;
    const float a = !followed || followed_queues.count({c.lanes[b.lane].host, b.queue_id}) ? 1.0f : kDimmed;
    dl->AddRectFilled(ImVec2(x - 3 * k, y0), ImVec2(x + 3 * k, y1), col(b.deferred ? kQueueDeferred : kQueueActive, a));
    if (hovered && mouse.x >= x - 4 && mouse.x <= x + 4 && mouse.y >= y0 && mouse.y <= y1)
      tip = std::string(b.deferred ? "deferred in the queue: " : "in the queue: ") + b.queue_id +
            " \u201c" + b.subject + "\u201d\n" + scenario::format_clock(b.from) + " .. " +
            scenario::format_clock(b.to);
  }
  float last_label = -1e9f;
  for (const auto& st : L.axis().stops()) {
    float y = y_of(st.t, 0);
    if (y - last_label < 16 || !visible(y, y)) continue;
    last_label = y;
    std::string t = scenario::format_clock(st.t);
    ImVec2 ts = ImGui::CalcTextSize(t.c_str());
    dl->AddText(ImVec2(o.x + gui::kTimelineLeft * k - 8 - ts.x, y - ts.y / 2), IM_COL32(90, 90, 90, 255), t.c_str());
  }

  // Arrows, then the marks' dots, then every label on top of them.
  for (const auto& a : c.arrows) {
    const ChartLayout::Segment sg = L.arrow_segment(a);
    ImVec2 p1(o.x + static_cast<float>(sg.x1), top + static_cast<float>(sg.y1));
    ImVec2 p2(o.x + static_cast<float>(sg.x2), top + static_cast<float>(sg.y2));
    if (!visible(p1.y, p2.y)) continue;
    const float alpha = strength(a.trace_index);
    const float thick = (followed && alpha == 1.0f ? 2.6f : 1.4f) * k;
    ImU32 cl = col(a.outcome, alpha);
    bool failed = a.kind == ArrowKind::Lost || a.kind == ArrowKind::ConnectFailed;
    bool dashed = failed || a.kind == ArrowKind::Connect;
    ImVec2 l1 = p1, l2 = p2;
    if (a.from == a.to) {
      ImVec2 q1(p1.x + 30, p1.y), q2(p1.x + 30, p2.y);
      dl->AddLine(p1, q1, cl, thick);
      dl->AddLine(q1, q2, cl, thick);
      l1 = q2;
      l2 = ImVec2(p1.x + 2, p2.y);
    }
    if (dashed) dashed_line(dl, l1, l2, cl, thick);
    else dl->AddLine(l1, l2, cl, thick);
    if (failed) cross(dl, l2, cl);
    else arrow_head(dl, l1, l2, cl);
    if (a.encrypted && a.from != a.to) {  // the padlock, where the layout kept room for it
      const Box b = L.lock_box(a);
      const float x0 = o.x + static_cast<float>(b.x0), y0 = top + static_cast<float>(b.y0);
      const float w = static_cast<float>(b.x1 - b.x0), h = static_cast<float>(b.y1 - b.y0);
      dl->AddCircleFilled(ImVec2(x0 + w / 2, y0 + h / 2), h / 2 + 1, IM_COL32(255, 255, 255, 255));
      dl->PathArcTo(ImVec2(x0 + w / 2, y0 + h / 2 - 2.5f), 2.5f, 3.14159f, 2 * 3.14159f);
      dl->PathStroke(cl, 0, 1.3f);
      dl->AddRectFilled(ImVec2(x0 + 1, y0 + h / 2), ImVec2(x0 + w - 1, y0 + h - 0.5f), cl, 1);
    }
    if (hovered) {
      float d = segment_distance(mouse, p1, p2);
      if (d < best) {
        best = d;
        tip = a.detail;
        hovered_event = a.trace_index;
        hovered_arrow = &a;
      }
    }
  }
  for (const auto& mk : c.marks) {
    const Box d = L.dot_box(mk);
    const ImVec2 centre(o.x + static_cast<float>(d.x0 + d.x1) / 2, top + static_cast<float>(d.y0 + d.y1) / 2);
    if (!visible(centre.y, centre.y)) continue;
    dl->AddCircleFilled(centre, 4.5f * k, col(mk.outcome, strength(mk.trace_index)));
    if (hovered && std::abs(mouse.x - centre.x) < 6 && std::abs(mouse.y - centre.y) < 6) {
      best = 0;
      tip = mk.detail;
      hovered_event = mk.trace_index;
      hovered_arrow = nullptr;
    }
  }
  for (const auto& l : L.labels()) {
    if (!l.placed) continue;
    const bool arrow = l.of == PlacedLabel::Of::Arrow;
    const Box bb = l.quad().bounds();
    if (!visible(top + static_cast<float>(bb.y0), top + static_cast<float>(bb.y1))) continue;
    const ImVec2 p0(o.x + static_cast<float>(l.box.x0), top + static_cast<float>(l.box.y0));
    const ImVec2 p1(o.x + static_cast<float>(l.box.x1), top + static_cast<float>(l.box.y1));
    const Outcome oc = arrow ? c.arrows[l.index].outcome : c.marks[l.index].outcome;
    const std::size_t event = arrow ? c.arrows[l.index].trace_index : c.marks[l.index].trace_index;
    const Quad q = l.quad();
    auto corner = [&](int i) { return ImVec2(o.x + static_cast<float>(q.x[i]), top + static_cast<float>(q.y[i])); };
    dl->AddQuadFilled(ImVec2(corner(0).x - 1, corner(0).y), ImVec2(corner(1).x + 1, corner(1).y),
                      ImVec2(corner(2).x + 1, corner(2).y), ImVec2(corner(3).x - 1, corner(3).y),
                      IM_COL32(255, 255, 255, 235));
    const int first_vertex = dl->VtxBuffer.Size;
    dl->AddText(p0, col(oc, strength(event) == 1.0f ? 1.0f : 0.35f), l.text.c_str());
    if (l.angle != 0) shear_glyphs(dl, first_vertex, (p0.x + p1.x) / 2, std::tan(l.angle));
    if (hovered && l.quad().contains(mouse.x - o.x, mouse.y - top)) {
      best = 0;
      tip = arrow ? c.arrows[l.index].detail : c.marks[l.index].detail;
      hovered_event = event;
      hovered_arrow = arrow ? &c.arrows[l.index] : nullptr;
    }
  }
  // The present: the end of what has happened.
  float now_y = y_of(c.end, 0);
  dl->AddLine(ImVec2(o.x, now_y + 6), ImVec2(o.x + width, now_y + 6), IM_COL32(40, 90, 200, 160), 2);
  std::string now_text = "now " + scenario::format_clock(c.end);
  dl->AddText(ImVec2(o.x + gui::kTimelineLeft * k + 4, now_y + 8), IM_COL32(40, 90, 200, 255), now_text.c_str());

  // Sticky lane headers.
  float hy = win.y;
  dl->AddRectFilled(ImVec2(win.x, hy), ImVec2(win.x + win_size.x, hy + header_h), IM_COL32(250, 250, 252, 245));
  for (std::size_t i = 0; i < c.lanes.size(); ++i) {
    const Lane& l = c.lanes[i];
    float x = lane_x(static_cast<int>(i));
    ImVec2 a(x - spacing / 2 + 8, hy + 3), b(x + spacing / 2 - 8, hy + header_h - 4);
    bool down = !l.down.empty() && l.down.back().to == c.end;
    dl->AddRectFilled(a, b, down ? IM_COL32(250, 225, 225, 255) : IM_COL32(238, 242, 248, 255), 5);
    dl->AddRect(a, b, down ? col(kDown) : IM_COL32(136, 153, 187, 255), 5);
    float ty = hy + 6;
    for (const auto& line : names[i]) {
      const float w = ImGui::CalcTextSize(line.c_str()).x;
      dl->AddText(ImVec2(x - w / 2, ty), IM_COL32(26, 42, 74, 255), line.c_str());
      ty += line_h;
    }
    std::string roles = fit(roles_label(l.roles) + (down ? "  (down)" : ""), spacing - 20);
    const float rw = ImGui::CalcTextSize(roles.c_str()).x;
    dl->AddText(ImVec2(x - rw / 2, hy + 8 + line_h * static_cast<float>(name_lines)), IM_COL32(70, 85, 110, 255),
                roles.c_str());
    if (hovered && mouse.y < hy + header_h && std::abs(mouse.x - x) < spacing / 2) {
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
  const bool on_header = mouse.y < win.y + header_h;
  if (hovered && !on_header && hovered_event != kNoEvent) {
    tip += hovered_arrow ? "\n(click: its bytes in the inspector, and follow this message)"
                         : "\n(click: follow this message)";
    if (ImGui::IsMouseClicked(0)) {
      ui.push_t(Command::Kind::FollowEvent, static_cast<Time>(hovered_event));
      if (hovered_arrow) {
        ui.packet_event = hovered_arrow->trace_index;
        ui.packet_kind = hovered_arrow->kind;
      }
    }
  }
  if (hovered && !tip.empty()) ImGui::SetTooltip("%s", tip.c_str());
  ImGui::EndChild();
  if (small) ImGui::PopFont();
}

}  // namespace maillab::viz
