#include "viz/gui/inspector_panel.hpp"

#include <imgui.h>

#include "protocols/io/trace_vocab.hpp"
#include "protocols/message/message.hpp"
#include "scenarios/runner.hpp"
#include "viz/gui/draw_util.hpp"
#include "viz/gui/packet_pane.hpp"

namespace maillab::viz {

using namespace gui;
namespace ev = io::trace::ev;
namespace key = io::trace::key;

namespace {

Outcome status_outcome(const std::string& where) {
  if (where.rfind("delivered", 0) == 0) return Outcome::Ok;
  if (where.rfind("bounced", 0) == 0 || where.rfind("expired", 0) == 0 ||
      where.rfind("never", 0) == 0)
    return Outcome::Permanent;
  if (where.find("deferred") != std::string::npos) return Outcome::Transient;
  return Outcome::Intermediate;
}

Outcome event_outcome(const sim::TraceEvent& e) {
  const std::string& name = e.event;
  if (name == ev::kSmtpOut || name == ev::kSmtpIn) {
    const std::string& code = e.get(key::kCode);
    if (!code.empty() && code[0] == '2') return Outcome::Ok;
    if (!code.empty() && code[0] == '3') return Outcome::Intermediate;
    if (!code.empty() && code[0] == '4') return Outcome::Transient;
    if (!code.empty() && code[0] == '5') return Outcome::Permanent;
  }
  if (name == ev::kRelaySent || name == ev::kDeliver || name == ev::kSubmitAccepted) return Outcome::Ok;
  if (name == ev::kRelayDeferred || name == ev::kQueueDeferred) return Outcome::Transient;
  if (name == ev::kRelayBounced || name == ev::kDeliverFailed || name == ev::kSubmitFailed)
    return Outcome::Permanent;
  if (name == ev::kSmtpConnectFailed) return Outcome::Timeout;
  return Outcome::Neutral;
}

void event_line(const Model& m, std::size_t i) {
  const auto& e = (*m.trace)[i];
  std::string line = scenario::timeline_line(e, *m.scenario);
  if (line.empty()) line = e.event;
  Outcome o = event_outcome(e);
  if (o == Outcome::Neutral) ImGui::TextUnformatted(line.c_str());
  else ImGui::TextColored(col4(o), "%s", line.c_str());
}

}  // namespace

void InspectorPanel::draw(const Model& m) {
  packet_pane(ui, m);
  if (!m.loaded || m.journeys.empty()) {
    ImGui::TextDisabled("No message yet. Messages appear here once a MUA composes one.");
    return;
  }
  if (ui.selected_journey < 0 || ui.selected_journey >= static_cast<int>(m.journeys.size()))
    ui.selected_journey = 0;
  auto name = [&](int i) {
    const Journey& j = m.journeys[i].journey;
    return scenario::format_clock(j.start) + "  " + j.title();
  };
  ImGui::SetNextItemWidth(-1);
  if (ImGui::BeginCombo("##message", name(ui.selected_journey).c_str())) {
    for (int i = 0; i < static_cast<int>(m.journeys.size()); ++i)
      if (ImGui::Selectable(name(i).c_str(), i == ui.selected_journey)) {
        ui.selected_journey = i;
        if (ui.follow) ui.push_t(Command::Kind::Follow, i);  // follow this one now
      }
    ImGui::EndCombo();
  }
  // Follow it: its way lit up in the timeline and the topology; the clock along its way.
  bool follow = ui.follow;
  if (ImGui::Checkbox("follow (F)", &follow)) ui.push_t(Command::Kind::Follow, follow ? ui.selected_journey : -1);
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("Light up this message's way (submission, every attempt, its DNS lookups, delivery,\n"
                      "download, its DSN) and dim the rest; or click any of its arrows in the timeline");
  ImGui::SameLine();
  if (ImGui::SmallButton("\u25c0 previous step")) ui.push_t(Command::Kind::MessageStep, -1);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Back to this message's previous event (Left while following)");
  ImGui::SameLine();
  if (ImGui::SmallButton("next step \u25b6")) ui.push_t(Command::Kind::MessageStep, 1);
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("Run to this message's next event, however far away (Right while following)");
  const JourneyView& jv = m.journeys[ui.selected_journey];
  const Journey& j = jv.journey;
  ImGui::BeginChild("details");
  ImGui::TextDisabled("Where it is now");
  ImGui::PushStyleColor(ImGuiCol_Text, col4(status_outcome(jv.where_now)));
  ImGui::TextWrapped("%s", jv.where_now.c_str());
  ImGui::PopStyleColor();
  if (j.is_dsn) ImGui::TextWrapped("A delivery status notification about %s", j.dsn_about.c_str());
  if (!j.message_id.empty()) ImGui::Text("Message-ID %s", j.message_id.c_str());

  ImGui::Separator();
  ImGui::TextDisabled("Envelope and path (hop by hop)");
  for (const auto& h : j.hops) {
    int depth = 0;
    for (int p = h.parent; p >= 0; p = j.hops[p].parent) ++depth;
    ImGui::Indent(12.0f * depth + 1);
    ImGui::Text("%s  %s  %s", scenario::format_clock(h.enqueued).c_str(), h.host.c_str(), h.queue_id.c_str());
    ImGui::TextDisabled("  MAIL FROM:<%s>  RCPT TO:<%s>", h.from.c_str(), h.to.c_str());
    ImGui::Unindent(12.0f * depth + 1);
  }

  message::Message msg = message::Message::parse(jv.content);
  auto received = msg.headers("Received");
  ImGui::Separator();
  ImGui::TextDisabled("Received chain (newest first) %s", jv.content_source.c_str());
  if (received.empty()) ImGui::TextDisabled("  (none yet)");
  for (const auto& r : received) ImGui::TextWrapped("  %s", message_lines(r).c_str());

  if (ImGui::CollapsingHeader("Headers")) {
    for (const auto& f : msg.fields()) ImGui::TextWrapped("%s", message_lines(f.raw).c_str());
  }
  if (ImGui::CollapsingHeader("Body")) ImGui::TextWrapped("%s", message_lines(msg.body()).c_str());

  ImGui::Separator();
  ImGui::TextDisabled("Attempts and replies");
  if (!j.submission.empty() && ImGui::TreeNodeEx("submission", ImGuiTreeNodeFlags_DefaultOpen,
                                                  "Submission by the MUA on %s", j.mua.c_str())) {
    for (std::size_t i : j.submission) event_line(m, i);
    ImGui::TreePop();
  }
  for (std::size_t k = 0; k < j.hops.size(); ++k) {
    const Hop& h = j.hops[k];
    ImGui::PushID(static_cast<int>(k));
    if (ImGui::TreeNodeEx("hop", ImGuiTreeNodeFlags_DefaultOpen, "%s %s: %s", h.host.c_str(),
                          h.queue_id.c_str(), h.status.c_str())) {
      for (const auto& a : h.attempts) {
        if (a.number == 0) {
          for (std::size_t i : a.events) event_line(m, i);
          continue;
        }
        ImGui::PushID(a.number);
        if (ImGui::TreeNodeEx("attempt", ImGuiTreeNodeFlags_DefaultOpen, "attempt %d at %s", a.number,
                              scenario::format_clock(a.t).c_str())) {
          for (std::size_t i : a.events) event_line(m, i);
          ImGui::TreePop();
        }
        ImGui::PopID();
      }
      ImGui::TreePop();
    }
    ImGui::PopID();
  }
  ImGui::EndChild();
}

}  // namespace maillab::viz
