#!/usr/bin/env bash
# `maillab check imap://` (issue 20 item 5) against real Dovecot imapd on a loopback port
# (tools/peers.sh: a private instance, Maildir++ under the work directory): every MUST
# passes, the folder the check creates is gone afterwards, and the message already in
# alice's INBOX is untouched (nothing destructive outside the check's folder). Then the
# same table against `maillab serve` for comparison (docs/conformance.md shows both).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/prologue.sh"
FAIL_LOGS=("$work/peers/dovecot.log" "$work/serve.err")

pop_port=$(peers_free_port)
imap_port=$(peers_free_port)
[ "$pop_port" != "$imap_port" ] || imap_port=$(peers_free_port)
peers_dovecot_start "$pop_port" "$work/peers" "$imap_port"
echo "dovecot $(dovecot --version | awk '{print $1}') imap on 127.0.0.1:$imap_port"

# A message in alice's INBOX before the check: it must come out untouched.
inbox="$work/peers/mail/alice"
uid=$(id -u "${PEERS_MAIL_USER:-nobody}")
gid=$(id -g "${PEERS_MAIL_USER:-nobody}")
for d in cur new tmp; do mkdir -p "$inbox/$d"; done
printf 'From: carol@c.example\r\nSubject: keep me\r\n\r\nalice keeps this\r\n' >"$inbox/new/1.keep.maillab"
chown -R "$uid:$gid" "$inbox"
inbox_sum() { find "$inbox/new" "$inbox/cur" -type f -exec cat {} + | md5sum; }
before=$(inbox_sum)

rc=0
"$MAILLAB" check "imap://alice:secret@127.0.0.1:$imap_port" --timeout 15 >"$work/out" 2>"$work/err" || rc=$?
cat "$work/out"
[ -s "$work/err" ] && sed 's/^/stderr: /' "$work/err"
[ "$rc" -ne 2 ] || fail "maillab check: usage error (exit 2)"
[ "$rc" -eq 0 ] || fail "maillab check exited $rc: a MUST failed against Dovecot (see the table)"
grep -q '20 passed, 0 failed' "$work/out" || fail "not every row passed against Dovecot"
echo "ok: every row passes against Dovecot"

shopt -s nullglob
left=("$work/peers/mail/alice/".maillab-check-*)
[ ${#left[@]} -eq 0 ] || fail "the check's folder is still there: ${left[*]}"
echo "ok: the check's folder was deleted"
after=$(inbox_sum)
[ "$before" = "$after" ] || fail "alice's INBOX changed"
ls "$inbox/new" "$inbox/cur" | grep -q 'keep' || fail "the INBOX message is gone"
echo "ok: alice's INBOX is untouched"
peers_wait_log "$work/peers/dovecot.log" 'imap-login: Info: Login: user=<alice>' || fail "Dovecot's log shows no IMAP login"
grep -qE 'imap-login: .*auth failed|Disconnected.*auth failed|Authentication failed|auth failed' \
  "$work/peers/dovecot.log" || echo "note: Dovecot's log does not name the wrong-password attempt"

# The same table against maillab serve.
"$MAILLAB" serve "$here/imap-lab.yaml" --listen mx.b.example:imap=127.0.0.1:0 >"$work/timeline" 2>"$work/serve.err" &
serve_pid=$!
port=$(serve_port "mx.b.example imap") || fail "maillab serve did not listen for IMAP"
"$MAILLAB" check "imap://bob:builder@127.0.0.1:$port" --timeout 15 >"$work/serve.out" ||
  { cat "$work/serve.out"; fail "maillab check failed against maillab serve"; }
grep -q '20 passed, 0 failed' "$work/serve.out" || { cat "$work/serve.out"; fail "not every row passed against serve"; }
echo "ok: every row passes against maillab serve"
echo "check_imap_dovecot: all checks passed"
