#include "viz/gui/app.hpp"

#include <SDL.h>
#include <imgui.h>
#include <imgui_impl_sdl.h>
#include <imgui_impl_sdlrenderer.h>
#include <stb_image_write.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <optional>
#include <ostream>
#include <vector>

#include "base/ascii.hpp"
#include "scenarios/runner.hpp"
#include "viz/gui/chrome.hpp"
#include "viz/gui/controller.hpp"
#include "viz/gui/script.hpp"
#include "viz/gui/packet_pane.hpp"
#include "viz/packet_detail.hpp"
#include "viz/gui/controls_panel.hpp"
#include "viz/gui/fonts.hpp"
#include "viz/gui/inspector_panel.hpp"
#include "viz/gui/model.hpp"
#include "viz/gui/queues_panel.hpp"
#include "viz/gui/scenario_panel.hpp"
#include "viz/gui/session.hpp"
#include "viz/gui/layout.hpp"
#include "viz/gui/timeline_panel.hpp"
#include "viz/gui/topology_panel.hpp"
#include "viz/scenario_writer.hpp"

namespace maillab::viz {

namespace {

// Everything the window shows; the Controller applies the commands the panels raise.
struct App {
  Controller ctl;
  Ui& ui = ctl.ui;
  ControlsPanel controls{ui};
  ScenarioPanel scenario{ui};
  QueuesPanel queues{ui};
  TimelinePanel timeline{ui};
  TopologyPanel topology{ui};
  InspectorPanel inspector{ui};
  bool layout_chosen = false;

