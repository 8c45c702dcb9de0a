// viz::QueuedMessage: what a host's queue holds at a time, rebuilt from the trace alone
// (the visualiser's Queues panel and "where is it now"): no queue file is read, so the
// view follows the trace vocabulary (docs/trace.md), not the MTA's disk layout.
//
// A message is queued from queue.enqueued to queue.removed; queue.attempt makes it active
// (with its attempt count), queue.deferred deferred (with its next retry); relay.sent,
// relay.bounced, deliver, deliver.failed and discarded settle a recipient, relay.deferred
// and deliver.deferred say why one is still pending. A crash changes nothing: the queue
// waits on the host's disk. Not shown: a state change the disk refused
// (queue.write_failed keeps the old one on disk) and hold, which nothing traces.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "protocols/mta/queue_file.hpp"
#include "sim/trace_recorder.hpp"
#include "viz/sequence_chart.hpp"

namespace maillab::viz {

struct QueuedRecipient {
  std::string address;
  bool pending = true;
  std::string diagnostic;  // the last outcome's, as traced
};

struct QueuedMessage {
  std::string id;
  mta::QueueState state = mta::QueueState::Incoming;
  Time arrival = 0;
  std::string sender;  // "" is <>
  std::string subject;
  std::string message_id;
  int attempts = 0;       // attempts started (while active, the one in progress too)
  Time next_attempt = 0;  // when deferred
  std::vector<QueuedRecipient> rcpts;
};

// host -> its queue at `end`, by arrival (then id).
std::map<std::string, std::vector<QueuedMessage>> queues_from_trace(const std::vector<sim::TraceEvent>& trace,
                                                                    Time end);

}  // namespace maillab::viz
