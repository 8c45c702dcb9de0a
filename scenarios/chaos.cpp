#include "scenarios/chaos.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include "protocols/io/trace_vocab.hpp"
#include "protocols/message/ascii.hpp"

namespace maillab::scenario {

namespace ev = io::trace::ev;
namespace key = io::trace::key;

namespace {

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

std::string lower(std::string s) {
  message::lower_in_place(s);
  return s;
}

// Time after the last fault by which every queue must have drained or expired.
std::int64_t settle_time(const Scenario& s) {
  std::int64_t longest = 0;
  for (const auto& h : s.hosts) {
    if (!h.mta) continue;
    const auto& q = h.mta->queue;
    longest = std::max(longest, std::max(q.maximal_queue_lifetime_ns, q.bounce_queue_lifetime_ns) +
                                    2 * q.maximal_backoff_time_ns + 2 * q.queue_run_delay_ns);
  }
  return longest + kHour;
}

class FaultPlanner {
 public:
  FaultPlanner(World& w, sim::Rng rng) : w_(w), rng_(std::move(rng)) {}

  // Draws and schedules the faults of one seed; returns a readable log of them.
  std::vector<std::string> plan(int max_faults, std::int64_t window) {
    std::vector<std::string> log;
    const Scenario& s = w_.scenario();
    std::vector<const Host*> servers, mtas;
    for (const auto& h : s.hosts) {
      if (h.mta || h.pop3 || h.dns) servers.push_back(&h);
      if (h.mta) mtas.push_back(&h);
    }
    if (servers.empty() || window <= 0) return log;
    int n = 1 + static_cast<int>(rng_() % static_cast<unsigned>(max_faults));
    for (int i = 0; i < n; ++i) {
      std::int64_t start = uniform(window);
      std::int64_t length = std::max<std::int64_t>(kSecond, uniform(std::min(window - start, 2 * kHour)));
      std::int64_t end = std::min(window, start + length);
      const Host* h = servers[rng_() % servers.size()];
      const Host* other = &s.hosts[rng_() % s.hosts.size()];
      std::string when = format_duration(start) + ".." + format_duration(end);
      switch (rng_() % 7) {
        case 0:
          schedule(start, HostState{h->name, false}, end, HostState{h->name, true}, true);
          log.push_back(when + " crash " + h->name);
          break;
        case 1:
          if (other == h) break;
          schedule(start, Cut{h->name, other->name, false}, end, Cut{h->name, other->name, true});
          log.push_back(when + " partition " + h->name + " | " + other->name);
          break;
        case 2: {
          if (other == h) break;
          double rate = 0.05 + static_cast<double>(rng_() % 45) / 100.0;
          schedule(start, Loss{h->name, other->name, rate}, end, Loss{h->name, other->name, 0.0});
          log.push_back(when + " loss " + std::to_string(rate).substr(0, 4) + " " + h->name +
                        " - " + other->name);
          break;
        }
        case 3: {
          std::vector<Service> services;
          if (h->mta) services.push_back(Service::Smtp);
          if (h->mta && h->mta->submission) services.push_back(Service::Submission);
          if (h->pop3) services.push_back(Service::Pop3);
          if (h->dns) services.push_back(Service::Dns);
          if (h->imap) services.push_back(Service::Imap);
          if (h->webmail) services.push_back(Service::Http);
          Service sv = services[rng_() % services.size()];
          schedule(start, PortState{h->name, sv, false}, end, PortState{h->name, sv, true});
          log.push_back(when + " refuse " + h->name + " " + std::string(service_name(sv)));
          break;
        }
        case 4:
          if (!h->mta) break;
          schedule(start, DiskState{h->name, true}, end, DiskState{h->name, false});
          log.push_back(when + " disk_full " + h->name);
          break;
        case 5:
          if (!h->dns) break;
          schedule(start, PortState{h->name, Service::Dns, false}, end,
                   PortState{h->name, Service::Dns, true});
          log.push_back(when + " dns_silent " + h->name);
          break;
        case 6: {
          if (mtas.empty()) break;
          // Crash an MTA right after it has written a message to disk, before its 250 has
          // reached the client: the classic lost-acknowledgement window.
          const Host* m = mtas[rng_() % mtas.size()];
          std::int64_t downtime = kSecond + uniform(30 * kMinute);
          int skip = static_cast<int>(rng_() % 3);
          arm_crash_after_write(m->name, skip, downtime);
          log.push_back("crash " + m->name + " right after its queue write #" +
                        std::to_string(skip + 1) + ", down " + format_duration(downtime));
          break;
        }
      }
    }
    return log;
  }

