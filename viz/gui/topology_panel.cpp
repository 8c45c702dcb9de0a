#include "viz/gui/topology_panel.hpp"

#include <imgui.h>

#include <algorithm>
#include <set>

#include "viz/exchanges.hpp"
#include "viz/gui/draw_util.hpp"
#include "viz/gui/topology_geometry.hpp"
#include "viz/host_roles.hpp"

namespace maillab::viz {

using namespace gui;

namespace {

ImU32 protocol_colour(const std::string& p) {
  if (p == "SMTP") return IM_COL32(47, 111, 208, 255);
  if (p == "DNS") return IM_COL32(140, 70, 190, 255);
  if (p == "POP3") return IM_COL32(0, 140, 140, 255);
  return IM_COL32(90, 90, 90, 255);
}

bool is_cut(const Model& m, const std::string& a, const std::string& b) {
  auto pair = a < b ? std::make_pair(a, b) : std::make_pair(b, a);
  return std::find(m.cuts.begin(), m.cuts.end(), pair) != m.cuts.end();
}

// A node's three lines: name, roles, and its state at a glance - DOWN, queue size,
// deferred, the messages in its mailboxes now, a full disk.
NodeTexts node_texts(const Model& m, const TopologyNode& n) {
  NodeTexts out;
  const HostView* h = m.host(n.name);
  out.name = n.name;
  if (!h) return out;
  out.roles = roles_label(h->roles);
  std::string q = h->up ? "" : "DOWN";
  const int total = h->incoming + h->active + h->deferred + h->hold;
  if (total) {  // short, so it fits a narrow column: "2 deferred", "queue 3, 1 deferred"
    q += q.empty() ? "" : "  ";
    if (h->deferred == total) q += std::to_string(total) + " deferred";
    else q += "queue " + std::to_string(total) + (h->deferred ? ", " + std::to_string(h->deferred) + " deferred" : "");
  }
  if (h->mailbox_messages) q += (q.empty() ? "" : "  ") + std::string("\u2709 ") + std::to_string(h->mailbox_messages);
  if (h->disk_full) q += (q.empty() ? "" : "  ") + std::string("disk full");
  out.counts = q;
  return out;
}

}  // namespace

void TopologyPanel::draw(const Model& m) {
  if (!m.loaded) {
    return;
  }
  const Topology& t = m.topology;
  ImGui::TextDisabled("%s", t.full_mesh ? "full mesh: lines show who talks to whom"
                                        : "the scenario's links");
  ImGui::SameLine();
  ImGui::TextDisabled("| click: select, Ctrl+click: pair, right-click: faults");
  const ImVec2 o = ImGui::GetCursorScreenPos();
  const ImVec2 size = ImGui::GetContentRegionAvail();
  ImGui::InvisibleButton("canvas", size, ImGuiButtonFlags_MouseButtonLeft | ImGuiButtonFlags_MouseButtonRight);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRectFilled(o, ImVec2(o.x + size.x, o.y + size.y), IM_COL32(252, 252, 253, 255));
  const float k = ui.scale;
  const float line_h = ImGui::GetTextLineHeight();
  const Rect area{o.x + 6 * k, o.y + 4 * k, size.x - 12 * k, size.y - line_h - 12 * k};
  std::vector<NodeTexts> texts(t.nodes.size());
  for (std::size_t i = 0; i < t.nodes.size(); ++i) texts[i] = node_texts(m, t.nodes[i]);
  const auto geo = place_topology(t, texts, area, TextMetrics{line_h, [](const std::string& x) {
                                                                return ImGui::CalcTextSize(x.c_str()).x;
                                                              }},
                                  k);
  auto pos = [&](int i) { return ImVec2(geo[i].cx, geo[i].cy); };
  std::vector<Rect> taken;  // node circles and labels: in-flight labels keep off them
  for (const auto& g : geo)
    for (const Rect& r : g.boxes()) taken.push_back(r);

  // Following a message: the hosts and the talks of its way stand out, the rest dims.
  const JourneyView* followed = ui.follow && ui.selected_journey >= 0 &&
                                        ui.selected_journey < static_cast<int>(m.journeys.size())
                                    ? &m.journeys[ui.selected_journey]
                                    : nullptr;
  std::set<std::string> way_hosts;
  std::set<std::pair<int, int>> way_pairs;  // node indexes, low first
  if (followed) {
    for (std::size_t i : followed->path.events) {
      const auto& e = (*m.trace)[i];
      way_hosts.insert(e.host);
      const std::string other = host_at(*m.scenario, e.get(e.event == "dns.query" ? "server" : "peer"));
      if (other.empty() || other == e.host) continue;
      way_hosts.insert(other);
      int a = t.node_of(e.host), b = t.node_of(other);
      if (a >= 0 && b >= 0) way_pairs.emplace(std::min(a, b), std::max(a, b));
    }
  }
  for (const auto& e : t.edges) {
    ImVec2 a = pos(e.a), b = pos(e.b);
    if (followed && way_pairs.count({std::min(e.a, e.b), std::max(e.a, e.b)})) continue;  // drawn below
    bool cut = is_cut(m, t.nodes[e.a].name, t.nodes[e.b].name);
    if (cut) {
      dashed_line(dl, a, b, col(kDown), 2.5f);
    } else if (e.link) {
      dl->AddLine(a, b, IM_COL32(130, 140, 155, 255), 2.5f);
    } else {
      dashed_line(dl, a, b, IM_COL32(190, 195, 205, 255), 1.2f, 3, 4);
    }
  }
  for (const auto& [a, b] : way_pairs) dl->AddLine(pos(a), pos(b), IM_COL32(230, 140, 20, 255), 4.0f);
  for (const auto& [x, y] : m.cuts) {  // a cut between hosts with no edge drawn
    int a = t.node_of(x), b = t.node_of(y);
    if (a < 0 || b < 0) continue;
    ImVec2 pa = pos(a), pb = pos(b);
    dashed_line(dl, pa, pb, col(kDown), 2.5f);
    const char* cut_text = "\u2702 cut";
    const ImVec2 ts = ImGui::CalcTextSize(cut_text);
    if (auto r = place_flight_label((pa.x + pb.x) / 2, (pa.y + pb.y) / 2, ts.x + 4, ts.y, area, taken))
      label(dl, ImVec2(r->x + 2, r->y), col(kDown), cut_text, false);
  }
  for (const auto& f : m.in_flight) {
    ImVec2 a = pos(f.from), b = pos(f.to);
    const float along = static_cast<float>(std::clamp(f.fraction, 0.0, 1.0));
    ImVec2 p(a.x + (b.x - a.x) * along, a.y + (b.y - a.y) * along);
    ImU32 c = f.dropped ? IM_COL32(150, 150, 150, 255) : protocol_colour(f.protocol);
    dl->AddCircleFilled(p, 6, c);
    dl->AddCircle(p, 6, IM_COL32(255, 255, 255, 255), 0, 1.5f);
    const std::string text = fit(f.text, 220 * k);
    const ImVec2 ts = ImGui::CalcTextSize(text.c_str());
    if (auto r = place_flight_label(p.x, p.y, ts.x + 4, ts.y, area, taken))
      label(dl, ImVec2(r->x + 2, r->y), c, text, false);
  }

  const ImVec2 mouse = ImGui::GetMousePos();
  int hovered = -1;
  for (std::size_t i = 0; i < t.nodes.size(); ++i) {
    const TopologyNode& n = t.nodes[i];
    ImVec2 p = pos(static_cast<int>(i));
    const HostView* h = m.host(n.name);
    bool up = !h || h->up;
    const bool on_way = way_hosts.count(n.name) > 0;
    const float alpha = followed && !on_way ? 0.3f : 1.0f;
    ImU32 fill = n.router ? IM_COL32(170, 170, 180, static_cast<int>(255 * alpha))
                          : up ? col(Outcome::Ok, 0.85f * alpha) : col(Outcome::Permanent, 0.9f * alpha);
    const float r = geo[i].r;
    if (followed && on_way) dl->AddCircle(p, r + geo[i].ring, IM_COL32(230, 140, 20, 255), 0, 3.0f * k);
    dl->AddCircleFilled(p, r, fill);
    bool selected = n.name == ui.selected_host || n.name == ui.selected_peer;
    dl->AddCircle(p, r + (selected ? std::min(4.0f, geo[i].ring) : 1.0f), selected ? IM_COL32(30, 80, 200, 255) : IM_COL32(60, 60, 60, 255),
                  0, selected ? 3.0f : 1.0f);
    float dx = mouse.x - p.x, dy = mouse.y - p.y;
    if (dx * dx + dy * dy <= (r + 6) * (r + 6)) hovered = static_cast<int>(i);
    const NodeGeometry& g = geo[i];
    const NodeTexts& tx = texts[i];
    label(dl, ImVec2(g.cx, g.name.y), up ? IM_COL32(20, 30, 50, 255) : col(kDown), fit(tx.name, g.max_label_w), true);
    if (!g.roles.empty())
      label(dl, ImVec2(g.cx, g.roles.y), IM_COL32(80, 90, 110, 255), fit(tx.roles, g.max_label_w), true);
    if (!g.counts.empty()) {
      const bool warn = h && (h->deferred || h->disk_full || !h->up);
      label(dl, ImVec2(g.cx, g.counts.y), h && !h->up ? col(kDown) : warn ? col(Outcome::Transient) : IM_COL32(47, 111, 208, 255),
            fit(tx.counts, g.max_label_w), true);
    }
  }

  if (hovered >= 0) {
    const std::string& name = t.nodes[hovered].name;
    const HostView* h = m.host(name);
    if (h) {
      ImGui::SetTooltip("%s  %s\n%s\n%s", name.c_str(), h->address.c_str(), roles_label(h->roles).c_str(),
                        h->up ? "up" : "down");
    } else {
      ImGui::SetTooltip("%s (router)", name.c_str());
    }
    if (ImGui::IsMouseClicked(0)) {
      if (ImGui::GetIO().KeyCtrl && !ui.selected_host.empty() && ui.selected_host != name) {
        ui.selected_peer = name;
      } else {
        ui.selected_host = name;
        ui.selected_peer.clear();
      }
    }
    if (ImGui::IsMouseClicked(1)) {
      context_node = name;
      ImGui::OpenPopup("node-faults");
    }
  }
  if (ImGui::BeginPopup("node-faults")) {
    const HostView* h = m.host(context_node);
    ImGui::TextDisabled("%s", context_node.c_str());
    ImGui::Separator();
    if (h) {
      if (ImGui::MenuItem("Take down (crash)", nullptr, false, h->up))
        ui.inject(scenario::HostState{context_node, false});
      if (ImGui::MenuItem("Bring up (boot)", nullptr, false, !h->up))
        ui.inject(scenario::HostState{context_node, true});
    }
    auto pair_menu = [&](const char* title, bool heal) {
      if (!ImGui::BeginMenu(title)) return;
      for (const auto& n : t.nodes) {
        if (n.name == context_node) continue;
        bool cut = is_cut(m, context_node, n.name);
        if (ImGui::MenuItem(n.name.c_str(), nullptr, false, heal ? cut : !cut))
          ui.inject(scenario::Cut{context_node, n.name, heal});
      }
      ImGui::EndMenu();
    };
    pair_menu("Cut the path to", false);
    pair_menu("Heal the path to", true);
    ImGui::EndPopup();
  }
  // Legend.
  float ly = o.y + size.y - ImGui::GetTextLineHeight() - 4, lx = o.x + 8;
  for (const char* p : {"SMTP", "DNS", "POP3"}) {
    dl->AddCircleFilled(ImVec2(lx + 5, ly + 8), 5, protocol_colour(p));
    dl->AddText(ImVec2(lx + 14, ly), IM_COL32(60, 60, 60, 255), p);
    lx += 24 + ImGui::CalcTextSize(p).x;
  }
  dl->AddText(ImVec2(lx, ly), IM_COL32(110, 110, 110, 255), "packets in flight");
}

}  // namespace maillab::viz
