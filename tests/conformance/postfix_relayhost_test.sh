#!/usr/bin/env bash
# Real Postfix -> maillab: `maillab serve relay-lab.yaml` listens as the lab MX for
# b.example on a real port; a private Postfix uses it as its relayhost; swaks injects one
# message (exact bytes from a file) into Postfix for bob@b.example. Then:
# - Postfix's log says status=sent relay=127.0.0.1[127.0.0.1]:<serve port>,
# - after SIGTERM, serve exits 0 and OUT/mx.b.example/bob/new/ holds exactly one message:
#   the lab's own Return-Path / Delivered-To / Received, then Postfix's Received, then the
#   injected message byte for byte (Subject, a dot-leading line, body).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/prologue.sh"
name=relay$$
FAIL_LOGS=("$work/pf/postfix.log" "$work/serve.err")

# The lab MX first, on any free port (its "listening:" line tells which).
"$MAILLAB" serve "$here/relay-lab.yaml" --quiet --mailboxes "$work/out" \
  --listen mx.b.example:smtp=127.0.0.1:0 2>"$work/serve.err" &
serve_pid=$!
peers_wait_log "$work/serve.err" '^listening: mx.b.example smtp on 127.0.0.1:[0-9]+' \
  "maillab serve's listening line" || fail "maillab serve did not listen"
lab_port=$(sed -nE 's/^listening: mx.b.example smtp on 127.0.0.1:([0-9]+).*/\1/p' "$work/serve.err" | head -1)
echo "lab MX mx.b.example on 127.0.0.1:$lab_port"

pf_port=$(peers_free_port)
PEERS_RELAYHOST="[127.0.0.1]:$lab_port" peers_postfix_start "$name" "$pf_port" "$work/pf"
log=$work/pf/postfix.log
echo "postfix $(postconf -d -h mail_version) on 127.0.0.1:$pf_port, relayhost [127.0.0.1]:$lab_port"

# The message, exactly (CRLF on the wire); every header Postfix would otherwise add is there.
printf '%s\r\n' \
  "From: Carol <carol@c.example>" \
  "To: Bob <bob@b.example>" \
  "Subject: Through a real Postfix into the lab" \
  "Date: Mon, 02 Mar 2026 10:00:00 +0000" \
  "Message-ID: <relayhost-test.$$@c.example>" \
  "MIME-Version: 1.0" \
  "Content-Type: text/plain; charset=us-ascii" \
  "" \
  "Hello Bob," \
  ".this line starts with a dot: dot-stuffed on both SMTP hops" \
  "" \
  "  indented line, a blank line above" \
  "-- " \
  "Carol" >"$work/msg.eml"
# swaks adds the CRLF before "." itself: give it the message without its last one.
head -c -2 "$work/msg.eml" >"$work/swaks-data.eml"

swaks --server "127.0.0.1:$pf_port" --helo client.c.example --from carol@c.example \
  --to bob@b.example --data "$work/swaks-data.eml" >"$work/swaks.out" 2>&1 ||
  { cat "$work/swaks.out" >&2; fail "swaks could not inject into Postfix"; }
qid=$(grep -oE '250 2.0.0 Ok: queued as [0-9A-Za-z]+' "$work/swaks.out" | awk '{print $NF}')
[ -n "$qid" ] || { cat "$work/swaks.out" >&2; fail "Postfix did not queue the message"; }
echo "ok: swaks -> Postfix: queued as $qid"

peers_wait_log "$log" "$qid: to=<bob@b.example>, relay=127.0.0.1\[127.0.0.1\]:$lab_port,.*status=sent" \
  "Postfix relaying $qid to the lab" || fail "Postfix did not relay $qid to the lab"
lab_qid=$(grep -oE "$qid: to=<bob@b.example>, .*status=sent \(250 [^)]*queued as [0-9A-Za-z]+" "$log" | awk '{print $NF}')
echo "ok: postfix.log: $(grep -oE "$qid: to=<bob@b.example>, relay=[^ ]+ .*status=sent \([^)]*\)" "$log" |
  sed -E 's/delay=[^ ]+ delays=[^ ]+ //')"

kill -TERM "$serve_pid"
peers_wait_gone "$serve_pid" "maillab serve after SIGTERM" "$work/serve.err" ||
  fail "maillab serve did not stop within ${PEERS_TIMEOUT}s of SIGTERM"
rc=0
wait "$serve_pid" || rc=$?
serve_pid=""
[ "$rc" -eq 0 ] || fail "maillab serve exited $rc after SIGTERM"
echo "ok: maillab serve exited 0 on SIGTERM"

shopt -s nullglob
files=("$work/out/mx.b.example/bob/new/"*)
[ ${#files[@]} -eq 1 ] || fail "expected 1 message in OUT/mx.b.example/bob/new, found ${#files[@]}"

python3 - "${files[0]}" "$work/msg.eml" "$name" "$qid" "$lab_qid" <<'PY' || fail "the lab's copy is not Postfix's message"
import email, sys
got = open(sys.argv[1], "rb").read()
sent = open(sys.argv[2], "rb").read()
pf_host, qid, lab_qid = sys.argv[3] + ".peers.test", sys.argv[4], sys.argv[5]
# The lab's Maildir may keep CRLF or LF; compare in the lab's own line ending.
if b"\r\n" not in got:
    sent = sent.replace(b"\r\n", b"\n")
nl = b"\r\n" if b"\r\n" in got else b"\n"
assert got.endswith(sent), "the injected message is not the tail of the lab's copy"
prefix = got[: len(got) - len(sent)]
names = [l.split(b":")[0] for l in prefix.split(nl) if l and not l[:1].isspace()]
assert names == [b"Return-Path", b"Delivered-To", b"Received", b"Received"], names
m = email.message_from_bytes(got)
assert m["Return-Path"] == "<carol@c.example>", m["Return-Path"]
assert m["Delivered-To"] == "bob@b.example", m["Delivered-To"]
assert m["Subject"] == "Through a real Postfix into the lab", m["Subject"]
rec = [" ".join(r.split()) for r in m.get_all("Received")]
# The lab's Received names Postfix's HELO and the queue id the lab's 250 gave Postfix.
assert rec[0].startswith(f"from {pf_host} ") and "by mx.b.example" in rec[0], rec[0]
assert lab_qid and f"id {lab_qid}" in rec[0], (lab_qid, rec[0])
assert f"by {pf_host} (Postfix)" in rec[1] and f"id {qid}" in rec[1], rec[1]
print(f"ok: OUT/mx.b.example/bob/new: 1 message = the lab's Return-Path, Delivered-To, "
      f"Received + Postfix's Received + the {len(sent)} injected bytes, exact")
print("ok: Received chain:", " | ".join(r[:70] for r in rec))
PY
echo "postfix_relayhost: all checks passed"
