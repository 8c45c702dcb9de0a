// viz::packet_detail: what the visualiser's packet pane shows for one arrow of the chart,
// Wireshark's middle pane for the lab's own events: the exact bytes that crossed the
// virtual network for that command or reply (the TCP segment that carried them, found
// among the run's recorded packets), a DNS message decoded field by field, the SYNs of a
// connect; which RFC section governs it (the engines' own command tables); and the server
// session's state before and after (RFC 5321 3.3, 4.1.4; RFC 1939 3).
// Invariants: the bytes are shown escaped (CR as \r, LF as \n and a line break, other
// controls and non-ASCII as \xNN), at most kMaxShown of them; nothing here touches the run.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "scenarios/model.hpp"
#include "sim/trace_recorder.hpp"
#include "viz/pcap_recorder.hpp"
#include "viz/sequence_chart.hpp"

namespace maillab::viz {

struct PacketDetail {
  std::string heading;               // "SMTP command MAIL FROM:<a@a.example>: mail.a.example -> mx.b.example"
  std::vector<std::string> packets;  // one line per segment / datagram: "TCP 192.0.2.10:49152 -> ... 34 bytes"
  std::string bytes;                 // the payload, escaped (see above); "" for a bare SYN
  std::vector<std::string> fields;   // a DNS message, decoded: "id 1", "flags qr rd ra", "answer ..."
  std::string rfc;                   // "RFC 5321 4.1.1.2, 4.1.4"
  std::string state_before, state_after;  // the server session's, "" when not a session
  bool found = false;                // the packets were found among the recorded ones
};

inline constexpr std::size_t kMaxShown = 4096;

// `payload` as the pane shows it.
std::string escape_bytes(const std::string& payload);

PacketDetail packet_detail(const scenario::Scenario& s, const SequenceChart& chart, const Arrow& a,
                           const std::vector<sim::TraceEvent>& trace, const std::vector<RecordedPacket>& packets);

}  // namespace maillab::viz
