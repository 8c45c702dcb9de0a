// scenario::check_expectations: each `expect` item of a scenario evaluated against what
// really happened in the run (deliveries into mailboxes, the trace, the queues on the
// hosts' disks, what the MUAs fetched) - never against what the scenario asked for.
#pragma once

#include <string>
#include <vector>

#include "scenarios/model.hpp"
#include "scenarios/world.hpp"

namespace maillab::scenario {

struct CheckResult {
  const Expectation* expectation = nullptr;
  bool passed = false;
  std::string what;   // the check as written, e.g. "delivered to=bob@b.example subject=Hi"
  std::string found;  // what the run showed
};

std::vector<CheckResult> check_expectations(const World& world);
// The same for checks that are not the scenario's (serve --http: POST /api/v1/expect);
// each result points into `checks`.
std::vector<CheckResult> check_now(const World& world, const std::vector<Expectation>& checks);

}  // namespace maillab::scenario
