// viz::Script: what a person at the visualiser would do, one step a line, for `maillab viz
// SCENARIO --script FILE`: the window is drawn without a display (as for --screenshot) and
// the steps drive it through the same keys and commands a person uses, so a test (and CI)
// can play, follow a message with the keyboard, inject a fault and save the scenario.
//
//   key Space            press a key (SDL names: Space, Right, Left, PageDown, PageUp,
//   key Ctrl+Equals      Home, End, F, P, Escape ...), optionally with Ctrl
//   wait 1.5s            that much wall-clock time passes (the run plays at its speed)
//   speed 60             simulated seconds per real second (as the toolbar's presets)
//   frames 3             draw frames
//   down mx1.b.example   inject a fault at the current time, as the Down/Up/Cut/Heal
//   up mx1.b.example     buttons do
//   cut A B / heal A B
//   save FILE            Save as scenario
//   screenshot FILE.png  write the window as it is now
//   click X Y            a left click at window pixel X, Y (an arrow: its packet pane)
//   print now|status|caption|message|follow|packet   one line on stdout, "what: value"
// Blank lines and lines starting with # are ignored. A step that does not parse is an error
// naming file:line, before anything runs.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "scenarios/model.hpp"
#include "viz/sequence_chart.hpp"

namespace maillab::viz {

struct ScriptStep {
  enum class Kind { Key, Wait, Speed, Frames, Inject, Save, Screenshot, Print, Click };
  Kind kind = Kind::Frames;
  std::string text;  // key name, file, what to print
  bool ctrl = false;
  Time wait = 0;
  double speed = 1;
  int frames = 1;
  float x = 0, y = 0;  // kClick
  scenario::Action action;
  int line = 0;
};

std::optional<std::vector<ScriptStep>> parse_script(const std::string& text, const std::string& file,
                                                    std::string* error);

}  // namespace maillab::viz
