#!/usr/bin/env bash
# `maillab serve --mailboxes`: the 250 after DATA leaves only once the queue file is on
# the device. strace records serve's syncs and socket traffic while swaks sends one
# message; between the read of the message's final "." and the write of
# "250 2.0.0 Ok: queued", a syncfs(2) must have started and completed (group commit:
# bridge/group_commit.hpp). Also: the message is delivered into the real Maildir and no
# queue file is left. Skipped (with a message) without strace or swaks (tools/setup.sh).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
MAILLAB=${MAILLAB:-$ROOT/build/tools/maillab}
for tool in strace swaks; do
  if ! command -v "$tool" >/dev/null; then
    echo "SKIP: $tool is not installed (tools/setup.sh)"
    exit 0
  fi
done
WORK=$(mktemp -d "${TMPDIR:-/tmp}/serve-group-commit.XXXXXX")
TRACER=""
cleanup() {
  if [ -n "$TRACER" ]; then
    # serve, the tracer's child; before strace has started it, strace itself (which then
    # ends its tracee): a wait on a tracer no signal reached would never return.
    pkill -TERM -P "$TRACER" 2>/dev/null || kill -TERM "$TRACER" 2>/dev/null || true
    wait "$TRACER" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; tail -n 20 "$WORK/serve.err" 2>/dev/null || true; exit 1; }

strace -f -qq -s 4096 -e trace=syncfs,fsync,fdatasync,recvfrom,recvmsg,read,sendto,sendmsg,write,writev \
  -o "$WORK/strace.log" "$MAILLAB" serve "$ROOT/bench/maildir.yaml" --quiet \
  --mailboxes "$WORK/mail" --listen mx.sink.test:smtp=127.0.0.1:0 >/dev/null 2>"$WORK/serve.err" &
TRACER=$!
port=""
for _ in $(seq 1 600); do
  port=$(sed -n 's/^listening: mx.sink.test smtp on 127.0.0.1:\([0-9]*\)$/\1/p' "$WORK/serve.err" 2>/dev/null || true)
  [ -n "$port" ] && break
  sleep 0.05
done
[ -n "$port" ] || fail "serve did not start"

swaks --silent 2 --server "127.0.0.1:$port" --from a@src.test --to u@sink.test \
  --header "Subject: group commit" --body "durable before the 250" >"$WORK/swaks.out" 2>&1 ||
  { cat "$WORK/swaks.out"; fail "swaks did not get its message accepted"; }

new="$WORK/mail/mx.sink.test/u/new"
for _ in $(seq 1 600); do
  [ "$(find "$new" -maxdepth 1 -type f 2>/dev/null | wc -l)" -ge 1 ] && break
  sleep 0.05
done
[ "$(find "$new" -maxdepth 1 -type f | wc -l)" -eq 1 ] || fail "the message is not in $new"
grep -q "durable before the 250" "$new"/* || fail "the delivered file lacks the body"

pkill -TERM -P "$TRACER" || true   # serve itself, the tracer's child
wait "$TRACER" || true
TRACER=""
[ -z "$(find "$WORK/mail/mx.sink.test/.disk/queue" -type f 2>/dev/null)" ] ||
  fail "queue files left after delivery: $(find "$WORK/mail/mx.sink.test/.disk/queue" -type f)"

python3 - "$WORK/strace.log" <<'PY' || fail "the 250 left before a sync (strace log above)"
import re, sys
lines = open(sys.argv[1]).read().splitlines()
dot = next((i for i, l in enumerate(lines)
            if re.search(r"\b(recvfrom|recvmsg|read)\(", l) and r"\r\n.\r\n" in l), None)
ok = next((i for i, l in enumerate(lines)
           if re.search(r"\b(sendto|sendmsg|write|writev)\(", l) and "250 2.0.0 Ok: queued" in l), None)
if dot is None or ok is None:
    print("\n".join(lines[-40:]))
    sys.exit(f"no DATA end ({dot}) or no 250 ({ok}) in the strace log")
sync = re.compile(r"\b(syncfs|fsync|fdatasync)\(")
done = re.compile(r"(\b(syncfs|fsync|fdatasync)\(.*\)\s+= 0$)|(<\.\.\. (syncfs|fsync|fdatasync) resumed>.*= 0$)")
started = [i for i in range(dot + 1, ok) if sync.search(lines[i])]
completed = [i for i in range(dot + 1, ok) if done.search(lines[i])]
print(f"DATA end at line {dot}, 250 at line {ok}, sync starts {started}, completions {completed}")
if not started or not completed or min(started) > max(completed):
    print("\n".join(lines[dot:ok + 1]))
    sys.exit(1)
PY
echo "ok: the 250 followed a completed sync; message delivered, queue empty"
