#!/usr/bin/env bash
# maillab -> real Postfix: `maillab serve` runs route-lab.yaml (Alice's MUA submits one
# message to the lab MTA mail.a.example at 3s) with --route pf.test=<Postfix>, and stops
# by itself (--until). Then:
# - the lab's trace says relay.sent to Postfix (relay: the host name its greeting gave, as
#   Remote-MTA names it; peer: 127.0.0.1) with Postfix's "queued as ID",
# - Postfix's log says that ID went to alice@pf.test with status=sent (virtual delivery),
# - DIR/mail/alice/new holds exactly one message: the lab's headers and body byte for byte
#   (a dot-stuffed line unstuffed), under Postfix's Received naming the lab's HELO
#   (mail.a.example) above the lab's own Received "by mail.a.example".
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/prologue.sh"
name=route$$
FAIL_LOGS=("$work/pf/postfix.log" "$work/serve.err")

pf_port=$(peers_free_port)
peers_postfix_start "$name" "$pf_port" "$work/pf"
log=$work/pf/postfix.log
echo "postfix $(postconf -d -h mail_version) on 127.0.0.1:$pf_port"

# 3s at speed 10 is 0.3 real seconds; --until 120s ends the run after 12 real seconds, time
# for Postfix to answer on a loaded machine (bounded: after 60 s, timeout(1) stops it, 124).
timeout 60 "$MAILLAB" serve "$here/route-lab.yaml" --quiet --speed 10 --until 120s \
  --route "pf.test=127.0.0.1:$pf_port" --trace "$work/trace.jsonl" 2>"$work/serve.err" &
serve_pid=$!
rc=0
wait "$serve_pid" || rc=$?
serve_pid=""
[ "$rc" -ne 124 ] || fail "maillab serve --until 120s --speed 10 still ran after 60 s"
[ "$rc" -eq 0 ] || fail "maillab serve exited $rc"
echo "ok: maillab serve --route pf.test=127.0.0.1:$pf_port --until 120s exited 0"

# The lab's side: relay.sent to the real Postfix, with its queue id.
sent=$(grep '"relay.sent"' "$work/trace.jsonl" || true)
[ -n "$sent" ] || fail "no relay.sent in the lab's trace: $(grep -o '"event":"[a-z._]*"' "$work/trace.jsonl" | sort | uniq -c | tr '\n' ' ')"
[ "$(printf '%s\n' "$sent" | wc -l)" -eq 1 ] || fail "more than one relay.sent: $sent"
case "$sent" in *"\"relay\":\"$name.peers.test\""*) ;; *) fail "relay.sent names another relay than $name.peers.test: $sent" ;; esac
case "$sent" in *"\"peer\":\"127.0.0.1\""*) ;; *) fail "relay.sent names another peer than 127.0.0.1: $sent" ;; esac
qid=$(printf '%s' "$sent" | grep -oE 'queued as [0-9A-Za-z]+' | awk '{print $3}')
[ -n "$qid" ] || fail "Postfix's 250 reply in the trace has no 'queued as ID': $sent"
# The link field (docs/trace.md): the next hop's queue id, read once from that reply.
case "$sent" in *"\"next_id\":\"$qid\""*) ;; *) fail "relay.sent's next_id is not Postfix's $qid: $sent" ;; esac
case "$sent" in *"\"peer\":\"127.0.0.1\""*) ;; *) fail "relay.sent's peer is not 127.0.0.1: $sent" ;; esac
echo "ok: lab trace: relay.sent, Postfix answered 'queued as $qid', next_id=$qid peer=127.0.0.1"

# Postfix's side: that queue id delivered to alice@pf.test.
peers_wait_log "$log" "$qid: to=<alice@pf.test>, relay=virtual.*status=sent" \
  "Postfix delivering $qid to alice@pf.test" || fail "Postfix did not deliver $qid"
grep -q "$qid: client=unknown\[127.0.0.1\]" "$log" || grep -q "$qid: client=.*127.0.0.1" "$log" ||
  fail "Postfix's log does not show $qid coming from 127.0.0.1"
echo "ok: postfix.log: $qid to=<alice@pf.test> relay=virtual status=sent"

shopt -s nullglob
files=("$work/pf/mail/alice/new/"*)
[ ${#files[@]} -eq 1 ] || fail "expected 1 message in mail/alice/new, found ${#files[@]}"
msg=${files[0]}

python3 - "$msg" "$qid" "$work/trace.jsonl" <<'PY' || fail "the delivered message is not the lab's"
import email, json, sys
raw = open(sys.argv[1], "rb").read()
qid = sys.argv[2]
trace = [json.loads(line) for line in open(sys.argv[3])]
queued = [e for e in trace if e["event"] == "queue.enqueued" and e["host"] == "mail.a.example"]
assert len(queued) == 1, queued
assert b"\r" not in raw, "Postfix's Maildir holds LF line ends"
head, sep, body = raw.partition(b"\n\n")
assert sep, "no header/body separator"
# The scenario's body, byte for byte; its dot-stuffed line arrives unstuffed.
want = (b"Hello Alice, this left maillab through --route.\n"
        b".a line that starts with a dot (dot-stuffed on the wire)\n"
        b"Last line.\n")
assert body == want, f"body differs:\n{body!r}\nwanted\n{want!r}"
m = email.message_from_bytes(raw)
assert m["Subject"] == "From the lab to a real Postfix", m["Subject"]
assert "alice@a.example" in m["From"], m["From"]
assert "alice@pf.test" in m["To"], m["To"]
assert m["Message-ID"], "no Message-ID from the lab's MUA"
assert m["Date"], "no Date from the lab's MUA"
assert m["Return-Path"] == "<alice@a.example>", m["Return-Path"]
rec = [" ".join(r.split()) for r in m.get_all("Received")]
assert len(rec) >= 2, rec
# Newest first: Postfix took it from the lab MTA (its HELO), which took it from pc.alice.
assert rec[0].startswith("from mail.a.example ") and "(Postfix)" in rec[0] and f"id {qid}" in rec[0], rec[0]
assert "by mail.a.example" in rec[1], rec[1]
assert m["Message-ID"] == queued[0]["msgid"], (m["Message-ID"], queued[0]["msgid"])
# What Postfix added sits above the lab's Received; below it, the lab's queue file
# (CRLF on the lab's disk and on the wire, LF in Postfix's Maildir) to the byte count.
lab_part = raw[raw.index(b"Received: from pc.alice"):]
assert len(lab_part.replace(b"\n", b"\r\n")) == int(queued[0]["size"]), \
    (len(lab_part.replace(b"\n", b"\r\n")), queued[0]["size"])
added = [l.split(b":")[0] for l in raw[:raw.index(b"Received: from pc.alice")].split(b"\n")
         if l and not l[:1].isspace()]
assert added == [b"Return-Path", b"X-Original-To", b"Delivered-To", b"Received"], added
print(f"ok: mail/alice/new: 1 message; below Postfix's 4 lines, the lab's {queued[0]['size']} "
      "bytes; body byte-exact; Subject/From/To/Date and Message-ID kept")
print("ok: Received chain:", " | ".join(r[:70] for r in rec))
PY
echo "postfix_route: all checks passed"
