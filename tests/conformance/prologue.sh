# shellcheck shell=bash
# The common start of every conformance test, sourced right after `set -euo pipefail` and
# `here=...`: the peers library, a skip (exit 77) without root or sudo, the packages, a
# work directory, and the traps that stop everything the test started (a `maillab serve`
# whose pid is in $serve_pid, and every peer) whether it passed, failed or was killed;
# KEEP_WORK=1 keeps the directory. fail MESSAGE prints the tail of every readable file
# in FAIL_LOGS (paths) and exits 1. serve_port WHAT waits for a port `maillab serve` opened.
: "${MAILLAB:?set MAILLAB to the maillab binary}"
source "$here/../../tools/peers.sh"
peers_can_run || { echo "SKIP: needs root or passwordless sudo"; exit 77; }
peers_install

work=$(mktemp -d)
serve_pid=""
FAIL_LOGS=()
cleanup() {
  set +e  # every step runs, whatever failed before
  [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null
  peers_stop_all
  if [ -n "${KEEP_WORK:-}" ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP  # so that the EXIT trap stops the peers

fail() {
  echo "FAIL: $*" >&2
  local f
  for f in "${FAIL_LOGS[@]}"; do
    [ -r "$f" ] && { echo "--- $(basename "$f")" >&2; tail -n 20 "$f" >&2; }
  done
  exit 1
}

# serve_port WHAT: the loopback port `maillab serve` says (in $work/serve.err) it listens
# on for WHAT ("http api", "mx.b.example imap", ...); waits up to 30 s, returns 1 if none.
serve_port() {
  local what=$1 port="" _
  for _ in $(seq 1 600); do
    port=$(sed -n "s/^listening: $what on 127.0.0.1:\([0-9]*\)$/\1/p" "$work/serve.err")
    [ -n "$port" ] && { echo "$port"; return 0; }
    sleep 0.05
  done
  return 1
}
