#!/usr/bin/env bash
# --trace stays valid JSON whatever bytes a peer sends (issue 16 item 7): a raw SMTP
# client gives `maillab serve` a HELO of raw bytes and a Subject holding every byte
# 0x80-0xFF (F5-FF followed by continuation bytes once came out raw, invalid UTF-8), plus
# controls and an escape sequence; every line of the trace must then decode as strict
# UTF-8 and parse with Python's json and with jq, and the queue's events must carry the
# subject, each odd byte as \u00XX.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/serve_lib.sh"

cat >"$WORK/lab.yaml" <<'YAML'
scenario: trace-utf8
title: Raw bytes into the trace
seed: 1
duration: 1d
hosts:
  mx.b.example:
    address: 192.0.2.20
    mta:
      domains: [b.example]
    users:
      bob: {password: builder}
YAML

serve_start "$WORK/lab.yaml" --quiet --trace "$WORK/trace.jsonl" --listen mx.b.example:smtp=127.0.0.1:0
port=$(serve_port mx.b.example smtp)

python3 - "$port" <<'PY' || fail "the SMTP session failed"
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
f = s.makefile("rb")
def reply():
    line = f.readline()
    while line[3:4] == b"-":
        line = f.readline()
    return line
odd = bytes(range(0x80, 0x100)) + b" \xf5\x80\x80 \xff\xbf\xbf"  # F5-FF before continuations
assert reply().startswith(b"220")
# A HELO of raw bytes is refused (it would reach a Received header); then a proper EHLO.
for cmd, want in [(b"EHLO client\xf5\x80\x80\xff", None), (b"EHLO client.test", b"250"),
                  (b"MAIL FROM:<a@src.test>", b"250"),
                  (b"RCPT TO:<bob@b.example>", b"250"), (b"DATA", b"354")]:
    s.sendall(cmd + b"\r\n")
    r = reply()
    if want and not r.startswith(want):
        sys.exit(f"{cmd!r}: {r!r}")
s.sendall(b"Subject: odd " + odd + b" \x1b[31mred\x07\r\nFrom: a@src.test\r\n\r\nbody\r\n.\r\n")
r = reply()
if not r.startswith(b"250"):
    sys.exit(f"end of data: {r!r}")
s.sendall(b"QUIT\r\n")
reply()
PY

# The message reaches the mailbox (the queue's events are in the trace), then serve stops.
for _ in $(seq 1 600); do
  grep -q '"queue.removed"\|"deliver' "$WORK/trace.jsonl" 2>/dev/null && break
  sleep 0.05
done
kill -TERM "$SERVE"
wait "$SERVE" || fail "serve exited $?"
SERVE=""

python3 - "$WORK/trace.jsonl" <<'PY' || fail "the trace is not valid JSON Lines"
import json, sys
data = open(sys.argv[1], "rb").read()
lines = data.split(b"\n")
assert lines[-1] == b"", "the trace does not end with a line break"
subjects = []
for n, raw in enumerate(lines[:-1], 1):
    try:
        obj = json.loads(raw.decode("utf-8"))  # strict: invalid UTF-8 raises
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        sys.exit(f"line {n}: {e}: {raw[:200]!r}")
    assert isinstance(obj, dict) and {"t_ns", "host", "agent", "event"} <= obj.keys(), f"line {n}: {obj}"
    if "subject" in obj and obj["subject"].startswith("odd "):
        subjects.append(obj["subject"])
odd = bytes(range(0x80, 0x100)) + b" \xf5\x80\x80 \xff\xbf\xbf"
expected = "odd " + "".join(chr(b) for b in odd) + " \x1b[31mred\x07"  # each odd byte as U+00XX
if not subjects:
    sys.exit("no event carries the subject")
for s in subjects:
    if s != expected:
        sys.exit(f"subject {s!r}, expected {expected!r}")
print(f"{len(lines) - 1} lines, {len(subjects)} with the subject: valid JSON")
PY

if command -v jq >/dev/null; then
  jq -e -c 'select(has("t_ns") and has("event"))' "$WORK/trace.jsonl" >/dev/null || fail "jq cannot read the trace"
  [ "$(jq -s length "$WORK/trace.jsonl")" -eq "$(wc -l <"$WORK/trace.jsonl")" ] || fail "jq read fewer objects than lines"
fi
echo "trace_utf8: every line valid UTF-8 JSON"
