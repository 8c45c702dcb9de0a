#!/usr/bin/env bash
# APOP (RFC 1939 7) with the real clients issue 16 names: s-nail (APOP by default when the
# greeting has a timestamp), fetchmail (`protocol apop`) and curl (`AUTH=+APOP`) read a
# message from `maillab serve`'s POP3 server, and the timeline shows they logged in with
# APOP. A user declared without a password is refused to all of them (issue 15 item 1).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/prologue.sh"
FAIL_LOGS=("$work/serve.err" "$work/timeline" "$work/fetchmail.log")

cat >"$work/lab.yaml" <<'YAML'
scenario: apop-clients
duration: 1d
hosts:
  mx.b.example:
    address: 192.0.2.20
    mta:
      domains: [b.example]
      auth_failure_delay: 100ms
    pop3: true
    users:
      bob: {password: builder}
      alice: {}
YAML
"$MAILLAB" serve "$work/lab.yaml" --listen mx.b.example:smtp=127.0.0.1:0 \
  --listen mx.b.example:pop3=127.0.0.1:0 >"$work/timeline" 2>"$work/serve.err" &
serve_pid=$!
peers_wait_log "$work/serve.err" "mx.b.example pop3 on" "maillab serve"
port() { sed -n "s/^listening: mx.b.example $1 on 127.0.0.1:\([0-9]*\)$/\1/p" "$work/serve.err"; }
smtp=$(port smtp)
pop=$(port pop3)

swaks --silent 2 --server 127.0.0.1 --port "$smtp" --from carol@c.example --to bob@b.example \
  --header "Subject: read me with APOP" --body "APOP body" || fail "swaks could not send"
peers_wait_log "$work/timeline" " deliver " "the delivery"

# s-nail: APOP unless pop3-no-apop is set.
printf 'print 1\nquit\n' | timeout 30 s-nail -n -# -Sv15-compat -f "pop3://bob:builder@127.0.0.1:$pop" \
  >"$work/snail.out" 2>&1 || fail "s-nail: $(tail -3 "$work/snail.out")"
grep -q "APOP body" "$work/snail.out" || fail "s-nail did not print the message"
echo "ok: s-nail read the message"

# fetchmail, protocol apop, delivering to a file.
cat >"$work/fetchmailrc" <<RC
poll 127.0.0.1 service $pop protocol apop timeout 15
  user bob there with password builder is root here keep
RC
chmod 600 "$work/fetchmailrc"
timeout 60 fetchmail -f "$work/fetchmailrc" --nosslcertck --pidfile "$work/fetchmail.pid" \
  --mda "cat > $work/fetched.eml" -v >"$work/fetchmail.log" 2>&1 || fail "fetchmail failed"
grep -q "APOP body" "$work/fetched.eml" || fail "fetchmail did not fetch the message"
echo "ok: fetchmail (protocol apop) fetched the message"

# curl with APOP required.
curl -s --max-time 20 "pop3://127.0.0.1:$pop/1" -u bob:builder --login-options 'AUTH=+APOP' \
  >"$work/curl.out" || fail "curl AUTH=+APOP failed"
grep -q "APOP body" "$work/curl.out" || fail "curl did not retrieve the message"
echo "ok: curl AUTH=+APOP retrieved the message"

logins=$(grep -c '<- 127.0.0.1  APOP bob [0-9a-f]\{32\}  => +OK' "$work/timeline" || true)
[ "$logins" -ge 3 ] || fail "the timeline shows $logins APOP logins, expected 3"
echo "ok: $logins APOP logins on the timeline"

# alice has no password: every client is refused.
printf 'quit\n' | timeout 30 s-nail -n -# -Sv15-compat -f "pop3://alice:x@127.0.0.1:$pop" >"$work/snail2.out" 2>&1 || true
grep -q "APOP body" "$work/snail2.out" && fail "s-nail read alice's mailbox"
if curl -s --max-time 20 "pop3://127.0.0.1:$pop/" -u alice: --login-options 'AUTH=+APOP' >/dev/null; then
  fail "curl logged in as alice (no password) with APOP"
fi
if curl -s --max-time 20 "pop3://127.0.0.1:$pop/" -u alice: >/dev/null; then
  fail "curl logged in as alice (no password) with USER/PASS"
fi
grep -q '=> +OK maildrop' <(grep ' alice' "$work/timeline") && fail "alice logged in"
echo "ok: alice (no password) refused"
echo "apop_clients: all checks passed"
