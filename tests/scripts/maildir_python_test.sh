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

# An IMAP host's Maildir++ (imap-folders): every folder, empty ones included, has cur, new
# and tmp, so that mailbox.Maildir opens and iterates each one; flags read with get_flags().
folders=$(mktemp -d)
trap 'rm -rf "$out" "$folders"' EXIT
"$MAILLAB" run imap-folders --quiet --mailboxes "$folders" >/dev/null
python3 - "$folders" <<'PY'
import mailbox, os, sys
root = sys.argv[1] + "/mail.a.example/alice"
box = mailbox.Maildir(root, factory=None, create=False)
names = sorted(box.list_folders())
assert names == ["Drafts", "Junk", "Sent", "Trash"], names
for name in names:
    for sub in ("cur", "new", "tmp"):
        assert os.path.isdir(os.path.join(root, "." + name, sub)), (name, sub)
contents = {name: [(m["Subject"], m.get_flags()) for m in box.get_folder(name)] for name in names}
assert contents["Sent"] == [("Plans", "S")], contents
assert contents["Trash"] == [("Re: Plans (2)", "S")], contents
assert contents["Drafts"] == [] and contents["Junk"] == [], contents
inbox = [(m["Subject"], m.get_flags()) for m in box]
assert inbox == [("Re: Plans", "S")], inbox
print("maildir++ ok:", ", ".join(f"{n}: {len(c)}" for n, c in contents.items()), "; INBOX:", inbox)
PY
