// The Controls panel: play / pause, step to the next traced event, speed from 0.01x to
// 10^6x, jump to a time (rewind replays from the start with the same seed), inject faults
// (a host down or up, a path cut or healed) and save the run as a scenario file whose
// `events` carry the injected faults (named after the scenario open: ui.save_path). What a
// command did, or why it failed, is on the status line (app.cpp).
#pragma once

#include <string>

#include "viz/gui/model.hpp"
#include "viz/gui/ui.hpp"

namespace maillab::viz {

struct ControlsPanel {
  explicit ControlsPanel(Ui& u) : ui(u) {}
  void draw(const Model& m);

  Ui& ui;
  std::string jump_text = "5m";
  float scrub_seconds = 0;
  bool scrubbing = false;
};

}  // namespace maillab::viz
