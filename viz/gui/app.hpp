// `maillab viz`: the visualiser's window (Dear ImGui on SDL2 with the SDL_Renderer backend,
// the plain loop of ImGui's example_sdl_sdlrenderer), or, with a screenshot path, one frame
// rendered with no display (SDL's offscreen video driver, else dummy, and the software
// renderer) written as a PNG or a JPEG (by the file name's extension).
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>

namespace maillab::viz {

struct VizOptions {
  std::string scenario;             // a file or a built-in name; "" opens the picker
  std::string screenshot;           // .png/.jpg path: render one frame headless and exit
  std::optional<std::int64_t> at;   // simulated time of the screenshot (default: 0)
  int width = 1600, height = 1000;  // window / screenshot size in pixels
  float scale = 1;                  // UI scale: fonts and geometry (0.75 to 2.5)
  bool presentation = false;        // open in the presentation layout
  std::string script;               // script.hpp: steps run without a display, then exit
  // The message the inspector shows first: its number in the list (from 0), a Message-ID
  // or a queue id; "" = the first.
  std::string message;
};

// The exit code: 0, or 2 (with one line on err) for a scenario that does not load or a
// display / file problem.
int run_viz(const VizOptions& opt, std::ostream& out, std::ostream& err);

}  // namespace maillab::viz
