// viz "save as scenario": the scenario file the user started from, with the faults injected
// in the visualiser appended to its `events` as ordinary scenario events, so the run can be
// replayed with `maillab run` and shared.
//
// The original text is kept as written (comments, zone blocks, key order): the new items
// are inserted at the end of the top-level block `events:` with the indentation of its
// existing items (or a new `events:` block is added). The result is loaded back with the
// scenario loader before it is returned, so what is saved always loads.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scenarios/model.hpp"

namespace maillab::viz {

// One event as a flow mapping: "{at: 25m, down: mx1.b.example}", "{at: 1h, cut: [a, b]}".
// Every action of scenario-format.md "events" (scenario::Action): send, fetch, down/up,
// refuse/accept, cut/heal, loss, disk_full/disk_ok, flush, dns_set, idle and
// strip_starttls/unstrip_starttls; text fields quoted so they load back unchanged.
std::optional<std::string> event_yaml(const scenario::Event& e);

// The scenario `text` with `events` appended; `new_id` (if not empty) replaces the
// top-level `scenario:` id and `comment` (if not empty) is put on top as `# comment`.
// nullopt with *error when the text cannot be extended or the result does not load.
std::optional<std::string> append_events(std::string_view text,
                                         const std::vector<scenario::Event>& events,
                                         const std::string& new_id, const std::string& comment,
                                         std::string* error);

// An id for a saved file: its stem if that is a valid id ([a-z0-9-]+), else "".
std::string id_from_path(const std::string& path);

}  // namespace maillab::viz
