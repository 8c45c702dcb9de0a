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
  # Emptied here, not only by the redirection below: that one runs in the child, which may
  # be scheduled after the wait below has read the previous serve's lines (and ports).
  : >"$WORK/serve.err"
  : >"$WORK/timeline"
  "$MAILLAB" serve "$@" >"$WORK/timeline" 2>"$WORK/serve.err" &
  SERVE=$!
  local deadline=$((SECONDS + 60))  # generous: the machine may be busy with a build
  while [ $SECONDS -lt $deadline ]; do
    [ "$(grep -c '^listening: ' "$WORK/serve.err" 2>/dev/null || true)" -ge "$listens" ] && return 0
    kill -0 "$SERVE" 2>/dev/null || break
    sleep 0.05
  done
  fail "serve did not start"
}

serve_port() {  # HOST SERVICE, or "http api"
  sed -n "s/^listening: $1 ${2:+$2 }on 127.0.0.1:\([0-9]*\)$/\1/p" "$WORK/serve.err"
}
