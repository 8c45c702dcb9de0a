// Building the chart: lanes, then one pass over the trace pairing each server-side record
// (`smtp.in`, `pop3.in`, `dns.query`) with its client-side counterpart, then the marks
// (sequence_chart_marks.cpp), then slots for items sharing a lane and a time.
#include "viz/sequence_chart.hpp"

#include <algorithm>
#include <map>
#include <tuple>

#include "protocols/io/trace_vocab.hpp"
#include "protocols/message/ascii.hpp"
#include "scenarios/runner.hpp"
#include "viz/exchanges.hpp"
#include "viz/host_roles.hpp"
#include "viz/sequence_chart_builder.hpp"
#include "viz/text.hpp"

namespace maillab::viz {

const char* outcome_name(Outcome o) {
  switch (o) {
    case Outcome::Ok: return "ok";
    case Outcome::Intermediate: return "intermediate";
    case Outcome::Transient: return "transient";
    case Outcome::Permanent: return "permanent";
    case Outcome::Timeout: return "timeout";
    case Outcome::Neutral: return "neutral";
  }
  return "neutral";
}

int SequenceChart::lane_of(const std::string& host) const {
  for (std::size_t i = 0; i < lanes.size(); ++i)
    if (lanes[i].host == host) return static_cast<int>(i);
  return -1;
}

namespace detail {

namespace ev = io::trace::ev;
namespace key = io::trace::key;

Outcome smtp_outcome(const std::string& code) {
  if (code.empty()) return Outcome::Neutral;
  switch (code[0]) {
    case '2': return Outcome::Ok;
    case '3': return Outcome::Intermediate;
    case '4': return Outcome::Transient;
    case '5': return Outcome::Permanent;
  }
  return Outcome::Neutral;
}

Outcome pop3_outcome(const std::string& reply) {
  if (reply.rfind("+OK", 0) == 0) return Outcome::Ok;
  if (reply.rfind("-ERR", 0) == 0) return Outcome::Permanent;
  if (reply.rfind("+", 0) == 0) return Outcome::Intermediate;
  return Outcome::Neutral;
}

// A tagged (or greeting) IMAP status line: "A1 OK ...", "* OK ...", "A2 NO ...".
Outcome imap_outcome(const std::string& reply) {
  const std::size_t sp = reply.find(' ');
  const std::string status = sp == std::string::npos ? "" : reply.substr(sp + 1, reply.find(' ', sp + 1) - sp - 1);
  if (status == "OK" || status == "PREAUTH") return Outcome::Ok;
  if (status == "NO" || status == "BAD") return Outcome::Permanent;
  return Outcome::Neutral;
}

namespace {
// "SMTP", "POP3", "IMAP" or "HTTP" for an exchange event of either side.
std::string protocol_of(const std::string& event) {
  if (event == ev::kPop3In || event == ev::kPop3Out) return "POP3";
  if (event == ev::kImapIn || event == ev::kImapOut) return "IMAP";
  if (event == ev::kHttpIn || event == ev::kHttpOut) return "HTTP";
  return "SMTP";
}
Outcome reply_outcome(const std::string& protocol, const std::string& reply, const std::string& code) {
  if (protocol == "POP3") return pop3_outcome(reply);
  if (protocol == "IMAP") return imap_outcome(reply);
  if (protocol == "HTTP") return reply.empty() ? Outcome::Neutral : reply[0] >= '4' ? Outcome::Permanent : Outcome::Ok;
  return smtp_outcome(code);
}
}  // namespace

Outcome dns_outcome(const std::string& outcome) {
  if (outcome == "answer") return Outcome::Ok;
  if (outcome == "nxdomain" || outcome == "nodata") return Outcome::Permanent;
  if (outcome == "timeout") return Outcome::Timeout;
  return Outcome::Transient;
}

Builder::Builder(const scenario::Scenario& s, const std::vector<sim::TraceEvent>& trace, Time end)
    : s_(s), trace_(trace), end_(end) {
  chart_.title = s.id + (s.title.empty() ? "" : ": " + s.title);
  chart_.end = end;
  for (std::size_t i = 0; i < trace.size() && trace[i].t_ns <= end; ++i) n_ = i + 1;
}

int Builder::lane_of_address(const std::string& address) const {
  auto it = lane_by_address_.find(address);
  return it == lane_by_address_.end() ? -1 : it->second;
}

int Builder::lane_of_host(const std::string& host) const { return chart_.lane_of(host); }

// Lanes in lane_order (host_roles.hpp): from the scenario alone, the same at every time.
void Builder::make_lanes() {
  for (const auto& name : lane_order(s_)) {
    const scenario::Host* h = s_.find_host(name);
    Lane lane;
    lane.host = name;
    lane.address = h->address.text;
    lane.roles = host_roles(s_, *h);
    lane_by_address_[lane.address] = static_cast<int>(chart_.lanes.size());
    chart_.lanes.push_back(std::move(lane));
  }
}

std::string Builder::line(std::size_t i) const {
  std::string l = scenario::timeline_line(trace_[i], s_);
  return l.empty() ? trace_[i].event : l;
}

Time Builder::latency_estimate(int a, int b) const {
  auto it = latency_.find({std::min(a, b), std::max(a, b)});
  return it != latency_.end() ? it->second : s_.network.latency_ns;
}

void Builder::add_end(int lane, Time t, std::uint64_t key, EndRef::Kind kind, std::size_t index) {
  ends_.push_back(EndRef{lane, t, key, kind, index});
}

std::size_t Builder::add_arrow(Arrow a, std::uint64_t key_from, std::uint64_t key_to) {
  std::size_t k = chart_.arrows.size();
  if (key_from != kNoKey) add_end(a.from, a.t_from, key_from, EndRef::ArrowFrom, k);
  if (key_to != kNoKey) add_end(a.to, a.t_to, key_to, EndRef::ArrowTo, k);
  chart_.arrows.push_back(std::move(a));
  return k;
}

// One SMTP or POP3 exchange: `in` is the server's record, `out` the client's (or npos).
void Builder::exchange(std::size_t in, std::size_t out, std::size_t connect) {
  const auto& ei = trace_[in];
  const std::string protocol = protocol_of(ei.event);
  const int server = lane_of_host(ei.host);
  const int client = lane_of_address(ei.get(key::kPeer));
  const std::string& command = ei.get(key::kCommand);
  const std::string& reply = out != kNone ? trace_[out].get(key::kReply) : ei.get(key::kReply);
  Outcome outcome = reply_outcome(protocol, reply, ei.get(key::kCode));
  Time lat = out != kNone ? trace_[out].t_ns - ei.t_ns : latency_estimate(client, server);

  Arrow cmd;
  cmd.protocol = protocol;
  cmd.from = client;
  cmd.to = server;
  cmd.t_to = ei.t_ns;
  cmd.t_from = connect != kNone ? trace_[connect].t_ns : ei.t_ns - lat;
  cmd.outcome = outcome;
  cmd.queue_id = out != kNone ? trace_[out].get(key::kId) : "";
  cmd.trace_index = in;
  cmd.server_index = in;
  cmd.detail = (connect != kNone ? line(connect) + "\n" : "") + line(in) +
               (out != kNone               ? "\n" + line(out)
                : ei.t_ns + lat > end_ ? "\n(the reply is on its way to the client)"
                                       : "\n(the reply never reached the client)");
  if (command.empty()) {
    cmd.kind = ArrowKind::Connect;
    // A greeting sent inside TLS is implicit TLS's (RFC 8314): 995, 993, 465.
    const bool implicit = tls_of_[in] != kNone;
    const char* port = protocol == "POP3"   ? (implicit ? "995" : "110")
                       : protocol == "IMAP" ? (implicit ? "993" : "143")
                       : ei.agent == "MSA"  ? (implicit ? "465" : "587")
                                            : "25";
    cmd.label = std::string("connect :") + port;
  } else {
    cmd.kind = ArrowKind::Command;
    cmd.label = command == "<data>" ? "message content, then <CRLF>.<CRLF>" : command;
  }
  if (tls_of_[in] != kNone) {
    const auto& t = trace_[tls_of_[in]];
    cmd.encrypted = true;
    cmd.tls = t.get(key::kVersion) + " " + t.get(key::kCipher) + (t.get(key::kSni).empty() ? "" : ", SNI " + t.get(key::kSni)) +
              (t.get(key::kResumed) == "yes" ? ", resumed" : "") +
              (t.get(key::kCertificate).empty() ? "" : ", certificate for " + t.get(key::kCertificate));
    cmd.detail = "\U0001F512 encrypted: " + cmd.tls + "\n" + cmd.detail;
  }
  std::uint64_t key_send = connect != kNone ? connect * 8 : in * 8;
  std::size_t c = add_arrow(cmd, key_send, in * 8 + 1);

  Arrow rep;
  rep.protocol = cmd.protocol;
  rep.from = server;
  rep.to = client;
  rep.t_from = ei.t_ns;
  rep.t_to = ei.t_ns + lat;
  rep.label = reply;
  rep.detail = chart_.arrows[c].detail;
  rep.outcome = outcome;
  rep.queue_id = cmd.queue_id;
  rep.trace_index = out != kNone ? out : in;
  rep.server_index = in;
  rep.encrypted = cmd.encrypted;
  rep.tls = cmd.tls;
  rep.kind = ArrowKind::Reply;
  if (out == kNone && ei.t_ns + lat <= end_) {
    rep.kind = ArrowKind::Lost;
    rep.outcome = Outcome::Timeout;
    rep.label = reply + " (lost)";
  } else if (out == kNone && lat > 0) {  // on its way at the end of the chart
    rep.reach = static_cast<double>(end_ - ei.t_ns) / static_cast<double>(lat);
    rep.t_to = end_;
  }
  const bool in_flight = rep.reach < 1;
  std::size_t r = add_arrow(rep, kNoKey, in_flight ? kNoKey : out != kNone ? out * 8 + 2 : in * 8 + 2);
  shared_slot_.emplace_back(c, r);
  if (in_flight) level_end_.push_back(r);
}

// A client-side record with no server-side one (the server's record is missing, e.g.
// a scenario that traces only one side): the reply arrow alone.
void Builder::orphan_reply(std::size_t out) {
  const auto& eo = trace_[out];
  Arrow rep;
  rep.protocol = protocol_of(eo.event);
  rep.kind = ArrowKind::Reply;
  rep.from = lane_of_address(eo.get(key::kPeer));
  rep.to = lane_of_host(eo.host);
  if (rep.from < 0 || rep.to < 0) return;
  rep.t_to = eo.t_ns;
  rep.t_from = eo.t_ns - latency_estimate(rep.from, rep.to);
  rep.label = eo.get(key::kReply);
  rep.detail = line(out);
  rep.outcome = reply_outcome(rep.protocol, rep.label, eo.get(key::kCode));
  rep.trace_index = out;
  add_arrow(rep, out * 8, out * 8 + 2);
}

void Builder::dns_exchange(std::size_t query, std::size_t answer) {
  const auto& eq = trace_[query];
  const int client = lane_of_host(eq.host);
  const int server = lane_of_address(eq.get(key::kServer));
  const std::string ask = "? " + eq.get(key::kName) + " " + eq.get(key::kType);
  if (server < 0) {
    Mark m;
    m.lane = client;
    m.t = eq.t_ns;
    m.label = ask + " (to " + eq.get(key::kServer) + ")";
    m.detail = line(query) + (answer != kNone ? "\n" + line(answer) : "");
    m.outcome = answer != kNone ? dns_outcome(trace_[answer].get(key::kOutcome)) : Outcome::Neutral;
    m.event = eq.event;
    m.trace_index = query;
    add_mark(std::move(m), query * 8 + 3);
    return;
  }
  const std::string outcome = answer != kNone ? trace_[answer].get(key::kOutcome) : "";
  Arrow q;
  q.protocol = "DNS";
  q.kind = ArrowKind::Command;
  q.from = client;
  q.to = server;
  q.t_from = eq.t_ns;
  q.label = ask;
  q.detail = line(query) + (answer != kNone ? "\n" + line(answer) : "\n(no answer yet)");
  q.trace_index = query;
  if (answer == kNone || outcome == "timeout") {
    q.kind = answer == kNone ? ArrowKind::Command : ArrowKind::Lost;
    q.outcome = answer == kNone ? Outcome::Neutral : Outcome::Timeout;
    const Time lat = latency_estimate(client, server);
    q.t_to = answer == kNone ? std::min(end_, eq.t_ns + lat) : trace_[answer].t_ns;
    const bool in_flight = answer == kNone && eq.t_ns + lat > end_ && lat > 0;
    if (in_flight) q.reach = static_cast<double>(end_ - eq.t_ns) / static_cast<double>(lat);
    std::size_t k = add_arrow(q, query * 8, in_flight ? kNoKey : query * 8 + 1);
    if (in_flight) level_end_.push_back(k);
    return;
  }
  const Time ta = trace_[answer].t_ns;
  const Time mid = eq.t_ns + (ta - eq.t_ns) / 2;
  latency_[{std::min(client, server), std::max(client, server)}] = ta - mid;
  q.t_to = mid;
  q.outcome = dns_outcome(outcome);
  std::size_t c = add_arrow(q, query * 8, query * 8 + 1);
  Arrow a;
  a.protocol = "DNS";
  a.kind = ArrowKind::Reply;
  a.from = server;
  a.to = client;
  a.t_from = mid;
  a.t_to = ta;
  const std::string& records = trace_[answer].get(key::kRecords);
  a.label = outcome == "answer" ? records : outcome;
  if (a.label.empty()) a.label = outcome;
  a.detail = q.detail;
  a.outcome = q.outcome;
  a.trace_index = answer;
  std::size_t r = add_arrow(a, kNoKey, answer * 8 + 2);
  shared_slot_.emplace_back(c, r);
}

// A connection that failed: an SMTP client's (smtp.connect_failed after smtp.connect) or a
// POP3 client's (fetch.failed "connection refused" / "timed out" after fetch.start).
void Builder::connect_failed(std::size_t failed, std::size_t connect) {
  const auto& ef = trace_[failed];
  const bool pop3 = ef.event == ev::kFetchFailed;
  const int client = lane_of_host(ef.host);
  const int server = !pop3 ? lane_of_address(ef.get(key::kPeer))
                     : connect != kNone ? lane_of_address(trace_[connect].get(key::kServer))
                                        : -1;
  if (client < 0 || server < 0) return;
  const Time t0 = connect != kNone ? trace_[connect].t_ns : ef.t_ns;
  const std::string port = pop3 ? "110" : connect != kNone ? trace_[connect].get(key::kPort) : "25";
  const std::string reason = !pop3 ? ef.get(key::kReason)
                             : ef.get(key::kDetail) == "connection refused" ? "refused"
                                                                            : "timed out";
  std::string detail = (connect != kNone ? line(connect) + "\n" : "") + line(failed);
  Arrow a;
  a.protocol = pop3 ? "POP3" : "SMTP";
  a.from = client;
  a.to = server;
  a.t_from = t0;
  a.queue_id = pop3 ? "" : ef.get(key::kId);
  a.detail = detail;
  a.trace_index = failed;
  if (reason == "refused") {
    const Time mid = t0 + (ef.t_ns - t0) / 2;
    a.kind = ArrowKind::Connect;
    a.t_to = mid;
    a.label = "connect :" + port;
    a.outcome = Outcome::Transient;
    std::size_t c = add_arrow(a, (connect != kNone ? connect : failed) * 8, failed * 8 + 1);
    Arrow r = a;
    r.kind = ArrowKind::Reply;
    r.from = server;
    r.to = client;
    r.t_from = mid;
    r.t_to = ef.t_ns;
    r.label = "RST: connection refused";
    std::size_t k = add_arrow(r, kNoKey, failed * 8 + 2);
    shared_slot_.emplace_back(c, k);
    return;
  }
  a.kind = ArrowKind::ConnectFailed;
  a.t_to = ef.t_ns;
  a.outcome = Outcome::Timeout;
  a.label = "connect :" + port + " - " + (reason.empty() ? "failed" : reason) + " after " +
            format_span(ef.t_ns - t0);
  add_arrow(a, (connect != kNone ? connect : failed) * 8, failed * 8 + 2);
}

// A connection is (server host, client address): TLS from its server's tls.established
// until QUIT (LOGOUT in IMAP) or the next connection's greeting. SMTP, POP3 and IMAP alike.
// With implicit TLS (RFC 8314: 465, 995, 993) there is no STARTTLS: the greeting just
// before the handshake was sent inside it. HTTPS exchanges say so (their port).
namespace {

// QUIT (SMTP, POP3) or "<tag> LOGOUT" (IMAP), in any case.
bool ends_session(const sim::TraceEvent& e, const std::string& command) {
  if (e.event != ev::kImapIn) return message::iequals(command, "QUIT");
  const auto sp = command.find(' ');
  return sp != std::string::npos && message::iequals(std::string_view(command).substr(sp + 1), "LOGOUT");
}

}  // namespace

void Builder::find_tls() {
  tls_of_.assign(n_, kNone);
  using Connection = std::pair<std::string, std::string>;
  std::map<Connection, std::size_t> on;    // its tls.established
  std::map<Connection, std::size_t> last;  // its last exchange
  for (std::size_t i = 0; i < n_; ++i) {
    const auto& e = trace_[i];
    const Connection c{e.host, e.get(key::kPeer)};
    if (e.event == ev::kTlsEstablished) {
      on[c] = i;
      auto l = last.find(c);
      if (l != last.end() && trace_[l->second].get(key::kCommand).empty()) tls_of_[l->second] = i;
      continue;
    }
    // HTTPS: an http.in with a port (443) is inside its connection's handshake; plain
    // HTTP (the redirect on port 80) has none.
    const bool https = e.event == ev::kHttpIn && !e.get(key::kPort).empty();
    if (e.event != ev::kSmtpIn && e.event != ev::kPop3In && e.event != ev::kImapIn && !https) continue;
    last[c] = i;
    auto it = on.find(c);
    if (it == on.end()) continue;
    if (https) {
      tls_of_[i] = it->second;
      continue;
    }
    const std::string& command = e.get(key::kCommand);
    if (command.empty() && trace_[it->second].t_ns != e.t_ns) {
      on.erase(it);
      continue;
    }
    tls_of_[i] = it->second;
    if (ends_session(e, command)) on.erase(it);
  }
}

void Builder::exchanges() {
  find_tls();
  const Exchanges x = pair_exchanges(s_, trace_, n_);
  // The one-way latency of each lane pair, as the last answered exchange measured it.
  std::vector<std::pair<std::size_t, std::size_t>> answered;  // out, in
  for (const auto& e : x.exchanges)
    if (e.out != kNone) answered.emplace_back(e.out, e.in);
  std::sort(answered.begin(), answered.end());
  for (const auto& [out, in] : answered) {
    const int client = lane_of_host(trace_[out].host), server = lane_of_host(trace_[in].host);
    latency_[{std::min(client, server), std::max(client, server)}] = trace_[out].t_ns - trace_[in].t_ns;
  }
  // Connections still being attempted at the end: a dashed arrow reaching out to "now".
  for (std::size_t i : x.waiting_connects) {
    const auto& e = trace_[i];
    const bool pop3 = e.event == ev::kFetchStart;
    Arrow a;
    a.protocol = pop3 ? "POP3" : "SMTP";
    a.kind = ArrowKind::Connect;
    a.from = lane_of_host(client_of(s_, e));
    a.to = lane_of_host(server_of(s_, e));
    if (a.from < 0 || a.to < 0) continue;
    a.t_from = e.t_ns;
    a.t_to = end_;
    Time lat = latency_estimate(a.from, a.to);
    a.reach = lat > 0 ? std::min(1.0, static_cast<double>(end_ - e.t_ns) / static_cast<double>(lat)) : 1.0;
    a.label = "connect :" + (pop3 ? std::string("110") : e.get(key::kPort)) + " (no answer yet)";
    a.detail = line(i) + "\n(waiting for the server's answer)";
    a.queue_id = e.get(key::kId);
    a.trace_index = i;
    level_end_.push_back(add_arrow(a, i * 8, kNoKey));
  }
  for (const auto& e : x.exchanges) exchange(e.in, e.out, e.connect);
  for (std::size_t o : x.orphans) orphan_reply(o);
  for (const auto& [q, a] : x.dns) dns_exchange(q, a);
  for (const auto& [f, c] : x.failed_connects) connect_failed(f, c);
}

std::size_t Builder::add_mark(Mark m, std::uint64_t key) {
  std::size_t k = chart_.marks.size();
  if (m.lane >= 0) add_end(m.lane, m.t, key, EndRef::Mark, k);
  chart_.marks.push_back(std::move(m));
  return k;
}

// Items at the same (lane, time) are numbered in trace order; a reply leaves from the
// slot its command arrived at.
void Builder::assign_slots() {
  std::stable_sort(ends_.begin(), ends_.end(), [](const EndRef& a, const EndRef& b) {
    return std::tie(a.lane, a.t, a.key) < std::tie(b.lane, b.t, b.key);
  });
  int slot = 0;
  for (std::size_t i = 0; i < ends_.size(); ++i) {
    const EndRef& r = ends_[i];
    if (i > 0 && ends_[i - 1].lane == r.lane && ends_[i - 1].t == r.t) ++slot;
    else slot = 0;
    switch (r.kind) {
      case EndRef::ArrowFrom: chart_.arrows[r.index].slot_from = slot; break;
      case EndRef::ArrowTo: chart_.arrows[r.index].slot_to = slot; break;
      case EndRef::Mark: chart_.marks[r.index].slot = slot; break;
    }
  }
  for (const auto& [cmd, rep] : shared_slot_)
    chart_.arrows[rep].slot_from = chart_.arrows[cmd].slot_to;
  for (std::size_t k : level_end_) {
    Arrow& a = chart_.arrows[k];
    if (a.t_to == a.t_from) a.slot_to = a.slot_from;
  }
}

SequenceChart Builder::build() {
  make_lanes();
  exchanges();
  marks();
  bars_and_down();
  assign_slots();
  return std::move(chart_);
}

}  // namespace detail

SequenceChart build_sequence_chart(const scenario::Scenario& s,
                                   const std::vector<sim::TraceEvent>& trace, Time end) {
  return detail::Builder(s, trace, end).build();
}

}  // namespace maillab::viz
