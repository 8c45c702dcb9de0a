#!/usr/bin/env bash
# The lab's MTA signs, a real verifier checks, with the key read from the lab's DNS
# (issue 22 items 3 and 6): `maillab serve dkim-lab.yaml` runs mail.a.example, which signs
# Alice's message to Bob as it leaves (rsa-sha256 selector s1, ed25519-sha256 selector ed:
# keys made from the scenario's seed), and exposes the lab's name server on a real port.
# - dig reads both public keys from the lab's DNS (TXT s1._domainkey.a.example, ...);
# - dkimpy (Debian python3-dkim) verifies both DKIM-Signature fields of the message as Bob's
#   Maildir holds it (after Received and Authentication-Results were added above them);
# - opendkim-testmsg verifies it too, its resolver pointed at those keys in a private
#   network namespace (opendkim_lib.sh);
# - a changed body fails both;
# - the receiving MTA of the lab said dkim=pass for both in its Authentication-Results.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/prologue.sh"
source "$here/opendkim_lib.sh"
FAIL_LOGS=("$work/serve.err")
py() { /usr/bin/python3 "$here/auth_interop.py" "$@"; }

"$MAILLAB" serve "$here/dkim-lab.yaml" --quiet --speed 20 --mailboxes "$work/out" \
  --listen ns.example:dns=127.0.0.1:0 2>"$work/serve.err" &
serve_pid=$!
peers_wait_log "$work/serve.err" '^listening: ns.example dns on 127.0.0.1:[0-9]+' \
  "maillab serve's listening line" || fail "maillab serve did not listen"
dns_port=$(sed -nE 's/^listening: ns.example dns on 127.0.0.1:([0-9]+).*/\1/p' "$work/serve.err" | head -1)

# The message reaches Bob's Maildir (sent at 1s simulated, 20 simulated seconds a second).
for _ in $(seq 300); do
  ls "$work/out/mx.b.example/bob/new/"* >/dev/null 2>&1 && break
  sleep 0.1
done
msg=$(ls "$work/out/mx.b.example/bob/new/"* 2>/dev/null | head -1)
[ -n "$msg" ] || fail "no message in mx.b.example's Maildir for bob"
echo "ok: the signed message reached bob's Maildir"

# The keys, as a verifier on the network finds them: TXT in strings of 255, joined.
: >"$work/zone"
for sel in s1 ed; do
  txt=$(dig @127.0.0.1 -p "$dns_port" +short +tries=3 +time=2 TXT "$sel._domainkey.a.example" |
        sed -e 's/" "//g' -e 's/^"//' -e 's/"$//')
  case "$txt" in v=DKIM1\;*p=?*) ;; *) fail "the lab's DNS has no key for $sel._domainkey.a.example: '$txt'" ;; esac
  echo "$sel._domainkey.a.example $txt" >>"$work/zone"
done
grep -q '^s1[^ ]* v=DKIM1; k=rsa; ' "$work/zone" || fail "s1 is not an RSA key: $(cat "$work/zone")"
grep -q '^ed[^ ]* v=DKIM1; k=ed25519; ' "$work/zone" || fail "ed is not an Ed25519 key: $(cat "$work/zone")"
echo "ok: dig reads both public keys from the lab's DNS on port $dns_port"

kill -TERM "$serve_pid"
peers_wait_gone "$serve_pid" "maillab serve after SIGTERM" "$work/serve.err" || fail "maillab serve did not stop"
rc=0
wait "$serve_pid" || rc=$?
serve_pid=""
[ "$rc" -eq 0 ] || fail "maillab serve exited $rc after SIGTERM"

[ "$(grep -c '^DKIM-Signature:' "$msg")" -eq 2 ] || fail "expected two DKIM-Signature fields in $(cat "$msg")"
for i in 0 1; do
  [ "$(py dkim-verify "$work/zone" "$msg" "$i")" = True ] || fail "dkimpy does not verify signature $i of $(cat "$msg")"
done
grep -q 'a=ed25519-sha256' "$msg" && grep -q 'a=rsa-sha256' "$msg" || fail "not one signature of each algorithm"
echo "ok: dkimpy verifies the lab's rsa-sha256 and ed25519-sha256 signatures"

{ cat "$msg"; printf 'P.S. from Eve\n'; } >"$work/tampered.eml"
for i in 0 1; do
  [ "$(py dkim-verify "$work/zone" "$work/tampered.eml" "$i")" = False ] || fail "dkimpy verified a changed body ($i)"
done
echo "ok: a changed body fails dkimpy's verification"

# OpenDKIM, its resolver pointed (in a private namespace) at the keys dig read from the lab.
opendkim_verify "$work/zone" "$msg" -- "$work/tampered.eml" || fail "OpenDKIM verification"
echo "ok: opendkim-testmsg verifies the delivered message and rejects a changed body"

ar=$(awk '/^Authentication-Results:/ {p = 1; print; next} p && /^[ \t]/ {print; next} {p = 0}' "$msg" | tr -d '\r\n')
case "$ar" in *"dkim=pass header.d=a.example header.s=s1"*) ;; *) fail "the lab's receiver: $ar" ;; esac
case "$ar" in *"dkim=pass header.d=a.example header.s=ed"*) ;; *) fail "the lab's receiver: $ar" ;; esac
echo "ok: the lab's receiving MTA said dkim=pass for both: $ar"
echo "dkim_serve: all checks passed"
