#include "viz/gui/scenario_panel.hpp"

#include <imgui.h>
#include <imgui_stdlib.h>

namespace maillab::viz {

namespace {

// YAML block text keeps the file's line breaks; ImGui wraps by itself. Single line breaks
// become spaces, blank lines stay paragraph breaks.
std::string reflow(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\n') {
      out += text[i];
    } else if (i + 1 < text.size() && text[i + 1] == '\n') {
      out += "\n\n";
      while (i + 1 < text.size() && text[i + 1] == '\n') ++i;
    } else {
      out += ' ';
    }
  }
  while (!out.empty() && (out.back() == ' ' || out.back() == '\n')) out.pop_back();
  return out;
}

}  // namespace

void ScenarioPanel::picker(const Model& m) {
  ImGui::TextDisabled("Built-in scenarios in teaching order (hover for the story, click to open)");
  for (int i = 0; i < static_cast<int>(m.builtins.size()); ++i) {
    const BuiltinInfo& b = m.builtins[i];
    ImGui::PushID(i);
    const float x0 = ImGui::GetCursorPosX();
    const std::string number = std::to_string(i + 1);
    ImGui::SetCursorPosX(x0 + ImGui::CalcTextSize("00").x - ImGui::CalcTextSize(number.c_str()).x);
    ImGui::TextDisabled("%s", number.c_str());
    ImGui::SameLine(x0 + ImGui::CalcTextSize("00").x + 10);
    if (ImGui::Selectable(b.name.c_str(), m.loaded && b.name == m.id, 0, ImVec2(180 * ui.scale, 0)))
      ui.push(Command::Kind::Open, b.name);
    if (ImGui::IsItemHovered()) {
      hovered = i;
      if (!b.description.empty())
        ImGui::SetTooltip("%s", (b.title + "\n\n" + reflow(b.description)).c_str());
    }
    ImGui::SameLine();
    if (i == 0 && b.name == kFirstScenario) {
      ImGui::TextColored(ImVec4(0.1f, 0.5f, 0.2f, 1), "START HERE");
      ImGui::SameLine();
    }
    ImGui::TextDisabled("%s", b.title.c_str());
    ImGui::PopID();
  }
}

// A scenario file by path; why it does not open stays in sight until the path changes.
void ScenarioPanel::open_file() {
  ImGui::SetNextItemWidth(-80 * ui.scale);
  if (ImGui::InputTextWithHint("##path", "or the path of a scenario file", &path)) {
    ui.picker_error.clear();
    ui.clear_status("open");
  }
  ImGui::SameLine();
  if (ImGui::Button("Open") && !path.empty()) ui.push(Command::Kind::Open, path);
  if (!ui.picker_error.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0.75f, 0.12f, 0.12f, 1));
    ImGui::TextWrapped("%s", ui.picker_error.c_str());
    ImGui::PopStyleColor();
  }
}

void ScenarioPanel::draw(const Model& m) {
  if (m.loaded) {
    ImGui::TextColored(ImVec4(0.1f, 0.2f, 0.45f, 1), "%s", m.id.c_str());
    ImGui::SameLine();
    if (ImGui::SmallButton("other scenarios...")) ui.show_picker = true;
    ImGui::TextWrapped("%s", m.title.c_str());
    if (!m.description.empty()) {
      ImGui::Separator();
      ImGui::TextWrapped("%s", reflow(m.description).c_str());
    }
  } else {
    ImGui::TextDisabled("No scenario yet");
  }
}

void ScenarioPanel::picker_window(const Model& m) {
  if (!m.loaded || ui.show_picker) {
    // The picker, centred: the first thing a new user sees.
    ImVec2 d = ImGui::GetIO().DisplaySize;
    ImGui::SetNextWindowPos(ImVec2(d.x / 2, d.y / 2), ImGuiCond_Always, ImVec2(0.5f, 0.5f));
    ImGui::SetNextWindowSize(ImVec2(std::min(820.0f * ui.scale, d.x - 40), std::min(640.0f * ui.scale, d.y - 40)));
    ImGui::SetNextWindowFocus();
    bool open = true;
    ImGui::Begin("Choose a scenario", m.loaded ? &open : nullptr,
                 ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings);
    ImGui::TextWrapped("maillab simulates mail between virtual hosts. Pick a scenario to watch a "
                       "message travel MUA -> MSA -> MTA -> MX -> MDA -> mailbox -> POP3 -> MUA, "
                       "and what happens when something fails on the way.");
    ImGui::Separator();
    const float below = ImGui::GetFrameHeightWithSpacing() * 2 + ImGui::GetTextLineHeightWithSpacing() * 5 +
                        (ui.picker_error.empty() ? 0 : ImGui::GetTextLineHeightWithSpacing() * 2);
    ImGui::BeginChild("list", ImVec2(0, -below));
    picker(m);
    ImGui::EndChild();
    open_file();
    ImGui::Separator();
    if (hovered >= 0 && hovered < static_cast<int>(m.builtins.size())) {
      const BuiltinInfo& b = m.builtins[hovered];
      ImGui::TextColored(ImVec4(0.15f, 0.3f, 0.6f, 1), "%s", b.name.c_str());
      ImGui::TextWrapped("%s", reflow(b.description).c_str());
    } else {
      ImGui::TextDisabled("Hover a scenario to read what happens in it.");
    }
    ImGui::End();
    if (!open) ui.show_picker = false;
  }
}

}  // namespace maillab::viz
