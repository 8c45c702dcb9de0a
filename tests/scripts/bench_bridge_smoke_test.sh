#!/usr/bin/env bash
# The bridge benchmark (bench/run.sh, sink and Maildir rows) as a smoke test, no timing
# assertions: Postfix's smtp-source drives smtp-sink and `maillab serve` with 500 messages
# each; smtp-source must finish cleanly against both, the sink scenario must have traced
# 500 messages queued and 500 discarded, and the Maildir scenario with --mailboxes must
# leave 500 files in the real Maildir's new/. Skipped (with a message) when smtp-source
# is absent and cannot be installed (tools/peers.sh installs postfix when root).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
MAILLAB=${MAILLAB:-$ROOT/build/tools/maillab}
N=500
WORK=$(mktemp -d "${TMPDIR:-/tmp}/bench-bridge-smoke.XXXXXX")
export PEERS_STATE=$WORK/peers PEERS_TIMEOUT=60
SERVE_PID=""

# shellcheck source=../../tools/peers.sh
source "$ROOT/tools/peers.sh"
cleanup() {
  if [ -n "$SERVE_PID" ]; then kill "$SERVE_PID" 2>/dev/null || true; wait "$SERVE_PID" 2>/dev/null || true; fi
  peers_stop_all || true
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; [ -r "$WORK/serve.err" ] && tail -n 20 "$WORK/serve.err"; exit 1; }

PATH=$PATH:/usr/sbin
if ! command -v smtp-source >/dev/null && [ "$(id -u)" -eq 0 ]; then
  peers_install || true
fi
if ! command -v smtp-source >/dev/null || ! command -v smtp-sink >/dev/null; then
  echo "SKIP: smtp-source/smtp-sink (Debian package postfix) are not installed"
  exit 0
fi

serve_start() {  # SCENARIO [ARGS...]: sets SERVE_PID, SERVE_PORT
  local scenario=$1 i; shift
  : >"$WORK/serve.err"  # now: the child's redirection may come after the first read below
  "$MAILLAB" serve "$scenario" --quiet "$@" --listen mx.sink.test:smtp=127.0.0.1:0 \
    >/dev/null 2>"$WORK/serve.err" &
  SERVE_PID=$!
  SERVE_PORT=""
  for i in $(seq 1 300); do
    SERVE_PORT=$(sed -n 's/^listening: mx.sink.test smtp on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$WORK/serve.err" 2>/dev/null || true)
    [ -n "$SERVE_PORT" ] && return 0
    kill -0 "$SERVE_PID" 2>/dev/null || break
    sleep 0.1
  done
  fail "maillab serve $scenario did not start"
}
serve_stop() {  # SIGTERM: a clean stop exits 0
  local rc=0
  kill -TERM "$SERVE_PID"
  wait "$SERVE_PID" || rc=$?
  SERVE_PID=""
  [ $rc -eq 0 ] || fail "maillab serve exited $rc after SIGTERM"
}
source_run() {  # PORT [smtp-source options]: 20 sessions, 1000-byte messages, N of them
  local port=$1; shift
  timeout 300 smtp-source -s 20 -l 1000 -m "$N" "$@" "127.0.0.1:$port" >"$WORK/source.out" 2>&1 ||
    fail "smtp-source against 127.0.0.1:$port exited $?: $(tail -n 3 "$WORK/source.out")"
}

# The reference: smtp-sink.
port=$(peers_free_port)
peers_sink_start "$port" || fail "smtp-sink did not start"
source_run "$port"
peers_sink_stop "$port"
echo "smtp-sink: $N messages"

# maillab as a sink: every message queued (250 only after that), then discarded.
serve_start "$ROOT/bench/sink.yaml" --trace "$WORK/sink.jsonl"
source_run "$SERVE_PORT" -f a@src.test -t u@sink.test
serve_stop
queued=$(grep -c '"event":"queue.enqueued"' "$WORK/sink.jsonl" || true)
discarded=$(grep -c '"event":"discarded"' "$WORK/sink.jsonl" || true)
removed=$(grep -c '"event":"queue.removed"' "$WORK/sink.jsonl" || true)
echo "maillab sink: queued=$queued discarded=$discarded removed=$removed"
[ "$queued" -eq $N ] || fail "sink: $queued messages queued, expected $N"
[ "$discarded" -eq $N ] || fail "sink: $discarded messages discarded, expected $N"
[ "$removed" -eq $N ] || fail "sink: $removed messages removed from the queue, expected $N"
grep -q '"event":"discarded".*"to":"u@sink.test"' "$WORK/sink.jsonl" || fail "sink: no discard for u@sink.test"

# maillab into a real Maildir, fsync'd before the 250.
serve_start "$ROOT/bench/maildir.yaml" --mailboxes "$WORK/mail"
source_run "$SERVE_PORT" -f a@src.test -t u@sink.test
new=$WORK/mail/mx.sink.test/u/new
count=0
for _ in $(seq 1 1200); do  # delivery follows the 250 (queue manager): bounded wait
  count=$(find "$new" -maxdepth 1 -type f 2>/dev/null | wc -l)
  [ "$count" -ge $N ] && break
  sleep 0.1
done
serve_stop
echo "maillab maildir: $count files in new/"
[ "$count" -eq $N ] || fail "maildir: $count files in $new, expected $N"
f=$(find "$new" -maxdepth 1 -type f -print -quit)
grep -q '^Delivered-To: u@sink.test' "$f" || fail "maildir: $f has no Delivered-To: u@sink.test"
grep -q '^Received: from ' "$f" || fail "maildir: $f has no Received header"
echo "bench bridge smoke: ok"
