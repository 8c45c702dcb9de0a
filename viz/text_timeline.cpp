// The text timeline's lines (text_timeline.hpp): one per exchange, DNS lookup, queue
// decision and fault, then the network's losses and retransmissions, the filters, and the
// per-message summary (text_summary.cpp).
#include "viz/text_timeline.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <tuple>

#include "protocols/io/trace_vocab.hpp"
#include "protocols/message/peer_text.hpp"
#include "scenarios/duration.hpp"
#include "scenarios/runner.hpp"
#include "viz/exchanges.hpp"
#include "viz/journey.hpp"
#include "viz/message_path.hpp"
#include "viz/text.hpp"
#include "viz/text_summary.hpp"

namespace maillab::viz {

namespace ev = io::trace::ev;
namespace key = io::trace::key;

namespace {

constexpr std::size_t kNoEvent = Exchanges::npos;

struct Line {
  Time t = 0;
  std::string host, agent, text;
  std::vector<std::string> hosts;  // who takes part (the --host filter)
  std::size_t event = kNoEvent;    // the trace event it tells (kNoEvent: a packet)
};

// "smtp; 250 2.0.0 Ok" -> "250 2.0.0 Ok": a diagnostic as Postfix prints it in status=.
std::string diagnostic_text(const std::string& d) {
  auto semi = d.find("; ");
  return semi != std::string::npos && semi < 12 ? d.substr(semi + 2) : d;
}

std::string quoted(const std::string& s) { return "\"" + s + "\""; }

class Writer {
 public:
  Writer(const scenario::Scenario& s, const std::vector<sim::TraceEvent>& trace, Time end)
      : s_(s), trace_(trace), end_(end) {
    for (std::size_t i = 0; i < trace.size() && trace[i].t_ns <= end; ++i) n_ = i + 1;
    x_ = pair_exchanges(s, trace, n_);
    for (std::size_t k = 0; k < x_.exchanges.size(); ++k) {
      const auto& e = x_.exchanges[k];
      exchange_of_in_[e.in] = k;
      if (e.out != kNoEvent) {
        told_.insert(e.out);
        latency_[pair(trace[e.in].host, trace[e.out].host)] = trace[e.out].t_ns - trace[e.in].t_ns;
      }
      if (e.connect != kNoEvent) told_.insert(e.connect);
    }
    for (const auto& [f, c] : x_.failed_connects)
      if (c != kNoEvent) {
        told_.insert(c);
        connect_of_failure_[f] = c;
      }
    for (const auto& [q, a] : x_.dns)
      if (a != kNoEvent) {
        told_.insert(q);
        query_of_answer_[a] = q;
      }
  }

  const Exchanges& exchanges() const { return x_; }
  std::size_t size() const { return n_; }

  std::vector<Line> lines() {
    std::vector<Line> out;
    for (std::size_t i = 0; i < n_; ++i) {
      if (told_.count(i)) continue;
      Line l = line(i);
      if (l.text.empty()) continue;
      l.t = trace_[i].t_ns;
      if (l.host.empty()) l.host = trace_[i].host;
      if (l.agent.empty()) l.agent = trace_[i].agent;
      if (l.hosts.empty()) l.hosts = {trace_[i].host};
      l.event = i;
      out.push_back(std::move(l));
    }
    return out;
  }

 private:
  static std::pair<std::string, std::string> pair(const std::string& a, const std::string& b) {
    return a < b ? std::make_pair(a, b) : std::make_pair(b, a);
  }
  std::string name_of(const std::string& address) const {
    std::string h = host_at(s_, address);
    return h.empty() ? address : h;
  }
  std::string address_of(const std::string& host) const {
    const scenario::Host* h = s_.find_host(host);
    return h ? h->address.text : "";
  }

