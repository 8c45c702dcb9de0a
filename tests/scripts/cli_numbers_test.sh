#!/usr/bin/env bash
# A whole-number option never takes a sign (issue 16 item 9): `--seed -1` used to become
# 18446744073709551615 and run. Now every unsigned option refuses it with exit 2 and says
# so, before anything runs.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/serve_lib.sh"  # MAILLAB, WORK, fail

check() {  # OPTION ARGS...
  local option=$1
  shift
  local err rc
  err=$("$MAILLAB" "$@" 2>&1 >/dev/null)
  rc=$?
  [ "$rc" -eq 2 ] || fail "maillab $*: exit $rc, expected 2 ($err)"
  echo "$err" | grep -q -- "^$option: must be a whole number, 0 or more, without a sign; found -1" ||
    fail "maillab $*: $err"
  ! echo "$err" | grep -q 18446744073709551615 || fail "maillab $*: $err"
}

check --seed run basic-delivery --seed -1 --quiet
check --seed run basic-delivery --seed=-1 --quiet
check --seed serve basic-delivery --seed -1 --until 1s
check --jobs chaos basic-delivery --seeds 1-1 --jobs -1
check --pending bench kernel --pending -1

# The same options still take what they should.
out=$("$MAILLAB" run basic-delivery --seed 18446744073709551615 --quiet) || fail "the largest seed: $out"
echo "$out" | grep -q '^5 passed, 0 failed$' || fail "the largest seed: $out"
echo "ok"
