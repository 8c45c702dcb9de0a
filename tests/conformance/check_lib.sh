# shellcheck shell=bash
# `maillab check` in the conformance tests (sourced after prologue.sh):
#   run_check WHAT [TOLERATED] -- ARGS...   one `maillab check ARGS --timeout 10`, its table
#       printed and its closing line required. Without TOLERATED (check names, '|'-
#       separated) it must exit 0 (no MUST failed); with it, every failing MUST row must be
#       one of those. A failure sets failed=1 (the caller decides when to stop). The table
#       stays in $work/out for expect_row.
#   expect_row CHECK RESULT [TEXT]  the last table's row CHECK has RESULT (pass, FAIL, warn,
#       skip) and, if given, says TEXT; else failed=1
#   check_serve_lab   `maillab serve` with tests/conformance/check-lab.yaml (SMTP, submission
#       and POP3 of mx.b.example, user bob / builder) probed as the peers are, with the rows
#       the lab must get: the Postmaster, DSN and 512-octet rows, AUTH on submission, APOP.
failed=0

run_check() {
  local what=$1 tolerated="" rc=0
  shift
  if [ "$1" != -- ]; then tolerated=$1; shift; fi
  shift
  echo
  echo "=== maillab check $* ($what)"
  "$MAILLAB" check "$@" --timeout 10 >"$work/out" 2>"$work/err" || rc=$?
  cat "$work/out"
  [ -s "$work/err" ] && sed 's/^/stderr: /' "$work/err"
  local summary must_failed unexpected="" row
  summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed \([0-9]+ MUST\), [0-9]+ warnings?, [0-9]+ skipped' "$work/out" | tail -1 || true)
  # The failing MUST rows' check names (columns are separated by two spaces or more).
  must_failed=$(grep -E '  MUST +FAIL ' "$work/out" | sed -E 's/ {2,}.*//' || true)
  while IFS= read -r row; do
    [ -z "$row" ] && continue
    case "|$tolerated|" in *"|$row|"*) ;; *) unexpected+="[$row] " ;; esac
  done <<<"$must_failed"
  if [ -z "$summary" ]; then
    echo "FAIL: $what: no 'N passed, M failed (K MUST), W warnings, S skipped' line (exit $rc)"
    failed=1
  elif [ "$(echo "$summary" | awk '{print $1}')" -lt 1 ]; then
    echo "FAIL: $what: nothing passed: $summary"
    failed=1
  elif [ "$rc" -ne 0 ] && { [ -z "$tolerated" ] || [ "$rc" -ne 1 ] || [ -n "$unexpected" ]; }; then
    echo "FAIL: $what: maillab check exited $rc (0 = no MUST failed); failing MUST rows: ${unexpected:-see above}"
    grep -E 'FAIL' "$work/out" | sed 's/^/  failing: /' || true
    failed=1
  elif [ "$rc" -ne 0 ]; then
    echo "ok: $what: exit 1, only known findings failed: $(echo "$must_failed" | paste -sd ';'); $summary"
  else
    echo "ok: $what: exit 0, $summary"
  fi
}

expect_row() {  # CHECK RESULT [TEXT]
  local line
  line=$(grep -F -- "$1  " "$work/out" | head -1 || true)
  if [ -z "$line" ]; then
    echo "FAIL: no row '$1'"
    failed=1
  elif ! echo "$line" | grep -Eq -- "  (MUST|SHOULD|MAY) +$2 "; then
    echo "FAIL: row '$1' is not $2: $line"
    failed=1
  elif [ -n "${3:-}" ] && ! echo "$line" | grep -qF -- "$3"; then
    echo "FAIL: row '$1' does not say '$3': $line"
    failed=1
  else
    echo "ok: $1: $2${3:+ ($3)}"
  fi
}

check_serve_lab() {
  local smtp submission pop3
  smtp=$(peers_free_port)
  submission=$(peers_free_port)
  pop3=$(peers_free_port)
  "$MAILLAB" serve "$here/check-lab.yaml" --listen "mx.b.example:smtp=127.0.0.1:$smtp" \
    --listen "mx.b.example:submission=127.0.0.1:$submission" --listen "mx.b.example:pop3=127.0.0.1:$pop3" \
    >"$work/serve.out" 2>"$work/serve.err" &
  serve_pid=$!
  FAIL_LOGS+=("$work/serve.err")
  peers_wait_port "$smtp" "maillab serve" "$work/serve.err" "$serve_pid" &&
    peers_wait_port "$pop3" "maillab serve" "$work/serve.err" "$serve_pid" || fail "maillab serve did not start"
  run_check "the lab's SMTP" -- "smtp://127.0.0.1:$smtp" --rcpt bob@b.example \
    --fetch "pop3://bob:builder@127.0.0.1:$pop3"
  expect_row "Postmaster accepted" pass "Postmaster 250, postmaster@b.example 250"
  expect_row "DSN parameters accepted" pass
  expect_row "command line of 512 octets accepted" pass "NOOP with an argument, 512 octets: 250"
  expect_row "dot-stuffing round trip (--fetch)" pass
  run_check "the lab's submission" -- "smtp://127.0.0.1:$submission" --user bob --password builder \
    --from bob@b.example --rcpt bob@b.example
  expect_row "AUTH (--user/--password)" pass "(PLAIN)"
  expect_row "MAIL FROM:<> accepted" pass
  expect_row "998-octet line accepted" pass
  run_check "the lab's POP3" -- "pop3://127.0.0.1:$pop3" --user bob --password builder
  expect_row "APOP with the password" pass
  kill "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null
  serve_pid=""
}
