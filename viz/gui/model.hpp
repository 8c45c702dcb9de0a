// viz::Model: what the panels draw, computed from the Session (and so from a World) at its
// current time. Panels only read it; they ask for changes through Ui commands (ui.hpp).
//
// The trace-derived parts (chart, journeys, hosts and their queues, cut links) are rebuilt
// when the session moves; packets in flight depend on the exact current time. Queues and
// links come from the trace's fields (docs/trace.md), not from the hosts' disks.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "viz/journey.hpp"
#include "viz/message_path.hpp"
#include "viz/queue_view.hpp"
#include "viz/sequence_chart.hpp"
#include "viz/text_timeline.hpp"
#include "viz/topology_layout.hpp"

namespace maillab::viz {

class Session;

struct HostView {
  std::string name, address;
  std::vector<std::string> roles;
  bool up = true;
  bool has_mta = false;
  bool disk_full = false;
  int incoming = 0, active = 0, deferred = 0, hold = 0;
  std::vector<QueuedMessage> queue;   // from the trace, sorted by arrival
  std::size_t mailbox_messages = 0;   // messages in its mailboxes now
};

struct PacketInFlight {
  int from = -1, to = -1;  // topology node indexes
  double fraction = 0;     // 0 at the sender, 1 at the receiver
  std::string protocol;    // "SMTP", "POP3", "DNS", "TCP"
  std::string text;        // first line of the payload or the TCP flags
  bool dropped = false;
};

struct JourneyView {
  Journey journey;
  MessagePath path;       // every event of its way so far (message_path.hpp), its DSN's too
  std::string where_now;  // "delivered ...", "deferred on mx2 until ...", "downloaded by ..."
  std::string content;    // the message as last seen (delivered copy, queue file, or draft)
  std::string content_source;
};

struct BuiltinInfo {
  std::string name, title, description;
};

struct Model {
  bool loaded = false;
  std::uint64_t revision = 0;  // changes with every rebuild of the trace-derived parts
  std::string id, title, description, source;
  std::uint64_t seed = 1;
  Time now = 0, duration = 0;
  std::size_t trace_events = 0;
  const std::vector<sim::TraceEvent>* trace = nullptr;  // the session's; valid while drawing
  const scenario::Scenario* scenario = nullptr;         // likewise
  const std::vector<RecordedPacket>* packets = nullptr;  // likewise: every packet so far

  SequenceChart chart;
  std::vector<TimelineLine> lines;  // the text timeline so far (the caption line)
  std::vector<HostView> hosts;  // scenario order
  std::vector<std::string> routers;
  Topology topology;
  std::vector<std::pair<std::string, std::string>> cuts;  // pairs cut now
  std::vector<PacketInFlight> in_flight;
  std::vector<JourneyView> journeys;
  std::vector<std::string> injected;  // the injected events as YAML
  std::vector<BuiltinInfo> builtins;

  const HostView* host(const std::string& name) const;
  // The message whose way holds trace event `i` (the first such), or -1.
  int journey_of_event(std::size_t i) const;
  // The trace index a journey is known by across replays (its first event).
  static std::size_t first_event(const Journey& j);
};

// Updates `m` from the session: everything when the session's revision changed, the
// packets in flight always.
void update_model(Model& m, Session& session);

// The built-in scenarios with their titles and descriptions (for the picker), in the
// teaching order of docs/scenarios/README.md (a test checks they agree); a scenario the
// list does not name comes last, by name.
std::vector<BuiltinInfo> builtin_infos();
inline constexpr std::string_view kFirstScenario = "full-journey";

}  // namespace maillab::viz
