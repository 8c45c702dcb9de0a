#include "viz/message_path.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <set>

#include "protocols/io/trace_vocab.hpp"

namespace maillab::viz {

namespace ev = io::trace::ev;
namespace key = io::trace::key;

bool MessagePath::contains(std::size_t i) const { return std::binary_search(events.begin(), events.end(), i); }

namespace {

class PathBuilder {
 public:
  PathBuilder(const scenario::Scenario& s, const std::vector<sim::TraceEvent>& trace, const Exchanges& x,
              Time end)
      : s_(s), trace_(trace) {
    for (std::size_t i = 0; i < trace.size() && trace[i].t_ns <= end; ++i) n_ = i + 1;
    for (const auto& e : x.exchanges) {
      if (e.out != Exchanges::npos) in_of_out_[e.out] = e.in;
      if (e.connect != Exchanges::npos) in_of_connect_[e.connect] = e.in;
    }
    for (const auto& [q, a] : x.dns)
      if (a != Exchanges::npos) answer_of_[q] = a;
  }

  void add(std::size_t i) {
    if (i >= n_ || !set_.insert(i).second) return;
    if (auto it = in_of_out_.find(i); it != in_of_out_.end()) add(it->second);
    if (auto it = in_of_connect_.find(i); it != in_of_connect_.end()) add(it->second);
    if (auto it = answer_of_.find(i); it != answer_of_.end()) add(it->second);
  }

  void journey(const Journey& j) {
    for (std::size_t i : j.submission) add(i);
    submission_server_side(j);
    for (const Hop& h : j.hops) hop(h);
  }

  MessagePath take() {
    MessagePath p;
    p.events.assign(set_.begin(), set_.end());
    p.retrievals = std::move(retrievals_);
    return p;
  }

 private:
  // The MSA's side of the submission: its records from the MUA's address (the exchanges,
  // auth.*), from the compose until the submission ended (or until now, while it runs).
  void submission_server_side(const Journey& j) {
    if (j.submission.empty()) return;
    const scenario::Host* client = s_.find_host(j.mua);
    if (!client) return;
    std::string server;
    for (std::size_t i : j.submission)
      if (server.empty() && trace_[i].event == ev::kSmtpOut) server = host_at(s_, trace_[i].get(key::kPeer));
    for (const auto& e : s_.events) {
      const auto* send = std::get_if<scenario::Send>(&e.action);
      if (server.empty() && send && e.at_ns == j.start && send->client.value_or(send->server) == j.mua)
        server = send->server;
    }
    const auto& last = trace_[j.submission.back()];
    const bool over = last.event == ev::kSubmitAccepted || last.event == ev::kSubmitFailed;
    const Time from = trace_[j.submission.front()].t_ns, to = over ? last.t_ns : std::numeric_limits<Time>::max();
    for (std::size_t i = j.submission.front(); i < n_ && trace_[i].t_ns <= to; ++i) {
      const auto& e = trace_[i];
      if (e.t_ns < from || e.host != server || e.get(key::kPeer) != client->address.text) continue;
      if (e.event == ev::kSmtpIn || e.event == ev::kAuthOk || e.event == ev::kAuthFailed || e.event == ev::kAuthBlocked)
        add(i);
    }
  }

  void hop(const Hop& h) {
    std::vector<Time> attempts;
    for (std::size_t i = 0; i < n_; ++i) {
      const auto& e = trace_[i];
      if (e.host != h.host || e.get(key::kId) != h.queue_id) continue;
      add(i);
      if (e.event == ev::kQueueAttempt) attempts.push_back(e.t_ns);
      if (e.event == ev::kDeliver) retrieval(h, e);
      if (e.event == ev::kSmtpConnect) open_session(h, i);
    }
    // The DNS lookups of each attempt: on this host, from its start to its first connection.
    for (Time t : attempts) {
      Time until = -1;
      for (std::size_t i = 0; i < n_ && until < 0; ++i) {
        const auto& e = trace_[i];
        if (e.host == h.host && e.t_ns >= t && e.get(key::kId) == h.queue_id &&
            (e.event == ev::kSmtpConnect || e.event.rfind("relay.", 0) == 0 || e.event == ev::kDeliver))
          until = e.t_ns;
      }
      for (std::size_t i = 0; i < n_; ++i) {
        const auto& e = trace_[i];
        if (e.host != h.host || e.t_ns < t || (until >= 0 && e.t_ns > until)) continue;
        if (e.event == ev::kDnsQuery || e.event == ev::kDnsAnswer || e.event == ev::kDnsTcp) add(i);
      }
    }
  }

