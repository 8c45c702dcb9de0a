#!/usr/bin/env bash
# IMAP (issue 20 item 6) with real clients against `maillab serve`'s IMAP server on a
# loopback port (143 of the virtual host): Python's imaplib (the RFC 3501 client of the
# standard library: LOGIN, LIST, SELECT, FETCH of BODYSTRUCTURE/ENVELOPE/BODY.PEEK, STORE,
# APPEND with a literal, UID SEARCH, EXPUNGE, IDLE by hand), curl imap:// (LOGIN or
# AUTHENTICATE, SELECT, FETCH BODY[]) and fetchmail --protocol IMAP. A wrong password
# and an empty one are refused.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/prologue.sh"
FAIL_LOGS=("$work/serve.err" "$work/timeline" "$work/fetchmail.log" "$work/imaplib.out")

"$MAILLAB" serve "$here/imap-lab.yaml" --listen mx.b.example:smtp=127.0.0.1:0 \
  --listen mx.b.example:imap=127.0.0.1:0 >"$work/timeline" 2>"$work/serve.err" &
serve_pid=$!
imap=$(serve_port "mx.b.example imap") || fail "maillab serve did not listen for IMAP"
smtp=$(serve_port "mx.b.example smtp") || fail "maillab serve did not listen for SMTP"

swaks --silent 2 --server 127.0.0.1 --port "$smtp" --from carol@c.example --to bob@b.example \
  --header "Subject: read me over IMAP" --body "IMAP body" || fail "swaks could not send"
peers_wait_log "$work/timeline" " deliver " "the delivery"

# curl first (BODY[] sets \Seen; imaplib checks that below).
curl -s --max-time 20 "imap://127.0.0.1:$imap/INBOX;UID=1" -u bob:builder >"$work/curl.out" \
  || fail "curl imap:// failed"
grep -q "IMAP body" "$work/curl.out" || fail "curl did not retrieve the message"
echo "ok: curl imap:// retrieved the message"
if curl -s --max-time 20 "imap://127.0.0.1:$imap/INBOX;UID=1" -u bob:wrong >/dev/null; then
  fail "curl logged in with a wrong password"
fi
echo "ok: curl with a wrong password refused"

timeout 60 python3 - "$imap" "$smtp" >"$work/imaplib.out" 2>&1 <<'PY' || fail "imaplib: $(tail -3 "$work/imaplib.out")"
import imaplib, sys, socket
port = int(sys.argv[1])
def expect(cond, what):
    if not cond:
        raise SystemExit("FAILED: " + what)
m = imaplib.IMAP4("127.0.0.1", port)
expect("IMAP4REV1" in m.capabilities, "IMAP4rev1 in the greeting's capabilities")
try:
    m.login("bob", "")
    raise SystemExit("FAILED: an empty password logged in")
except imaplib.IMAP4.error:
    pass
m.login("bob", "builder")
typ, folders = m.list()
names = b"\n".join(folders)
for special in (b"\\Sent", b"\\Trash", b"\\Drafts", b"\\Junk"):
    expect(special in names, "LIST shows %r" % special)
typ, data = m.select("INBOX")
expect(typ == "OK" and data[0] == b"1", "SELECT INBOX: 1 message, got %r" % data)
typ, data = m.fetch("1", "(FLAGS ENVELOPE BODYSTRUCTURE RFC822.SIZE)")
meta = data[0] if isinstance(data[0], bytes) else data[0][0]
expect(b"\\Seen" in meta, "curl's fetch set \\Seen: %r" % meta)
expect(b'"read me over IMAP"' in meta, "ENVELOPE has the subject: %r" % meta)
expect(b'("TEXT" "PLAIN"' in meta.upper() or b'("text" "plain"' in meta, "BODYSTRUCTURE text/plain: %r" % meta)
typ, data = m.fetch("1", "(BODY.PEEK[TEXT])")
expect(b"IMAP body" in data[0][1], "BODY.PEEK[TEXT]")
typ, data = m.store("1", "-FLAGS", "(\\Seen)")
typ, data = m.uid("SEARCH", None, "UNSEEN")
expect(data[0].split() == [b"1"], "UID SEARCH UNSEEN after -FLAGS: %r" % data)
msg = b"From: bob@b.example\r\nTo: carol@c.example\r\nSubject: a draft\r\n\r\nliteral {5}\r\n"
typ, data = m.append("Drafts", "(\\Draft)", None, msg)
expect(typ == "OK" and b"APPENDUID" in data[0], "APPEND to Drafts with APPENDUID: %r" % data)
typ, data = m.status("Drafts", "(MESSAGES UIDNEXT)")
expect(b"MESSAGES 1" in data[0], "STATUS Drafts: %r" % data)
# IDLE by hand (imaplib has none before Python 3.14): a delivery during IDLE is pushed.
tag = b"i1"
m.send(tag + b" IDLE\r\n")
line = m.readline()
expect(line.startswith(b"+"), "IDLE continuation: %r" % line)
import smtplib
with smtplib.SMTP("127.0.0.1", int(sys.argv[2]), timeout=30) as smtp:
    smtp.sendmail("carol@c.example", ["bob@b.example"],
                  b"From: carol@c.example\r\nTo: bob@b.example\r\nSubject: pushed\r\n\r\nduring IDLE\r\n")
m.sock.settimeout(30)
line = m.readline()
while b"EXISTS" not in line and line:
    line = m.readline()
expect(b"* 2 EXISTS" in line, "pushed EXISTS during IDLE: %r" % line)
m.send(b"DONE\r\n")
while True:
    line = m.readline()
    if line.startswith(tag):
        expect(b"OK" in line, "IDLE completed: %r" % line)
        break
typ, data = m.store("2", "+FLAGS", "(\\Deleted)")
typ, data = m.expunge()
expect(data and data[0] == b"2", "EXPUNGE reports message 2: %r" % data)
m.logout()
print("imaplib: all checks passed")
PY
echo "ok: imaplib"

# fetchmail --protocol IMAP: the one message left (\Seen was cleared, the draft is elsewhere).
cat >"$work/fetchmailrc" <<RC
poll 127.0.0.1 service $imap protocol IMAP timeout 15
  user bob there with password builder is root here keep fetchall
RC
chmod 600 "$work/fetchmailrc"
timeout 60 fetchmail -f "$work/fetchmailrc" --nosslcertck --pidfile "$work/fetchmail.pid" \
  --mda "cat >> $work/fetched.eml" -v >"$work/fetchmail.log" 2>&1 || fail "fetchmail failed"
grep -q "IMAP body" "$work/fetched.eml" || fail "fetchmail did not fetch the message"
echo "ok: fetchmail --protocol IMAP fetched the message"
grep -q '<- 127.0.0.1  [^ ]* LOGIN bob \*\*\*\*' "$work/timeline" || fail "the timeline does not hide LOGIN's password"
grep -q 'builder' "$work/timeline" && fail "the password is on the timeline"
echo "imap_clients: all checks passed"
