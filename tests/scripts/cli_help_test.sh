#!/usr/bin/env bash
# A new user's first commands (issue 16 item 9): `maillab` alone prints the help on stdout
# and exits 2 (a usage error); `maillab help`, `maillab help COMMAND` and `--help` print
# it and exit 0; an unknown `help` topic exits 2 naming the commands; `run --help` gives
# the exit codes; `bench --help` names a page that is in the repository.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/serve_lib.sh"  # MAILLAB, WORK, fail

# expect CODE ARGS...: runs maillab ARGS, stdout to $WORK/out, stderr to $WORK/err.
expect() {
  local code=$1
  shift
  "$MAILLAB" "$@" >"$WORK/out" 2>"$WORK/err"
  local rc=$?
  [ "$rc" -eq "$code" ] || fail "maillab $*: exit $rc, expected $code; stderr: $(cat "$WORK/err")"
}

expect 2
grep -q '^Usage: maillab \[OPTIONS\] SUBCOMMAND' "$WORK/out" || fail "no arguments: no usage on stdout: $(cat "$WORK/out")"
grep -q '^  run  ' "$WORK/out" || fail "no arguments: the commands are not listed"
[ ! -s "$WORK/err" ] || fail "no arguments: stderr is not empty: $(cat "$WORK/err")"

expect 0 help
grep -q '^Usage: maillab \[OPTIONS\] SUBCOMMAND' "$WORK/out" || fail "help: $(cat "$WORK/out")"
expect 0 --help
grep -q '^Usage: maillab \[OPTIONS\] SUBCOMMAND' "$WORK/out" || fail "--help: $(cat "$WORK/out")"

expect 0 help run
grep -q '^Usage: maillab run \[OPTIONS\] SCENARIO' "$WORK/out" || fail "help run: $(cat "$WORK/out")"
cp "$WORK/out" "$WORK/help-run"
expect 0 run --help
cmp -s "$WORK/out" "$WORK/help-run" || fail "help run and run --help differ"
for code in "0 every check passed" "1 a check failed" "2 bad usage, an invalid scenario"; do
  grep -q "$code" "$WORK/out" || fail "run --help does not give the exit code '$code'"
done
expect 0 help bench mail
grep -q '^Usage: maillab bench mail' "$WORK/out" || fail "help bench mail: $(cat "$WORK/out")"

expect 2 help nosuch
grep -q 'maillab help: no command `maillab nosuch`; commands: run, list' "$WORK/err" || fail "help nosuch: $(cat "$WORK/err")"

expect 0 bench --help
page=$(grep -o 'docs/[a-z-]*\.md' "$WORK/out" | head -n 1)
[ "$page" = docs/performance.md ] || fail "bench --help names no page of docs/: $(cat "$WORK/out")"
[ -f "$ROOT/$page" ] || fail "bench --help names $page, which is not in the repository"
! grep -q 'shared/' "$WORK/out" || fail "bench --help points outside the repository"
echo "ok"
