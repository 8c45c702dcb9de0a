// viz::SequenceChart: the run drawn as a message sequence chart (OMNeT++'s sequence chart,
// UML's sequence diagram), computed from the trace alone, the same way for the SVG export
// and the visualiser's Timeline panel.
//
// - One lane per host, in lane_order (host_roles.hpp): along the path mail takes, from the
//   scenario alone, so the lanes never move while a run plays, steps or rewinds.
// - An exchange (SMTP or POP3 command + reply, DNS query + answer) is two arrows: the
//   command from the client at its send time to the server when it arrives, the reply from
//   the server back to the client. The trace records the server's answer (`smtp.in`,
//   `pop3.in`) and the client's receipt of it (`smtp.out`, `pop3.out`); the command's send
//   time is not traced, so it is taken as the server time minus the reply's travel time
//   (paths are symmetric in the lab). A connection is a `connect` arrow answered by the
//   greeting; a failed connect is a dashed arrow ending in a cross. An SMTP exchange after
//   the server's `tls.established` on that connection is encrypted (a lock on the arrow).
// - Marks are point events on one lane (compose, queued, deferred with its next retry,
//   delivered into a mailbox, bounced, host down/up, ...). Bars show how long a message
//   sits in a host's queue (blue while active, amber while deferred).
// - Several items at the same time on the same lane get successive `slot`s, so pipelined
//   commands (MAIL, RCPT, DATA sent at once) are drawn one below the other.
// Invariant: the chart is a pure function of (scenario, trace, end): same run, same chart.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "scenarios/model.hpp"
#include "sim/trace_recorder.hpp"

namespace maillab::viz {

using Time = std::int64_t;  // simulated nanoseconds

// How an exchange ended, for colours: 2xx/+OK/DNS answer, 3xx, 4xx/deferral/temporary DNS
// failure, 5xx/-ERR/bounce/NXDOMAIN, timeout or lost, and neutral (informative).
enum class Outcome { Ok, Intermediate, Transient, Permanent, Timeout, Neutral };
const char* outcome_name(Outcome o);  // "ok", "intermediate", ...

struct Lane {
  std::string host;
  std::string address;
  std::vector<std::string> roles;  // host_roles()
  struct Down { Time from, to; };
  std::vector<Down> down;          // intervals the host was down (to = chart end if open)
};

enum class ArrowKind { Command, Reply, Connect, ConnectFailed, Lost };

struct Arrow {
  ArrowKind kind = ArrowKind::Command;
  std::string protocol;  // "SMTP", "POP3", "IMAP", "DNS"
  int from = 0, to = 0;  // lane indexes
  Time t_from = 0, t_to = 0;
  int slot_from = 0, slot_to = 0;
  // The part of the way drawn: below 1 for a packet still in flight at the chart's end
  // (t_to is then the end, and the arrow stops between the lanes).
  double reach = 1.0;
  std::string label;     // short text drawn on the arrow
  std::string detail;    // the full story, for hover / <title>
  Outcome outcome = Outcome::Neutral;
  std::string queue_id;  // the client MTA's queue id, when the trace gives it
  std::size_t trace_index = 0;  // the trace event this arrow comes from
  // SMTP / POP3: the server's record of the exchange (smtp.in, pop3.in), for the command
  // and the reply alike; npos otherwise.
  std::size_t server_index = static_cast<std::size_t>(-1);
  // The exchange ran inside TLS (after the server's tls.established on its connection):
  // drawn with a lock; `tls` is the handshake's record (version, cipher, SNI).
  bool encrypted = false;
  std::string tls;
};

struct Mark {
  int lane = -1;  // -1: not a host (a fault on a router link): drawn in the time axis
  Time t = 0;
  int slot = 0;
  std::string label;
  std::string detail;
  Outcome outcome = Outcome::Neutral;
  std::string event;  // the trace event name
  std::size_t trace_index = 0;
};

// A message in a host's queue (from queue.enqueued to queue.removed or the chart's end).
struct Bar {
  int lane = 0;
  int column = 0;      // side by side when several messages are queued at once
  Time from = 0, to = 0;
  bool deferred = false;
  std::string queue_id;
  std::string subject;
};

struct SequenceChart {
  std::string title;  // "id: title"
  Time end = 0;
  std::vector<Lane> lanes;
  std::vector<Arrow> arrows;
  std::vector<Mark> marks;
  std::vector<Bar> bars;

  int lane_of(const std::string& host) const;  // -1 when unknown
};

// `end`: the time the run reached (the scenario's duration, --until, or the visualiser's
// current time); trace events after it are ignored.
SequenceChart build_sequence_chart(const scenario::Scenario& s,
                                   const std::vector<sim::TraceEvent>& trace, Time end);

}  // namespace maillab::viz
