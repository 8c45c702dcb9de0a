// The visualiser's window around its panels: the menu bar (View, Help) with the toolbar
// (play, step back and forth, rewind, the clock, speed presets that snap, skip idle time,
// the UI scale), the splitters between panels, the status and caption line, and the keys:
// Space play/pause; Right / Left (and PageDown / PageUp, a presenter's clicker) the next /
// previous step, of the followed message when following; Home / End the start / the end;
// F follow the message the inspector shows; P the presentation layout; Escape stop
// following; Ctrl+plus / Ctrl+minus / Ctrl+0 the scale.
#pragma once

#include "viz/gui/layout.hpp"
#include "viz/gui/model.hpp"
#include "viz/gui/ui.hpp"

namespace maillab::viz::gui {

// Simulated seconds per real second the speed snaps to (and the toolbar's buttons).
inline constexpr double kSpeedPresets[] = {1, 10, 60, 600, 3600};
// The slider's value (log10 of the speed), snapped to a preset when within a hair of it.
double snap_speed(double log10);

inline constexpr float kMinScale = 0.75f, kMaxScale = 2.5f;

void menu_bar(Ui& ui, const Model& m, float height);
void splitters(Ui& ui, const Placement& p, float scale);
// The bottom line: the status report, and in the presentation layout (or while following)
// the caption - what just happened, as the text timeline says it.
void status_line(Ui& ui, const Model& m, const Rect& r);
void keys(Ui& ui, const Model& m);

// The caption at the model's time: the last timeline line (of the followed message's way
// when following), "" when nothing happened yet.
std::string caption(const Ui& ui, const Model& m);

}  // namespace maillab::viz::gui
