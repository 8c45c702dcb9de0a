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

// Everything the window shows, and the commands that change it.
struct App {
  Session session;
  Ui ui;
  Model model;
  ControlsPanel controls{ui};
  ScenarioPanel scenario{ui};
  QueuesPanel queues{ui};
  TimelinePanel timeline{ui};
  TopologyPanel topology{ui};
  InspectorPanel inspector{ui};
  bool quit = false;

  void frame() {
    update_model(model, session);
    ImVec2 d = ImGui::GetIO().DisplaySize;
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
  }

  void open(const std::string& arg) {
    std::string error;
    if (!session.open(arg, &error)) {
      ui.status = error;
      return;
    }
    model = Model{};
    ui.selected_journey = -1;
    ui.selected_host.clear();
    ui.selected_peer.clear();
    ui.playing = false;
    ui.follow_now = true;
    ui.show_picker = false;
    ui.status = "opened " + session.scenario().id;
  }

  void apply_commands() {
    std::vector<Command> cmds;
    cmds.swap(ui.commands);
    for (auto& c : cmds) {
      switch (c.kind) {
        case Command::Kind::kPlay:
          if (session.now() >= session.duration()) session.run_to(0);
          ui.playing = true;
          ui.follow_now = true;
          break;
        case Command::Kind::kPause: ui.playing = false; break;
        case Command::Kind::kStep:
          ui.playing = false;
          ui.follow_now = true;
          if (!session.step()) ui.status = "the end of the scenario";
          break;
        case Command::Kind::kJump: session.run_to(std::clamp<Time>(c.t, 0, session.duration())); break;
        case Command::Kind::kInject:
          session.inject(c.action);
          ui.status = "injected " + event_yaml(session.injected().back()).value_or("?");
          break;
        case Command::Kind::kSave: {
          std::string error;
          ui.status = session.save(c.text, &error) ? "saved " + c.text + " (maillab run " + c.text + ")"
                                                   : error;
          break;
        }
        case Command::Kind::kOpen: open(c.text); break;
        case Command::Kind::kQuit: quit = true; break;
      }
    }
  }

  // Play: simulated time follows the wall clock times the speed.
  void advance(double real_seconds) {
    if (!ui.playing || !session.loaded()) return;
    double ns = real_seconds * std::pow(10.0, ui.speed_log10) * 1e9;
    Time target = session.now() + std::max<Time>(1, static_cast<Time>(ns));
    if (target >= session.duration()) {
      target = session.duration();
      ui.playing = false;
    }
    session.run_to(target);
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
  if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_TIMER) == 0) return true;
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
  if (!opt.scenario.empty()) {
    std::string error;
    if (!app.session.open(opt.scenario, &error)) {
      err << error << "\n";
      return 2;
    }
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
    app.ui.show_picker = opt.scenario.empty();
    if (app.session.loaded()) app.session.run_to(std::clamp<Time>(opt.at.value_or(0), 0, app.session.duration()));
    app.ui.selected_journey = opt.message;
    // A few frames: windows lay out, the timeline scrolls to the present, then the picture.
    for (int i = 0; i < 4; ++i) {
      new_frame(window);
      app.frame();
      render(renderer);
      if (i == 3 && !write_image(renderer, opt.screenshot, *format, err)) code = 2;
      SDL_RenderPresent(renderer);
    }
  } else {
    app.ui.show_picker = opt.scenario.empty();
    Uint64 last = SDL_GetTicks64();
    while (!app.quit) {
      SDL_Event event;
      bool got = app.ui.playing ? SDL_PollEvent(&event) : SDL_WaitEventTimeout(&event, 100);
      while (got) {
        ImGui_ImplSDL2_ProcessEvent(&event);
        if (event.type == SDL_QUIT) app.quit = true;
        if (event.type == SDL_WINDOWEVENT && event.window.event == SDL_WINDOWEVENT_CLOSE &&
            event.window.windowID == SDL_GetWindowID(window))
          app.quit = true;
        got = SDL_PollEvent(&event);
      }
      Uint64 now = SDL_GetTicks64();
      app.advance(static_cast<double>(now - last) / 1000.0);
      last = now;
      new_frame(window);
      app.frame();
      render(renderer);
      SDL_RenderPresent(renderer);
      app.apply_commands();
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
