#!/usr/bin/env python3
"""Checks a Maildir++ tree written by mda::MaildirPlusStore with Python's own mailbox
module (the reader the issue names) and the Dovecot control files' syntax.

Called by tests/protocols/mda/maildir_plus_store_test.cpp with the user's directory; the
test writes: INBOX (one unread, one \\Seen \\Flagged), Sent (one \\Seen), Work and
Work.Projects (one \\Deleted \\Answered with keyword $Forwarded), Drafts, Junk, Trash.

usage: maildir_plus_check.py USER_DIR
"""
import mailbox
import os
import re
import sys


def fail(msg):
    print("maildir_plus_check:", msg, file=sys.stderr)
    sys.exit(1)


root = sys.argv[1]
box = mailbox.Maildir(root, factory=None, create=False)

folders = sorted(box.list_folders())
if folders != ["Drafts", "Junk", "Sent", "Trash", "Work", "Work.Projects"]:
    fail(f"list_folders() = {folders}")

inbox = {m["Subject"]: m.get_flags() for m in box}
if inbox != {"unread": "", "read": "FS"}:
    fail(f"INBOX flags = {inbox}")

sent = [(m["Subject"], m.get_flags()) for m in box.get_folder("Sent")]
if sent != [("sent", "S")]:
    fail(f"Sent = {sent}")

deep = [(m["Subject"], m.get_flags()) for m in box.get_folder("Work.Projects")]
if deep != [("deep", "RTa")]:
    fail(f"Work.Projects = {deep}")
for name in ("Drafts", "Junk", "Trash", "Work"):
    if len(box.get_folder(name)) != 0:
        fail(f"{name} is not empty")

header = re.compile(r"^3 V(\d+) N(\d+) G[0-9a-f]{32}$")
for folder in ["."] + ["." + f for f in folders]:
    path = os.path.join(root, folder)
    with open(os.path.join(path, "dovecot-uidlist")) as f:
        lines = f.read().splitlines()
    m = header.match(lines[0])
    if not m:
        fail(f"{folder}: uidlist header {lines[0]!r}")
    nextuid = int(m.group(2))
    names = set(os.path.basename(p).split(":")[0] for sub in ("new", "cur") for p in os.listdir(os.path.join(path, sub)))
    listed = set()
    last = 0
    for line in lines[1:]:
        uid, rest = line.split(" ", 1)
        if not rest.startswith(":") or int(uid) <= last or int(uid) >= nextuid:
            fail(f"{folder}: uidlist line {line!r}")
        last = int(uid)
        listed.add(rest[1:])
    if listed != names:
        fail(f"{folder}: uidlist names {listed} but files {names}")
    if folder != "." and not os.path.exists(os.path.join(path, "maildirfolder")):
        fail(f"{folder}: no maildirfolder")

with open(os.path.join(root, ".Work.Projects", "dovecot-keywords")) as f:
    if f.read() != "0 $Forwarded\n":
        fail("dovecot-keywords")
print("maildir++ ok:", ", ".join(folders))
