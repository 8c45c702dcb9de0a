// maillab viz [SCENARIO] (cli.md): the interactive visualiser (opened at --at), or with
// --screenshot one frame at --at rendered without a display and written as a PNG or JPEG.
#include <iostream>
#include <sstream>

#include "scenarios/duration.hpp"
#include "tools/commands.hpp"
#include "viz/exports.hpp"
#include "viz/gui/app.hpp"

namespace maillab::tools {

void register_viz(CLI::App& app, int& exit_code) {
  auto* viz = app.add_subcommand("viz", "The interactive visualiser (ImGui + SDL2)");
  struct Args {
    viz::VizOptions opt;
    std::string at, size;
    bool text = false;
    viz::TextTimelineOptions text_opt;
  };
  auto args = std::make_shared<Args>();
  viz->add_option("SCENARIO", args->opt.scenario,
                  "a scenario file or a built-in name (none: choose in the window)");
  viz->add_option("--screenshot", args->opt.screenshot,
                  "render one frame without a display into this PNG or JPEG (.jpg) file and exit");
  viz->add_option("--at", args->at,
                  "open the run at this simulated time (e.g. 25m); with --screenshot, the frame's time");
  viz->add_option("--size", args->size, "window or screenshot size, WIDTHxHEIGHT (default 1600x1000)");
  viz->add_option("--message", args->opt.message,
                  "a message: its number in the inspector's list (from 0), a Message-ID or a queue id; "
                  "the inspector shows it first, --text shows only its way");
  viz->add_option("--scale", args->opt.scale,
                  "UI scale for fonts and sizes, 0.75 to 2.5 (default 1; Ctrl+plus/minus in the window)");
  viz->add_flag("--presentation", args->opt.presentation,
                "open in the presentation layout: the timeline, the topology and a caption line (key P)");
  viz->add_option("--script", args->opt.script,
                  "run the steps of this file as a person at the window would (keys, clicks, waits, faults, save), "
                  "without a display, then exit (docs/visualiser.md)");
  viz->add_flag("--text", args->text,
                "print the run as text, one line per exchange, and a summary per message (no window)");
  viz->add_option("--host", args->text_opt.host, "with --text: only what this host takes part in");

  viz->callback([args, &exit_code] {
    viz::VizOptions opt = args->opt;
    if (!args->at.empty()) {
      std::string error;
      auto ns = scenario::parse_duration(args->at, &error);
      if (!ns) {
        std::cerr << "maillab viz: --at: " << error << "\n";
        exit_code = 2;
        return;
      }
      opt.at = *ns;
    }
    if (!args->size.empty()) {
      int w = 0, h = 0;
      char x = 0;
      std::istringstream in(args->size);
      if (!(in >> w >> x >> h) || x != 'x' || w < 320 || h < 240 || w > 8192 || h > 8192) {
        std::cerr << "maillab viz: --size: expected WIDTHxHEIGHT between 320x240 and 8192x8192, "
                     "found '" << args->size << "'\n";
        exit_code = 2;
        return;
      }
      opt.width = w;
      opt.height = h;
    }
    if (opt.scale < 0.75f || opt.scale > 2.5f) {
      std::cerr << "maillab viz: --scale: expected a number from 0.75 to 2.5, found " << opt.scale << "\n";
      exit_code = 2;
      return;
    }
    if (args->text) {
      viz::TextTimelineOptions text = args->text_opt;
      text.message = opt.message;
      exit_code = viz::print_text_timeline(opt.scenario, opt.at, text, std::cout, std::cerr);
      return;
    }
    if (!args->text_opt.host.empty()) {
      std::cerr << "maillab viz: --host goes with --text\n";
      exit_code = 2;
      return;
    }
    exit_code = viz::run_viz(opt, std::cout, std::cerr);
  });
}

}  // namespace maillab::tools
