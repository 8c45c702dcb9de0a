#include "viz/journey.hpp"

#include <algorithm>
#include <cstdlib>
#include <deque>
#include <map>

#include "protocols/io/trace_vocab.hpp"
#include "scenarios/runner.hpp"

namespace maillab::viz {

namespace agent = io::trace::agent;
namespace ev = io::trace::ev;
namespace key = io::trace::key;

namespace {

struct Node {
  Hop hop;
  std::string msgid;  // as its queue.enqueued recorded it
  int parent = -1;   // node index
  int journey = -1;  // set for a journey's root
  bool dsn = false;
  std::string dsn_about;
};

using Key = std::pair<std::string, std::string>;  // (host, queue id)

}  // namespace

std::string Journey::title() const {
  std::string t = subject.empty() ? "(no subject)" : subject;
  if (is_dsn) return "DSN: " + t;
  if (!hops.empty() && !hops[0].from.empty()) t += "  <" + hops[0].from + ">";
  return t;
}

std::vector<Journey> build_journeys(const scenario::Scenario& s,
                                    const std::vector<sim::TraceEvent>& trace, Time end) {
  std::vector<Journey> journeys;
  std::vector<Node> nodes;
  std::map<Key, int> node_of;
  std::map<Key, int> parent_of;       // child (host, id) -> parent node
  std::map<Key, int> root_of;         // (host, id) -> journey whose first hop it is
  std::map<std::string, std::deque<int>> open_mua;  // host -> journeys being submitted
  std::map<std::string, Key> reported;              // a DSN's Message-ID -> the message it reports on
  auto host_at = [&](const std::string& address) {
    for (const auto& h : s.hosts)
      if (h.address.text == address) return h.name;
    return std::string();
  };

  for (std::size_t i = 0; i < trace.size() && trace[i].t_ns <= end; ++i) {
    const auto& e = trace[i];
    const std::string& name = e.event;
    const std::string& id = e.get(key::kId);
    if (name == ev::kCompose) {
      Journey j;
      j.subject = e.get(key::kSubject);
      j.message_id = e.get(key::kMessageId);
      j.mua = e.host;
      j.start = e.t_ns;
      j.submission.push_back(i);
      open_mua[e.host].push_back(static_cast<int>(journeys.size()));
      journeys.push_back(std::move(j));
      continue;
    }
    if (e.agent == agent::kMua &&
        (name == ev::kSmtpOut || name == ev::kSubmitAccepted || name == ev::kSubmitFailed)) {
      auto& q = open_mua[e.host];
      if (q.empty()) continue;
      Journey& j = journeys[q.front()];
      j.submission.push_back(i);
      if (name == ev::kSubmitAccepted) {
        // The first hop: the queue the submission went into (peer address, next_id).
        const std::string& next = e.get(key::kNextId);
        if (!next.empty()) root_of.emplace(Key{host_at(e.get(key::kPeer)), next}, q.front());
        q.pop_front();
      } else if (name == ev::kSubmitFailed) {
        j.submission_failed = true;
        q.pop_front();
      }
      continue;
    }
    if (name == ev::kDsnBounce || name == ev::kDsnDelayed) {
      reported[e.get(key::kDsnMsgid)] = Key{e.host, id};
    }
    if (name == ev::kQueueEnqueued) {
      Node n;
      n.hop.host = e.host;
      n.hop.queue_id = id;
      n.hop.enqueued = e.t_ns;
      n.hop.from = e.get(key::kFrom);
      n.hop.to = e.get(key::kTo);
      n.hop.subject = e.get(key::kSubject);
      n.hop.status = "queued";
      n.hop.status_time = e.t_ns;
      n.hop.attempts.push_back(Attempt{0, e.t_ns, {i}});
      n.msgid = e.get(key::kMsgid);
      auto d = reported.find(e.get(key::kMsgid));
      if (n.hop.from.empty() && d != reported.end()) {
        n.dsn = true;
        n.dsn_about = d->second.first + " " + d->second.second;
        reported.erase(d);
      }
      node_of[{e.host, id}] = static_cast<int>(nodes.size());
      nodes.push_back(std::move(n));
      continue;
    }
    if (id.empty()) continue;
    auto it = node_of.find({e.host, id});
    if (it == node_of.end()) continue;
    Hop& h = nodes[it->second].hop;
    if (name == ev::kQueueAttempt) {
      int number = std::atoi(e.get(key::kAttempt).c_str());
      h.attempts.push_back(Attempt{number, e.t_ns, {}});
    }
    h.attempts.back().events.push_back(i);
    if (name == ev::kRelaySent) {
      // The next hop: the queue id the receiving host named (peer address, next_id).
      const std::string& next = e.get(key::kNextId);
      if (!next.empty()) parent_of[{host_at(e.get(key::kPeer)), next}] = it->second;
      h.status = "relayed";
      h.status_detail = e.get(key::kTo) + " to " + e.get(key::kRelay);
      h.status_time = e.t_ns;
    } else if (name == ev::kDeliver) {
      h.status = "delivered";
      h.status_detail = e.get(key::kTo) + " into " + e.get(key::kUser) + "'s " + e.get(key::kMailbox);
      h.status_time = e.t_ns;
    } else if (name == ev::kRelayBounced || name == ev::kDeliverFailed) {
      h.status = "bounced";
      h.status_detail = e.get(key::kTo) + ": " + e.get(key::kStatus) + " " + e.get(key::kDiagnostic);
      h.status_time = e.t_ns;
    } else if (name == ev::kQueueDeferred) {
      h.status = "deferred";
      long long next = std::strtoll(e.get(key::kNextNs).c_str(), nullptr, 10);
      h.status_detail = "next retry after " + scenario::format_clock(next) + ": " + e.get(key::kReason);
      h.status_time = e.t_ns;
    } else if (name == ev::kQueueExpired) {
      h.status = "expired";
      h.status_detail = "too long in the queue: returned to the sender";
      h.status_time = e.t_ns;
    }
  }

  // Link hops: a child of a relayed hop, the first hop of a submission, else - while the
  // sender has not yet logged relay.sent (it does once the next hop's 250 arrives) - the
  // latest earlier hop of the same Message-ID on another host, else a new journey.
  auto same_message = [&](std::size_t k) {
    int found = -1;
    for (std::size_t o = 0; o < k; ++o)
      if (!nodes[k].msgid.empty() && nodes[o].msgid == nodes[k].msgid && nodes[o].hop.host != nodes[k].hop.host &&
          nodes[o].hop.status != "relayed" && nodes[o].hop.status != "delivered")
        found = static_cast<int>(o);
    return found;
  };
  for (std::size_t k = 0; k < nodes.size(); ++k) {
    Key key{nodes[k].hop.host, nodes[k].hop.queue_id};
    if (auto p = parent_of.find(key); p != parent_of.end() && p->second != static_cast<int>(k)) {
      nodes[k].parent = p->second;
    } else if (auto r = root_of.find(key); r != root_of.end()) {
      nodes[k].journey = r->second;
    } else if (const int o = nodes[k].dsn ? -1 : same_message(k); o >= 0) {
      nodes[k].parent = o;
    } else {
      Journey j;
      j.subject = nodes[k].hop.subject;
      j.start = nodes[k].hop.enqueued;
      j.is_dsn = nodes[k].dsn;
      j.dsn_about = nodes[k].dsn_about;
      nodes[k].journey = static_cast<int>(journeys.size());
      journeys.push_back(std::move(j));
    }
  }
  // Each journey gets its hops depth first from its root, children in time order.
  std::vector<std::vector<int>> children(nodes.size());
  for (std::size_t k = 0; k < nodes.size(); ++k)
    if (nodes[k].parent >= 0) children[nodes[k].parent].push_back(static_cast<int>(k));
  for (std::size_t k = 0; k < nodes.size(); ++k) {
    if (nodes[k].journey < 0) continue;
    Journey& j = journeys[nodes[k].journey];
    std::vector<std::pair<int, int>> stack{{static_cast<int>(k), -1}};  // node, parent hop
    while (!stack.empty()) {
      auto [n, parent_hop] = stack.back();
      stack.pop_back();
      Hop h = nodes[n].hop;
      h.parent = parent_hop;
      int me = static_cast<int>(j.hops.size());
      j.hops.push_back(std::move(h));
      for (auto c = children[n].rbegin(); c != children[n].rend(); ++c) stack.emplace_back(*c, me);
    }
  }
  std::stable_sort(journeys.begin(), journeys.end(),
                   [](const Journey& a, const Journey& b) { return a.start < b.start; });
  return journeys;
}

}  // namespace maillab::viz
