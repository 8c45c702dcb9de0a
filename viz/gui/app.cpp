#include "viz/gui/app.hpp"

#include <SDL.h>
#include <imgui.h>
#include <imgui_impl_sdl.h>
#include <imgui_impl_sdlrenderer.h>
#include <stb_image_write.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <ostream>
#include <vector>

#include "scenarios/runner.hpp"
#include "viz/gui/controller.hpp"
#include "viz/gui/controls_panel.hpp"
#include "viz/gui/fonts.hpp"
#include "viz/gui/inspector_panel.hpp"
#include "viz/gui/model.hpp"
#include "viz/gui/queues_panel.hpp"
#include "viz/gui/scenario_panel.hpp"
#include "viz/gui/session.hpp"
#include "viz/gui/timeline_layout.hpp"
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

  void frame() {
    ctl.refresh();
    const Model& model = ctl.model;
    ImVec2 d = ImGui::GetIO().DisplaySize;
    const float status_h = ImGui::GetFrameHeightWithSpacing() + 6;
    d.y -= status_h;
    const gui::Columns cols = gui::default_columns(d.x);
    const float left = cols.left, right = cols.right, centre = cols.centre;
    float top = std::min(330.0f, d.y * 0.4f), mid = std::min(210.0f, d.y * 0.25f);
    auto place = [](float x, float y, float w, float h) {
      ImGui::SetNextWindowPos(ImVec2(x, y), ImGuiCond_Always);
      ImGui::SetNextWindowSize(ImVec2(w, h), ImGuiCond_Always);
    };
    place(0, 0, left, top);
    controls.draw(model);
    place(0, top, left, mid);
    scenario.draw(model);
    place(0, top + mid, left, d.y - top - mid);
    queues.draw(model);
    place(left, 0, centre, d.y);
    timeline.draw(model);
    place(left + centre, 0, right, d.y * 0.45f);
    topology.draw(model);
    place(left + centre, d.y * 0.45f, right, d.y * 0.55f);
    inspector.draw(model);
    place(0, d.y, d.x, status_h);
    status_bar(model);
    keys();
  }

  // Keys (unless a text field has them): F follows the message the inspector shows (or
  // stops), Right / Left its next / previous step while following, Escape stops.
  void keys() {
    const ImGuiIO& io = ImGui::GetIO();
    if (io.WantTextInput || !ctl.model.loaded) return;
    // imgui 1.86's SDL backend keeps keys by SDL scancode.
    auto pressed = [](SDL_Scancode k, bool repeat = true) { return ImGui::IsKeyPressed(k, repeat); };
    if (pressed(SDL_SCANCODE_F, false))
      ui.push_t(Command::Kind::kFollow, ui.follow ? -1 : std::max(0, ui.selected_journey));
    if (pressed(SDL_SCANCODE_ESCAPE, false) && ui.follow) ui.push_t(Command::Kind::kFollow, -1);
    if (ui.follow && pressed(SDL_SCANCODE_RIGHT)) ui.push_t(Command::Kind::kMessageStep, 1);
    if (ui.follow && pressed(SDL_SCANCODE_LEFT)) ui.push_t(Command::Kind::kMessageStep, -1);
  }

  // Always in sight: where the run is, and what the last command did or why it failed.
  void status_bar(const Model& m) {
    ImGui::Begin("##status", nullptr, ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                                          ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoFocusOnAppearing);
    if (m.loaded) {
      ImGui::TextDisabled("%s  %s / %s%s", m.id.c_str(), scenario::format_clock(m.now).c_str(),
                          scenario::format_clock(m.duration).c_str(), ui.playing ? "  playing" : "");
      ImGui::SameLine();
    }
    if (!ui.status.text.empty()) {
      ImGui::TextColored(ui.status.error ? ImVec4(0.75f, 0.12f, 0.12f, 1) : ImVec4(0.1f, 0.3f, 0.6f, 1), "%s",
                         ui.status.text.c_str());
    }
    ImGui::End();
  }
};

void setup_imgui() {
  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;  // the layout is fixed; nothing to remember
  ImGui::StyleColorsLight();
  ImGuiStyle& style = ImGui::GetStyle();
  style.WindowRounding = 0;
  style.FrameRounding = 3;
  gui::add_fonts(*io.Fonts, 1);
}

void render(SDL_Renderer* r) {
  ImGui::Render();
  SDL_SetRenderDrawColor(r, 230, 232, 236, 255);
  SDL_RenderClear(r);
  ImGui_ImplSDLRenderer_RenderDrawData(ImGui::GetDrawData());
}

void new_frame(SDL_Window* w) {
  ImGui_ImplSDLRenderer_NewFrame();
  ImGui_ImplSDL2_NewFrame(w);
  ImGui::NewFrame();
}

enum class ImageFormat { kPng, kJpeg };

// The screenshot's format, from its name's extension (any case): .png, .jpg or .jpeg.
std::optional<ImageFormat> image_format(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (ext == ".png") return ImageFormat::kPng;
  if (ext == ".jpg" || ext == ".jpeg") return ImageFormat::kJpeg;
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
  bool ok = format == ImageFormat::kPng
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

int run_viz(const VizOptions& opt, std::ostream& err) {
  const bool headless = !opt.screenshot.empty();
  const std::optional<ImageFormat> format = image_format(opt.screenshot);
  if (headless && !format) {
    err << "maillab viz: --screenshot: " << opt.screenshot
        << ": name a PNG (.png) or JPEG (.jpg, .jpeg) file\n";
    return 2;
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
  setup_imgui();
  ImGui_ImplSDL2_InitForSDLRenderer(window);
  ImGui_ImplSDLRenderer_Init(renderer);

  int code = 0;
  if (headless) {
    // A few frames: windows lay out, the timeline scrolls to the present, then the picture.
    for (int i = 0; i < 4; ++i) {
      new_frame(window);
      app.frame();
      render(renderer);
      if (i == 3 && !write_image(renderer, opt.screenshot, *format, err)) code = 2;
      SDL_RenderPresent(renderer);
    }
  } else {
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
      new_frame(window);
      app.frame();
      render(renderer);
      SDL_RenderPresent(renderer);
      app.ctl.apply_commands();
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
