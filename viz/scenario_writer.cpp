#include "viz/scenario_writer.hpp"

#include <yaml-cpp/yaml.h>

#include <charconv>
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

// The events that carry free text (addresses, a body, zone records): written with
// yaml-cpp's emitter in flow style, which quotes whatever needs it, so the loader reads
// back exactly the same strings.
class FlowMap {
 public:
  explicit FlowMap(std::int64_t at_ns) {
    y_ << YAML::Flow << YAML::BeginMap << YAML::Key << "at" << YAML::Value << scenario::format_duration(at_ns);
  }
  YAML::Emitter& open(std::string_view key) {
    y_ << YAML::Key << std::string(key) << YAML::Value << YAML::BeginMap;
    return y_;
  }
  void field(std::string_view key, const std::string& value) {
    y_ << YAML::Key << std::string(key) << YAML::Value << YAML::DoubleQuoted << value;
  }
  void field(std::string_view key, const std::optional<std::string>& value) {
    if (value) field(key, *value);
  }
  void plain(std::string_view key, const std::string& value) {
    y_ << YAML::Key << std::string(key) << YAML::Value << value;
  }
  void list(std::string_view key, const std::vector<std::string>& values) {
    if (values.empty()) return;
    y_ << YAML::Key << std::string(key) << YAML::Value << YAML::BeginSeq;
    for (const auto& v : values) y_ << YAML::DoubleQuoted << v;
    y_ << YAML::EndSeq;
  }
  std::string close() {
    y_ << YAML::EndMap << YAML::EndMap;
    return y_.c_str();
  }

 private:
  YAML::Emitter y_;
};

std::string send_yaml(std::int64_t at, const scenario::Send& s) {
  FlowMap m(at);
  m.open("send");
  m.field("from", s.from);
  m.list("to", s.to);
  m.list("cc", s.cc);
  m.list("bcc", s.bcc);
  if (!s.subject.empty()) m.field("subject", s.subject);
  if (!s.body.empty()) m.field("body", s.body);
  m.field("client", s.client);
  if (!s.server.empty()) m.field("server", s.server);
  m.field("auth", s.auth);
  m.field("password", s.password);
  m.field("tls", s.tls);
  if (s.save_sent) m.plain("save_sent", "true");
  m.field("via", s.via);
  return m.close();
}

std::string fetch_yaml(std::int64_t at, const scenario::Fetch& f) {
  FlowMap m(at);
  m.open("fetch");
  m.field("user", f.user);
  m.field("server", f.server);
  m.field("client", f.client);
  m.plain("protocol", f.protocol);
  if (f.delete_messages) m.plain("delete", f.to_trash ? "trash" : "true");
  m.field("password", f.password);
  m.field("tls", f.tls);
  return m.close();
}

std::string idle_yaml(std::int64_t at, const scenario::Idle& i) {
  FlowMap m(at);
  m.open("idle");
  m.field("user", i.user);
  m.field("server", i.server);
  m.field("client", i.client);
  m.plain("until", scenario::format_duration(i.until_ns));
  m.field("password", i.password);
  return m.close();
}

std::string dns_set_yaml(std::int64_t at, const scenario::DnsSet& d) {
  FlowMap m(at);
  m.open("dns_set");
  m.field("server", d.server);
  std::vector<std::string> records;
  for (const auto& r : d.records) records.push_back(r.text);
  m.list("record", records);
  return m.close();
}

// The shortest decimal that reads back as the same double.
std::string exact(double v) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc() ? std::string(buf, end) : std::to_string(v);
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
  if (auto* l = std::get_if<scenario::Loss>(&e.action))
    return at + "loss: {between: [" + l->a + ", " + l->b + "], rate: " + exact(l->rate) + "}}";
  if (auto* s = std::get_if<scenario::Send>(&e.action)) return send_yaml(e.at_ns, *s);
  if (auto* f = std::get_if<scenario::Fetch>(&e.action)) return fetch_yaml(e.at_ns, *f);
  if (auto* i = std::get_if<scenario::Idle>(&e.action)) return idle_yaml(e.at_ns, *i);
  if (auto* d = std::get_if<scenario::DnsSet>(&e.action)) return dns_set_yaml(e.at_ns, *d);
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
