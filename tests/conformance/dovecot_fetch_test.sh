#!/usr/bin/env bash
# Real Postfix + real Dovecot, with maillab's own client engines at both ends: `maillab check
# smtp://<Postfix> --rcpt alice@pf.test --fetch pop3://alice:secret@<Dovecot>` sends a message
# full of dot-leading lines through Postfix's smtpd (lab SMTP client), Postfix's virtual
# agent writes it to the Maildir that Dovecot serves, and the lab's POP3 client engine
# reads it back. Asserted: the "dot-stuffing round trip" row passes (body identical octet
# for octet), Postfix's log shows the virtual delivery, Dovecot's log shows alice's POP3
# login and retrievals, and the message is still in the Maildir (the fetch deletes nothing).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/prologue.sh"
FAIL_LOGS=("$work/peers/postfix.log" "$work/peers/dovecot.log")

pf_port=$(peers_free_port)
dc_port=$(peers_free_port)
peers_postfix_start fetch$$ "$pf_port" "$work/peers"
peers_dovecot_start "$dc_port" "$work/peers"
echo "postfix $(postconf -d -h mail_version) on 127.0.0.1:$pf_port," \
  "dovecot $(dovecot --version | awk '{print $1}') pop3 on 127.0.0.1:$dc_port, same Maildirs"

rc=0
"$MAILLAB" check "smtp://127.0.0.1:$pf_port" --rcpt alice@pf.test --from carol@c.example \
  --fetch "pop3://alice:secret@127.0.0.1:$dc_port" --timeout 15 >"$work/out" 2>"$work/err" || rc=$?
cat "$work/out"
[ -s "$work/err" ] && sed 's/^/stderr: /' "$work/err"
[ "$rc" -ne 2 ] || fail "maillab check: usage error (exit 2)"

row=$(grep -i 'round trip' "$work/out" || true)
[ -n "$row" ] || fail "no 'dot-stuffing round trip' row in maillab check's table"
echo "$row" | grep -qiE '(^|[ |])pass([ |]|$)' || fail "the round trip did not pass: $row"
echo "ok: round trip through Postfix -> Maildir -> Dovecot -> maillab's POP3 client: $(echo "$row" | tr -s ' ')"

# The peers log through their own log daemons, after they answered: wait for the lines.
peers_wait_log "$work/peers/postfix.log" 'to=<alice@pf.test>, relay=virtual.*status=sent' ||
  fail "Postfix's log shows no virtual delivery to alice"
echo "ok: postfix.log: to=<alice@pf.test> relay=virtual status=sent"
peers_wait_log "$work/peers/dovecot.log" 'pop3-login: Info: Login: user=<alice>' ||
  fail "Dovecot's log shows no POP3 login of alice"
peers_wait_log "$work/peers/dovecot.log" 'pop3\(alice\).*(retr=[1-9]|Disconnected)' ||
  fail "Dovecot's log shows no POP3 session of alice"
echo "ok: dovecot.log: $(grep -E 'pop3\(alice\)' "$work/peers/dovecot.log" | tail -1 | sed -E 's/^.*pop3\(alice\)[^:]*: //')"

shopt -s nullglob
kept=("$work/peers/mail/alice/new/"* "$work/peers/mail/alice/cur/"*)
[ ${#kept[@]} -ge 1 ] || fail "the Maildir is empty after the fetch (the fetch must not delete)"
grep -lq 'dot-stuffing\.' "${kept[@]}" || fail "the dot-stuffing message is not in alice's Maildir"
echo "ok: alice's Maildir still holds ${#kept[@]} message(s), the probe's among them"
[ "$rc" -eq 0 ] || fail "maillab check exited $rc: a MUST failed against Postfix (see the table)"
echo "dovecot_fetch: all checks passed"
