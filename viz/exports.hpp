// The `maillab run` exports of the viz layer (--svg, --pcap), as RunOptions hooks: the
// pcap recorder is attached to the network in on_built (before the first event) and both
// files are written in on_finished.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "scenarios/runner.hpp"
#include "viz/text_timeline.hpp"

namespace maillab::viz {

// Writes the run's sequence chart as SVG; false with *error when the file cannot be written.
bool write_svg_file(const scenario::World& w, std::int64_t end_ns, std::optional<std::uint64_t> seed,
                    const std::string& path, std::string* error);

// `maillab viz SCENARIO --text`: runs the scenario (with the packet recorder, for losses
// and retransmissions) to `until` (default: its duration) and prints the text timeline.
// Exit code 0, or 2 with one line on err (a scenario that does not load, a filter that
// names nothing).
int print_text_timeline(const std::string& scenario, std::optional<std::int64_t> until,
                        const TextTimelineOptions& opt, std::ostream& out, std::ostream& err);

// Sets opt.on_built / opt.on_finished (chaining any hooks already there) to write the SVG
// and/or the pcap when the paths are not empty.
void add_export_hooks(scenario::RunOptions& opt, const std::string& svg_file,
                      const std::string& pcap_file);

}  // namespace maillab::viz