  Line line(std::size_t i) {
    const auto& e = trace_[i];
    const std::string& name = e.event;
    const std::string& id = e.get(key::kId);
    if (name == ev::kSmtpIn || name == ev::kPop3In) return exchange(i);
    if (name == ev::kSmtpOut || name == ev::kPop3Out)  // no server record: the client's view
      return {0, "", "", "-> " + name_of(e.get(key::kPeer)) + "  " + e.get(key::kCommand) + "  <= " +
                             e.get(key::kReply), {e.host, name_of(e.get(key::kPeer))}};
    if (name == ev::kSmtpConnect || name == ev::kFetchStart) {  // still waiting at the end
      const bool pop3 = name == ev::kFetchStart;
      const std::string server = server_of(s_, e);
      std::string t = "connects to " + server + ":" + (pop3 ? "110" : e.get(key::kPort));
      if (!id.empty()) t += " for " + id;
      return {0, "", "", t + " (no answer yet)", {e.host, server}};
    }
    if (name == ev::kSmtpConnectFailed || (name == ev::kFetchFailed && connect_of_failure_.count(i)))
      return connect_failed(i);
    if (name == ev::kDnsQuery) {
      const std::string server = name_of(e.get(key::kServer));
      return {0, "", "", "? " + e.get(key::kName) + " " + e.get(key::kType) + " -> " + server + " (no answer" +
                             (e.t_ns + 1'000'000'000 > end_ ? " yet)" : ")"), {e.host, server}};
    }
    if (name == ev::kDnsAnswer) return dns_answer(i);
    if (name == ev::kDnsTcp)
      return {0, "", "", "? " + e.get(key::kName) + " " + e.get(key::kType) + " again over TCP to " +
                             name_of(e.get(key::kServer)) + " (the UDP answer was truncated)",
              {e.host, name_of(e.get(key::kServer))}};
    // Told by the exchange they belong to.
    if (name == ev::kAuthOk || name == ev::kAuthFailed || name == ev::kAuthBlocked || name == ev::kPop3Login ||
        name == ev::kPop3AuthFailed)
      return {};
    if (name == ev::kQueueAttempt)
      return e.get(key::kAttempt) == "1" ? Line{} : Line{0, "", "", id + ": retry #" + e.get(key::kAttempt), {}};
    if (name.rfind("relay.", 0) == 0 || name.rfind("deliver", 0) == 0 || name == ev::kDiscarded)
      return {0, "", "", recipient_status(e), {e.host, e.get(key::kRelay)}};
    return {0, "", "", plain(e), {}};
  }

  Line exchange(std::size_t i) {
    const auto& e = trace_[i];
    const Exchanges::Exchange& x = x_.exchanges[exchange_of_in_.at(i)];
    const std::string client = client_of(s_, e);
    const std::string& command = e.get(key::kCommand);
    std::string t;
    if (command.empty()) {
      const bool pop3 = e.event == ev::kPop3In;
      t = client + " connects to :" + (pop3 ? "110" : e.agent == "MSA" ? "587" : "25");
      if (x.connect != kNoEvent && !trace_[x.connect].get(key::kId).empty())
        t += " for " + trace_[x.connect].get(key::kId);
    } else {
      t = client + ": " + command;
    }
    t += "  => " + e.get(key::kReply);
    if (x.out == kNoEvent) {
      auto lat = latency_.find(pair(e.host, client));
      const Time one_way = lat != latency_.end() ? lat->second : s_.network.latency_ns;
      const bool travelling = e.t_ns + one_way > end_;
      t += travelling ? "  (on its way to " + client + ")" : "  (" + client + " never got this reply)";
    }
    return {0, "", "", t, {e.host, client}};
  }

  Line connect_failed(std::size_t i) {
    const auto& e = trace_[i];
    auto c = connect_of_failure_.find(i);
    const sim::TraceEvent* connect = c != connect_of_failure_.end() ? &trace_[c->second] : nullptr;
    const bool pop3 = e.event == ev::kFetchFailed;
    const std::string server = pop3 ? (connect ? server_of(s_, *connect) : "") : name_of(e.get(key::kPeer));
    std::string reason = pop3 ? (e.get(key::kDetail) == "connection refused" ? "refused" : "timed out")
                              : e.get(key::kReason);
    std::string t = "connect to " + server + ":" + (pop3 ? "110" : connect ? connect->get(key::kPort) : "25");
    if (!e.get(key::kId).empty()) t += " for " + e.get(key::kId);
    t += " failed: " + reason;
    if (connect && reason != "refused") t += " after " + format_span(e.t_ns - connect->t_ns);
    if (pop3) t = "POP3 for " + e.get(key::kUser) + ": " + t;
    return {0, "", "", t, {e.host, server}};
  }

  Line dns_answer(std::size_t i) {
    const auto& e = trace_[i];
    auto q = query_of_answer_.find(i);
    std::string server, how;
    if (q != query_of_answer_.end()) {
      server = name_of(trace_[q->second].get(key::kServer));
      if (trace_[q->second].get(key::kCached) == "yes") how = " (from the cache)";
    }
    std::string t = "? " + e.get(key::kName) + " " + e.get(key::kType) +
                    (server.empty() || !how.empty() ? "" : " -> " + server) + how + "  => " + e.get(key::kOutcome);
    if (!e.get(key::kRecords).empty()) t += ": " + e.get(key::kRecords);
    return {0, "", "", t, {e.host, server}};
  }

  // Postfix's "to=<...>, relay=..., status=... (...)" for one recipient.
  std::string recipient_status(const sim::TraceEvent& e) {
    const std::string& name = e.event;
    const std::string& id = e.get(key::kId);
    std::string relay, status;
    if (name == ev::kDeliver || name == ev::kDeliverFailed || name == ev::kDeliverDeferred) {
      relay = "local";
    } else if (name == ev::kDiscarded) {
      relay = "none";
    } else if (name == ev::kRelayUnconfirmed) {
      return id + ": to=<" + e.get(key::kTo) + ">, no reply after the end of DATA: it may arrive twice";
    } else {
      const std::string& r = e.get(key::kRelay);
      const std::string address = name == ev::kRelaySent ? e.get(key::kPeer) : address_of(r);
      relay = r.empty() ? "none" : r + "[" + address + "]:25";
    }
    if (name == ev::kRelaySent) status = "sent (" + diagnostic_text(e.get(key::kDiagnostic)) + ")";
    else if (name == ev::kRelayDeferred) status = "deferred (" + diagnostic_text(e.get(key::kDiagnostic)) + ")";
    else if (name == ev::kRelayBounced || name == ev::kDeliverFailed)
      status = "bounced (" + diagnostic_text(e.get(key::kDiagnostic)) + ")";
    else if (name == ev::kDeliver) status = "sent (delivered into " + e.get(key::kUser) + "'s " + e.get(key::kMailbox) + ")";
    else if (name == ev::kDeliverDeferred) status = "deferred (" + e.get(key::kReason) + ")";
    else status = "discarded";
    return id + ": to=<" + e.get(key::kTo) + ">, relay=" + relay + ", status=" + status;
  }

  // Everything else: in words where the words are short, else the event and its fields
  // (addresses shown as host names).
  std::string plain(const sim::TraceEvent& e) {
    const std::string& name = e.event;
    const std::string& id = e.get(key::kId);
    if (name == ev::kCompose)
      return "compose " + quoted(e.get(key::kSubject)) + " from " + e.get(key::kFrom) + " " + e.get(key::kMessageId);
    if (name == ev::kSubmitAccepted) return "submitted to " + name_of(e.get(key::kPeer)) + ": " + e.get(key::kReply);
    if (name == ev::kSubmitFailed)
      return "submission failed: " + (e.get(key::kReason).empty() ? e.get(key::kReply) : e.get(key::kReason));
    if (name == ev::kFetchDone)
      return "fetched " + e.get(key::kMessages) + " message" + (e.get(key::kMessages) == "1" ? "" : "s") +
             " for " + e.get(key::kUser);
    if (name == ev::kFetchFailed) return "fetch for " + e.get(key::kUser) + " failed: " + e.get(key::kDetail);
    if (name == ev::kQueueEnqueued)
      return id + ": queued from=<" + e.get(key::kFrom) + ">, to=<" + e.get(key::kTo) + ">, size=" +
             e.get(key::kSize) + ", " + quoted(e.get(key::kSubject));
    if (name == ev::kQueueDeferred) {
      const Time next = std::strtoll(e.get(key::kNextNs).c_str(), nullptr, 10);
      return id + ": deferred, next retry after " + scenario::format_clock(next) + " (in " +
             format_span(next - e.t_ns) + ")";
    }
    if (name == ev::kQueueRemoved) return id + ": removed";
    if (name == ev::kQueueExpired) return id + ": expired, too long in the queue: returned to the sender";
    if (name == ev::kDsnBounce || name == ev::kDsnDelayed)
      return id + ": sender " + (name == ev::kDsnBounce ? "non-delivery" : "delay") + " notification to <" +
             e.get(key::kTo) + "> about " + e.get(key::kRcpts) + " " + e.get(key::kDsnMsgid);
    if (name == ev::kDsnSuppressed) return id + ": no notification: " + e.get(key::kReason);
    if (name == ev::kRouteMx) return id + ": MX of " + e.get(key::kDomain) + ": " + e.get(key::kMx);
    if (name == ev::kPop3Deleted) return "deleted " + e.get(key::kUser) + "'s " + e.get(key::kUid) + " (QUIT)";
    if (name == ev::kHostDown) return "host down: its services stop, its disk is kept";
    if (name == ev::kHostUp) return "host up: services start, the queue comes back from disk";
    if (name == ev::kCut) return "link cut: " + e.get(key::kA) + " <-> " + e.get(key::kB);
    if (name == ev::kHeal) return "link healed: " + e.get(key::kA) + " <-> " + e.get(key::kB);
    if (name == ev::kLoss)
      return "packet loss " + fixed(std::strtod(e.get(key::kRate).c_str(), nullptr) * 100, 0) + "% between " +
             e.get(key::kA) + " and " + e.get(key::kB);
    if (name == ev::kPortRefuse) return "port " + e.get(key::kService) + " refuses connections";
    if (name == ev::kPortAccept) return "port " + e.get(key::kService) + " accepts connections again";
    if (name == ev::kDiskFull) return "disk full";
    if (name == ev::kDiskOk) return "disk has room again";
    std::string out = name;
    for (const auto& [k, v] : e.fields) {
      const std::string shown = host_at(s_, v).empty() ? v : host_at(s_, v);
      out += " " + k + "=" + (shown.empty() || shown.find(' ') != std::string::npos ? quoted(shown) : shown);
    }
    return out;
  }

  const scenario::Scenario& s_;
  const std::vector<sim::TraceEvent>& trace_;
  Time end_;
  std::size_t n_ = 0;
  Exchanges x_;
  std::set<std::size_t> told_;  // records another line tells (a reply, a connect, a query)
  std::map<std::size_t, std::size_t> exchange_of_in_, connect_of_failure_, query_of_answer_;
  std::map<std::pair<std::string, std::string>, Time> latency_;
};

// Each packet the network lost, and each retransmission, as NET lines.
std::vector<Line> packet_lines(const scenario::Scenario& s, const std::vector<RecordedPacket>& packets, Time end) {
  std::vector<Line> out;
  std::set<std::tuple<sim::Address, int, sim::Address, int, std::uint32_t, int, std::size_t>> seen;
  for (const auto& p : packets) {
    if (p.time > end) break;
    auto k = std::make_tuple(p.src, p.src_port, p.dst, p.dst_port, p.seq, p.tcp_flags, p.payload.size());
    const bool again = p.protocol == sim::Protocol::Tcp && !seen.insert(k).second;
    if (!p.dropped && !again) continue;
    std::string from = host_at(s, sim::format_address(p.src)), to = host_at(s, sim::format_address(p.dst));
    if (from.empty()) from = sim::format_address(p.src);
    if (to.empty()) to = sim::format_address(p.dst);
    std::string what = std::string(again ? (p.dropped ? "retransmission lost" : "retransmitted") : "lost") +
                       ": " + from + " -> " + to + "  " + packet_protocol(p) + " " + packet_text(p);
    out.push_back(Line{p.time, from, "NET", what, {from, to}, kNoEvent});
  }
  return out;
}

std::string head(const Line& l) {
  char buf[128];
  std::snprintf(buf, sizeof buf, "%s  %-16s %-4s ", scenario::format_clock(l.t).c_str(), l.host.c_str(),
                l.agent.c_str());
  return buf;
}

}  // namespace

std::vector<TimelineLine> timeline_lines(const scenario::Scenario& s, const std::vector<sim::TraceEvent>& trace,
                                         Time end) {
  std::vector<TimelineLine> out;
  for (auto& l : Writer(s, trace, end).lines()) out.push_back({l.t, l.host, l.agent, l.text, l.event});
  return out;
}

std::optional<std::string> text_timeline(const scenario::Scenario& s, const std::vector<sim::TraceEvent>& trace,
                                         const std::vector<RecordedPacket>* packets, Time end,
                                         const TextTimelineOptions& opt, std::string* error) {
  if (!opt.host.empty() && !s.find_host(opt.host)) {
    *error = "--host: no host " + opt.host + " in the scenario";
    return std::nullopt;
  }
  Writer w(s, trace, end);
  std::vector<Line> lines = w.lines();
  if (packets) {
    auto more = packet_lines(s, *packets, end);
    lines.insert(lines.end(), more.begin(), more.end());
    std::stable_sort(lines.begin(), lines.end(), [](const Line& a, const Line& b) { return a.t < b.t; });
  }
  const auto journeys = build_journeys(s, trace, end);
  std::vector<std::size_t> shown(journeys.size());
  for (std::size_t k = 0; k < shown.size(); ++k) shown[k] = k;
  std::vector<MessagePath> paths;
  for (std::size_t k = 0; k < journeys.size(); ++k)
    paths.push_back(message_path(journeys, k, s, trace, w.exchanges(), end, false));

  if (!opt.message.empty()) {
    shown = journeys_named(journeys, trace, opt.message);
    if (shown.empty()) {
      *error = "--message: no message " + opt.message + " in this run (a Message-ID or a queue id)";
      return std::nullopt;
    }
    // With its DSNs: the journeys that report on one of its hops.
    for (std::size_t k : std::vector<std::size_t>(shown))
      for (std::size_t d = 0; d < journeys.size(); ++d)
        for (const auto& h : journeys[k].hops)
          if (journeys[d].is_dsn && journeys[d].dsn_about == h.host + " " + h.queue_id) shown.push_back(d);
    std::set<std::size_t> events;
    std::map<std::pair<std::string, std::string>, std::pair<Time, Time>> windows;  // host pair -> span
    for (std::size_t k : shown) events.insert(paths[k].events.begin(), paths[k].events.end());
    std::vector<Line> kept;
    for (auto& l : lines)
      if (l.event != kNoEvent && events.count(l.event)) {
        if (l.hosts.size() == 2) {
          auto key = std::minmax(l.hosts[0], l.hosts[1]);
          auto [it, fresh] = windows.emplace(key, std::make_pair(l.t, l.t));
          it->second.first = std::min(it->second.first, l.t);
          it->second.second = std::max(it->second.second, l.t);
        }
        kept.push_back(l);
      }
    // Its packets: lost or sent again between its hosts while they talked about it.
    for (auto& l : lines) {
      if (l.event != kNoEvent || l.hosts.size() != 2) continue;
      auto it = windows.find(std::minmax(l.hosts[0], l.hosts[1]));
      if (it != windows.end() && l.t >= it->second.first - 1'000'000'000 && l.t <= it->second.second) kept.push_back(l);
    }
    std::stable_sort(kept.begin(), kept.end(), [](const Line& a, const Line& b) { return a.t < b.t; });
    lines = std::move(kept);
  }
  if (!opt.host.empty()) {
    std::vector<Line> kept;
    for (auto& l : lines)
      if (std::count(l.hosts.begin(), l.hosts.end(), opt.host)) kept.push_back(std::move(l));
    lines = std::move(kept);
    std::vector<std::size_t> touching;
    for (std::size_t k : shown)
      if (journey_touches(journeys[k], paths[k], opt.host)) touching.push_back(k);
    shown = std::move(touching);
  }

  std::string out = "scenario " + s.id + (s.title.empty() ? "" : ": " + s.title) + " (seed " +
                    std::to_string(opt.seed.value_or(s.seed)) + ", until " + scenario::format_duration(end) + ")";
  if (!opt.host.empty()) out += ", host " + opt.host;
  if (!opt.message.empty()) out += ", message " + opt.message;
  out = message::terminal_safe(out) + "\n";
  for (const auto& l : lines) out += message::terminal_safe(head(l) + l.text) + "\n";
  out += "\n";
  out += message_summaries(journeys, paths, shown, trace);
  return out;
}

}  // namespace maillab::viz