  void frame() {
    ctl.refresh();
    const Model& model = ctl.model;
    const ImVec2 d = ImGui::GetIO().DisplaySize;
    if (!layout_chosen) {
      const bool presentation = ui.layout.presentation;
      ui.layout = gui::default_layout(d.x, ui.scale);
      ui.layout.presentation = presentation;
      layout_chosen = true;
    }
    const float bar = ImGui::GetFrameHeight();  // the menu bar
    const float status_h = ImGui::GetFrameHeightWithSpacing() + 6 * ui.scale;
    const gui::Placement p = gui::place_panels(ui.layout, d.x, d.y, ui.scale, bar, status_h);
    gui::menu_bar(ui, model, bar);
    constexpr ImGuiWindowFlags kPanel =
        ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings;
    // A panel at its place, with a close box that hides it (View brings it back).
    auto panel = [&](const char* title, const gui::Rect& r, bool* shown, auto draw) {
      if (r.empty()) return;
      ImGui::SetNextWindowPos(ImVec2(r.x, r.y), ImGuiCond_Always);
      ImGui::SetNextWindowSize(ImVec2(r.w, r.h), ImGuiCond_Always);
      if (ImGui::Begin(title, shown, kPanel)) draw();
      ImGui::End();
    };
    panel("Lab", p.lab, &ui.layout.lab, [&] {
      if (!ImGui::BeginTabBar("lab")) return;
      if (ImGui::BeginTabItem("Controls")) {
        controls.draw(model);
        ImGui::EndTabItem();
      }
      if (ImGui::BeginTabItem("Scenario")) {
        scenario.draw(model);
        ImGui::EndTabItem();
      }
      if (ImGui::BeginTabItem("Queues")) {
        queues.draw(model);
        ImGui::EndTabItem();
      }
      ImGui::EndTabBar();
    });
    panel("Timeline", p.timeline, nullptr, [&] { timeline.draw(model); });
    panel("Topology", p.topology, ui.layout.presentation ? nullptr : &ui.layout.topology,
          [&] { topology.draw(model); });
    panel("Message inspector", p.inspector, &ui.layout.inspector, [&] { inspector.draw(model); });
    gui::splitters(ui, p, ui.scale);
    gui::status_line(ui, model, p.status);
    scenario.picker_window(model);
    gui::keys(ui, model);
  }
};

ImGuiStyle base_style() {
  ImGuiStyle style;
  ImGui::StyleColorsLight(&style);
  style.WindowRounding = 0;
  style.FrameRounding = 3;
  return style;
}

// Fonts and sizes for the UI scale (between frames: the font texture is rebuilt).
void apply_scale(float scale, bool rebuild_texture) {
  ImGuiIO& io = ImGui::GetIO();
  io.Fonts->Clear();
  gui::add_fonts(*io.Fonts, scale);
  ImGuiStyle& style = ImGui::GetStyle();
  style = base_style();
  style.ScaleAllSizes(scale);
  if (rebuild_texture) {
    ImGui_ImplSDLRenderer_DestroyFontsTexture();
    ImGui_ImplSDLRenderer_CreateFontsTexture();
  }
}

void setup_imgui(float scale) {
  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;  // nothing to remember between runs
  apply_scale(scale, false);
}

void render(SDL_Renderer* r) {
  ImGui::Render();
  SDL_SetRenderDrawColor(r, 230, 232, 236, 255);
  SDL_RenderClear(r);
  ImGui_ImplSDLRenderer_RenderDrawData(ImGui::GetDrawData());
}

// A script's mouse (--script click): the SDL backend reads the pointer in its NewFrame, so
// the script's position and button go in after it.
struct ScriptMouse {
  bool active = false, down = false;
  ImVec2 pos;
};

void new_frame(SDL_Window* w, const ScriptMouse& mouse = {}) {
  ImGui_ImplSDLRenderer_NewFrame();
  ImGui_ImplSDL2_NewFrame(w);
  if (mouse.active) {
    ImGuiIO& io = ImGui::GetIO();
    io.MousePos = mouse.pos;
    io.MouseDown[0] = mouse.down;
  }
  ImGui::NewFrame();
}

enum class ImageFormat { Png, Jpeg };

// The screenshot's format, from its name's extension (any case): .png, .jpg or .jpeg.
std::optional<ImageFormat> image_format(const std::string& path) {
  const std::string ext = base::ascii_lower(std::filesystem::path(path).extension().string());
  if (ext == ".png") return ImageFormat::Png;
  if (ext == ".jpg" || ext == ".jpeg") return ImageFormat::Jpeg;
  return std::nullopt;
}

bool write_image(SDL_Renderer* r, const std::string& path, ImageFormat format, std::ostream& err) {
  int w = 0, h = 0;
  SDL_GetRendererOutputSize(r, &w, &h);
  std::vector<unsigned char> pixels(static_cast<std::size_t>(w) * h * 4);
  if (SDL_RenderReadPixels(r, nullptr, SDL_PIXELFORMAT_RGBA32, pixels.data(), w * 4) != 0) {
    err << "maillab viz: cannot read the frame back: " << SDL_GetError() << "\n";
    return false;
  }
  // JPEG has no alpha: stb drops the fourth channel. Quality 90, as most tools default to.
  bool ok = format == ImageFormat::Png
                ? stbi_write_png(path.c_str(), w, h, 4, pixels.data(), w * 4) != 0
                : stbi_write_jpg(path.c_str(), w, h, 4, pixels.data(), 90) != 0;
  if (!ok) {
    err << "maillab viz: cannot write " << path << "\n";
    return false;
  }
  return true;
}

// SDL with a window; headless: the offscreen driver (or dummy) and no visible window.
bool init_sdl(bool headless, std::ostream& err) {
  if (headless && !std::getenv("SDL_VIDEODRIVER")) setenv("SDL_VIDEODRIVER", "offscreen", 1);
  const bool chosen = std::getenv("SDL_VIDEODRIVER") != nullptr;
  auto set = [](const char* name) { return std::getenv(name) && *std::getenv(name); };
  if (!headless && !chosen && !set("DISPLAY") && !set("WAYLAND_DISPLAY")) {
    err << "maillab viz: cannot open a display: neither DISPLAY nor WAYLAND_DISPLAY is set "
           "(for a picture without a display use --screenshot FILE.png)\n";
    return false;
  }
  if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_TIMER) == 0) {
    // Without a display SDL falls back to a driver that shows nothing: a window nobody
    // sees, waiting for input forever. Say so instead (unless the user chose that driver).
    const std::string driver = SDL_GetCurrentVideoDriver() ? SDL_GetCurrentVideoDriver() : "";
    if (headless || chosen || (driver != "offscreen" && driver != "dummy")) return true;
    SDL_Quit();
    err << "maillab viz: cannot open a display: SDL found none it could use and fell back to its "
        << driver << " driver (check DISPLAY) (for a picture without a display use "
           "--screenshot FILE.png)\n";
    return false;
  }
  if (headless) {
    std::string first = SDL_GetError();
    setenv("SDL_VIDEODRIVER", "dummy", 1);
    if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_TIMER) == 0) return true;
    err << "maillab viz: no video driver for a headless frame (offscreen: " << first
        << "; dummy: " << SDL_GetError() << ")\n";
    return false;
  }
  err << "maillab viz: cannot open a display: " << SDL_GetError()
      << " (for a picture without a display use --screenshot FILE.png)\n";
  return false;
}

}  // namespace