  void attach() {
    w_.trace().set_observer([this](const sim::TraceEvent& e) {
      if (e.event != ev::kQueueEnqueued) return;
      auto it = armed_.find(e.host);
      if (it == armed_.end()) return;
      if (it->second.first-- > 0) return;  // not this write yet
      std::int64_t downtime = it->second.second;
      std::string host = e.host;
      armed_.erase(it);
      if (!w_.hosts().at(host)->up) return;
      // At the same instant, after the current event: the reply is queued on the wire.
      w_.simulator().after(0, [this, host] { w_.inject(HostState{host, false}); });
      w_.simulator().after(downtime, [this, host] { w_.inject(HostState{host, true}); });
    });
  }

 private:
  std::int64_t uniform(std::int64_t range) {
    if (range <= 0) return 0;
    return static_cast<std::int64_t>(rng_() % static_cast<std::uint64_t>(range));
  }

  template <class A, class B>
  void schedule(std::int64_t at, A begin, std::int64_t end, B finish, bool only_if_up = false) {
    World* w = &w_;
    auto skipped = std::make_shared<bool>(false);
    w_.simulator().at(at, [w, begin, only_if_up, skipped] {
      if constexpr (std::is_same_v<A, HostState>) {
        // A host the scenario itself has taken down is left to the scenario.
        if (only_if_up && !w->hosts().at(begin.host)->up) {
          *skipped = true;
          return;
        }
      }
      w->inject(begin);
    });
    w_.simulator().at(end, [w, finish, skipped] {
      if (!*skipped) w->inject(finish);
    });
  }

  void arm_crash_after_write(const std::string& host, int skip, std::int64_t downtime) {
    armed_[host] = {skip, downtime};
  }

