#!/usr/bin/env bash
# Every YAML example of the scenario format (version 1 and the 1.1 additions: staples, TLS,
# IMAP, webmail, sender authentication) as the spec writes it, completed into whole worlds
# in tests/scripts/spec_examples/*.yaml: each loads, runs and meets its expectations
# (`maillab run --quiet` exits 0 with "N passed, 0 failed"), and runs the same twice.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
MAILLAB=${MAILLAB:-$ROOT/build/tools/maillab}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/maillab-spec.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

for f in "$ROOT"/tests/scripts/spec_examples/*.yaml; do
  name=$(basename "$f" .yaml)
  if ! "$MAILLAB" run "$f" --quiet --trace "$WORK/$name.1.jsonl" >"$WORK/$name.out" 2>&1; then
    cat "$WORK/$name.out"
    fail "$name: run did not exit 0"
  fi
  grep -Eq '^[1-9][0-9]* passed, 0 failed$' "$WORK/$name.out" || fail "$name: $(tail -n 1 "$WORK/$name.out")"
  "$MAILLAB" run "$f" --quiet --trace "$WORK/$name.2.jsonl" >/dev/null 2>&1 || fail "$name: second run"
  cmp -s "$WORK/$name.1.jsonl" "$WORK/$name.2.jsonl" || fail "$name: two runs, two traces"
done
echo "ok"
