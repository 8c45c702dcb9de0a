#include "viz/gui/model.hpp"

#include <algorithm>

#include "protocols/io/trace_vocab.hpp"
#include "protocols/mda/mail_store.hpp"
#include "scenarios/library.hpp"
#include "scenarios/runner.hpp"
#include "viz/exchanges.hpp"
#include "viz/gui/session.hpp"
#include "viz/host_roles.hpp"
#include "viz/message_path.hpp"
#include "viz/scenario_writer.hpp"

namespace maillab::viz {

namespace ev = io::trace::ev;
namespace key = io::trace::key;

namespace {

constexpr Time kInFlightWindow = 60'000'000'000;  // packets older than a minute have landed

// The messages in a host's mailboxes now (a POP3 DELE or an IMAP expunge takes them out):
// read from a copy of its mail files, so reading never writes to the host's disk.
std::size_t mailbox_now(const scenario::World& w, const scenario::HostNode& h) {
  io::MemoryDisk copy;
  for (const auto& path : h.disk.list("mail/"))
    if (auto bytes = h.disk.read(path)) copy.write(path, bytes);
  auto store = mda::make_store(w.mailbox_kind(h.spec->name), copy);
  if (!store) return 0;
  std::size_t n = 0;
  for (const auto& user : store->users()) n += store->list(user).size();
  return n;
}

std::string where_now(const Journey& j, const Model& m) {
  if (j.hops.empty()) return j.submission_failed ? "never left the MUA: the submission failed"
                                                 : "being submitted";
  std::vector<bool> has_child(j.hops.size(), false);
  for (const auto& h : j.hops)
    if (h.parent >= 0) has_child[h.parent] = true;
  std::string out;
  for (std::size_t i = 0; i < j.hops.size(); ++i) {
    if (has_child[i]) continue;
    const Hop& h = j.hops[i];
    std::string w;
    if (h.status == "delivered") {
      w = "delivered on " + h.host + " at " + scenario::format_clock(h.status_time) + ": " + h.status_detail;
    } else if (h.status == "bounced" || h.status == "expired") {
      w = h.status + " on " + h.host + " at " + scenario::format_clock(h.status_time) + ": " + h.status_detail;
    } else if (h.status == "relayed") {
      w = "handed on: " + h.status_detail;
    } else {
      const HostView* hv = m.host(h.host);
      const QueuedMessage* q = nullptr;
      if (hv)
        for (const auto& f : hv->queue)
          if (f.id == h.queue_id) q = &f;
      if (q) {
        w = "in the " + std::string(mta::queue_state_name(q->state)) + " queue of " + h.host +
            " (" + h.queue_id + ", " + std::to_string(q->attempts) + " attempt" +
            (q->attempts == 1 ? "" : "s");
        if (q->state == mta::QueueState::Deferred)
          w += ", next retry after " + scenario::format_clock(q->next_attempt);
        w += ")";
        if (hv && !hv->up) w += "; the host is down, the queue waits on its disk";
      } else {
        w = h.status + " on " + h.host;
      }
    }
    out += (out.empty() ? "" : "\n") + w;
  }
  return out;
}

void rebuild(Model& m, Session& session) {
  const scenario::Scenario& s = session.scenario();
  const scenario::World& w = session.world();
  m.loaded = true;
  m.revision = session.revision();
  m.id = s.id;
  m.title = s.title;
  m.description = s.description;
  m.source = s.file;
  m.seed = session.seed();
  m.now = session.now();
  m.duration = session.duration();
  m.trace = &w.trace().events();
  m.scenario = &s;
  if (m.trace_events == m.trace->size() && !m.chart.lanes.empty() && m.now > m.chart.end) {
    // Nothing new was traced: what was open (queues, down hosts) just lasts longer.
    for (auto& b : m.chart.bars)
      if (b.to == m.chart.end) b.to = m.now;
    for (auto& l : m.chart.lanes)
      for (auto& d : l.down)
        if (d.to == m.chart.end) d.to = m.now;
    m.chart.end = m.now;
  } else if (m.trace_events != m.trace->size() || m.chart.end != m.now || m.chart.lanes.empty()) {
    m.chart = build_sequence_chart(s, *m.trace, m.now);
    m.lines = timeline_lines(s, *m.trace, m.now);
    auto journeys = build_journeys(s, *m.trace, m.now);
    const Exchanges x = pair_exchanges(s, *m.trace, m.trace->size());
    m.journeys.clear();
    for (std::size_t k = 0; k < journeys.size(); ++k)
      m.journeys.push_back(JourneyView{journeys[k], message_path(journeys, k, s, *m.trace, x, m.now), "", "", ""});
  }
  m.trace_events = m.trace->size();
  if (m.topology.nodes.empty() || m.topology.nodes.size() != s.hosts.size() + s.network.routers.size())
    m.topology = layout_topology(s);
  m.routers = s.network.routers;

  m.hosts.clear();
  auto queues = queues_from_trace(*m.trace, m.now);
  for (const auto& h : s.hosts) {
    HostView v;
    v.name = h.name;
    v.address = h.address.text;
    v.roles = host_roles(s, h);
    v.has_mta = h.mta.has_value();
    auto it = w.hosts().find(h.name);
    if (it != w.hosts().end()) {
      v.up = it->second->up;
      if (h.mta) v.mailbox_messages = mailbox_now(w, *it->second);
    }
    if (auto q = queues.find(h.name); q != queues.end()) v.queue = std::move(q->second);
    for (const auto& q : v.queue) {
      switch (q.state) {
        case mta::QueueState::Incoming: ++v.incoming; break;
        case mta::QueueState::Active: ++v.active; break;
        case mta::QueueState::Deferred: ++v.deferred; break;
        case mta::QueueState::Hold: ++v.hold; break;
      }
    }
    m.hosts.push_back(std::move(v));
  }
  m.cuts.clear();
  for (const auto& e : *m.trace) {
    if (e.event == ev::kCut || e.event == ev::kHeal) {
      std::pair<std::string, std::string> pair{e.get(key::kA), e.get(key::kB)};
      if (pair.second < pair.first) std::swap(pair.first, pair.second);
      auto it = std::find(m.cuts.begin(), m.cuts.end(), pair);
      if (e.event == ev::kCut && it == m.cuts.end()) m.cuts.push_back(pair);
      if (e.event == ev::kHeal && it != m.cuts.end()) m.cuts.erase(it);
    }
    if (e.event != ev::kDiskFull && e.event != ev::kDiskOk) continue;
    for (auto& v : m.hosts)
      if (v.name == e.host) v.disk_full = e.event == ev::kDiskFull;
  }

  for (auto& jv : m.journeys) {
    jv.where_now = where_now(jv.journey, m);
    for (const auto& r : jv.path.retrievals)
      jv.where_now += "\ndownloaded by " + r.client + " at " + scenario::format_clock(r.t) + " (POP3, " + r.user +
                      (r.deleted ? "), deleted from " : "), still on ") + r.server;
    jv.content.clear();
    // The freshest copy: delivered, still queued, or as the MUA composed it.
    for (auto h = jv.journey.hops.rbegin(); h != jv.journey.hops.rend() && jv.content.empty(); ++h) {
      for (const auto& d : w.deliveries())
        if (d.host == h->host && d.record.queue_id == h->queue_id && d.record.content) {
          jv.content = *d.record.content;
          jv.content_source = "as delivered to " + d.record.user + " on " + d.host;
        }
      if (!jv.content.empty()) break;
      if (auto bytes = w.queued_content(h->host, h->queue_id)) {
        jv.content = std::move(*bytes);
        jv.content_source = "as queued on " + h->host + " (" + h->queue_id + ")";
      }
    }
    if (jv.content.empty() && !jv.journey.mua.empty()) {
      for (const auto& sub : w.submissions())
        if (sub.subject == jv.journey.subject && sub.time == jv.journey.start) {
          jv.content = sub.content;
          jv.content_source = "as the MUA on " + jv.journey.mua + " composed it";
        }
    }
  }
  m.injected.clear();
  for (const auto& e : session.injected()) m.injected.push_back(event_yaml(e).value_or("?"));
}

}  // namespace

const HostView* Model::host(const std::string& name) const {
  for (const auto& h : hosts)
    if (h.name == name) return &h;
  return nullptr;
}

int Model::journey_of_event(std::size_t i) const {
  // A message's own events first (a DSN's way is part of the message it reports on).
  for (std::size_t k = 0; k < journeys.size(); ++k)
    if (journeys[k].journey.is_dsn && journeys[k].path.contains(i)) return static_cast<int>(k);
  for (std::size_t k = 0; k < journeys.size(); ++k)
    if (journeys[k].path.contains(i)) return static_cast<int>(k);
  return -1;
}

std::size_t Model::first_event(const Journey& j) {
  if (!j.submission.empty()) return j.submission.front();
  if (!j.hops.empty() && !j.hops[0].attempts.empty() && !j.hops[0].attempts[0].events.empty())
    return j.hops[0].attempts[0].events.front();
  return static_cast<std::size_t>(-1);
}

std::vector<BuiltinInfo> builtin_infos() {
  // docs/scenarios/README.md, "Suggested order".
  static constexpr std::string_view kTeachingOrder[] = {
      kFirstScenario,        "basic-delivery",    "two-domains",        "pop3-fetch",
      "submission-auth",     "forged-sender",     "forged-sender-checked", "forwarding-breaks-spf",
      "dmarc-rollout",       "open-relay-refused",  "alias-forwarding",
      "no-mx-implicit",      "equal-preference",  "mx-failover",        "reject-unknown-user",
      "bounce-after-accept", "null-mx",           "dns-servfail",       "dns-truncated",
      "partition",           "disk-full",         "retry-after-outage", "delay-warning",
      "give-up-bounce",      "mail-loop",         "imap-vs-pop3",       "imap-idle",
      "imap-folders",        "full-journey-imap", "relayhost-transport", "mailbox-quota",    "greylisting",
      "flush",               "inet-interfaces",   "reverse-dns",        "connection-cache",
      "starttls-opportunistic", "starttls-enforced", "webmail"};
  auto rank = [](const std::string& name) {
    const auto* it = std::find(std::begin(kTeachingOrder), std::end(kTeachingOrder), name);
    return static_cast<std::size_t>(it - std::begin(kTeachingOrder));
  };
  std::vector<BuiltinInfo> out;
  for (const auto& b : scenario::builtin_scenarios()) {
    BuiltinInfo i;
    i.name = std::string(b.name);
    auto loaded = scenario::load_scenario_text(b.text, "builtin:" + i.name);
    if (auto* s = std::get_if<scenario::Scenario>(&loaded)) {
      i.title = s->title;
      i.description = s->description;
    } else {
      i.title = "(does not load: " + std::get<scenario::LoadError>(loaded).str() + ")";
    }
    out.push_back(std::move(i));
  }
  std::stable_sort(out.begin(), out.end(), [&](const BuiltinInfo& a, const BuiltinInfo& b) {
    return std::make_pair(rank(a.name), a.name) < std::make_pair(rank(b.name), b.name);
  });
  return out;
}

void update_model(Model& m, Session& session) {
  if (m.builtins.empty()) m.builtins = builtin_infos();
  if (!session.loaded()) {
    m.loaded = false;
    return;
  }
  if (!m.loaded || m.revision != session.revision()) rebuild(m, session);
  m.now = session.now();

  m.in_flight.clear();
  const auto& packets = session.packets().packets();
  m.packets = &packets;
  auto first = std::lower_bound(packets.begin(), packets.end(), m.now - kInFlightWindow,
                                [](const RecordedPacket& p, Time t) { return p.time < t; });
  auto node_at = [&](sim::Address a) {
    for (const auto& h : session.scenario().hosts)
      if (h.address.value == a) return m.topology.node_of(h.name);
    return -1;
  };
  for (auto it = first; it != packets.end() && it->time <= m.now; ++it) {
    auto latency = session.world().network().path_latency(it->src, it->dst);
    if (!latency || *latency <= 0 || it->time + *latency <= m.now) continue;
    PacketInFlight f;
    f.from = node_at(it->src);
    f.to = node_at(it->dst);
    if (f.from < 0 || f.to < 0) continue;
    f.fraction = static_cast<double>(m.now - it->time) / static_cast<double>(*latency);
    f.protocol = packet_protocol(*it);
    f.text = packet_text(*it);
    f.dropped = it->dropped;
    m.in_flight.push_back(std::move(f));
  }
}

}  // namespace maillab::viz