  World& w_;
  sim::Rng rng_;
  std::map<std::string, std::pair<int, std::int64_t>> armed_;  // host -> writes to skip, downtime
};

}  // namespace

namespace {

// What the trace says became of the messages of a run, read in one pass; the checks below
// compare it with the disks and the mailboxes.
struct Ledger {
  struct Message {
    std::size_t rcpts = 0, resolved = 0;
    std::string sender, msgid;
    std::set<std::string> failed;
  };
  std::map<std::pair<std::string, std::string>, Message> msgs;  // (host, queue id)
  std::map<std::string, std::set<std::string>> dsn_for;          // msgid -> failed rcpts
  std::map<std::string, std::set<std::string>> delivered_to;     // msgid -> rcpts
  // Message-IDs whose acknowledgement may have been lost: a relay's end of DATA went
  // unanswered, or the sending host crashed while an attempt was in flight.
  std::set<std::string> unconfirmed;
  std::set<std::pair<std::string, std::string>> dsn_sent;  // (host, id)
  std::vector<std::string> dsn_to_null;                    // "host id" of DSNs to <>
};

Ledger read_ledger(const World& w) {
  Ledger l;
  std::map<std::string, std::map<std::string, std::string>> in_flight;  // host -> id -> msgid
  for (const auto& e : w.trace().events()) {
    const std::string& id = e.get(key::kId);
    const std::string& msgid = e.get(key::kMsgid);
    const auto message = std::make_pair(e.host, id);
    if (e.event == ev::kQueueAttempt) {
      in_flight[e.host][id] = msgid;
    } else if (e.event == ev::kQueueDeferred || e.event == ev::kQueueRemoved) {
      in_flight[e.host].erase(id);
    } else if (e.event == ev::kHostDown) {
      for (const auto& [queued, m] : in_flight[e.host]) l.unconfirmed.insert(m);
      in_flight[e.host].clear();
    }
    if (e.event == ev::kQueueEnqueued) {
      auto& m = l.msgs[message];
      m.rcpts = split_list(e.get(key::kTo)).size();
      m.sender = e.get(key::kFrom);
      m.msgid = msgid;
    } else if (e.event == ev::kDeliver) {
      l.msgs[message].resolved++;
      l.delivered_to[msgid].insert(lower(e.get(key::kTo)));
    } else if (e.event == ev::kRelaySent) {
      l.msgs[message].resolved++;
    } else if (e.event == ev::kRelayBounced || e.event == ev::kDeliverFailed) {
      l.msgs[message].resolved++;
      l.msgs[message].failed.insert(e.get(key::kTo));
    } else if (e.event == ev::kQueueExpired) {
      l.msgs[message].resolved = l.msgs[message].rcpts;
      l.msgs[message].failed.insert("(expired)");
    } else if (e.event == ev::kRelayUnconfirmed || e.event == ev::kQueueWriteFailed) {
      l.unconfirmed.insert(msgid);
    } else if (e.event == ev::kDsnBounce || e.event == ev::kDsnSuppressed) {
      l.dsn_sent.insert(message);
      if (e.event == ev::kDsnBounce && e.get(key::kTo).empty())
        l.dsn_to_null.push_back(e.host + " for " + id);
      for (const auto& r : split_list(e.get(key::kRcpts))) l.dsn_for[msgid].insert(lower(r));
    }
  }
  // Still on disk at the end: the pending recipients are accounted for.
  for (const auto& [name, node] : w.hosts()) {
    for (const auto& q : w.queue_of(name)) {
      auto& m = l.msgs[{name, q.id}];
      for (const auto& r : q.rcpts) {
        if (r.state == mta::RcptState::Pending) m.resolved++;
      }
    }
  }
  return l;
}

// lost: every recipient of every message a host accepted ends delivered, relayed on,
// failed, or still queued on that host's disk.
void check_lost(const Ledger& l, const World&, std::vector<Violation>& out) {
  for (const auto& [where, m] : l.msgs) {
    if (m.resolved == m.rcpts) continue;
    out.push_back({"lost", where.first + " accepted " + where.second + " (" + m.msgid + ") for " +
                               std::to_string(m.rcpts) + " recipient(s), " + std::to_string(m.resolved) +
                               " accounted for"});
  }
}

// drained: every queue of a running host is empty at the end.
void check_drained(const Ledger&, const World& w, std::vector<Violation>& out) {
  for (const auto& [name, node] : w.hosts()) {
    if (!node->up) continue;
    for (const auto& q : w.queue_of(name)) {
      out.push_back({"drained", name + " still holds " + q.id + " \"" + q.subject + "\" (" +
                                    std::string(mta::queue_state_name(q.state)) + ")"});
    }
  }
}

// dsn: every failed recipient of a message from a non-null sender gets a DSN; no DSN is
// addressed to <>; no DSN names a recipient that got the message (unless its
// acknowledgement may have been lost: then both can be true).
void check_dsn(const Ledger& l, const World&, std::vector<Violation>& out) {
  for (const auto& what : l.dsn_to_null) out.push_back({"dsn", "a DSN addressed to <> by " + what});
  for (const auto& [where, m] : l.msgs) {
    if (!m.failed.empty() && !m.sender.empty() && !l.dsn_sent.count(where)) {
      out.push_back({"dsn", where.first + " failed recipients of " + where.second + " but sent no DSN"});
    }
  }
  for (const auto& [msgid, rcpts] : l.dsn_for) {
    auto it = l.delivered_to.find(msgid);
    if (it == l.delivered_to.end()) continue;
    for (const auto& r : rcpts) {
      if (it->second.count(r) && !l.unconfirmed.count(msgid)) {
        out.push_back({"dsn", "a DSN names " + r + " for " + msgid + ", which was delivered to it"});
      }
    }
  }
}

// duplicate and integrity, from the mailboxes' point of view: a mailbox holds a message
// twice only if its acknowledgement may have been lost, and every delivered copy ends with
// the bytes its MUA submitted.
void check_mailboxes(const Ledger& l, const World& w, std::vector<Violation>& out) {
  std::map<std::tuple<std::string, std::string, std::string>, int> copies;
  std::map<std::string, const SubmissionRecord*> submitted;
  for (const auto& sub : w.submissions()) {
    auto pos = sub.content.find("Message-ID: ");
    if (pos == std::string::npos) continue;
    auto end = sub.content.find("\r\n", pos);
    submitted[sub.content.substr(pos + 12, end - pos - 12)] = &sub;
  }
  for (const auto& d : w.deliveries()) {
    const std::string& content = *d.record.content;
    auto pos = content.find("\r\nMessage-ID: ");
    std::string msgid;
    if (pos != std::string::npos) {
      auto end = content.find("\r\n", pos + 2);
      msgid = content.substr(pos + 14, end - pos - 14);
    }
    if (++copies[{d.host, d.record.recipient, msgid}] == 2 && !l.unconfirmed.count(msgid)) {
      out.push_back({"duplicate", d.record.recipient + " on " + d.host + " got " + msgid +
                                      " twice with no unanswered end of DATA on the way"});
    }
    if (auto it = submitted.find(msgid); it != submitted.end()) {
      const std::string& sent = it->second->content;
      if (content.size() < sent.size() ||
          content.compare(content.size() - sent.size(), sent.size(), sent) != 0) {
        out.push_back({"integrity", d.record.recipient + " on " + d.host + " got " + msgid +
                                        " with bytes that differ from what was submitted"});
      }
    }
  }
}

struct InvariantCheck {
  std::string_view name;
  void (*check)(const Ledger&, const World&, std::vector<Violation>&);
};

constexpr InvariantCheck kChecks[] = {
    {"every accepted recipient is accounted for", check_lost},
    {"the queues of running hosts are empty", check_drained},
    {"failed recipients get one DSN, never to <>", check_dsn},
    {"mailboxes hold intact copies, twice only after a lost acknowledgement", check_mailboxes},
};

}  // namespace

std::vector<Violation> check_invariants(const World& w) {
  const Ledger ledger = read_ledger(w);
  std::vector<Violation> out;
  for (const auto& c : kChecks) c.check(ledger, w, out);
  return out;
}

SeedReport run_chaos_seed(const Scenario& s, std::uint64_t seed, const ChaosOptions& opt) {
  SeedReport report;
  report.seed = seed;
  auto built = World::build(s, seed);
  if (auto* e = std::get_if<LoadError>(&built)) {
    report.violations.push_back({"scenario", e->str()});
    return report;
  }
  auto& w = *std::get<std::unique_ptr<World>>(built);
  if (opt.prepare) opt.prepare(w);
  FaultPlanner planner(w, w.simulator().rng("chaos"));
  planner.attach();
  report.fault_log = planner.plan(opt.max_faults, s.duration_ns);
  report.faults = static_cast<int>(report.fault_log.size());
  w.run_until(s.duration_ns + settle_time(s));
  report.violations = check_invariants(w);
  for (const auto& e : w.trace().events()) {
    if (e.event == ev::kQueueEnqueued) report.messages++;
  }
  return report;
}

}  // namespace maillab::scenario
