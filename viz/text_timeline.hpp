// viz::text_timeline: the run as text for people, one line per exchange (`maillab viz
// SCENARIO --text`), read from the trace like the chart:
// - an SMTP or POP3 exchange is one line, the server's side ("pc.alice: MAIL FROM:<...>
//   => 250 2.1.0 Ok"); the client's view only where it differs (a reply that never arrived,
//   a client record with no server record); a connection is "X connects to :25 => 220 ...",
//   a failed one says why and after how long;
// - a DNS lookup is one line, at the answer ("? b.example MX -> ns.example => answer: ...");
// - the queue speaks as Postfix logs: "394E690Q1: to=<bob@b.example>, relay=mx2.b.example
//   [192.0.2.22]:25, status=sent (250 2.0.0 Ok: queued as 56009A0Q1)", `relay=none` when no
//   server was reached, `relay=local` for the mailbox; retry times as simulated times;
// - hosts by name, never by address;
// - with the run's packets: each one the network lost and each retransmission (NET);
// - at the end, one summary per message: composed, submitted, each hop, delivered or
//   bounced, downloaded, when.
// Filters: --host H keeps the lines H takes part in (either end); --message ID the way of
// the message a Message-ID or a queue id names (message_path.hpp), with its DSN.
// Every line passes message::terminal_safe: what a peer sent never reaches the terminal raw.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "scenarios/model.hpp"
#include "sim/trace_recorder.hpp"
#include "viz/pcap_recorder.hpp"
#include "viz/sequence_chart.hpp"

namespace maillab::viz {

struct TextTimelineOptions {
  std::string host;                   // "" = every host
  std::string message;                // "" = every message
  std::optional<std::uint64_t> seed;  // for the heading (default: the scenario's)
};

// One line of the timeline, for the visualiser's caption: what happened at `t`, told as
// the text timeline tells it (`text`, without time, host and agent), from trace event
// `event`.
struct TimelineLine {
  Time t = 0;
  std::string host, agent, text;
  std::size_t event = 0;
};
std::vector<TimelineLine> timeline_lines(const scenario::Scenario& s, const std::vector<sim::TraceEvent>& trace,
                                         Time end);

// The text, or std::nullopt with *error when --host or --message names nothing.
std::optional<std::string> text_timeline(const scenario::Scenario& s, const std::vector<sim::TraceEvent>& trace,
                                         const std::vector<RecordedPacket>* packets, Time end,
                                         const TextTimelineOptions& opt, std::string* error);

}  // namespace maillab::viz
