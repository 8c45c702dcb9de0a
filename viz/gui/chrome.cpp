#include "viz/gui/chrome.hpp"

#include <SDL.h>
#include <imgui.h>

#include <algorithm>
#include <cmath>

#include "scenarios/runner.hpp"
#include "viz/text.hpp"

namespace maillab::viz::gui {

namespace {

std::string speed_name(double speed) {
  if (speed >= 3600 && std::fmod(speed, 3600) == 0) return std::to_string(static_cast<int>(speed / 3600)) + "h/s";
  if (speed >= 60 && std::fmod(speed, 60) == 0) return std::to_string(static_cast<int>(speed / 60)) + "m/s";
  return std::to_string(static_cast<int>(speed)) + "x";
}

void set_scale(Ui& ui, float scale) { ui.scale = std::clamp(std::round(scale * 20) / 20, kMinScale, kMaxScale); }

}  // namespace

double snap_speed(double log10) {
  for (double p : kSpeedPresets)
    if (std::abs(log10 - std::log10(p)) < 0.06) return std::log10(p);
  return log10;
}

std::string caption(const Ui& ui, const Model& m) {
  const JourneyView* followed = ui.follow && ui.selected_journey >= 0 &&
                                        ui.selected_journey < static_cast<int>(m.journeys.size())
                                    ? &m.journeys[ui.selected_journey]
                                    : nullptr;
  for (auto it = m.lines.rbegin(); it != m.lines.rend(); ++it) {
    if (it->t > m.now || (followed && !followed->path.contains(it->event))) continue;
    return sanitize_utf8(scenario::format_clock(it->t) + "  " + it->host + "  " + it->text);
  }
  return "";
}

void menu_bar(Ui& ui, const Model& m, float height) {
  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSize(ImVec2(ImGui::GetIO().DisplaySize.x, height));
  ImGui::Begin("##menu", nullptr, ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_MenuBar | ImGuiWindowFlags_NoMove |
                                      ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBringToFrontOnFocus);
  if (ImGui::BeginMenuBar()) {
    if (ImGui::BeginMenu("View")) {
      PanelLayout& l = ui.layout;
      ImGui::MenuItem("Lab (controls, scenario, queues)", nullptr, &l.lab, !l.presentation);
      ImGui::MenuItem("Topology", nullptr, &l.topology, !l.presentation);
      ImGui::MenuItem("Message inspector", nullptr, &l.inspector, !l.presentation);
      ImGui::Separator();
      ImGui::MenuItem("Presentation: timeline, topology, caption", "P", &l.presentation);
      if (ImGui::MenuItem("Reset the layout")) l = default_layout(ImGui::GetIO().DisplaySize.x, ui.scale);
      ImGui::Separator();
      if (ImGui::MenuItem("Larger", "Ctrl +")) set_scale(ui, ui.scale + 0.1f);
      if (ImGui::MenuItem("Smaller", "Ctrl -")) set_scale(ui, ui.scale - 0.1f);
      if (ImGui::MenuItem("Scale 100%", "Ctrl 0")) set_scale(ui, 1);
      ImGui::Separator();
      if (ImGui::MenuItem("Other scenarios...")) ui.show_picker = true;
      ImGui::EndMenu();
    }
    if (ImGui::BeginMenu("Keys")) {
      ImGui::TextUnformatted(
          "Space          play / pause\n"
          "Right, PgDn    next step (of the followed message when following)\n"
          "Left, PgUp     previous step (replayed)\n"
          "Home / End     the start / the end of the run\n"
          "F              follow the message the inspector shows (again: stop)\n"
          "Escape         stop following\n"
          "P              presentation layout\n"
          "Ctrl +, Ctrl - the scale; Ctrl 0: 100%");
      ImGui::EndMenu();
    }
    if (m.loaded) {
      ImGui::Separator();
      if (ImGui::Button(ui.playing ? "Pause" : "Play")) ui.push(ui.playing ? Command::Kind::Pause : Command::Kind::Play);
      if (ImGui::Button("\u25c0")) ui.follow ? ui.push_t(Command::Kind::MessageStep, -1) : ui.push(Command::Kind::StepBack);
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("previous step (Left)");
      if (ImGui::Button("\u25b6")) ui.follow ? ui.push_t(Command::Kind::MessageStep, 1) : ui.push(Command::Kind::Step);
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("next step (Right): the next traced event, or the followed message's");
      if (ImGui::Button("Rewind")) ui.jump(0);
      ImGui::Text(" %s ", scenario::format_clock(m.now).c_str());
      ImGui::Separator();
      for (double p : kSpeedPresets) {
        const bool on = std::abs(ui.speed_log10 - std::log10(p)) < 1e-6;
        if (on) ImGui::PushStyleColor(ImGuiCol_Button, ImGui::GetStyleColorVec4(ImGuiCol_ButtonActive));
        if (ImGui::Button(speed_name(p).c_str())) ui.speed_log10 = std::log10(p);
        if (on) ImGui::PopStyleColor();
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s of simulated time per second", speed_name(p).c_str());
      }
      ImGui::Checkbox("skip idle", &ui.skip_idle);
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("While playing, jump over spans where nothing happens");
      ImGui::Separator();
      if (ImGui::Button("A-")) set_scale(ui, ui.scale - 0.1f);
      ImGui::Text("%d%%", static_cast<int>(std::lround(ui.scale * 100)));
      if (ImGui::Button("A+")) set_scale(ui, ui.scale + 0.1f);
    }
    ImGui::EndMenuBar();
  }
  ImGui::End();
}

void splitters(Ui& ui, const Placement& p, float scale) {
  auto strip = [&](const char* id, const Rect& r, bool vertical, auto on_drag) {
    if (r.empty()) return;
    ImGui::SetNextWindowPos(ImVec2(r.x, r.y));
    ImGui::SetNextWindowSize(ImVec2(r.w, r.h));
    ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(0, 0));
    ImGui::Begin(id, nullptr, ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                                  ImGuiWindowFlags_NoBackground);
    ImGui::InvisibleButton("##drag", ImVec2(r.w, r.h));
    if (ImGui::IsItemHovered() || ImGui::IsItemActive())
      ImGui::SetMouseCursor(vertical ? ImGuiMouseCursor_ResizeEW : ImGuiMouseCursor_ResizeNS);
    if (ImGui::IsItemActive()) on_drag(ImGui::GetIO().MouseDelta);
    ImGui::End();
    ImGui::PopStyleVar();
  };
  PanelLayout& l = ui.layout;
  strip("##split-lab", p.split_lab, true, [&](ImVec2 d) { l.lab_width = (p.lab.w + d.x) / scale; });
  strip("##split-right", p.split_right, true, [&](ImVec2 d) {
    const float w = p.topology.empty() ? p.inspector.w : p.topology.w;
    l.right_width = (w - d.x) / scale;
  });
  strip("##split-rows", p.split_rows, false, [&](ImVec2 d) {
    const float h = p.topology.h + p.inspector.h + kGap * scale;
    l.topology_share = std::clamp((p.topology.h + d.y) / h, 0.15f, 0.85f);
  });
}

