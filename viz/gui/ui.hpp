// The visualiser's shared UI state: what is selected across panels, play/pause and speed,
// and the queue of commands panels raise while drawing. The app applies the commands to
// the Session after the frame (panels never touch the simulation themselves).
#pragma once

#include <string>
#include <vector>

#include "scenarios/model.hpp"
#include "viz/sequence_chart.hpp"

namespace maillab::viz {

struct Command {
  enum class Kind { kPlay, kPause, kStep, kJump, kInject, kSave, kOpen, kQuit };
  Kind kind = Kind::kPause;
  Time t = 0;                // kJump
  scenario::Action action;   // kInject
  std::string text;          // kSave: path; kOpen: scenario name or path
};

struct Ui {
  std::vector<Command> commands;
  bool playing = false;
  double speed_log10 = 0;      // simulated seconds per real second = 10^speed_log10
  std::string selected_host;   // "" = none (topology, queues, fault controls)
  std::string selected_peer;   // the other end of a selected pair (cut / heal)
  int selected_journey = -1;   // message inspector
  bool follow_now = true;      // the timeline keeps the current time in view
  bool show_picker = false;    // the scenario picker window
  std::string status;          // the last message for the user (saved, errors)

  void push(Command::Kind k, std::string text = "") {
    Command c;
    c.kind = k;
    c.text = std::move(text);
    commands.push_back(std::move(c));
  }
  void jump(Time t) {
    Command c;
    c.kind = Command::Kind::kJump;
    c.t = t;
    commands.push_back(std::move(c));
  }
  void inject(scenario::Action a) {
    Command c;
    c.kind = Command::Kind::kInject;
    c.action = std::move(a);
    commands.push_back(std::move(c));
  }
};

}  // namespace maillab::viz
