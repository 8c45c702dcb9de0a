// viz::to_svg: the sequence chart as one standalone SVG 1.1 document (`maillab run --svg`).
//
// Lanes with the host name, its address and roles on top; arrows with the command or reply
// text, coloured by outcome (chart_style.hpp); queue bars beside the lanes; down intervals
// shaded; idle gaps of the nonlinear time axis as grey bands marked with their length.
// Labels go where the chart layout put them (chart_layout.hpp: they never overlap), on
// top of every line, each on a white halo.
// Every element has a <title> with the full trace lines, which browsers show on hover.
// Invariants: well-formed XML whatever the trace holds (text is sanitised to UTF-8 and
// escaped), and the same bytes for the same chart (no locale, no clock, fixed decimals).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "viz/chart_layout.hpp"
#include "viz/sequence_chart.hpp"

namespace maillab::viz {

struct SvgOptions {
  std::optional<std::uint64_t> seed;  // shown in the subtitle
};

std::string to_svg(const SequenceChart& chart, const SvgOptions& opt = {});

// The layout the SVG is drawn with (its lane spacing, its 11 px monospace labels).
LayoutParams svg_layout_params();

}  // namespace maillab::viz
