#include "viz/packet_detail.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <tuple>

#include "base/ascii.hpp"
#include "protocols/dns/message.hpp"
#include "protocols/io/trace_vocab.hpp"
#include "protocols/pop3/server_session.hpp"
#include "protocols/smtp/server_session.hpp"
#include "scenarios/runner.hpp"
#include "sim/time.hpp"

namespace maillab::viz {

namespace ev = io::trace::ev;
namespace key = io::trace::key;

namespace {

constexpr std::uint8_t kSyn = 0x02, kFin = 0x01, kRst = 0x04, kAck = 0x10;

std::string verb_of(const std::string& command) {
  return base::ascii_upper(std::string_view(command).substr(0, command.find(' ')));
}

std::string address_text(sim::Address a) {
  return std::to_string(a >> 24) + "." + std::to_string((a >> 16) & 0xFF) + "." + std::to_string((a >> 8) & 0xFF) + "." +
         std::to_string(a & 0xFF);
}

std::string flags_text(std::uint8_t f) {
  std::string out;
  for (auto [bit, name] : {std::pair{kSyn, "SYN"}, {kFin, "FIN"}, {kRst, "RST"}, {kAck, "ACK"}})
    if (f & bit) out += (out.empty() ? "" : " ") + std::string(name);
  return out;
}

std::string packet_line(const RecordedPacket& p) {
  const bool udp = p.protocol == sim::Protocol::Udp;
  std::string t = std::string(udp ? "UDP " : "TCP ") + address_text(p.src) + ":" + std::to_string(p.src_port) + " -> " +
                  address_text(p.dst) + ":" + std::to_string(p.dst_port) + "  sent " + scenario::format_clock(p.time);
  if (!udp) t += "  [" + flags_text(p.tcp_flags) + "] seq " + std::to_string(p.seq) + " ack " + std::to_string(p.ack);
  t += "  " + std::to_string(p.payload.size()) + " bytes";
  if (p.dropped) t += "  (lost on the way)";
  return t;
}

// The server session's state after one of its records, from the one before: the states of
// smtp::ServerSession (RFC 5321 3.3, 4.1.4) and pop3::ServerSession (RFC 1939 3).
std::string smtp_next(const std::string& state, const std::string& command, int code) {
  const std::string verb = verb_of(command);
  if (code == 421) return "closed";
  if (command.empty()) return code == 220 ? "connected" : code == 554 ? "rejected" : state;
  if (command == "<data>") return "ready";
  if (state == "auth") return code == 334 ? "auth" : "ready";
  if (code >= 400) return state;
  if (verb == "EHLO" || verb == "HELO" || verb == "RSET") return "ready";
  if (verb == "MAIL") return "mail";
  if (verb == "RCPT") return "rcpt";
  if (verb == "DATA") return code == 354 ? "data" : state;
  if (verb == "AUTH") return code == 334 ? "auth" : "ready";
  if (verb == "QUIT") return "closed";
  if (verb == "STARTTLS" && code == 220) return "connected";
  return state;
}

std::string pop3_next(const std::string& state, const std::string& command, const std::string& reply) {
  const std::string verb = verb_of(command);
  const bool ok = reply.rfind("+OK", 0) == 0;
  if (command.empty()) return ok ? "AUTHORIZATION" : "closed";
  if (verb == "QUIT") return state == "TRANSACTION" ? "UPDATE, then closed" : "closed";
  if (ok && state == "AUTHORIZATION" && (verb == "PASS" || verb == "APOP" || verb == "AUTH")) return "TRANSACTION";
  return state;
}

// Before and after the server's record `in`, replayed from the session's greeting: the
// records of that server from that client since then (two sessions of one client to one
// server at once would mix: the lab's clients open one at a time).
std::pair<std::string, std::string> session_states(const std::vector<sim::TraceEvent>& trace, std::size_t in) {
  const auto& e = trace[in];
  const bool pop3 = e.event == ev::kPop3In;
  auto same = [&](const sim::TraceEvent& o) {
    return o.event == e.event && o.host == e.host && o.get(key::kPeer) == e.get(key::kPeer);
  };
  std::size_t start = in;
  while (start > 0 && !(same(trace[start]) && trace[start].get(key::kCommand).empty())) --start;
  std::string state = "(not yet connected)", before = state;
  for (std::size_t i = start; i <= in; ++i) {
    if (!same(trace[i])) continue;
    const auto& r = trace[i];
    before = state;
    state = pop3 ? pop3_next(state, r.get(key::kCommand), r.get(key::kReply))
                 : smtp_next(state, r.get(key::kCommand), std::atoi(r.get(key::kCode).c_str()));
  }
  return {before, state};
}

std::string rfc_of(const Arrow& a, const std::string& command) {
  const bool pop3 = a.protocol == "POP3";
  if (a.protocol == "DNS") return "RFC 1035 4.1 (the message), 4.2.1 (over UDP)";
  if (a.kind == ArrowKind::Connect || a.kind == ArrowKind::ConnectFailed)
    return std::string("RFC 9293 3.5 (opening a connection); ") +
           (pop3 ? "RFC 1939 4 (the greeting)" : "RFC 5321 3.1 (session initiation)");
  if (command.empty()) return pop3 ? "RFC 1939 4 (the greeting)" : "RFC 5321 4.2, 3.1 (the greeting)";
  if (command == "<data>") return "RFC 5321 4.1.1.4 (the end of data), 4.5.2 (dot-stuffing)";
  std::string rfc(pop3 ? pop3::ServerSession::command_rfc(verb_of(command))
                       : smtp::ServerSession::command_rfc(verb_of(command)));
  if (rfc.empty()) rfc = pop3 ? "RFC 1939 3 (an unknown command: -ERR)" : "RFC 5321 4.2.4 (an unknown command: 500)";
  if (a.kind != ArrowKind::Command) rfc += pop3 ? "; RFC 1939 3 (+OK / -ERR)" : "; RFC 5321 4.2 (the reply)";
  return rfc;
}

void dns_fields(const std::string& wire, PacketDetail& d) {
  const auto r = dns::decode(wire);
  if (!r.header_ok()) {
    d.fields.push_back("not a DNS message: " + std::string(dns::to_string(r.error)));
    return;
  }
  const auto& m = r.message;
  std::string flags;
  for (auto [on, name] : {std::pair{m.qr, "qr"}, {m.aa, "aa"}, {m.tc, "tc"}, {m.rd, "rd"}, {m.ra, "ra"}})
    if (on) flags += std::string(flags.empty() ? "" : " ") + name;
  d.fields.push_back("id " + std::to_string(m.id) + "  " + (m.qr ? "response" : "query") + "  opcode " +
                     std::to_string(m.opcode) + "  rcode " + dns::to_string(m.rcode));
  d.fields.push_back("flags " + (flags.empty() ? std::string("(none)") : flags));
  for (const auto& q : m.questions)
    d.fields.push_back("question " + (q.name.empty() ? "." : q.name + ".") + " " + dns::class_to_string(q.klass) + " " +
                       dns::to_string(q.type));
  for (auto [section, records] : {std::pair{"answer", &m.answers}, {"authority", &m.authority},
                                  {"additional", &m.additional}})
    for (const auto& rr : *records) d.fields.push_back(std::string(section) + " " + rr.to_string());
  if (!r.ok()) d.fields.push_back("then: " + std::string(dns::to_string(r.error)) + " at octet " + std::to_string(r.offset));
}

}  // namespace

std::string escape_bytes(const std::string& payload) {
  std::string out;
  const std::size_t n = std::min(payload.size(), kMaxShown);
  for (std::size_t i = 0; i < n; ++i) {
    const auto c = static_cast<unsigned char>(payload[i]);
    if (c == '\r') out += "\\r";
    else if (c == '\n') out += "\\n\n";
    else if (c == '\\') out += "\\\\";
    else if (c >= 0x20 && c < 0x7F) out += static_cast<char>(c);
    else {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02X", c);
      out += hex;
    }
  }
  if (payload.size() > n) out += "\n... (" + std::to_string(payload.size() - n) + " more bytes)";
  return out;
}

PacketDetail packet_detail(const scenario::Scenario& s, const SequenceChart& chart, const Arrow& a,
                           const std::vector<sim::TraceEvent>& trace, const std::vector<RecordedPacket>& packets) {
  PacketDetail d;
  auto lane_host = [&](int lane) -> const scenario::Host* {
    return lane >= 0 && lane < static_cast<int>(chart.lanes.size()) ? s.find_host(chart.lanes[lane].host) : nullptr;
  };
  const scenario::Host* from = lane_host(a.from);
  const scenario::Host* to = lane_host(a.to);
  const bool has_server = a.server_index < trace.size();
  const std::string command = has_server ? trace[a.server_index].get(key::kCommand) : "";
  const char* what = a.kind == ArrowKind::Command ? "command"
                     : a.kind == ArrowKind::Connect ? "connect"
                     : a.kind == ArrowKind::ConnectFailed ? "connect (failed)"
                     : a.kind == ArrowKind::Lost ? "reply (lost)"
                                                   : "reply";
  d.heading = a.protocol + " " + (a.protocol == "DNS" ? (a.kind == ArrowKind::Command ? "query" : "answer") : what) +
              " " + a.label + ": " + (from ? from->name : "?") + " -> " + (to ? to->name : "?");
  d.rfc = rfc_of(a, command);
  if (has_server) std::tie(d.state_before, d.state_after) = session_states(trace, a.server_index);
  if (!from || !to) return d;
  const sim::Address src = from->address.value, dst = to->address.value;
  auto between = [&](const RecordedPacket& p) { return p.src == src && p.dst == dst; };

  std::vector<const RecordedPacket*> chosen;
  if (a.protocol == "DNS") {
    const RecordedPacket* best = nullptr;
    for (const auto& p : packets)
      if (between(p) && p.protocol == sim::Protocol::Udp && !p.payload.empty() &&
          (!best || std::llabs(p.time - a.t_from) < std::llabs(best->time - a.t_from)))
        best = &p;
    if (best) chosen.push_back(best);
  } else if (a.kind == ArrowKind::Connect || a.kind == ArrowKind::ConnectFailed) {
    // The SYN and its retransmissions, up to the arrow's end.
    for (const auto& p : packets)
      if (between(p) && p.protocol == sim::Protocol::Tcp && (p.tcp_flags & kSyn) && p.time >= a.t_from &&
          p.time <= a.t_to)
        chosen.push_back(&p);
  } else {
    // The segment that carried the text: a command is the latest sent before the server
    // read it, a reply the first sent once the server answered. Pipelined commands share
    // their segment; a message's content ends in the segment with CRLF.CRLF.
    const bool forward = a.kind == ArrowKind::Command;
    std::string needle = command == "<data>" ? "\r\n.\r\n" : command + "\r\n";
    if (!forward) {
      needle = has_server ? trace[a.server_index].get(key::kReply) : a.label;
      needle = needle.substr(0, std::min<std::size_t>(needle.find('\n'), 24));
    }
    const RecordedPacket* best = nullptr;
    for (const auto& p : packets) {
      if (!between(p) || p.payload.empty() || p.payload.find(needle) == std::string::npos) continue;
      if (forward && p.time <= a.t_to) best = &p;
      if (!forward && p.time >= a.t_from && !best) best = &p;
    }
    // Earlier copies of it (retransmitted: the first ones were lost).
    if (best)
      for (const auto& p : packets)
        if (&p != best && between(p) && p.payload == best->payload && p.seq == best->seq && p.time < best->time &&
            p.time > best->time - 120 * sim::kSecond)
          chosen.push_back(&p);
    if (best) chosen.push_back(best);
  }
  if (chosen.empty()) return d;
  d.found = true;
  for (const auto* p : chosen) d.packets.push_back(packet_line(*p));
  const RecordedPacket& last = *chosen.back();
  if (a.protocol == "DNS") dns_fields(last.payload, d);
  d.bytes = escape_bytes(last.payload);
  return d;
}

}  // namespace maillab::viz
