#!/usr/bin/env bash
# Bounces written to --mailboxes parse with Python's email package as
# multipart/report; report-type=delivery-status, with the right Status per recipient.
set -euo pipefail
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
check() {  # scenario, mailbox dir, expected recipient, expected status
  rm -rf "$out"/*
  "$MAILLAB" run "$1" --quiet --mailboxes "$out" >/dev/null
  python3 - "$out/$2" "$3" "$4" <<'PY'
import email, email.policy, mailbox, sys
box = mailbox.Maildir(sys.argv[1], factory=None, create=False)
want_rcpt, want_status = sys.argv[2], sys.argv[3]
found = False
for key in box.keys():
    m = email.message_from_bytes(box.get_bytes(key), policy=email.policy.compat32)
    if m.get_content_type() != "multipart/report":
        continue
    assert m.get_param("report-type") == "delivery-status", m["Content-Type"]
    parts = m.get_payload()
    assert [p.get_content_type() for p in parts][:2] == ["text/plain", "message/delivery-status"], \
        [p.get_content_type() for p in parts]
    assert parts[2].get_content_type() in ("message/rfc822", "text/rfc822-headers")
    blocks = parts[1].get_payload()  # per-message block, then one per recipient
    for b in blocks[1:]:
        rcpt = b["Final-Recipient"].split(";")[1].strip()
        orig = (b["Original-Recipient"] or ";").split(";")[1].strip()
        if want_rcpt in (rcpt, orig):
            assert b["Action"] == "failed", b["Action"]
            assert b["Status"] == want_status, (b["Status"], want_status)
            found = True
assert found, f"no DSN naming {want_rcpt} with status {want_status}"
print("dsn ok:", want_rcpt, want_status)
PY
}
check reject-unknown-user mail.a.example/alice nobody@b.example 5.1.1
check give-up-bounce mail.a.example/alice bob@b.example 4.4.1
check null-mx mail.a.example/alice info@c.example 5.1.10
check mail-loop mail.a.example/alice info@x.example 5.4.6