void status_line(Ui& ui, const Model& m, const Rect& r) {
  ImGui::SetNextWindowPos(ImVec2(r.x, r.y));
  ImGui::SetNextWindowSize(ImVec2(r.w, r.h));
  ImGui::Begin("##status", nullptr, ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                                        ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoFocusOnAppearing);
  const bool captioned = ui.layout.presentation || ui.follow;
  if (m.loaded && !captioned) {
    ImGui::TextDisabled("%s  %s / %s%s", m.id.c_str(), scenario::format_clock(m.now).c_str(),
                        scenario::format_clock(m.duration).c_str(), ui.playing ? "  playing" : "");
    ImGui::SameLine();
  }
  if (m.loaded && captioned) {
    const std::string c = caption(ui, m);
    ImGui::TextColored(ImVec4(0.08f, 0.12f, 0.25f, 1), "%s", c.empty() ? "(nothing has happened yet)" : c.c_str());
    if (!ui.status.text.empty()) ImGui::SameLine();
  }
  if (!ui.status.text.empty())
    ImGui::TextColored(ui.status.error ? ImVec4(0.75f, 0.12f, 0.12f, 1) : ImVec4(0.1f, 0.3f, 0.6f, 1), "%s",
                       ui.status.text.c_str());
  ImGui::End();
}

void keys(Ui& ui, const Model& m) {
  const ImGuiIO& io = ImGui::GetIO();
  if (io.WantTextInput) return;
  // imgui 1.86's SDL backend keeps keys by SDL scancode.
  auto pressed = [](SDL_Scancode k, bool repeat = true) { return ImGui::IsKeyPressed(k, repeat); };
  if (io.KeyCtrl) {
    if (pressed(SDL_SCANCODE_EQUALS) || pressed(SDL_SCANCODE_KP_PLUS)) set_scale(ui, ui.scale + 0.1f);
    if (pressed(SDL_SCANCODE_MINUS) || pressed(SDL_SCANCODE_KP_MINUS)) set_scale(ui, ui.scale - 0.1f);
    if (pressed(SDL_SCANCODE_0, false)) set_scale(ui, 1);
    return;
  }
  if (pressed(SDL_SCANCODE_P, false)) ui.layout.presentation = !ui.layout.presentation;
  if (!m.loaded) return;
  if (pressed(SDL_SCANCODE_SPACE, false)) ui.push(ui.playing ? Command::Kind::Pause : Command::Kind::Play);
  if (pressed(SDL_SCANCODE_F, false))
    ui.push_t(Command::Kind::Follow, ui.follow ? -1 : std::max(0, ui.selected_journey));
  if (pressed(SDL_SCANCODE_ESCAPE, false) && ui.follow) ui.push_t(Command::Kind::Follow, -1);
  const bool next = pressed(SDL_SCANCODE_RIGHT) || pressed(SDL_SCANCODE_PAGEDOWN);
  const bool previous = pressed(SDL_SCANCODE_LEFT) || pressed(SDL_SCANCODE_PAGEUP);
  if (next) ui.follow ? ui.push_t(Command::Kind::MessageStep, 1) : ui.push(Command::Kind::Step);
  if (previous) ui.follow ? ui.push_t(Command::Kind::MessageStep, -1) : ui.push(Command::Kind::StepBack);
  if (pressed(SDL_SCANCODE_HOME, false)) ui.jump(0);
  if (pressed(SDL_SCANCODE_END, false)) ui.jump(m.duration);
}

}  // namespace maillab::viz::gui
