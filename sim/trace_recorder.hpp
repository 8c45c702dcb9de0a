// sim::TraceRecorder: the run's record of what happened, one event per line of JSON
// (cli.md --trace): {"t_ns":..., "host":..., "agent":..., "event":..., <fields>...}.
// Records are kept in memory in the order they happen; the same scenario and seed give the
// same records, byte for byte (the determinism test compares to_jsonl() of two runs).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/json.hpp"
#include "sim/time.hpp"

namespace maillab::sim {

struct TraceEvent {
  Time t_ns = 0;
  std::string host;
  std::string agent;  // MUA, MSA, MTA, MDA, MRA, DNS, NET
  std::string event;
  std::vector<std::pair<std::string, std::string>> fields;

  // The value of field `key`, or "" when absent.
  const std::string& get(std::string_view key) const;
};

class TraceRecorder {
 public:
  void record(TraceEvent e) {
    if (!enabled_) return;
    events_.push_back(std::move(e));
    if (observer_) observer_(events_.back());
  }
  // Called with every event as it is recorded (chaos arms faults on what happens).
  void set_observer(std::function<void(const TraceEvent&)> fn) { observer_ = std::move(fn); }
  const std::vector<TraceEvent>& events() const { return events_; }
  void set_enabled(bool on) { enabled_ = on; }
  bool enabled() const { return enabled_; }
  // Forgets the events recorded so far (a long `serve` that already wrote them out).
  void clear() { events_.clear(); }

  static std::string to_json(const TraceEvent& e);
  std::string to_jsonl() const;

 private:
  std::vector<TraceEvent> events_;
  std::function<void(const TraceEvent&)> observer_;
  bool enabled_ = true;
};

// JSON string escaping (RFC 8259 7), shared with every layer that writes JSON: base/json.hpp.
using base::json_escape;

}  // namespace maillab::sim
