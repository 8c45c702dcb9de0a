#!/usr/bin/env bash
# A file the user asked for that cannot be written is an error (issue 15 item 9: `--trace
# /dev/full` lost the trace and exited 0): `run` with each output on /dev/full (writes
# fail with ENOSPC at the flush, after open succeeded) or under a path that cannot be a
# directory must exit 2 and name the option, the file and the reason; `serve --trace
# /dev/full` must stop and exit 2 with the reason. The same outputs to real files still
# exit 0, so the failures are the disk's, not the options'.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
MAILLAB=${MAILLAB:-$ROOT/build/tools/maillab}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/output-errors.XXXXXX")
SERVE=""
cleanup() {
  [ -n "$SERVE" ] && kill "$SERVE" 2>/dev/null && wait "$SERVE" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
[ -w /dev/full ] || { echo "SKIP: no /dev/full"; exit 0; }

expect_2() {  # WHAT MESSAGE-PATTERN ARGS...
  local what=$1 pattern=$2 rc=0
  shift 2
  "$MAILLAB" "$@" >"$WORK/out" 2>"$WORK/err" || rc=$?
  [ "$rc" -eq 2 ] || { cat "$WORK/err"; fail "$what: exit $rc, expected 2"; }
  grep -q -- "$pattern" "$WORK/err" || { cat "$WORK/err"; fail "$what: no '$pattern' on stderr"; }
}

for opt in --trace --junit --svg --pcap; do
  expect_2 "run $opt /dev/full" "$opt: cannot write /dev/full: No space left on device" \
    run basic-delivery --quiet "$opt" /dev/full
done
expect_2 "run --mailboxes under a file" "--mailboxes: cannot" run basic-delivery --quiet --mailboxes /dev/full/x
expect_2 "run --queue under a file" "--queue: cannot" run basic-delivery --quiet --queue /dev/full/x

"$MAILLAB" run basic-delivery --quiet --trace "$WORK/t.jsonl" --junit "$WORK/j.xml" --svg "$WORK/c.svg" \
  --pcap "$WORK/p.pcap" --mailboxes "$WORK/mail" --queue "$WORK/queue" >/dev/null ||
  fail "the same outputs to real files did not exit 0"
for f in t.jsonl j.xml c.svg p.pcap; do [ -s "$WORK/$f" ] || fail "$f is empty"; done

# serve writes the trace as events happen: the first write fails, serve stops with 2.
rc=0
timeout 60 "$MAILLAB" serve basic-delivery --quiet --trace /dev/full \
  --listen mx.b.example:smtp=127.0.0.1:0 >/dev/null 2>"$WORK/serve.err" || rc=$?
[ "$rc" -eq 2 ] || { cat "$WORK/serve.err"; fail "serve --trace /dev/full: exit $rc, expected 2"; }
grep -q -- "--trace: cannot write /dev/full: No space left on device" "$WORK/serve.err" ||
  { cat "$WORK/serve.err"; fail "serve did not say why it stopped"; }
echo "output_errors: every unwritable output exits 2 with its reason"
