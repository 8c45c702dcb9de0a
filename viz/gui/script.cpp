#include "viz/gui/script.hpp"

#include <cstdlib>
#include <sstream>

#include "scenarios/duration.hpp"

namespace maillab::viz {

std::optional<std::vector<ScriptStep>> parse_script(const std::string& text, const std::string& file,
                                                    std::string* error) {
  std::vector<ScriptStep> steps;
  std::istringstream in(text);
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::istringstream words(line);
    std::string verb, a, b;
    words >> verb;
    if (verb.empty() || verb[0] == '#') continue;
    words >> a >> b;
    auto fail = [&](const std::string& why) {
      *error = file + ":" + std::to_string(n) + ": " + why;
      return std::nullopt;
    };
    ScriptStep s;
    s.line = n;
    if (verb == "key" && !a.empty()) {
      s.kind = ScriptStep::Kind::Key;
      s.ctrl = a.rfind("Ctrl+", 0) == 0;
      s.text = s.ctrl ? a.substr(5) : a;
    } else if (verb == "wait" && !a.empty()) {
      std::string why;
      auto t = scenario::parse_duration(a, &why);
      if (!t) return fail("wait: " + why);
      s.kind = ScriptStep::Kind::Wait;
      s.wait = *t;
    } else if (verb == "speed" && !a.empty()) {
      char* end = nullptr;
      s.speed = std::strtod(a.c_str(), &end);
      if (*end || !(s.speed >= 0.01 && s.speed <= 1e6)) return fail("speed: a number from 0.01 to 1000000, found " + a);
      s.kind = ScriptStep::Kind::Speed;
    } else if (verb == "frames" && !a.empty()) {
      s.frames = std::atoi(a.c_str());
      if (s.frames < 1 || s.frames > 1000) return fail("frames: a count from 1 to 1000, found " + a);
    } else if ((verb == "down" || verb == "up") && !a.empty()) {
      s.kind = ScriptStep::Kind::Inject;
      s.action = scenario::HostState{a, verb == "up"};
    } else if ((verb == "cut" || verb == "heal") && !b.empty()) {
      s.kind = ScriptStep::Kind::Inject;
      s.action = scenario::Cut{a, b, verb == "heal"};
    } else if ((verb == "save" || verb == "screenshot") && !a.empty()) {
      s.kind = verb == "save" ? ScriptStep::Kind::Save : ScriptStep::Kind::Screenshot;
      s.text = a;
    } else if (verb == "click" && !b.empty()) {
      char *end_x = nullptr, *end_y = nullptr;
      s.x = std::strtof(a.c_str(), &end_x);
      s.y = std::strtof(b.c_str(), &end_y);
      if (*end_x || *end_y || s.x < 0 || s.y < 0) return fail("click: two pixel coordinates, found " + a + " " + b);
      s.kind = ScriptStep::Kind::Click;
    } else if (verb == "print" && (a == "now" || a == "status" || a == "caption" || a == "message" || a == "follow" ||
                                   a == "packet")) {
      s.kind = ScriptStep::Kind::Print;
      s.text = a;
    } else {
      return fail("cannot read '" + line + "' (key, wait, speed, frames, down, up, cut, heal, save, screenshot, click, print)");
    }
    steps.push_back(std::move(s));
  }
  return steps;
}

}  // namespace maillab::viz
