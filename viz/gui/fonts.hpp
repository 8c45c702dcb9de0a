// The visualiser's fonts: DejaVu Sans when the system has it (fonts-dejavu-core), else
// ImGui's built-in font. Font 0 for the panels, font 1 (smaller) for the timeline's labels,
// both multiplied by the UI scale. The timeline's layout measures its labels with font 1,
// so the layout test (tests/viz/chart_layout_test.cpp) measures with the same font.
#pragma once

#include <imgui.h>

#include <functional>
#include <string_view>

namespace maillab::viz::gui {

constexpr float kPanelFontPx = 15;
constexpr float kChartFontPx = 13;

// Adds the two fonts to `atlas` at `scale`; false when only the built-in font was found.
bool add_fonts(ImFontAtlas& atlas, float scale);

// The chart's font in a context's atlas (font 1, or the only one).
ImFont* chart_font(ImFontAtlas& atlas);

// Width in px of a text in `font`, rounded up as ImGui::CalcTextSize does.
std::function<double(std::string_view)> text_measure(ImFont* font);

// The fonts in an ImGui context of their own, for measuring text without a window.
class OffscreenFonts {
 public:
  explicit OffscreenFonts(float scale = 1);
  ~OffscreenFonts();
  OffscreenFonts(const OffscreenFonts&) = delete;
  OffscreenFonts& operator=(const OffscreenFonts&) = delete;
  bool dejavu() const { return dejavu_; }
  std::function<double(std::string_view)> measure() const { return text_measure(font_); }

 private:
  ImGuiContext* previous_ = nullptr;
  ImGuiContext* context_ = nullptr;
  ImFont* font_ = nullptr;
  bool dejavu_ = false;
};

}  // namespace maillab::viz::gui
