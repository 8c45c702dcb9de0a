#include "viz/gui/controls_panel.hpp"

#include <imgui.h>
#include <imgui_stdlib.h>

#include <cmath>

#include "scenarios/runner.hpp"
#include "viz/gui/chrome.hpp"
#include "viz/gui/draw_util.hpp"

namespace maillab::viz {

using namespace gui;

namespace {

std::string speed_text(double log10) {
  double v = std::pow(10.0, log10);
  if (v >= 1000) return std::to_string(static_cast<long long>(std::llround(v))) + "x";
  return fixed(v, v < 1 ? 2 : 1) + "x";
}

bool combo(const char* id, std::string& value, const Model& m, bool routers, float scale) {
  bool changed = false;
  ImGui::SetNextItemWidth(150 * scale);
  if (ImGui::BeginCombo(id, value.empty() ? "(host)" : value.c_str())) {
    for (const auto& h : m.hosts)
      if (ImGui::Selectable(h.name.c_str(), h.name == value)) value = h.name, changed = true;
    if (routers)
      for (const auto& r : m.routers)
        if (ImGui::Selectable(r.c_str(), r == value)) value = r, changed = true;
    ImGui::EndCombo();
  }
  return changed;
}

}  // namespace

void ControlsPanel::draw(const Model& m) {
  if (!m.loaded) {
    ImGui::TextDisabled("Pick a scenario to start.");
    return;
  }
  ImGui::Text("now %s", scenario::format_clock(m.now).c_str());
  ImGui::SameLine();
  ImGui::TextDisabled("of %s", scenario::format_clock(m.duration).c_str());
  ImGui::TextDisabled("seed %llu, %zu trace events", static_cast<unsigned long long>(m.seed), m.trace_events);

  float dur_s = static_cast<float>(m.duration / 1e9);
  if (!scrubbing) scrub_seconds = static_cast<float>(m.now / 1e9);
  ImGui::SetNextItemWidth(-1);
  ImGui::SliderFloat("##time", &scrub_seconds, 0.0f, dur_s, "");
  scrubbing = ImGui::IsItemActive();
  if (ImGui::IsItemDeactivatedAfterEdit()) ui.jump(static_cast<Time>(static_cast<double>(scrub_seconds) * 1e9));
  if (ImGui::IsItemHovered() || scrubbing)
    ImGui::SetTooltip("jump to %s", scenario::format_clock(static_cast<Time>(scrub_seconds * 1e9)).c_str());

  float speed = static_cast<float>(ui.speed_log10);
  ImGui::SetNextItemWidth(170 * ui.scale);
  if (ImGui::SliderFloat("speed", &speed, -2.0f, 6.0f, speed_text(speed).c_str()))
    ui.speed_log10 = gui::snap_speed(speed);
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("Simulated time per real second; snaps to 1x, 10x, 60x, 600x and 3600x");
  ImGui::SetNextItemWidth(90 * ui.scale);
  if (ImGui::InputText("##jump", &jump_text)) ui.clear_status("jump");
  ImGui::SameLine();
  if (ImGui::Button("Jump to")) ui.push(Command::Kind::JumpText, jump_text);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("A duration like 90s, 25m or 1h30m");

  ImGui::Separator();
  ImGui::TextDisabled("Faults (injected at the current time)");
  combo("##host", ui.selected_host, m, false, ui.scale);
  const HostView* h = m.host(ui.selected_host);
  ImGui::SameLine();
  ImGui::BeginDisabled(!h || !h->up);
  if (ImGui::Button("Down")) ui.inject(scenario::HostState{ui.selected_host, false});
  ImGui::EndDisabled();
  ImGui::SameLine();
  ImGui::BeginDisabled(!h || h->up);
  if (ImGui::Button("Up")) ui.inject(scenario::HostState{ui.selected_host, true});
  ImGui::EndDisabled();

  combo("##a", ui.selected_host, m, true, ui.scale);
  ImGui::SameLine();
  ImGui::TextUnformatted("\u2194");
  ImGui::SameLine();
  combo("##b", ui.selected_peer, m, true, ui.scale);
  bool pair = !ui.selected_host.empty() && !ui.selected_peer.empty() && ui.selected_host != ui.selected_peer;
  ImGui::BeginDisabled(!pair);
  if (ImGui::Button("Cut")) ui.inject(scenario::Cut{ui.selected_host, ui.selected_peer, false});
  ImGui::SameLine();
  if (ImGui::Button("Heal")) ui.inject(scenario::Cut{ui.selected_host, ui.selected_peer, true});
  ImGui::EndDisabled();

  if (!m.injected.empty()) {
    ImGui::TextDisabled("Injected so far:");
    for (const auto& e : m.injected) ImGui::BulletText("%s", e.c_str());
  }
  ImGui::SetNextItemWidth(-130 * ui.scale);
  if (ImGui::InputText("##save", &ui.save_path)) ui.clear_status("save");
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("The file to write (relative to the directory maillab viz started in)");
  ImGui::SameLine();
  if (ImGui::Button("Save as scenario")) ui.push(Command::Kind::Save, ui.save_path);
}

}  // namespace maillab::viz
