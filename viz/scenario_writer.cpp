#include "viz/scenario_writer.hpp"

#include <filesystem>
#include <sstream>

#include "scenarios/duration.hpp"
#include "scenarios/loader.hpp"

namespace maillab::viz {

namespace {

std::vector<std::string> split_lines(std::string_view text) {
  std::vector<std::string> lines;
  std::string cur;
  for (char c : text) {
    if (c == '\n') {
      lines.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) lines.push_back(cur);
  return lines;
}

bool is_blank_or_comment(const std::string& l) {
  auto p = l.find_first_not_of(" \t\r");
  return p == std::string::npos || l[p] == '#';
}

// A top-level key line "key:" (value after the colon in *rest).
bool top_level_key(const std::string& l, std::string_view key, std::string* rest) {
  if (l.rfind(std::string(key) + ":", 0) != 0) return false;
  *rest = l.substr(key.size() + 1);
  return true;
}

std::string trim(std::string s) {
  auto hash = s.find(" #");
  if (hash != std::string::npos) s.erase(hash);
  auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

}  // namespace

std::optional<std::string> event_yaml(const scenario::Event& e) {
  std::string at = "{at: " + scenario::format_duration(e.at_ns) + ", ";
  if (auto* h = std::get_if<scenario::HostState>(&e.action))
    return at + (h->up ? "up: " : "down: ") + h->host + "}";
  if (auto* c = std::get_if<scenario::Cut>(&e.action))
    return at + (c->heal ? "heal: [" : "cut: [") + c->a + ", " + c->b + "]}";
  if (auto* t = std::get_if<scenario::Strip>(&e.action))
    return at + (t->unstrip ? "unstrip_starttls: [" : "strip_starttls: [") + t->a + ", " + t->b + "]}";
  if (auto* p = std::get_if<scenario::PortState>(&e.action))
    return at + (p->accept ? "accept: " : "refuse: ") + "{host: " + p->host +
           ", service: " + std::string(scenario::service_name(p->service)) + "}}";
  if (auto* d = std::get_if<scenario::DiskState>(&e.action))
    return at + (d->full ? "disk_full: " : "disk_ok: ") + d->host + "}";
  if (auto* f = std::get_if<scenario::Flush>(&e.action)) return at + "flush: " + f->host + "}";
  return std::nullopt;
}

std::string id_from_path(const std::string& path) {
  std::string stem = std::filesystem::path(path).stem().string();
  if (stem.empty()) return "";
  for (char c : stem)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return "";
  return stem;
}

std::optional<std::string> append_events(std::string_view text,
                                         const std::vector<scenario::Event>& events,
                                         const std::string& new_id, const std::string& comment,
                                         std::string* error) {
  std::vector<std::string> items;
  for (const auto& e : events) {
    auto y = event_yaml(e);
    if (!y) {
      *error = "an injected event of kind `" + std::string(scenario::action_name(e.action)) +
               "` cannot be written";
      return std::nullopt;
    }
    items.push_back(*y);
  }
  std::vector<std::string> lines = split_lines(text);
  std::string rest;
  std::size_t events_line = lines.size();
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (!new_id.empty() && top_level_key(lines[i], "scenario", &rest)) lines[i] = "scenario: " + new_id;
    if (top_level_key(lines[i], "events", &rest)) events_line = i;
  }
  if (!items.empty()) {
    if (events_line == lines.size()) {
      lines.push_back("events:");
      for (const auto& it : items) lines.push_back("  - " + it);
    } else {
      std::string value = trim(lines[events_line].substr(7));
      if (value == "[]") {
        lines[events_line] = "events:";
      } else if (!value.empty()) {
        *error = "the scenario's `events` is written in flow style ([...]); save needs a block list";
        return std::nullopt;
      }
      // The block runs while lines are blank, comments, indented or sequence items.
      std::size_t last = events_line, indent_found = std::string::npos;
      for (std::size_t i = events_line + 1; i < lines.size(); ++i) {
        const std::string& l = lines[i];
        if (is_blank_or_comment(l)) continue;
        if (l[0] != ' ' && l[0] != '-') break;
        last = i;
        auto p = l.find_first_not_of(' ');
        if (indent_found == std::string::npos && l.compare(p, 2, "- ") == 0) indent_found = p;
      }
      std::string indent(indent_found == std::string::npos ? 2 : indent_found, ' ');
      std::vector<std::string> add;
      for (const auto& it : items) add.push_back(indent + "- " + it);
      lines.insert(lines.begin() + static_cast<std::ptrdiff_t>(last + 1), add.begin(), add.end());
    }
  }
  std::ostringstream out;
  if (!comment.empty()) out << "# " << comment << "\n";
  for (const auto& l : lines) out << l << "\n";
  std::string result = out.str();
  auto loaded = scenario::load_scenario_text(result, "saved scenario");
  if (auto* e = std::get_if<scenario::LoadError>(&loaded)) {
    *error = "the saved scenario would not load: " + e->str();
    return std::nullopt;
  }
  return result;
}

}  // namespace maillab::viz
