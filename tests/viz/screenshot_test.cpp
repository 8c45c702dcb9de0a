// `maillab viz SCENARIO --screenshot FILE.png --at T` with no display: two scenarios at two
// times each give four PNGs that exist, are not blank and differ from each other.
#include <stb_image.h>

#include <set>

#include "viz_fixture.hpp"

namespace {

struct Image {
  int w = 0, h = 0;
  std::vector<unsigned char> rgba;
};

Image load_png(const std::string& path) {
  Image im;
  int n = 0;
  unsigned char* data = stbi_load(path.c_str(), &im.w, &im.h, &n, 4);
  if (!data) return im;
  im.rgba.assign(data, data + static_cast<std::size_t>(im.w) * im.h * 4);
  stbi_image_free(data);
  return im;
}

std::size_t distinct_colours(const Image& im) {
  std::set<std::uint32_t> colours;
  for (std::size_t i = 0; i + 3 < im.rgba.size(); i += 4)
    colours.insert((im.rgba[i] << 16) | (im.rgba[i + 1] << 8) | im.rgba[i + 2]);
  return colours.size();
}

double differing_fraction(const Image& a, const Image& b) {
  if (a.rgba.size() != b.rgba.size() || a.rgba.empty()) return 1;
  std::size_t diff = 0;
  for (std::size_t i = 0; i < a.rgba.size(); i += 4)
    diff += a.rgba[i] != b.rgba[i] || a.rgba[i + 1] != b.rgba[i + 1] || a.rgba[i + 2] != b.rgba[i + 2];
  return static_cast<double>(diff) / static_cast<double>(a.rgba.size() / 4);
}

}  // namespace

TEST_CASE("--screenshot: two scenarios at two times, without a display") {
  auto dir = viz_test::temp_dir("screenshots");
  struct Shot {
    std::string scenario, at;
  };
  const Shot shots[] = {{"basic-delivery", "1s100ms"},
                        {"basic-delivery", "10m"},
                        {viz_test::kData + "mx-failover.yaml", "12m"},
                        {viz_test::kData + "mx-failover.yaml", "2h"}};
  std::vector<Image> images;
  int k = 0;
  for (const auto& s : shots) {
    INFO("scenario " << s.scenario << " at " << s.at);
    auto png = (dir / ("shot" + std::to_string(k++) + ".png")).string();
    std::string out;
    // No DISPLAY: the command must choose SDL's offscreen (or dummy) driver itself.
    int rc = viz_test::shell("env -u DISPLAY -u WAYLAND_DISPLAY -u SDL_VIDEODRIVER '" + viz_test::kMaillab +
                                 "' viz '" + s.scenario + "' --screenshot '" + png + "' --at " + s.at +
                                 " --size 1280x800 2>&1",
                             &out);
    INFO(out);
    REQUIRE(rc == 0);
    Image im = load_png(png);
    REQUIRE(im.w == 1280);
    REQUIRE(im.h == 800);
    // Text, lines in six colours and anti-aliasing: far more than a blank or flat frame.
    CHECK(distinct_colours(im) > 200);
    images.push_back(std::move(im));
  }
  for (std::size_t i = 0; i < images.size(); ++i)
    for (std::size_t j = i + 1; j < images.size(); ++j) {
      INFO("shots " << i << " and " << j);
      CHECK(differing_fraction(images[i], images[j]) > 0.01);
    }
}

TEST_CASE("--screenshot: a scenario that does not load is one clear error, exit 2") {
  auto dir = viz_test::temp_dir("screenshot-error");
  std::string out;
  int rc = viz_test::shell("'" + viz_test::kMaillab + "' viz no-such-scenario --screenshot '" +
                               (dir / "x.png").string() + "' 2>&1",
                           &out);
  CHECK(rc == 2);
  CHECK(out.find("no-such-scenario") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir / "x.png"));
  rc = viz_test::shell("'" + viz_test::kMaillab + "' viz basic-delivery --screenshot '" +
                           (dir / "x.png").string() + "' --at 5parsecs 2>&1",
                       &out);
  CHECK(rc == 2);
}
