// The visualiser's shared UI state: what is selected across panels, play/pause and speed,
// and the queue of commands panels raise while drawing. The app applies the commands to
// the Session after the frame (panels never touch the simulation themselves).
#pragma once

#include <string>
#include <vector>

#include "scenarios/model.hpp"
#include "viz/gui/layout.hpp"
#include "viz/sequence_chart.hpp"

namespace maillab::viz {

struct Command {
  enum class Kind {
    Play, Pause, Step, Jump, JumpText, Inject, Save, Open, Quit,
    Follow,       // t: the message (journey index) to follow, -1 to stop
    FollowEvent,  // t: a trace index: follow the message it is part of
    MessageStep,  // t: +1 the followed message's next step, -1 its previous one
    StepBack,     // to the previous traced event (replayed)
  };
  Kind kind = Kind::Pause;
  Time t = 0;                // kJump, kFollow, kFollowEvent, kMessageStep
  scenario::Action action;   // kInject
  std::string text;          // kSave: path; kOpen: scenario name or path; kJumpText: "1h30m"
};

// The line at the bottom of the window: what the last command did, or why it failed. It
// is cleared by the next command, or when its cause is gone (its `origin` input changed).
struct Status {
  std::string text;
  bool error = false;
  std::string origin;  // "jump", "save", ... ("" for a command's plain report)
};

struct Ui {
  std::vector<Command> commands;
  bool playing = false;
  double speed_log10 = 0;      // simulated seconds per real second = 10^speed_log10
  std::string selected_host;   // "" = none (topology, queues, fault controls)
  std::string selected_peer;   // the other end of a selected pair (cut / heal)
  int selected_journey = -1;   // message inspector
  bool follow = false;         // the selected message's way lit up, the rest dimmed
  // The followed message, by its first trace event: it stays followed across replays, even
  // back to before it existed (the Controller keeps selected_journey on it).
  std::size_t followed_key = static_cast<std::size_t>(-1);
  // The arrow whose packet the inspector shows (a click on it in the timeline), by its
  // trace event and kind, so it survives the chart's rebuilds; packet_event npos: none.
  std::size_t packet_event = static_cast<std::size_t>(-1);
  ArrowKind packet_kind = ArrowKind::Command;
  bool follow_now = true;      // the timeline keeps the current time in view
  bool skip_idle = false;      // playing: jump over long spans where nothing happens
  float scale = 1;             // UI scale: fonts and geometry (--scale, Ctrl+plus/minus)
  gui::PanelLayout layout;     // which panels, how wide (View menu, splitters)
  bool show_picker = false;    // the scenario picker window
  std::string picker_error;    // why the scenario asked for in the picker does not open
  std::string save_path;       // "Save as scenario": named after the scenario open
  Status status;

  void report(std::string text, bool error = false, std::string origin = "") {
    status = Status{std::move(text), error, std::move(origin)};
  }
  void clear_status(const std::string& origin) {
    if (status.origin == origin) status = Status{};
  }

  void push(Command::Kind k, std::string text = "") {
    Command c;
    c.kind = k;
    c.text = std::move(text);
    commands.push_back(std::move(c));
  }
  void jump(Time t) { push_t(Command::Kind::Jump, t); }
  void push_t(Command::Kind k, Time t) {
    Command c;
    c.kind = k;
    c.t = t;
    commands.push_back(std::move(c));
  }
  void inject(scenario::Action a) {
    Command c;
    c.kind = Command::Kind::Inject;
    c.action = std::move(a);
    commands.push_back(std::move(c));
  }
};

}  // namespace maillab::viz