// One frame of the window, then what the panels asked for (the loop's body).
struct Frames {
  App& app;
  SDL_Window* window;
  SDL_Renderer* renderer;
  float applied_scale;
  ScriptMouse mouse;
  void one() {
    new_frame(window, mouse);
    app.frame();
    render(renderer);
    SDL_RenderPresent(renderer);
    app.ctl.apply_commands();
    if (app.ui.scale != applied_scale) {
      apply_scale(app.ui.scale, true);
      applied_scale = app.ui.scale;
    }
  }
};

// --script: each step as a person would do it, a few frames after each.
int run_script(Frames& f, const std::vector<ScriptStep>& steps, const std::string& file, std::ostream& out,
               std::ostream& err) {
  App& app = f.app;
  f.one();
  f.one();
  for (const auto& s : steps) {
    const std::string where = file + ":" + std::to_string(s.line) + ": ";
    switch (s.kind) {
      case ScriptStep::Kind::Key: {
        const SDL_Scancode key = SDL_GetScancodeFromName(s.text.c_str());
        if (key == SDL_SCANCODE_UNKNOWN) {
          err << "maillab viz: " << where << "no key named " << s.text << "\n";
          return 2;
        }
        ImGuiIO& io = ImGui::GetIO();
        io.KeyCtrl = s.ctrl;
        io.KeysDown[key] = true;
        f.one();
        io.KeysDown[key] = false;
        io.KeyCtrl = false;
        break;
      }
      case ScriptStep::Kind::Wait:
        for (Time left = s.wait; left > 0; left -= 250'000'000) {
          app.ctl.advance(static_cast<double>(std::min<Time>(left, 250'000'000)) / 1e9);
          f.one();
        }
        break;
      case ScriptStep::Kind::Click: {
        f.mouse = ScriptMouse{true, false, ImVec2(s.x, s.y)};
        f.one();
        f.mouse.down = true;
        f.one();
        f.mouse.down = false;
        break;
      }
      case ScriptStep::Kind::Speed: app.ui.speed_log10 = std::log10(s.speed); break;
      case ScriptStep::Kind::Frames:
        for (int i = 0; i < s.frames; ++i) f.one();
        break;
      case ScriptStep::Kind::Inject: app.ui.inject(s.action); break;
      case ScriptStep::Kind::Save: app.ui.push(Command::Kind::Save, s.text); break;
      case ScriptStep::Kind::Screenshot: {
        auto format = image_format(s.text);
        if (!format) {
          err << "maillab viz: " << where << s.text << ": name a PNG (.png) or JPEG (.jpg, .jpeg) file\n";
          return 2;
        }
        f.one();
        new_frame(f.window, f.mouse);
        app.frame();
        render(f.renderer);
        if (!write_image(f.renderer, s.text, *format, err)) return 2;
        SDL_RenderPresent(f.renderer);
        break;
      }
      case ScriptStep::Kind::Print: {
        const Model& m = app.ctl.model;
        std::string v;
        if (s.text == "now") v = scenario::format_clock(app.ctl.session.now());
        else if (s.text == "status") v = app.ui.status.text;
        else if (s.text == "caption") v = gui::caption(app.ui, m);
        else if (s.text == "follow") v = app.ui.follow ? "on" : "off";
        else if (s.text == "packet") {
          if (const Arrow* a = gui::packet_arrow(app.ui, m)) {
            const PacketDetail d = packet_detail(*m.scenario, m.chart, *a, *m.trace, *m.packets);
            v = d.heading + " | " + d.rfc + " | " + d.state_before + " -> " + d.state_after + " | " +
                (d.found ? d.packets.back() : "no packet");
          }
        }
        else if (app.ui.selected_journey >= 0 && app.ui.selected_journey < static_cast<int>(m.journeys.size()))
          v = m.journeys[app.ui.selected_journey].journey.subject + " | " + m.journeys[app.ui.selected_journey].where_now;
        for (char& c : v)
          if (c == '\n') c = ' ';
        out << s.text << ": " << v << "\n";
        break;
      }
    }
    f.one();
    f.one();
  }
  return 0;
}

