#!/usr/bin/env bash
# A chaos sweep over every built-in scenario: 21 scenarios x 50 seeds = 1050 seeded runs
# with random faults, every invariant checked (scenarios/chaos.hpp). The closing line is
# "N passed, M failed" over seeds; any violation fails the test and prints its replay line.
set -euo pipefail
"$MAILLAB" chaos all --seeds 1-50 --jobs 2 | tail -n 40
