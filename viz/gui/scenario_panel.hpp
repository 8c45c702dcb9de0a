// The Scenario panel: the open scenario's title and description, and the picker listing
// the built-in scenarios in the teaching order of docs/scenarios/README.md (full-journey
// marked as the start) with their descriptions, or any scenario file by path (a file that
// does not load shows its error there). It opens as a window of its own when the
// visualiser starts without a scenario.
#pragma once

#include <string>

#include "viz/gui/model.hpp"
#include "viz/gui/ui.hpp"

namespace maillab::viz {

struct ScenarioPanel {
  explicit ScenarioPanel(Ui& u) : ui(u) {}
  void draw(const Model& m);          // the open scenario's story (a tab of the lab column)
  void picker_window(const Model& m);  // the picker, when asked for or nothing is open

  Ui& ui;
  std::string path;  // "open a file" input
  int hovered = -1;

 private:
  void picker(const Model& m);
  void open_file();
};

}  // namespace maillab::viz
