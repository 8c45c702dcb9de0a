#include "viz/gui/packet_pane.hpp"

#include <imgui.h>

#include <algorithm>

#include "viz/packet_detail.hpp"
#include "viz/text.hpp"

namespace maillab::viz::gui {

const Arrow* packet_arrow(const Ui& ui, const Model& m) {
  if (ui.packet_event == static_cast<std::size_t>(-1)) return nullptr;
  for (const auto& a : m.chart.arrows)
    if (a.trace_index == ui.packet_event && a.kind == ui.packet_kind) return &a;
  return nullptr;
}

void packet_pane(Ui& ui, const Model& m) {
  const Arrow* a = m.loaded && m.trace && m.packets ? packet_arrow(ui, m) : nullptr;
  if (!a) return;
  const PacketDetail d = packet_detail(*m.scenario, m.chart, *a, *m.trace, *m.packets);
  ImGui::TextDisabled("Packet");
  ImGui::SameLine();
  if (ImGui::SmallButton("close")) ui.packet_event = static_cast<std::size_t>(-1);
  ImGui::TextWrapped("%s", sanitize_utf8(d.heading).c_str());
  ImGui::TextColored(ImVec4(0.1f, 0.3f, 0.6f, 1), "%s", d.rfc.c_str());
  if (!d.state_before.empty())
    ImGui::Text("session state: %s -> %s", d.state_before.c_str(), d.state_after.c_str());
  if (!d.found) ImGui::TextDisabled("(no packet recorded for it yet)");
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
  for (const auto& p : d.packets) ImGui::TextWrapped("%s", p.c_str());
  ImGui::PopStyleColor();
  for (const auto& f : d.fields) ImGui::TextWrapped("%s", sanitize_utf8(f).c_str());
  if (!d.bytes.empty()) {
    const auto lines = static_cast<float>(std::count(d.bytes.begin(), d.bytes.end(), '\n') + 1);
    const float h = std::min(ImGui::GetTextLineHeightWithSpacing() * (std::min(lines, 8.0f) + 0.6f),
                             ImGui::GetContentRegionAvail().y * 0.4f);
    ImGui::BeginChild("##bytes", ImVec2(0, h), true, ImGuiWindowFlags_HorizontalScrollbar);
    ImGui::TextUnformatted(d.bytes.c_str());
    ImGui::EndChild();
  }
  ImGui::Separator();
}

}  // namespace maillab::viz::gui
