#!/usr/bin/env bash
# `chaos --jobs` never aborts (issue 15 item 9: --jobs 100000 ended in an uncaught
# std::system_error). A value outside 1-1024 is a usage error (exit 2, saying so); when the
# system refuses threads (here: RLIMIT_NPROC of 8 for an unprivileged user, so --jobs 1024
# gets a handful), the seeds run on the threads that started and the report is the one of
# --jobs 1, byte for byte. The limit is tried as a uid of this run alone: RLIMIT_NPROC
# counts every process and thread of the uid, and nobody (65534) also runs smtp-sink, the
# Dovecot and Postfix deliveries of the conformance tests and other runs of this test.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
MAILLAB=${MAILLAB:-$ROOT/build/tools/maillab}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/chaos-jobs.XXXXXX")
chmod 755 "$WORK"
trap 'rm -rf "$WORK"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

rc=0
"$MAILLAB" chaos basic-delivery --seeds 1-3 --jobs 100000 >"$WORK/out" 2>&1 || rc=$?
[ "$rc" -eq 2 ] || { cat "$WORK/out"; fail "--jobs 100000: exit $rc, expected 2"; }
grep -q -- "--jobs" "$WORK/out" || { cat "$WORK/out"; fail "--jobs 100000: the message does not name --jobs"; }

"$MAILLAB" chaos basic-delivery --seeds 1-120 --jobs 1 >"$WORK/one.txt"
"$MAILLAB" chaos basic-delivery --seeds 1-120 --jobs 1024 >"$WORK/many.txt"
cmp -s "$WORK/one.txt" "$WORK/many.txt" || fail "--jobs 1024 gave another report than --jobs 1"

ALONE=$((2100000000 + $$))  # no user's, no other run's
if [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null || ! command -v prlimit >/dev/null ||
   ! setpriv --reuid=$ALONE --regid=$ALONE --clear-groups test -x "$MAILLAB"; then
  echo "chaos_jobs: refused threads not tried (needs root, setpriv, prlimit and a binary others may run)"
  exit 0
fi
rc=0
prlimit --nproc=8 setpriv --reuid=$ALONE --regid=$ALONE --clear-groups \
  "$MAILLAB" chaos basic-delivery --seeds 1-120 --jobs 1024 >"$WORK/limited.txt" 2>"$WORK/limited.err" || rc=$?
[ "$rc" -eq 0 ] || { cat "$WORK/limited.err"; fail "with threads refused: exit $rc, expected 0"; }
grep -q "the system refused more" "$WORK/limited.err" || { cat "$WORK/limited.err"; fail "no word of the refused threads"; }
cmp -s "$WORK/one.txt" "$WORK/limited.txt" || fail "with threads refused the report differs from --jobs 1"
echo "chaos_jobs: $(head -c 200 "$WORK/limited.err")"
