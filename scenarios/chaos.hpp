// scenario::Chaos: `maillab chaos` (issue 8; FoundationDB-style deterministic simulation
// testing). For each seed, the scenario runs with random faults drawn from that seed
// (host crashes and boots - also right after a message was written to disk, before its
// 250 reached the client - partitions, packet loss, refused ports, full disks, a silent
// DNS server); the faults stop at the end of the scenario's duration, and the run goes on
// until every queue can have drained or expired. Then the invariants are checked; a
// violation names the seed that replays it exactly.
//
// Invariants (checked from the trace, the deliveries and the disks, never from intent):
//  lost       every recipient of every message a host accepted (queue.enqueued) ends
//             delivered, relayed on, failed, or still queued on that host's disk;
//  dsn        every failed recipient of a message from a non-null sender gets a DSN; no
//             DSN is addressed to <>; no DSN names a recipient that got the message;
//  duplicate  a mailbox holds the same message twice only if its acknowledgement may have
//             been lost on the way: a relay's end of DATA went unanswered
//             (relay.unconfirmed, the RFC 1047 window) or the sending host crashed while
//             an attempt was in flight (it retries after its reboot);
//  integrity  a delivered message ends with exactly the bytes its MUA submitted;
//  drained    every queue of a running host is empty at the end.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "scenarios/model.hpp"
#include "scenarios/world.hpp"

namespace maillab::scenario {

struct Violation {
  std::string invariant;  // lost, dsn, duplicate, integrity, drained
  std::string detail;
};

struct SeedReport {
  std::uint64_t seed = 0;
  int faults = 0;
  std::size_t messages = 0;  // messages accepted into some queue
  std::vector<std::string> fault_log;
  std::vector<Violation> violations;
};

struct ChaosOptions {
  int max_faults = 4;
  // Test hook: called on every World before it runs (plant a bug, add observers).
  std::function<void(World&)> prepare;
};

SeedReport run_chaos_seed(const Scenario& s, std::uint64_t seed, const ChaosOptions& opt);
std::vector<Violation> check_invariants(const World& w);

}  // namespace maillab::scenario
