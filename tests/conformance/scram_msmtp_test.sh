#!/usr/bin/env bash
# AUTH SCRAM-SHA-256 (RFC 7677) with an independent client: msmtp, whose SASL is GNU
# SASL's, submits a message to `maillab serve`'s port 587 with --auth=scram-sha-256; the
# timeline shows the exchange ending in 235, the message is delivered, and a wrong
# password and a user without one are refused with 535.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/prologue.sh"
FAIL_LOGS=("$work/serve.err" "$work/timeline" "$work/msmtp.log")

cat >"$work/lab.yaml" <<'YAML'
scenario: scram-msmtp
duration: 1d
hosts:
  mail.a.example:
    address: 192.0.2.10
    mta:
      domains: [a.example]
      submission: true
      auth_failure_delay: 100ms
    users:
      alice: {password: wonderland}
      bob: {password: builder}
      carol: {}
YAML
"$MAILLAB" serve "$work/lab.yaml" --listen mail.a.example:submission=127.0.0.1:0 \
  >"$work/timeline" 2>"$work/serve.err" &
serve_pid=$!
peers_wait_log "$work/serve.err" "mail.a.example submission on" "maillab serve"
port=$(sed -n 's/^listening: mail.a.example submission on 127.0.0.1:\([0-9]*\)$/\1/p' "$work/serve.err")

send() {  # user password
  printf 'Subject: scram\r\n\r\nsent with SCRAM-SHA-256\r\n' |
    timeout 30 msmtp --host=127.0.0.1 --port="$port" --tls=off --auth=scram-sha-256 --user="$1" \
      --passwordeval="printf %s '$2'" --from="$1@a.example" bob@a.example >>"$work/msmtp.log" 2>&1
}

send alice wonderland || fail "msmtp could not log in with SCRAM-SHA-256"
peers_wait_log "$work/timeline" " deliver " "the delivery"
grep -q 'AUTH SCRAM-SHA-256\( \*\*\*\*\)\{0,1\}  => 334' "$work/timeline" || fail "no SCRAM exchange on the timeline"
grep -q '\*\*\*\*  => 235 2.7.0' "$work/timeline" || fail "no 235 on the timeline"
echo "ok: msmtp logged in with SCRAM-SHA-256 and the message was delivered"

send alice wrong && fail "msmtp logged in with a wrong password"
# serve writes the timeline line in the loop turn that sent the reply: msmtp may be done first.
peers_wait_log "$work/timeline" '535 5\.7\.8' "the 535 on the timeline" || fail "no 535 for the wrong password"
echo "ok: a wrong password is refused"
send carol x && fail "msmtp logged in as carol, who has no password"
echo "ok: a user without a password is refused"
echo "scram_msmtp: all checks passed"
