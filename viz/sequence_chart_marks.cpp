// Marks (point events on a lane), queue bars and down intervals of the sequence chart.
// The mark texts are what a student reads on the chart: short, in words, with the numbers
// that matter (queue id, status code, next retry time); the full trace line is the detail.
#include <cstdlib>
#include <map>
#include <set>

#include "protocols/io/trace_vocab.hpp"
#include "scenarios/runner.hpp"
#include "viz/sequence_chart_builder.hpp"
#include "viz/text.hpp"

namespace maillab::viz::detail {

using io::trace::Event;
namespace ev = io::trace::ev;
namespace key = io::trace::key;

namespace {

std::string quoted(const std::string& s) { return "\u201c" + s + "\u201d"; }

std::string plural(const std::string& n, const char* word) {
  return n + " " + word + (n == "1" ? "" : "s");
}

// What the marks remember between events: the last relay status per (host, queue id),
// for the "deferred (4.4.1)" that follows it.
struct MarkContext {
  std::map<std::pair<std::string, std::string>, std::string> last_status;
};

// One row per event drawn as a mark: the event, its colour, its label from the event's
// fields ("" draws no mark), and a line added to the detail. Events not here are drawn
// as arrows (exchanges, connects) or not at all.
struct MarkRule {
  Event event;
  Outcome outcome;
  std::string (*label)(const sim::TraceEvent& e, MarkContext& c);
  std::string_view note = {};
};

// "a <-> b" for a fault on a link.
std::string link(const sim::TraceEvent& e) { return e.get(key::kA) + " \u2194 " + e.get(key::kB); }

constexpr MarkRule kMarkRules[] = {
    {ev::kCompose, Outcome::Neutral,
     [](const sim::TraceEvent& e, MarkContext&) { return "\u2709 compose " + quoted(e.get(key::kSubject)); }},
    {ev::kSubmitFailed, Outcome::Permanent,
     [](const sim::TraceEvent& e, MarkContext&) {
       return "\u2717 submission failed: " +
              (e.get(key::kReason).empty() ? e.get(key::kReply) : e.get(key::kReason));
     }},
    {ev::kQueueEnqueued, Outcome::Neutral,
     [](const sim::TraceEvent& e, MarkContext&) {
       return "queued " + e.get(key::kId) + " " + quoted(e.get(key::kSubject));
     }},
    {ev::kQueueAttempt, Outcome::Neutral,
     [](const sim::TraceEvent& e, MarkContext&) -> std::string {
       const std::string& attempt = e.get(key::kAttempt);
       if (attempt == "1" || attempt.empty()) return "";  // the first attempt is not news
       return "retry #" + attempt + " of " + e.get(key::kId);
     }},
    {ev::kRelayDeferred, Outcome::Neutral,
     [](const sim::TraceEvent& e, MarkContext& c) -> std::string {
       c.last_status[{e.host, e.get(key::kId)}] = e.get(key::kStatus);
       return "";  // said by the queue.deferred that follows
     }},
    {ev::kQueueDeferred, Outcome::Transient,
     [](const sim::TraceEvent& e, MarkContext& c) {
       const std::string& status = c.last_status[{e.host, e.get(key::kId)}];
       const std::string& next = e.get(key::kNextNs);
       std::string label = "deferred" + (status.empty() ? "" : " (" + status + ")");
       if (!next.empty())
         label += ", retry after " + scenario::format_clock(std::strtoll(next.c_str(), nullptr, 10));
       return label;
     },
     "(held in this host's queue until the next queue run after that time)"},
    {ev::kRelayUnconfirmed, Outcome::Transient,
     [](const sim::TraceEvent& e, MarkContext&) {
       return "no reply after the final dot: " + e.get(key::kTo) + " may get it twice";
     }},
    {ev::kRelayBounced, Outcome::Permanent,
     [](const sim::TraceEvent& e, MarkContext&) {
       return "\u2717 " + e.get(key::kTo) + ": " + e.get(key::kStatus) + " failed";
     }},
    {ev::kQueueExpired, Outcome::Permanent,
     [](const sim::TraceEvent& e, MarkContext&) {
       return "\u2717 " + e.get(key::kId) + " expired: too long in the queue";
     }},
    {ev::kDsnBounce, Outcome::Permanent,
     [](const sim::TraceEvent& e, MarkContext&) {
       return "\u2709 bounce (DSN) to " + (e.get(key::kTo).empty() ? std::string("<>") : e.get(key::kTo));
     }},
    {ev::kDsnDelayed, Outcome::Transient,
     [](const sim::TraceEvent& e, MarkContext&) {
       return "\u2709 delay warning (DSN) to " + e.get(key::kTo);
     }},
    {ev::kDsnSuppressed, Outcome::Neutral,
     [](const sim::TraceEvent& e, MarkContext&) {
       return "no bounce for " + e.get(key::kId) + ": null sender";
     }},
    {ev::kDeliver, Outcome::Ok,
     [](const sim::TraceEvent& e, MarkContext&) {
       return "\u2714 into " + e.get(key::kUser) + "'s " + e.get(key::kMailbox);
     }},
    {ev::kDeliverFailed, Outcome::Permanent,
     [](const sim::TraceEvent& e, MarkContext&) {
       return "\u2717 delivery to " + e.get(key::kUser) + " failed " + e.get(key::kStatus);
     }},
    {ev::kDeliverDeferred, Outcome::Transient,
     [](const sim::TraceEvent& e, MarkContext&) {
       return "delivery to " + e.get(key::kUser) + " deferred: " + e.get(key::kReason);
     }},
    {ev::kQueueWriteFailed, Outcome::Permanent,
     [](const sim::TraceEvent&, MarkContext&) { return std::string("\u2717 cannot write the queue file"); }},
    {ev::kQueueReloaded, Outcome::Neutral,
     [](const sim::TraceEvent& e, MarkContext&) {
       return "queue reloaded from disk: " + plural(e.get(key::kMessages), "message");
     }},
    {ev::kQueueCorrupt, Outcome::Permanent,
     [](const sim::TraceEvent& e, MarkContext&) { return "\u2717 corrupt queue file " + e.get(key::kId); }},
    {ev::kFetchDone, Outcome::Ok,
     [](const sim::TraceEvent& e, MarkContext&) {
       return "\u2714 fetched " + plural(e.get(key::kMessages), "message");
     }},
    {ev::kFetchFailed, Outcome::Permanent,
     [](const sim::TraceEvent& e, MarkContext&) { return "\u2717 fetch failed: " + e.get(key::kDetail); }},
    {ev::kAuthFailed, Outcome::Permanent,
     [](const sim::TraceEvent& e, MarkContext&) { return "\u2717 AUTH failed for " + e.get(key::kUser); }},
    {ev::kPop3AuthFailed, Outcome::Permanent,
     [](const sim::TraceEvent& e, MarkContext&) {
       return "\u2717 POP3 login failed for " + e.get(key::kUser);
     }},
    {ev::kImapAuthFailed, Outcome::Permanent,
     [](const sim::TraceEvent& e, MarkContext&) {
       return "\u2717 IMAP login failed for " + e.get(key::kUser);
     }},
    {ev::kPop3Deleted, Outcome::Neutral,
     [](const sim::TraceEvent& e, MarkContext&) {
       return "deleted " + e.get(key::kUid) + " (" + e.get(key::kUser) + ")";
     }},
    {ev::kRouteImplicitMx, Outcome::Neutral,
     [](const sim::TraceEvent& e, MarkContext&) {
       return "no MX for " + e.get(key::kDomain) + ": its A record (implicit MX)";
     }},
    {ev::kDnsDrop, Outcome::Timeout,
     [](const sim::TraceEvent&, MarkContext&) { return std::string("dropped a query it could not parse"); }},
    {ev::kHostDown, Outcome::Permanent,
     [](const sim::TraceEvent&, MarkContext&) { return std::string("\u2717 host down"); },
     "(a crash: its services stop, its disk and queue are kept)"},
    {ev::kHostUp, Outcome::Ok,
     [](const sim::TraceEvent&, MarkContext&) { return std::string("\u2714 host up"); }},
    {ev::kPortRefuse, Outcome::Transient,
     [](const sim::TraceEvent& e, MarkContext&) {
       return "port " + e.get(key::kService) + " refuses connections";
     }},
    {ev::kPortAccept, Outcome::Ok,
     [](const sim::TraceEvent& e, MarkContext&) {
       return "port " + e.get(key::kService) + " accepts again";
     }},
    {ev::kCut, Outcome::Transient,
     [](const sim::TraceEvent& e, MarkContext&) { return "\u2702 link cut " + link(e); }},
    {ev::kHeal, Outcome::Ok,
     [](const sim::TraceEvent& e, MarkContext&) { return "link healed " + link(e); }},
    {ev::kLoss, Outcome::Transient,
     [](const sim::TraceEvent& e, MarkContext&) { return "loss " + e.get(key::kRate) + " on " + link(e); }},
    {ev::kStarttlsStrip, Outcome::Transient,
     [](const sim::TraceEvent& e, MarkContext&) { return "\u2702 STARTTLS stripped on " + link(e); },
     "(an on-path attacker hides the server's STARTTLS: `may` goes on in clear)"},
    {ev::kStarttlsUnstrip, Outcome::Ok,
     [](const sim::TraceEvent& e, MarkContext&) { return "attacker gone " + link(e); }},
    {ev::kStarttlsStripped, Outcome::Transient,
     [](const sim::TraceEvent& e, MarkContext&) { return "\u2702 " + e.get(key::kDetail); }},
    {ev::kDiskFull, Outcome::Transient,
     [](const sim::TraceEvent&, MarkContext&) { return std::string("disk full"); }},
    {ev::kDiskOk, Outcome::Ok, [](const sim::TraceEvent&, MarkContext&) { return std::string("disk ok"); }},
};

}  // namespace

void Builder::marks() {
  MarkContext context;
  for (std::size_t i = 0; i < n_; ++i) {
    const auto& e = trace_[i];
    const MarkRule* rule = nullptr;
    for (const auto& r : kMarkRules) {
      if (e.event == r.event) {
        rule = &r;
        break;
      }
    }
    if (!rule) continue;
    Mark m;
    m.label = rule->label(e, context);
    if (m.label.empty()) continue;
    m.outcome = rule->outcome;
    // A fault on a link sits on the lane of its first end that is a host.
    m.lane = lane_of_host(e.host);
    if (m.lane < 0 && !e.get(key::kB).empty()) m.lane = lane_of_host(e.get(key::kB));
    m.t = e.t_ns;
    m.event = e.event;
    m.trace_index = i;
    m.detail = line(i);
    if (!rule->note.empty()) m.detail += "\n" + std::string(rule->note);
    add_mark(std::move(m), i * 8 + 3);
  }
}

// Queue bars per (host, queue id): active from queue.enqueued, deferred from
// queue.deferred until the next queue.attempt, over at queue.removed. Down intervals from
// host.down / host.up.
void Builder::bars_and_down() {
  struct Open {
    std::size_t bar;  // index in chart_.bars of the open segment
    int column;
  };
  std::map<std::pair<int, std::string>, Open> open;
  std::map<int, std::set<int>> columns_in_use;
  std::map<int, Time> down_since;
  auto close = [&](const Open& o, Time t) { chart_.bars[o.bar].to = t; };
  auto segment = [&](int lane, const std::string& id, const std::string& subject, Time t,
                     bool deferred, int column) {
    Bar b;
    b.lane = lane;
    b.column = column;
    b.from = b.to = t;
    b.deferred = deferred;
    b.queue_id = id;
    b.subject = subject;
    chart_.bars.push_back(std::move(b));
    return chart_.bars.size() - 1;
  };
  for (std::size_t i = 0; i < n_; ++i) {
    const auto& e = trace_[i];
    const int lane = lane_of_host(e.host);
    if (lane < 0) continue;
    const std::string& name = e.event;
    const auto bar = std::make_pair(lane, e.get(key::kId));
    if (name == ev::kQueueEnqueued) {
      if (open.count(bar)) continue;
      auto& used = columns_in_use[lane];
      int column = 0;
      while (used.count(column)) ++column;
      used.insert(column);
      open[bar] = Open{segment(lane, bar.second, e.get(key::kSubject), e.t_ns, false, column), column};
    } else if (name == ev::kQueueDeferred || name == ev::kQueueAttempt) {
      auto it = open.find(bar);
      if (it == open.end()) continue;
      bool deferred = name == ev::kQueueDeferred;
      if (chart_.bars[it->second.bar].deferred == deferred) continue;
      close(it->second, e.t_ns);
      it->second.bar =
          segment(lane, bar.second, chart_.bars[it->second.bar].subject, e.t_ns, deferred, it->second.column);
    } else if (name == ev::kQueueRemoved) {
      auto it = open.find(bar);
      if (it == open.end()) continue;
      close(it->second, e.t_ns);
      columns_in_use[lane].erase(it->second.column);
      open.erase(it);
    } else if (name == ev::kHostDown) {
      if (!down_since.count(lane)) down_since[lane] = e.t_ns;
    } else if (name == ev::kHostUp) {
      auto it = down_since.find(lane);
      if (it == down_since.end()) continue;
      chart_.lanes[lane].down.push_back(Lane::Down{it->second, e.t_ns});
      down_since.erase(it);
    }
  }
  for (const auto& [where, o] : open) close(o, end_);
  for (const auto& [lane, since] : down_since) chart_.lanes[lane].down.push_back(Lane::Down{since, end_});
}

}  // namespace maillab::viz::detail
