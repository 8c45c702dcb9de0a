#!/usr/bin/env bash
# IMAP sync and retrieval clients against `maillab serve` (issue 20 item 6), beside
# imap_clients_test.sh (imaplib, curl, fetchmail):
# - mbsync (isync 1.4) syncs bob's INBOX to a local Maildir (both messages arrive), then a
#   change goes back: a message flagged locally (":2,F" in its file name) is \Flagged on
#   the server, a message written into the local Maildir is APPENDed to the server's
#   INBOX (imaplib checks both on the server).
# - getmail6 over IMAP (SimpleIMAPRetriever) and over POP3 (SimplePOP3Retriever) each
#   retrieve the messages into a Maildir of their own, leaving them on the server.
# - s-nail (built with +imap) in batch mode (-#): lists the INBOX, reads the laptop's
#   message and deletes "sync two"; on quit the server has \Seen and the expunge.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/prologue.sh"
FAIL_LOGS=("$work/serve.err" "$work/timeline" "$work/mbsync.log" "$work/getmail.log")

"$MAILLAB" serve "$here/imap-lab.yaml" --listen mx.b.example:smtp=127.0.0.1:0 \
  --listen mx.b.example:imap=127.0.0.1:0 --listen mx.b.example:pop3=127.0.0.1:0 \
  >"$work/timeline" 2>"$work/serve.err" &
serve_pid=$!
smtp=$(serve_port "mx.b.example smtp") || fail "maillab serve did not listen for SMTP"
imap=$(serve_port "mx.b.example imap") || fail "maillab serve did not listen for IMAP"
pop3=$(serve_port "mx.b.example pop3") || fail "maillab serve did not listen for POP3"

for n in one two; do
  swaks --silent 2 --server 127.0.0.1 --port "$smtp" --from carol@c.example --to bob@b.example \
    --header "Subject: sync $n" --body "body of $n" || fail "swaks could not send message $n"
done
peers_wait_log "$work/timeline" " deliver " "the first delivery"
for _ in $(seq 300); do [ "$(grep -c ' deliver ' "$work/timeline")" -ge 2 ] && break; sleep 0.1; done

# mbsync: the server's INBOX -> a local Maildir.
mkdir -p "$work/local"
cat >"$work/mbsyncrc" <<RC
IMAPAccount lab
Host 127.0.0.1
Port $imap
User bob
Pass builder
SSLType None
AuthMechs LOGIN

IMAPStore lab-remote
Account lab

MaildirStore lab-local
Path $work/local/
Inbox $work/local/INBOX

Channel lab
Far :lab-remote:
Near :lab-local:
Patterns INBOX
Create Near
Sync All
Expunge None
SyncState *
RC
timeout 60 mbsync -c "$work/mbsyncrc" -V lab >"$work/mbsync.log" 2>&1 || fail "mbsync (first sync) failed"
shopt -s nullglob
got=("$work/local/INBOX/cur/"* "$work/local/INBOX/new/"*)
[ ${#got[@]} -eq 2 ] || fail "mbsync brought ${#got[@]} messages, not 2"
grep -l "Subject: sync one" "${got[@]}" >/dev/null || fail "message one is not in the local Maildir"
grep -l "body of two" "${got[@]}" >/dev/null || fail "message two's body is not in the local Maildir"
echo "ok: mbsync synced bob's INBOX (2 messages) to a local Maildir"

# A change back: flag message one locally, write a new message locally, sync again.
one=$(grep -l "Subject: sync one" "${got[@]}")
case "$one" in
  *:2,*) mv "$one" "$work/local/INBOX/cur/$(basename "${one%%:2,*}"):2,${one##*:2,}F" ;;
  *) mv "$one" "$work/local/INBOX/cur/$(basename "$one"):2,F" ;;
esac
printf 'From: bob@b.example\r\nTo: bob@b.example\r\nSubject: written on the laptop\r\n\r\nlocal draft\r\n' \
  >"$work/local/INBOX/new/1796000000.local1.laptop"
timeout 60 mbsync -c "$work/mbsyncrc" -V lab >>"$work/mbsync.log" 2>&1 || fail "mbsync (second sync) failed"

timeout 60 python3 - "$imap" >"$work/server.out" 2>&1 <<'PY' || fail "on the server: $(tail -3 "$work/server.out")"
import imaplib, sys
m = imaplib.IMAP4("127.0.0.1", int(sys.argv[1]))
m.login("bob", "builder")
typ, data = m.select("INBOX", readonly=True)
if int(data[0]) != 3:
    raise SystemExit("FAILED: the server's INBOX holds %s messages, not 3" % data[0].decode())
typ, data = m.search(None, "FLAGGED")
flagged = data[0].split()
if len(flagged) != 1:
    raise SystemExit("FAILED: %d messages \\Flagged on the server, not 1" % len(flagged))
