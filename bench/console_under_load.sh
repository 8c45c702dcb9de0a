#!/usr/bin/env bash
# bench/console_under_load.sh: is the console responsive while a bridge sink takes mail at
# full speed? (issue 21 item 7: "the console stays responsive while a bridge sink takes
# 10,000 messages/s".) Starts `maillab serve bench/sink.yaml` with the SMTP sink and
# `--http`, measures the latency of GET /api/v1/messages and GET / on the --http port
# (one keep-alive connection, a request every 20 ms) first idle, then while smtp-source
# sends MSGS messages over 20 sessions as fast as the sink takes them. Prints p50, p99
# and max of each, the sink's rate, and how many requests got no 200.
#
#   bench/console_under_load.sh [MSGS]         (default 100000; MAILLAB=build/tools/maillab)
#   STORE=1 bench/console_under_load.sh 20000  (bench/maildir.yaml with --mailboxes: every
#                                               message is kept, so the list the API
#                                               answers grows to MSGS entries meanwhile)
#
# A benchmark, not a test: the machine is shared, quote the under-load/idle ratios.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MAILLAB=${MAILLAB:-$ROOT/build/tools/maillab}
MSGS=${1:-100000}
command -v smtp-source >/dev/null || PATH=$PATH:/usr/sbin
command -v smtp-source >/dev/null || { echo "no smtp-source (postfix)" >&2; exit 2; }
WORK=$(mktemp -d)
SERVE_PID=""
PROBE_PID=""
cleanup() {
  [ -n "$PROBE_PID" ] && kill "$PROBE_PID" 2>/dev/null
  [ -n "$SERVE_PID" ] && kill "$SERVE_PID" 2>/dev/null && wait "$SERVE_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

SCENARIO=(bench/sink.yaml)
[ -n "${STORE:-}" ] && SCENARIO=(bench/maildir.yaml --mailboxes "$WORK/mail")
"$MAILLAB" serve "$ROOT/${SCENARIO[0]}" "${SCENARIO[@]:1}" --quiet --listen mx.sink.test:smtp=127.0.0.1:0 \
  --http 127.0.0.1:0 2>"$WORK/serve.err" >/dev/null &
SERVE_PID=$!
smtp="" http=""
for _ in $(seq 1 300); do
  smtp=$(sed -n 's/^listening: mx.sink.test smtp on \(.*\)$/\1/p' "$WORK/serve.err")
  http=$(sed -n 's/^listening: http api on \(.*\)$/\1/p' "$WORK/serve.err")
  [ -n "$smtp" ] && [ -n "$http" ] && break
  sleep 0.1
done
[ -n "$smtp" ] && [ -n "$http" ] || { echo "serve did not start: $(tail -n 3 "$WORK/serve.err")" >&2; exit 1; }

# probe.py ADDR SECONDS OUT: a request every 20 ms, alternating the two URLs, one
# keep-alive connection (reopened if the lab closes it); one line per request:
# "url status seconds".
cat >"$WORK/probe.py" <<'PY'
import http.client, sys, time
addr, seconds, out = sys.argv[1], float(sys.argv[2]), open(sys.argv[3], "w")
host, port = addr.rsplit(":", 1)
conn = None
end = time.monotonic() + seconds
urls = ["/api/v1/messages", "/"]
i = 0
while time.monotonic() < end:
    url = urls[i % 2]; i += 1
    t0 = time.monotonic()
    try:
        if conn is None:
            conn = http.client.HTTPConnection(host, int(port), timeout=30)
        conn.request("GET", url)
        r = conn.getresponse(); r.read(); status = r.status
    except Exception:
        status = 0; conn = None
    dt = time.monotonic() - t0
    out.write("%s %d %.6f\n" % (url, status, dt)); out.flush()
    time.sleep(max(0.0, 0.02 - dt))
PY

stats() {  # FILE LABEL
  python3 - "$1" "$2" <<'PY'
import sys
rows = [l.split() for l in open(sys.argv[1])]
for url in ["/api/v1/messages", "/"]:
    ds = sorted(float(r[2]) * 1000 for r in rows if r[0] == url)
    bad = sum(1 for r in rows if r[0] == url and r[1] != "200")
    if not ds: print("%-8s %-18s no samples" % (sys.argv[2], url)); continue
    q = lambda p: ds[min(len(ds) - 1, int(p * len(ds)))]
    print("%-8s GET %-17s n=%-5d p50 %7.2f ms  p99 %7.2f ms  max %7.2f ms  not-200 %d"
          % (sys.argv[2], url, len(ds), q(0.5), q(0.99), ds[-1], bad))
PY
}

python3 "$WORK/probe.py" "$http" 5 "$WORK/idle.txt"
python3 "$WORK/probe.py" "$http" 3600 "$WORK/load.txt" &
PROBE_PID=$!
t0=$(date +%s.%N)
smtp-source -s 20 -l 1000 -m "$MSGS" -f a@src.test -t u@sink.test "$smtp" >/dev/null
t1=$(date +%s.%N)
kill "$PROBE_PID" 2>/dev/null; wait "$PROBE_PID" 2>/dev/null || true
PROBE_PID=""
rate=$(awk -v n="$MSGS" -v a="$t0" -v b="$t1" 'BEGIN {printf "%.0f", n / (b - a)}')
echo "sink: $MSGS messages in $(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", b - a}') s = $rate msg/s (smtp-source -s 20 -l 1000)"
stats "$WORK/idle.txt" idle
stats "$WORK/load.txt" "load"
