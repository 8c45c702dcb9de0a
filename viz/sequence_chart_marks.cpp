// Marks (point events on a lane), queue bars and down intervals of the sequence chart.
// The mark texts are what a student reads on the chart: short, in words, with the numbers
// that matter (queue id, status code, next retry time); the full trace line is the detail.
#include <cstdlib>
#include <map>
#include <set>

#include "scenarios/runner.hpp"
#include "viz/sequence_chart_builder.hpp"
#include "viz/text.hpp"

namespace maillab::viz::detail {

namespace {

std::string quoted(const std::string& s) { return "\u201c" + s + "\u201d"; }

std::string plural(const std::string& n, const char* word) {
  return n + " " + word + (n == "1" ? "" : "s");
}

}  // namespace

void Builder::marks() {
  std::map<std::pair<std::string, std::string>, std::string> last_status;  // (host, id)
  for (std::size_t i = 0; i < n_; ++i) {
    const auto& e = trace_[i];
    const std::string& ev = e.event;
    Mark m;
    m.lane = lane_of_host(e.host);
    m.t = e.t_ns;
    m.event = ev;
    m.trace_index = i;
    m.detail = line(i);
    if (ev == "compose") {
      m.label = "\u2709 compose " + quoted(e.get("subject"));
    } else if (ev == "submit.failed") {
      m.label = "\u2717 submission failed: " +
                (e.get("reason").empty() ? e.get("reply") : e.get("reason"));
      m.outcome = Outcome::kPermanent;
    } else if (ev == "queue.enqueued") {
      m.label = "queued " + e.get("id") + " " + quoted(e.get("subject"));
    } else if (ev == "queue.attempt") {
      if (e.get("attempt") == "1" || e.get("attempt").empty()) continue;
      m.label = "retry #" + e.get("attempt") + " of " + e.get("id");
    } else if (ev == "relay.deferred") {
      last_status[{e.host, e.get("id")}] = e.get("status");
      continue;
    } else if (ev == "queue.deferred") {
      const std::string& status = last_status[{e.host, e.get("id")}];
      std::string next = e.get("next_ns");
      m.label = "deferred" + (status.empty() ? "" : " (" + status + ")");
      if (!next.empty()) {
        long long ns = std::strtoll(next.c_str(), nullptr, 10);
        m.label += ", retry after " + scenario::format_clock(ns);
      }
      m.detail += "\n(held in this host's queue until the next queue run after that time)";
      m.outcome = Outcome::kTransient;
    } else if (ev == "relay.unconfirmed") {
      m.label = "no reply after the final dot: " + e.get("to") + " may get it twice";
      m.outcome = Outcome::kTransient;
    } else if (ev == "relay.bounced") {
      m.label = "\u2717 " + e.get("to") + ": " + e.get("status") + " failed";
      m.outcome = Outcome::kPermanent;
    } else if (ev == "queue.expired") {
      m.label = "\u2717 " + e.get("id") + " expired: too long in the queue";
      m.outcome = Outcome::kPermanent;
    } else if (ev == "dsn.bounce") {
      m.label = "\u2709 bounce (DSN) to " + (e.get("to").empty() ? "<>" : e.get("to"));
      m.outcome = Outcome::kPermanent;
    } else if (ev == "dsn.delayed") {
      m.label = "\u2709 delay warning (DSN) to " + e.get("to");
      m.outcome = Outcome::kTransient;
    } else if (ev == "dsn.suppressed") {
      m.label = "no bounce for " + e.get("id") + ": null sender";
    } else if (ev == "deliver") {
      m.label = "\u2714 into " + e.get("user") + "'s " + e.get("mailbox");
      m.outcome = Outcome::kOk;
    } else if (ev == "deliver.failed") {
      m.label = "\u2717 delivery to " + e.get("user") + " failed " + e.get("status");
      m.outcome = Outcome::kPermanent;
    } else if (ev == "deliver.deferred") {
      m.label = "delivery to " + e.get("user") + " deferred: " + e.get("reason");
      m.outcome = Outcome::kTransient;
    } else if (ev == "queue.write_failed") {
      m.label = "\u2717 cannot write the queue file";
      m.outcome = Outcome::kPermanent;
    } else if (ev == "queue.reloaded") {
      m.label = "queue reloaded from disk: " + plural(e.get("messages"), "message");
    } else if (ev == "queue.corrupt") {
      m.label = "\u2717 corrupt queue file " + e.get("id");
      m.outcome = Outcome::kPermanent;
    } else if (ev == "fetch.done") {
      m.label = "\u2714 fetched " + plural(e.get("messages"), "message");
      m.outcome = Outcome::kOk;
    } else if (ev == "fetch.failed") {
      m.label = "\u2717 fetch failed: " + e.get("detail");
      m.outcome = Outcome::kPermanent;
    } else if (ev == "auth.failed") {
      m.label = "\u2717 AUTH failed for " + e.get("user");
      m.outcome = Outcome::kPermanent;
    } else if (ev == "pop3.auth_failed") {
      m.label = "\u2717 POP3 login failed for " + e.get("user");
      m.outcome = Outcome::kPermanent;
    } else if (ev == "pop3.deleted") {
      m.label = "deleted " + e.get("uid") + " (" + e.get("user") + ")";
    } else if (ev == "route.implicit_mx") {
      m.label = "no MX for " + e.get("domain") + ": its A record (implicit MX)";
    } else if (ev == "dns.drop") {
      m.label = "dropped a query it could not parse";
      m.outcome = Outcome::kTimeout;
    } else if (ev == "host.down") {
      m.label = "\u2717 host down";
      m.detail += "\n(a crash: its services stop, its disk and queue are kept)";
      m.outcome = Outcome::kPermanent;
    } else if (ev == "host.up") {
      m.label = "\u2714 host up";
      m.outcome = Outcome::kOk;
    } else if (ev == "port.refuse" || ev == "port.accept") {
      bool accept = ev == "port.accept";
      m.label = "port " + e.get("service") + (accept ? " accepts again" : " refuses connections");
      m.outcome = accept ? Outcome::kOk : Outcome::kTransient;
    } else if (ev == "cut" || ev == "heal" || ev == "loss") {
      std::string between = e.get("between");
      std::string a = between.substr(0, between.find(' '));
      std::string b = between.find(' ') == std::string::npos ? "" : between.substr(between.find(' ') + 1);
      m.lane = lane_of_host(a) >= 0 ? lane_of_host(a) : lane_of_host(b);
      std::string pair = a + " \u2194 " + b;
      if (ev == "cut") m.label = "\u2702 link cut " + pair;
      else if (ev == "heal") m.label = "link healed " + pair;
      else m.label = "loss " + e.get("rate") + " on " + pair;
      m.outcome = ev == "heal" ? Outcome::kOk : Outcome::kTransient;
    } else if (ev == "disk.full" || ev == "disk.ok") {
      m.label = ev == "disk.full" ? "disk full" : "disk ok";
      m.outcome = ev == "disk.full" ? Outcome::kTransient : Outcome::kOk;
    } else {
      continue;  // shown as arrows (exchanges, connects) or not at all
    }
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
    const std::string& ev = e.event;
    auto key = std::make_pair(lane, e.get("id"));
    if (ev == "queue.enqueued") {
      if (open.count(key)) continue;
      auto& used = columns_in_use[lane];
      int column = 0;
      while (used.count(column)) ++column;
      used.insert(column);
      open[key] = Open{segment(lane, key.second, e.get("subject"), e.t_ns, false, column), column};
    } else if (ev == "queue.deferred" || ev == "queue.attempt") {
      auto it = open.find(key);
      if (it == open.end()) continue;
      bool deferred = ev == "queue.deferred";
      if (chart_.bars[it->second.bar].deferred == deferred) continue;
      close(it->second, e.t_ns);
      it->second.bar = segment(lane, key.second, chart_.bars[it->second.bar].subject, e.t_ns,
                               deferred, it->second.column);
    } else if (ev == "queue.removed") {
      auto it = open.find(key);
      if (it == open.end()) continue;
      close(it->second, e.t_ns);
      columns_in_use[lane].erase(it->second.column);
      open.erase(it);
    } else if (ev == "host.down") {
      if (!down_since.count(lane)) down_since[lane] = e.t_ns;
    } else if (ev == "host.up") {
      auto it = down_since.find(lane);
      if (it == down_since.end()) continue;
      chart_.lanes[lane].down.push_back(Lane::Down{it->second, e.t_ns});
      down_since.erase(it);
    }
  }
  for (const auto& [key, o] : open) close(o, end_);
  for (const auto& [lane, since] : down_since) chart_.lanes[lane].down.push_back(Lane::Down{since, end_});
}

}  // namespace maillab::viz::detail
