#!/usr/bin/env bash
# Nothing is written outside the directory the user named (issue 15 item 6): a scenario
# user name that climbs out is refused at load with file:line:column; a symbolic link
# planted in `run --mailboxes DIR` is not followed (run exits 2, the file it points to is
# untouched); `serve --mailboxes DIR` neither writes through a planted link nor serves a
# planted link's target over POP3.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/serve_lib.sh"

# 1. User names that climb out: refused at load, with the position.
for name in "../x" "a/b" "/etc/x"; do
  cat >"$WORK/bad.yaml" <<YAML
scenario: bad-user
duration: 1h
hosts:
  mx.b.example:
    address: 192.0.2.20
    mta: {domains: [b.example], mailbox: mbox}
    users:
      "$name": {}
YAML
  set +e
  out=$("$MAILLAB" run "$WORK/bad.yaml" --quiet --mailboxes "$WORK/out" 2>&1)
  rc=$?
  set -e
  [ "$rc" -eq 2 ] || fail "user '$name': exit $rc, expected 2 ($out)"
  echo "$out" | grep -q "bad.yaml:8:7: .*user name \`$name\` is not allowed" || fail "user '$name': $out"
done
[ ! -e "$WORK/out" ] || [ -z "$(find "$WORK/out" -mindepth 1 -print -quit)" ] || fail "something was written"
[ ! -e "$WORK/x.mbox" ] || fail "../x.mbox was created"

# 2. run --mailboxes with planted links: an mbox pointing at a victim file, a Maildir
#    directory pointing elsewhere.
cat >"$WORK/lab.yaml" <<'YAML'
scenario: planted
duration: 1h
hosts:
  mx.b.example:
    address: 192.0.2.20
    mta: {domains: [b.example], mailbox: mbox}
    users: {bob: {}}
  mx.c.example:
    address: 192.0.2.30
    mta: {domains: [c.example]}
    users: {carol: {}}
events:
  - at: 1s
    send: {from: x@b.example, to: bob@b.example, server: mx.b.example, subject: one}
  - at: 1s
    send: {from: x@c.example, to: carol@c.example, server: mx.c.example, subject: two}
YAML
mkdir -p "$WORK/out/mx.b.example" "$WORK/out/mx.c.example" "$WORK/elsewhere"
echo "precious" >"$WORK/victim.mbox"
ln -s "$WORK/victim.mbox" "$WORK/out/mx.b.example/bob.mbox"
ln -s "$WORK/elsewhere" "$WORK/out/mx.c.example/carol"
run_planted() {
  set +e
  out=$("$MAILLAB" run "$WORK/lab.yaml" --quiet --mailboxes "$WORK/out" 2>&1)
  rc=$?
  set -e
  [ "$rc" -eq 2 ] || fail "run with a planted link ($1): exit $rc ($out)"
  echo "$out" | grep -q "cannot" || fail "no reason given: $out"
}
run_planted "an mbox"
[ "$(cat "$WORK/victim.mbox")" = "precious" ] || fail "the victim file was changed"
rm "$WORK/out/mx.b.example/bob.mbox"
run_planted "a Maildir directory"
[ -z "$(find "$WORK/elsewhere" -mindepth 1 -print -quit)" ] || fail "files were created through the link"
grep -q "Subject: one" "$WORK/out/mx.b.example/bob.mbox" || fail "the unplanted mbox was not written"

# 3. serve --mailboxes with planted links: a Maildir file pointing at a victim is not
#    served over POP3; a queue directory pointing elsewhere is not written through.
cat >"$WORK/serve.yaml" <<'YAML'
scenario: planted-serve
duration: 1d
hosts:
  mx.b.example:
    address: 192.0.2.20
    mta: {domains: [b.example]}
    pop3: true
    users: {bob: {password: builder}}
YAML
rm -rf "$WORK/mail" "$WORK/elsewhere"/*
mkdir -p "$WORK/mail/mx.b.example/bob/new" "$WORK/secret"
echo "Subject: someone else's file" >"$WORK/secret/file"
ln -s "$WORK/secret/file" "$WORK/mail/mx.b.example/bob/new/1.planted"
ln -s "$WORK/elsewhere" "$WORK/mail/mx.b.example/.disk"
serve_start "$WORK/serve.yaml" --quiet --mailboxes "$WORK/mail" \
  --listen mx.b.example:smtp=127.0.0.1:0 --listen mx.b.example:pop3=127.0.0.1:0
SMTP=$(serve_port mx.b.example smtp); POP=$(serve_port mx.b.example pop3)
python3 - "$SMTP" "$POP" <<'PY' || fail "serve followed a planted link"
import poplib, smtplib, sys
smtp, pop = int(sys.argv[1]), int(sys.argv[2])
with smtplib.SMTP("127.0.0.1", smtp, timeout=10) as s:
    s.ehlo("client.example")
    # The queue directory is a planted link: the write is refused, never done through it.
    try:
        s.sendmail("carol@c.example", ["bob@b.example"], "Subject: x\r\n\r\nbody\r\n")
        raise AssertionError("accepted through a planted queue link")
    except (smtplib.SMTPDataError, smtplib.SMTPSenderRefused) as e:
        assert e.smtp_code in (451, 452), e
p = poplib.POP3("127.0.0.1", pop, timeout=10)
p.user("bob")
p.pass_("builder")
count, _ = p.stat()
assert count == 0, f"the planted link's target is served: {count} message(s)"
p.quit()
print("serve ok: planted links neither followed nor served")
PY
[ -z "$(find "$WORK/elsewhere" -mindepth 1 -print -quit)" ] || fail "serve wrote through the planted .disk link"
[ "$(cat "$WORK/secret/file")" = "Subject: someone else's file" ] || fail "the secret file was changed"
echo "mailboxes_beneath_test: ok"