typ, data = m.fetch(flagged[0], "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
if b"sync one" not in data[0][1]:
    raise SystemExit("FAILED: the flagged message is not 'sync one'")
typ, data = m.search(None, "SUBJECT", '"written on the laptop"')
if len(data[0].split()) != 1:
    raise SystemExit("FAILED: the locally written message was not appended")
m.logout()
print("server: 3 messages, 'sync one' \\Flagged, the laptop's message appended")
PY
cat "$work/server.out"
echo "ok: mbsync carried a local flag and a local message back to the server"

# getmail6 over IMAP and over POP3, each into its own Maildir, nothing deleted. getmail
# refuses to deliver as root: as root it runs as the peers' mail user.
as=()
[ "$(id -u)" -eq 0 ] && as=(runuser -u "$PEERS_MAIL_USER" --)
# getmail delivers each message from a forked child. Before getmail6 moved to
# multiprocessing (Debian 12 has 6.18.11), the parent installs its SIGCHLD handler after
# fork() and then waits on a condition the handler notifies: when the child is done first
# (a loaded machine), the wake-up is lost and the parent sits out its whole timeout
# (180 s) after message 1, the server's FETCH answer read (getmail6 issues #226, #245).
# getmail runs unchanged but for that wait, which here reaps the child with waitpid();
# a getmail without _prepare_child (the fixed ones) runs untouched.
getmail_reaping_child=$(cat <<'PY'
import os, runpy, shutil, sys
import getmailcore.baseclasses as base
from getmailcore.exceptions import getmailOperationError

def wait_for_child(self, childpid):
    pid, status = os.waitpid(childpid, 0)
    if os.WIFSIGNALED(status):
        raise getmailOperationError("child pid %d killed by signal %d" % (pid, os.WTERMSIG(status)))
    return os.WEXITSTATUS(status)

if hasattr(base.ForkingBase, "_prepare_child") and hasattr(base.ForkingBase, "_wait_for_child"):
    base.ForkingBase._prepare_child = lambda self: None
    base.ForkingBase._wait_for_child = wait_for_child
sys.argv[0] = shutil.which("getmail")
runpy.run_path(sys.argv[0], run_name="__main__")
PY
)
for proto in IMAP POP3; do
  dir="$work/getmail-$proto"
  mkdir -p "$dir/mail/cur" "$dir/mail/new" "$dir/mail/tmp"
  p=$imap
  [ "$proto" = POP3 ] && p=$pop3
  cat >"$dir/getmailrc" <<RC
[retriever]
type = Simple${proto}Retriever
server = 127.0.0.1
port = $p
username = bob
password = builder

[destination]
type = Maildir
path = $dir/mail/

[options]
read_all = true
delete = false
verbose = 2
RC
  _peers_traversable "$dir"
  _peers_sudo chown -R "$PEERS_MAIL_USER" "$dir"
  timeout 60 "${as[@]}" python3 -c "$getmail_reaping_child" --getmaildir "$dir" --rcfile "$dir/getmailrc" >>"$work/getmail.log" 2>&1 ||
    fail "getmail over $proto failed"
  fetched=("$dir/mail/new/"* "$dir/mail/cur/"*)
  [ ${#fetched[@]} -eq 3 ] || fail "getmail over $proto retrieved ${#fetched[@]} messages, not 3"
  grep -l "written on the laptop" "${fetched[@]}" >/dev/null || fail "getmail over $proto missed the appended message"
  echo "ok: getmail6 over $proto retrieved the 3 messages"
done

# s-nail in batch mode over IMAP.
printf 'headers\ntype 3\ndelete 2\nquit\n' |
  timeout 60 s-nail -# -: / -S v15-compat -S "password-bob@127.0.0.1:$imap=builder" -S imap-auth=login \
    -f "imap://bob@127.0.0.1:$imap" >"$work/snail.out" 2>&1 || fail "s-nail failed: $(tail -3 "$work/snail.out")"
grep -q "written on the laptop" "$work/snail.out" || fail "s-nail's header list lacks the laptop's message"
grep -q "local draft" "$work/snail.out" || fail "s-nail did not show the laptop message's body"
timeout 60 python3 - "$imap" >"$work/server2.out" 2>&1 <<'PY' || fail "after s-nail: $(tail -3 "$work/server2.out")"
import imaplib, sys
m = imaplib.IMAP4("127.0.0.1", int(sys.argv[1]))
m.login("bob", "builder")
typ, data = m.select("INBOX", readonly=True)
if int(data[0]) != 2:
    raise SystemExit("FAILED: %s messages after s-nail's delete, not 2" % data[0].decode())
typ, data = m.search(None, "SUBJECT", '"sync two"')
if data[0].split():
    raise SystemExit("FAILED: 'sync two' is still there")
typ, data = m.search(None, "SEEN", "SUBJECT", '"written on the laptop"')
if len(data[0].split()) != 1:
    raise SystemExit("FAILED: the message s-nail read is not \\Seen")
print("server: 2 messages, 'sync two' expunged, the read message \\Seen")
PY
cat "$work/server2.out"
echo "ok: s-nail (batch mode) read a message and deleted another over IMAP"
echo "imap_sync_clients: all checks passed"
