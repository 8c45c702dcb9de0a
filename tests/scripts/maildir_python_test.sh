#!/usr/bin/env bash
# The flagship's mailbox, written by --mailboxes, is a Maildir that Python's mailbox
# module reads, holding Alice's message with its Received chain.
set -euo pipefail
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$MAILLAB" run basic-delivery --quiet --mailboxes "$out" >/dev/null
python3 - "$out" <<'PY'
import mailbox, sys
box = mailbox.Maildir(sys.argv[1] + "/mx.b.example/bob", factory=None, create=False)
msgs = list(box)
assert len(msgs) == 1, f"expected 1 message, found {len(msgs)}"
m = msgs[0]
assert m["Subject"] == "Hello Bob", m["Subject"]
received = m.get_all("Received")
assert len(received) == 2, received
assert "by mx.b.example" in received[0] and "by mail.a.example" in received[1], received
assert m["Return-Path"] == "<alice@a.example>", m["Return-Path"]
assert "this message went from my user agent" in m.get_payload()
print("maildir ok:", m["Subject"], "-", len(received), "Received headers")
PY
