#include "sim/trace_recorder.hpp"

namespace maillab::sim {

const std::string& TraceEvent::get(std::string_view key) const {
  static const std::string kEmpty;
  for (const auto& [k, v] : fields) {
    if (k == key) return v;
  }
  return kEmpty;
}

std::string TraceRecorder::to_json(const TraceEvent& e) {
  std::string out = "{\"t_ns\":" + std::to_string(e.t_ns) + ",\"host\":\"" + json_escape(e.host) +
                    "\",\"agent\":\"" + json_escape(e.agent) + "\",\"event\":\"" +
                    json_escape(e.event) + "\"";
  for (const auto& [k, v] : e.fields) {
    out += ",\"" + json_escape(k) + "\":\"" + json_escape(v) + "\"";
  }
  out += "}";
  return out;
}

std::string TraceRecorder::to_jsonl() const {
  std::string out;
  for (const auto& e : events_) {
    out += to_json(e);
    out += '\n';
  }
  return out;
}

}  // namespace maillab::sim
