// The colours and lengths the SVG export and the Timeline panel share, so both read alike:
// green 2xx / +OK / DNS answer, blue 3xx, amber 4xx / deferral, red 5xx / -ERR / bounce,
// grey timeout or lost, dark grey for neutral marks.
#pragma once

#include <cstdint>

#include "viz/sequence_chart.hpp"

namespace maillab::viz {

struct Rgb {
  std::uint8_t r, g, b;
};

constexpr Rgb outcome_rgb(Outcome o) {
  switch (o) {
    case Outcome::Ok: return {0x2e, 0x8b, 0x3a};
    case Outcome::Intermediate: return {0x2f, 0x6f, 0xd0};
    case Outcome::Transient: return {0xd9, 0x8c, 0x00};
    case Outcome::Permanent: return {0xd0, 0x30, 0x30};
    case Outcome::Timeout: return {0x8a, 0x8a, 0x8a};
    case Outcome::Neutral: return {0x44, 0x44, 0x44};
  }
  return {0x44, 0x44, 0x44};
}

constexpr Rgb kQueueActive{0x7a, 0xa6, 0xe6};
constexpr Rgb kQueueDeferred{0xf0, 0xb8, 0x4a};
constexpr Rgb kDown{0xd0, 0x30, 0x30};

// What each colour means, for legends.
struct LegendEntry {
  Outcome outcome;
  const char* text;
};
inline constexpr LegendEntry kLegend[] = {
    {Outcome::Ok, "2xx / +OK / DNS answer / delivered"},
    {Outcome::Intermediate, "3xx (go on)"},
    {Outcome::Transient, "4xx / refused / deferred"},
    {Outcome::Permanent, "5xx / -ERR / bounce / down"},
    {Outcome::Timeout, "timeout / lost"},
};

constexpr double kLaneSpacing = 250;  // px between lanes at zoom 1
constexpr double kCharWidth = 6.7;    // px per character of the 11 px monospace labels (6.62, rounded up)

}  // namespace maillab::viz
