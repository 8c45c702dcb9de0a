#include "viz/gui/fonts.hpp"

#include <cmath>
#include <filesystem>

namespace maillab::viz::gui {

namespace {

// Glyphs beyond ASCII the panels use: Latin-1, punctuation (... ' "), arrows, math (the
// gap mark), box shapes, dingbats (envelope, check, cross, scissors).
const ImWchar kGlyphs[] = {0x0020, 0x00FF, 0x2010, 0x206F, 0x2190, 0x21FF, 0x2200, 0x22FF,
                           0x2300, 0x23FF, 0x25A0, 0x25FF, 0x2700, 0x27BF, 0xFFFD, 0xFFFD, 0};

const char* const kFonts[] = {"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
                              "/usr/share/fonts/TTF/DejaVuSans.ttf",
                              "/usr/share/fonts/dejavu/DejaVuSans.ttf"};

}  // namespace

bool add_fonts(ImFontAtlas& atlas, float scale) {
  for (const char* f : kFonts) {
    if (std::filesystem::exists(f) && atlas.AddFontFromFileTTF(f, kPanelFontPx * scale, nullptr, kGlyphs)) {
      atlas.AddFontFromFileTTF(f, kChartFontPx * scale, nullptr, kGlyphs);
      return true;
    }
  }
  ImFontConfig config;
  config.SizePixels = std::round(13.0f * scale);
  atlas.AddFontDefault(&config);
  return false;
}

ImFont* chart_font(ImFontAtlas& atlas) {
  return atlas.Fonts.Size > 1 ? atlas.Fonts[1] : atlas.Fonts.Size == 1 ? atlas.Fonts[0] : nullptr;
}

std::function<double(std::string_view)> text_measure(ImFont* font) {
  return [font](std::string_view s) -> double {
    if (!font || s.empty()) return 0;
    ImVec2 size = font->CalcTextSizeA(font->FontSize, 1e9f, 0.0f, s.data(), s.data() + s.size());
    return std::floor(size.x + 0.99999f);
  };
}

OffscreenFonts::OffscreenFonts(float scale) {
  previous_ = ImGui::GetCurrentContext();
  context_ = ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  dejavu_ = add_fonts(*io.Fonts, scale);
  io.Fonts->Build();
  font_ = chart_font(*io.Fonts);
  ImGui::SetCurrentContext(previous_);
}

OffscreenFonts::~OffscreenFonts() { ImGui::DestroyContext(context_); }

}  // namespace maillab::viz::gui
