#!/usr/bin/env bash
# `serve` without --listen serves nothing (issue 16 item 9): it says so on stderr and runs
# anyway (exit 0), as a serve with --route alone is useful; with --listen it says nothing
# of the kind.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/serve_lib.sh"

set +e
"$MAILLAB" serve basic-delivery --quiet --speed 100 --until 2s >"$WORK/out" 2>"$WORK/serve.err"
rc=$?
set -e
[ "$rc" -eq 0 ] || fail "serve without --listen: exit $rc"
grep -q '^maillab serve: warning: no --listen: nothing of the scenario is reachable on a real socket' \
  "$WORK/serve.err" || fail "no warning"
[ ! -s "$WORK/out" ] || fail "stdout is not empty with --quiet"

serve_start basic-delivery --quiet --speed 100 --until 2s --listen mx.b.example:smtp=127.0.0.1:0
wait "$SERVE"
SERVE=""
! grep -q 'no --listen' "$WORK/serve.err" || fail "warning with --listen"
echo "ok"
