# shellcheck shell=bash
# Shared by the script tests that run `maillab serve` (SOURCED, never run; not a test
# itself: ctest runs *_test.sh only). Sets MAILLAB (the binary) and WORK (a directory
# removed at exit, with serve stopped by its pid first).
#
#   serve_start SCENARIO [OPTION...]  starts `maillab serve SCENARIO OPTION...` in the
#                                     background, stdout to $WORK/timeline, stderr to
#                                     $WORK/serve.err; returns once every --listen (and
#                                     --http: `serve_port http api`) is bound
#   serve_port HOST SERVICE           the port serve bound for HOST's SERVICE
#   serve_stop                        SIGTERM and wait (serve exits 0 on it)
#   fail MESSAGE                      prints MESSAGE and serve's stderr, exits 1
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
MAILLAB=${MAILLAB:-$ROOT/build/tools/maillab}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/maillab-script.XXXXXX")
SERVE=""

serve_stop() {
  if [ -n "$SERVE" ]; then
    kill -TERM "$SERVE" 2>/dev/null || true
    wait "$SERVE" 2>/dev/null || true
    SERVE=""
  fi
}
trap 'serve_stop; rm -rf "$WORK"' EXIT

fail() {
  echo "FAIL: $*"
  tail -n 20 "$WORK/serve.err" 2>/dev/null || true
  exit 1
}

serve_start() {
  local listens
  listens=$(printf '%s\n' "$@" | grep -Ec '^--(listen|http)$' || true)
  "$MAILLAB" serve "$@" >"$WORK/timeline" 2>"$WORK/serve.err" &
  SERVE=$!
  for _ in $(seq 1 200); do
    [ "$(grep -c '^listening: ' "$WORK/serve.err" 2>/dev/null || true)" -ge "$listens" ] && return 0
    kill -0 "$SERVE" 2>/dev/null || break
    sleep 0.05
  done
  fail "serve did not start"
}

serve_port() {
  sed -n "s/^listening: $1 $2 on 127.0.0.1:\([0-9]*\)$/\1/p" "$WORK/serve.err"
}
