#include "viz/queue_view.hpp"

#include <algorithm>
#include <cstdlib>
#include <sstream>

#include "protocols/io/trace_vocab.hpp"

namespace maillab::viz {

namespace ev = io::trace::ev;
namespace key = io::trace::key;

namespace {

std::vector<QueuedRecipient> recipients(const std::string& list) {
  std::vector<QueuedRecipient> out;
  std::stringstream in(list);
  std::string address;
  while (std::getline(in, address, ',')) {
    if (!address.empty()) out.push_back(QueuedRecipient{address, true, ""});
  }
  return out;
}

// The first recipient still pending with this address (the same address may be queued
// twice, through two aliases).
QueuedRecipient* pending(QueuedMessage& m, const std::string& address) {
  for (auto& r : m.rcpts)
    if (r.pending && r.address == address) return &r;
  return nullptr;
}

}  // namespace

std::map<std::string, std::vector<QueuedMessage>> queues_from_trace(const std::vector<sim::TraceEvent>& trace,
                                                                    Time end) {
  std::map<std::pair<std::string, std::string>, QueuedMessage> queued;  // (host, id)
  for (std::size_t i = 0; i < trace.size() && trace[i].t_ns <= end; ++i) {
    const auto& e = trace[i];
    const std::string& id = e.get(key::kId);
    if (id.empty()) continue;
    const auto where = std::make_pair(e.host, id);
    if (e.event == ev::kQueueEnqueued) {
      QueuedMessage& m = queued[where];
      m = QueuedMessage{};
      m.id = id;
      m.arrival = e.t_ns;
      m.sender = e.get(key::kFrom);
      m.subject = e.get(key::kSubject);
      m.message_id = e.get(key::kMsgid);
      m.rcpts = recipients(e.get(key::kTo));
      continue;
    }
    auto it = queued.find(where);
    if (it == queued.end()) continue;
    QueuedMessage& m = it->second;
    if (e.event == ev::kQueueAttempt) {
      m.state = mta::QueueState::Active;
      m.attempts = std::atoi(e.get(key::kAttempt).c_str());
    } else if (e.event == ev::kQueueDeferred) {
      m.state = mta::QueueState::Deferred;
      m.next_attempt = std::strtoll(e.get(key::kNextNs).c_str(), nullptr, 10);
    } else if (e.event == ev::kQueueRemoved) {
      queued.erase(it);
    } else if (e.event == ev::kRelaySent || e.event == ev::kRelayBounced || e.event == ev::kDeliver ||
               e.event == ev::kDeliverFailed || e.event == ev::kDiscarded) {
      if (QueuedRecipient* r = pending(m, e.get(key::kTo))) {
        r->pending = false;
        r->diagnostic = e.get(key::kDiagnostic);
      }
    } else if (e.event == ev::kRelayDeferred) {
      if (QueuedRecipient* r = pending(m, e.get(key::kTo))) r->diagnostic = e.get(key::kDiagnostic);
    } else if (e.event == ev::kDeliverDeferred) {
      if (QueuedRecipient* r = pending(m, e.get(key::kTo))) r->diagnostic = e.get(key::kReason);
    }
  }
  std::map<std::string, std::vector<QueuedMessage>> out;
  for (auto& [where, m] : queued) out[where.first].push_back(std::move(m));
  for (auto& [host, q] : out) {
    std::sort(q.begin(), q.end(), [](const QueuedMessage& a, const QueuedMessage& b) {
      return a.arrival != b.arrival ? a.arrival < b.arrival : a.id < b.id;
    });
  }
  return out;
}

}  // namespace maillab::viz
