// viz::Controller: what the visualiser does with the commands its panels raise (ui.hpp):
// open a scenario, play, step, jump, inject a fault, save the run as a scenario. It holds
// the Session, the shared Ui state and the Model the panels draw, and knows nothing of
// ImGui or SDL, so the tests drive it exactly as the window does.
//
// Invariants: every command replaces the status line (a new action supersedes the last
// report); a scenario that does not open leaves the open one as it was and shows its
// error in the picker; "Save as scenario" proposes `<scenario id>-faults.yaml` for the
// scenario open now and reports the absolute path it wrote; the followed message stays
// selected across steps and replays (known by its first trace event).
#pragma once

#include <string>

#include "viz/gui/model.hpp"
#include "viz/gui/session.hpp"
#include "viz/gui/ui.hpp"

namespace maillab::viz {

struct VizOptions;

struct Controller {
  Session session;
  Ui ui;
  Model model;
  bool quit = false;

  // The state the window opens in: the scenario at `at` (or the picker), the message shown.
  // False (with *error) when the scenario does not load.
  bool start(const VizOptions& opt, std::string* error);
  bool open(const std::string& arg);  // from the picker
  void apply_commands();
  void advance(double real_seconds);  // play: simulated time follows the wall clock
  // The clock to the followed message's next (+1) or previous (-1) step: the time of the
  // next event of its way (from the whole run, Session::full_trace), or of the last one
  // before now (replayed). False (and a report) when there is none.
  bool message_step(int direction);
  // The model at the session's time; the followed message stays selected.
  void refresh();
};

}  // namespace maillab::viz