  // A session still open at the end of the trace so far: the server's records of it have no
  // client record to pair with yet; they are the ones from this client's address, at that
  // server, from the connect on, until the attempt ends.
  void open_session(const Hop& h, std::size_t connect) {
    const scenario::Host* client = s_.find_host(h.host);
    const std::string server = host_at(s_, trace_[connect].get(key::kPeer));
    if (!client || server.empty()) return;
    Time until = -1;
    for (std::size_t i = connect + 1; i < n_ && until < 0; ++i) {
      const auto& e = trace_[i];
      if (e.host == h.host && e.get(key::kId) == h.queue_id &&
          (e.event == ev::kSmtpConnect || e.event == ev::kSmtpConnectFailed || e.event.rfind("relay.", 0) == 0 ||
           e.event.rfind("queue.", 0) == 0))
        until = e.t_ns;
    }
    for (std::size_t i = connect + 1; i < n_; ++i) {
      const auto& e = trace_[i];
      if (until >= 0 && e.t_ns > until) break;
      if (e.host == server && e.event == ev::kSmtpIn && e.get(key::kPeer) == client->address.text) add(i);
    }
  }

  // The POP3 sessions of the recipient on this host after the delivery `d`, until one
  // deletes what it downloaded.
  void retrieval(const Hop& h, const sim::TraceEvent& d) {
    const scenario::Host* server = s_.find_host(h.host);
    if (!server) return;
    const std::string& user = d.get(key::kUser);
    for (std::size_t i = 0; i < n_; ++i) {
      const auto& start = trace_[i];
      if (start.event != ev::kFetchStart || start.t_ns < d.t_ns || start.get(key::kUser) != user ||
          start.get(key::kServer) != server->address.text)
        continue;
      std::size_t done = Exchanges::npos;
      for (std::size_t k = i + 1; k < n_ && done == Exchanges::npos; ++k)
        if (trace_[k].host == start.host && trace_[k].get(key::kUser) == user &&
            (trace_[k].event == ev::kFetchDone || trace_[k].event == ev::kFetchFailed))
          done = k;
      if (done == Exchanges::npos || trace_[done].event != ev::kFetchDone || trace_[done].get(key::kMessages) == "0")
        continue;
      Retrieval r{start.host, h.host, user, trace_[done].t_ns, false};
      add(i);
      add(done);
      for (std::size_t k = i + 1; k < done; ++k) {
        const auto& e = trace_[k];
        if (e.host == start.host && e.event == ev::kPop3Out && e.get(key::kPeer) == server->address.text) add(k);
        if (e.host == h.host && (e.event == ev::kPop3Login || e.event == ev::kPop3Deleted) &&
            (e.get(key::kUser) == user)) {
          add(k);
          r.deleted = r.deleted || e.event == ev::kPop3Deleted;
        }
      }
      retrievals_.push_back(r);
      if (r.deleted) return;
    }
  }

  const scenario::Scenario& s_;
  const std::vector<sim::TraceEvent>& trace_;
  std::size_t n_ = 0;
  std::set<std::size_t> set_;
  std::map<std::size_t, std::size_t> in_of_out_, in_of_connect_, answer_of_;
  std::vector<Retrieval> retrievals_;
};

}  // namespace

MessagePath message_path(const std::vector<Journey>& journeys, std::size_t which,
                         const scenario::Scenario& s, const std::vector<sim::TraceEvent>& trace,
                         const Exchanges& x, Time end, bool with_dsn) {
  PathBuilder b(s, trace, x, end);
  if (which >= journeys.size()) return {};
  const Journey& j = journeys[which];
  b.journey(j);
  if (with_dsn) {
    for (const auto& d : journeys) {
      if (!d.is_dsn) continue;
      for (const Hop& h : j.hops)
        if (d.dsn_about == h.host + " " + h.queue_id) b.journey(d);
    }
  }
  return b.take();
}

std::vector<std::size_t> journeys_named(const std::vector<Journey>& journeys,
                                        const std::vector<sim::TraceEvent>& trace,
                                        const std::string& id) {
  std::string bare = id;
  if (bare.size() > 2 && bare.front() == '<' && bare.back() == '>') bare = bare.substr(1, bare.size() - 2);
  std::vector<std::size_t> out;
  for (std::size_t k = 0; k < journeys.size(); ++k) {
    const Journey& j = journeys[k];
    bool match = j.message_id == "<" + bare + ">" || j.message_id == bare;
    for (const Hop& h : j.hops) {
      match = match || h.queue_id == bare;
      // The Message-ID each queue recorded (a journey not submitted by a MUA has no compose).
      if (!h.attempts.empty() && !h.attempts[0].events.empty()) {
        const std::string& msgid = trace[h.attempts[0].events[0]].get(io::trace::key::kMsgid);
        match = match || msgid == "<" + bare + ">" || msgid == bare;
      }
    }
    if (match) out.push_back(k);
  }
  return out;
}

}  // namespace maillab::viz
