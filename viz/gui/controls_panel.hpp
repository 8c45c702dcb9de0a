// The Controls tab of the lab column: the clock (a slider over the whole run), speed from
// 0.01x to 10^6x (snapping to the toolbar's presets), jump to a time (going back replays
// from the start with the same seed; play, step and rewind are on the toolbar), inject faults
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
