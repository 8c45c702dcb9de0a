#include "viz/gui/controller.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>

#include "scenarios/duration.hpp"
#include "viz/gui/app.hpp"
#include "viz/message_path.hpp"
#include "viz/scenario_writer.hpp"

namespace maillab::viz {

namespace {

std::string default_save_path(const std::string& id) { return id + "-faults.yaml"; }

}  // namespace

bool Controller::start(const VizOptions& opt, std::string* error) {
  ui.show_picker = opt.scenario.empty();
  if (!opt.scenario.empty()) {
    if (!session.open(opt.scenario, error)) return false;
    ui.save_path = default_save_path(session.scenario().id);
    session.run_to(std::clamp<Time>(opt.at.value_or(0), 0, session.duration()));
  }
  ui.selected_journey = 0;
  if (!opt.message.empty() && session.loaded()) {
    refresh();
    if (opt.message.find_first_not_of("0123456789") == std::string::npos) {
      ui.selected_journey = std::atoi(opt.message.c_str());
    } else {
      std::vector<Journey> journeys;
      for (const auto& j : model.journeys) journeys.push_back(j.journey);
      auto named = journeys_named(journeys, session.world().trace().events(), opt.message);
      if (named.empty()) {
        *error = "maillab viz: --message: no message " + opt.message + " at that time (a number, a Message-ID or a queue id)";
        return false;
      }
      ui.selected_journey = static_cast<int>(named.front());
    }
  }
  return true;
}

bool Controller::open(const std::string& arg) {
  std::string error;
  if (!session.open(arg, &error)) {
    ui.picker_error = error;
    ui.show_picker = true;
    ui.report("cannot open " + arg + " (see the scenario list)", true, "open");
    return false;
  }
  model = Model{};
  ui.selected_journey = -1;
  ui.selected_host.clear();
  ui.selected_peer.clear();
  ui.playing = false;
  ui.follow_now = true;
  ui.show_picker = false;
  ui.picker_error.clear();
  ui.save_path = default_save_path(session.scenario().id);
  ui.report("opened " + session.scenario().id);
  return true;
}

void Controller::apply_commands() {
  std::vector<Command> cmds;
  cmds.swap(ui.commands);
  for (auto& c : cmds) {
    ui.status = Status{};
    switch (c.kind) {
      case Command::Kind::kPlay:
        if (session.now() >= session.duration()) session.run_to(0);
        ui.playing = true;
        ui.follow_now = true;
        break;
      case Command::Kind::kPause: ui.playing = false; break;
      case Command::Kind::kStep:
        ui.playing = false;
        ui.follow_now = true;
        if (!session.step()) ui.report("the end of the scenario: nothing is left to run");
        break;
      case Command::Kind::kJump: session.run_to(std::clamp<Time>(c.t, 0, session.duration())); break;
      case Command::Kind::kJumpText: {
        std::string error;
        if (auto t = scenario::parse_duration(c.text, &error))
          session.run_to(std::clamp<Time>(*t, 0, session.duration()));
        else
          ui.report("jump to: " + error, true, "jump");
        break;
      }
      case Command::Kind::kInject:
        session.inject(c.action);
        ui.report("injected " + event_yaml(session.injected().back()).value_or("?"));
        break;
      case Command::Kind::kSave: {
        std::string error;
        std::error_code ec;
        const std::string where = std::filesystem::absolute(c.text, ec).lexically_normal().string();
        if (session.save(c.text, &error))
          ui.report("saved " + where + "  (replay it: maillab run " + where + ")", false, "save");
        else
          ui.report("not saved: " + error, true, "save");
        break;
      }
      case Command::Kind::kOpen: open(c.text); break;
      case Command::Kind::kQuit: quit = true; break;
    }
  }
}

void Controller::advance(double real_seconds) {
  if (!ui.playing || !session.loaded()) return;
  double ns = real_seconds * std::pow(10.0, ui.speed_log10) * 1e9;
  Time target = session.now() + std::max<Time>(1, static_cast<Time>(ns));
  if (target >= session.duration()) {
    target = session.duration();
    ui.playing = false;
  }
  session.run_to(target);
}

}  // namespace maillab::viz
