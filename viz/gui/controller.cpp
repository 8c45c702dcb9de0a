#include "viz/gui/controller.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>

#include "scenarios/duration.hpp"
#include "viz/gui/app.hpp"
#include "viz/exchanges.hpp"
#include "viz/journey.hpp"
#include "viz/message_path.hpp"
#include "viz/scenario_writer.hpp"

namespace maillab::viz {

namespace {

constexpr std::size_t kNoKey = static_cast<std::size_t>(-1);

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
  ui.follow = !opt.message.empty();  // a message named on the command line is followed
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
    ui.followed_key = Model::first_event(model.journeys.at(ui.selected_journey).journey);
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
      case Command::Kind::Play:
        if (session.now() >= session.duration()) session.run_to(0);
        ui.playing = true;
        ui.follow_now = true;
        break;
      case Command::Kind::Pause: ui.playing = false; break;
      case Command::Kind::Step:
        ui.playing = false;
        ui.follow_now = true;
        if (!session.step()) ui.report("the end of the scenario: nothing is left to run");
        break;
      case Command::Kind::Jump: session.run_to(std::clamp<Time>(c.t, 0, session.duration())); break;
      case Command::Kind::JumpText: {
        std::string error;
        if (auto t = scenario::parse_duration(c.text, &error))
          session.run_to(std::clamp<Time>(*t, 0, session.duration()));
        else
          ui.report("jump to: " + error, true, "jump");
        break;
      }
      case Command::Kind::Inject:
        session.inject(c.action);
        ui.report("injected " + event_yaml(session.injected().back()).value_or("?"));
        break;
      case Command::Kind::Save: {
        std::string error;
        std::error_code ec;
        const std::string where = std::filesystem::absolute(c.text, ec).lexically_normal().string();
        if (session.save(c.text, &error))
          ui.report("saved " + where + "  (replay it: maillab run " + where + ")", false, "save");
        else
          ui.report("not saved: " + error, true, "save");
        break;
      }
      case Command::Kind::Open: open(c.text); break;
      case Command::Kind::Follow:
        ui.follow = c.t >= 0;
        ui.followed_key = kNoKey;
        if (c.t >= 0) ui.selected_journey = static_cast<int>(c.t);
        refresh();
        break;
      case Command::Kind::FollowEvent: {
        refresh();
        const int j = model.journey_of_event(static_cast<std::size_t>(c.t));
        if (j < 0) {
          ui.report("that is part of no message's way");
        } else {
          ui.selected_journey = j;
          ui.follow = true;
          ui.followed_key = Model::first_event(model.journeys[j].journey);
          ui.report("following \"" + model.journeys[j].journey.subject + "\"");
        }
        break;
      }
      case Command::Kind::MessageStep: message_step(c.t > 0 ? 1 : -1); break;
      case Command::Kind::StepBack: {
        ui.playing = false;
        ui.follow_now = true;
        const auto& trace = session.world().trace().events();
        Time target = -1;
        for (const auto& e : trace)
          if (e.t_ns < session.now()) target = e.t_ns;
        if (target < 0) ui.report("the start of the scenario: nothing happened before");
        else session.run_to(target);
        break;
      }
      case Command::Kind::Quit: quit = true; break;
    }
  }
}

void Controller::refresh() {
  update_model(model, session);
  const bool selected = ui.selected_journey >= 0 && ui.selected_journey < static_cast<int>(model.journeys.size());
  if (!ui.follow) return;
  if (ui.followed_key == kNoKey && selected) ui.followed_key = Model::first_event(model.journeys[ui.selected_journey].journey);
  for (std::size_t k = 0; k < model.journeys.size(); ++k)
    if (Model::first_event(model.journeys[k].journey) == ui.followed_key) ui.selected_journey = static_cast<int>(k);
}

bool Controller::message_step(int direction) {
  refresh();
  const bool selected = ui.selected_journey >= 0 && ui.selected_journey < static_cast<int>(model.journeys.size());
  std::size_t key = ui.follow ? ui.followed_key : kNoKey;
  if (key == kNoKey && selected) key = Model::first_event(model.journeys[ui.selected_journey].journey);
  if (key == kNoKey) {
    ui.report("pick a message to follow first", true, "follow");
    return false;
  }
  const Time now = session.now();
  Time target = -1;
  if (direction > 0) {
    // Its way in the whole run: the same journey has the same first event there.
    const auto& full = session.full_trace();
    const auto& s = session.scenario();
    const auto journeys = build_journeys(s, full, session.duration());
    for (std::size_t k = 0; k < journeys.size() && target < 0; ++k) {
      if (Model::first_event(journeys[k]) != key) continue;
      const Exchanges x = pair_exchanges(s, full, full.size());
      for (std::size_t i : message_path(journeys, k, s, full, x, session.duration()).events)
        if (full[i].t_ns > now) {
          target = full[i].t_ns;
          break;
        }
    }
  } else {
    for (const auto& jv : model.journeys)
      if (Model::first_event(jv.journey) == key)
        for (std::size_t i : jv.path.events)
          if ((*model.trace)[i].t_ns < now) target = (*model.trace)[i].t_ns;
  }
  if (target < 0) {
    ui.report(direction > 0 ? "that was its last step" : "that was its first step");
    return false;
  }
  ui.playing = false;
  ui.follow = true;
  ui.followed_key = key;
  ui.follow_now = true;
  session.run_to(target);
  refresh();
  return true;
}

void Controller::advance(double real_seconds) {
  if (!ui.playing || !session.loaded()) return;
  const double rate = std::pow(10.0, ui.speed_log10) * 1e9;  // simulated ns per real second
  Time target = session.now() + std::max<Time>(1, static_cast<Time>(real_seconds * rate));
  if (ui.skip_idle) {
    // More than two seconds of watching nothing: on to half a second before the next event.
    const Time next = session.next_event_time();
    if (next > target && static_cast<double>(next - session.now()) > 2 * rate)
      target = std::max(target, next - static_cast<Time>(0.5 * rate));
  }
  if (target >= session.duration()) {
    target = session.duration();
    ui.playing = false;
  }
  session.run_to(target);
}

}  // namespace maillab::viz
