// viz::Journey: one message's way through the lab, rebuilt from the trace for the message
// inspector: the MUA's submission, then one Hop per queue it sat in (host + queue id),
// each with its delivery attempts and what ended them.
//
// Hops are linked by the trace's link fields (docs/trace.md), never by reply text:
// relay.sent names the next hop (peer address, next_id), a MUA's submit.accepted the
// first. A DSN (bounce or delay warning) is a new message from <>: it is its own journey,
// marked as the report about the original (dsn.* dsn_msgid = the DSN's queue.enqueued
// msgid).
// A message for several recipients on different hosts forks: a hop has one parent and
// may have several children.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "scenarios/model.hpp"
#include "sim/trace_recorder.hpp"
#include "viz/sequence_chart.hpp"

namespace maillab::viz {

struct Attempt {
  int number = 0;  // 0: what happened before the first attempt (queued, ...)
  Time t = 0;
  std::vector<std::size_t> events;  // trace indexes, in order
};

struct Hop {
  std::string host;
  std::string queue_id;
  Time enqueued = 0;
  std::string from, to, subject;  // the envelope as queue.enqueued traced it
  int parent = -1;                // index in Journey::hops
  std::vector<Attempt> attempts;
  // What the trace says became of it so far: "delivered", "relayed", "bounced",
  // "deferred", "queued", "expired".
  std::string status;
  std::string status_detail;  // e.g. "to bob@b.example into maildir", "next retry ..."
  Time status_time = 0;
};

struct Journey {
  std::string subject;
  std::string message_id;  // from the MUA's compose, when submitted by a MUA
  std::string mua;         // the host the MUA ran on
  Time start = 0;
  std::vector<std::size_t> submission;  // the MUA's trace events (compose, smtp.out, ...)
  bool submission_failed = false;
  bool is_dsn = false;
  std::string dsn_about;  // "host queue-id" of the message the report is about
  std::vector<Hop> hops;

  std::string title() const;  // "Hello Bob (alice@a.example)" / "DSN about ..."
};

std::vector<Journey> build_journeys(const scenario::Scenario& s,
                                    const std::vector<sim::TraceEvent>& trace, Time end);

}  // namespace maillab::viz
