#include "viz/gui/queues_panel.hpp"

#include <imgui.h>

#include "scenarios/runner.hpp"
#include "viz/gui/draw_util.hpp"

namespace maillab::viz {

using namespace gui;

void QueuesPanel::draw(const Model& m) {
  if (!m.loaded) {
    return;
  }
  for (const auto& h : m.hosts) {
    if (!h.has_mta) continue;
    int total = h.incoming + h.active + h.deferred + h.hold;
    std::string head = h.name + "  " + std::to_string(total) + " queued";
    if (h.deferred) head += ", " + std::to_string(h.deferred) + " deferred";
    if (!h.up) head += "  (host down)";
    ImGui::PushID(h.name.c_str());
    if (h.deferred) ImGui::PushStyleColor(ImGuiCol_Text, col4(Outcome::Transient));
    else if (!h.up) ImGui::PushStyleColor(ImGuiCol_Text, col4(Outcome::Permanent));
    else ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_Text));
    bool open = ImGui::CollapsingHeader(head.c_str(), total ? ImGuiTreeNodeFlags_DefaultOpen : 0);
    ImGui::PopStyleColor();
    if (ImGui::IsItemClicked(1)) ui.selected_host = h.name;
    if (open) {
      ImGui::Text("incoming %d   active %d   deferred %d   hold %d", h.incoming, h.active, h.deferred, h.hold);
      for (const auto& q : h.queue) {
        bool deferred = q.state == mta::QueueState::Deferred;
        std::string to;
        for (const auto& r : q.rcpts)
          if (r.pending) to += (to.empty() ? "" : ", ") + r.address;
        ImGui::Bullet();
        ImGui::SameLine();
        ImGui::TextColored(deferred ? col4(Outcome::Transient) : col4(Outcome::Intermediate), "%s %s",
                           q.id.c_str(), std::string(mta::queue_state_name(q.state)).c_str());
        ImGui::SameLine();
        ImGui::TextWrapped("\u201c%s\u201d to %s", q.subject.c_str(), to.c_str());
        if (ImGui::IsItemHovered()) {
          std::string tip = "from <" + q.sender + ">\narrived " + scenario::format_clock(q.arrival) +
                            ", " + std::to_string(q.attempts) + " attempt(s)";
          for (const auto& r : q.rcpts)
            if (!r.diagnostic.empty()) tip += "\n" + r.address + ": " + r.diagnostic;
          ImGui::SetTooltip("%s", tip.c_str());
        }
        ImGui::Indent();
        if (deferred) {
          Time in = q.next_attempt - m.now;
          ImGui::TextDisabled("%d attempt(s); next retry after %s%s", q.attempts,
                              scenario::format_clock(q.next_attempt).c_str(),
                              in > 0 ? (" (in " + format_span(in) + ")").c_str() : " (due)");
        } else {
          ImGui::TextDisabled("%d attempt(s) so far", q.attempts);
        }
        for (const auto& r : q.rcpts)
          if (!r.diagnostic.empty() && r.pending) ImGui::TextWrapped("%s", r.diagnostic.c_str());
        ImGui::Unindent();
      }
    }
    ImGui::PopID();
  }
}

}  // namespace maillab::viz