int run_viz(const VizOptions& opt, std::ostream& out, std::ostream& err) {
  const bool headless = !opt.screenshot.empty() || !opt.script.empty();
  const std::optional<ImageFormat> format = image_format(opt.screenshot);
  if (!opt.screenshot.empty() && !format) {
    err << "maillab viz: --screenshot: " << opt.screenshot
        << ": name a PNG (.png) or JPEG (.jpg, .jpeg) file\n";
    return 2;
  }
  std::vector<ScriptStep> steps;
  if (!opt.script.empty()) {
    std::ifstream f(opt.script, std::ios::binary);
    std::ostringstream text;
    text << f.rdbuf();
    std::string error;
    auto parsed = f ? parse_script(text.str(), opt.script, &error) : std::nullopt;
    if (!parsed) {
      err << "maillab viz: --script: " << (f ? error : opt.script + ": cannot read it") << "\n";
      return 2;
    }
    steps = std::move(*parsed);
  }
  App app;
  std::string error;
  if (!app.ctl.start(opt, &error)) {
    err << error << "\n";
    return 2;
  }
  if (!init_sdl(headless, err)) return 2;
  Uint32 flags = SDL_WINDOW_ALLOW_HIGHDPI | (headless ? SDL_WINDOW_HIDDEN : SDL_WINDOW_RESIZABLE);
  SDL_Window* window = SDL_CreateWindow("maillab viz", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED,
                                        opt.width, opt.height, flags);
  if (!window) {
    err << "maillab viz: cannot create a window: " << SDL_GetError() << "\n";
    SDL_Quit();
    return 2;
  }
  SDL_Renderer* renderer =
      headless ? SDL_CreateRenderer(window, -1, SDL_RENDERER_SOFTWARE)
               : SDL_CreateRenderer(window, -1, SDL_RENDERER_PRESENTVSYNC | SDL_RENDERER_ACCELERATED);
  if (!renderer) renderer = SDL_CreateRenderer(window, -1, SDL_RENDERER_SOFTWARE);
  if (!renderer) {
    err << "maillab viz: cannot create a renderer: " << SDL_GetError() << "\n";
    SDL_DestroyWindow(window);
    SDL_Quit();
    return 2;
  }
  app.ui.scale = opt.scale;
  app.ui.layout.presentation = opt.presentation;
  setup_imgui(opt.scale);
  float applied_scale = opt.scale;
  ImGui_ImplSDL2_InitForSDLRenderer(window);
  ImGui_ImplSDLRenderer_Init(renderer);

  int code = 0;
  Frames frames{app, window, renderer, applied_scale, {}};
  if (!opt.script.empty()) code = run_script(frames, steps, opt.script, out, err);
  if (headless && !opt.screenshot.empty() && code == 0) {
    // A few frames: windows lay out, the timeline scrolls to the present, then the picture.
    for (int i = 0; i < 4; ++i) {
      new_frame(window);
      app.frame();
      render(renderer);
      if (i == 3 && !write_image(renderer, opt.screenshot, *format, err)) code = 2;
      SDL_RenderPresent(renderer);
    }
  } else if (!headless) {
    Uint64 last = SDL_GetTicks64();
    while (!app.ctl.quit) {
      SDL_Event event;
      bool got = app.ui.playing ? SDL_PollEvent(&event) : SDL_WaitEventTimeout(&event, 100);
      while (got) {
        ImGui_ImplSDL2_ProcessEvent(&event);
        if (event.type == SDL_QUIT) app.ctl.quit = true;
        if (event.type == SDL_WINDOWEVENT && event.window.event == SDL_WINDOWEVENT_CLOSE &&
            event.window.windowID == SDL_GetWindowID(window))
          app.ctl.quit = true;
        got = SDL_PollEvent(&event);
      }
      Uint64 now = SDL_GetTicks64();
      app.ctl.advance(static_cast<double>(now - last) / 1000.0);
      last = now;
      frames.one();
    }
  }
  ImGui_ImplSDLRenderer_Shutdown();
  ImGui_ImplSDL2_Shutdown();
  ImGui::DestroyContext();
  SDL_DestroyRenderer(renderer);
  SDL_DestroyWindow(window);
  SDL_Quit();
  return code;
}

}  // namespace maillab::viz
