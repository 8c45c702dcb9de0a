#!/usr/bin/env bash
# APOP (RFC 1939 7) against `maillab serve` with a real client, Python's poplib: a user
# with a password logs in with poplib.apop() and reads a message delivered by smtplib; a
# wrong secret and a user declared without a password are refused (issue 16 item 1,
# issue 15 item 1), and so are PLAIN logins of that user.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/serve_lib.sh"

cat >"$WORK/lab.yaml" <<'YAML'
scenario: apop-lab
duration: 1d
hosts:
  mx.b.example:
    address: 192.0.2.20
    mta:
      domains: [b.example]
      submission: true
      auth_failure_delay: 100ms
    pop3: true
    users:
      bob: {password: builder}
      alice: {}
YAML

serve_start "$WORK/lab.yaml" --quiet --listen mx.b.example:smtp=127.0.0.1:0 \
  --listen mx.b.example:submission=127.0.0.1:0 --listen mx.b.example:pop3=127.0.0.1:0
SMTP=$(serve_port mx.b.example smtp); SUB=$(serve_port mx.b.example submission); POP=$(serve_port mx.b.example pop3)

python3 - "$SMTP" "$SUB" "$POP" <<'PY' || fail "python clients"
import poplib, smtplib, sys, time
smtp, sub, pop = (int(p) for p in sys.argv[1:4])

with smtplib.SMTP("127.0.0.1", smtp, timeout=10) as s:
    s.sendmail("carol@c.example", ["bob@b.example"], "Subject: apop\r\n\r\nread me with APOP\r\n")

def apop(user, secret):
    p = poplib.POP3("127.0.0.1", pop, timeout=10)
    try:
        p.apop(user, secret)
        return p
    except poplib.error_proto as e:
        p.close()
        return str(e)

r = apop("bob", "wrong")
assert isinstance(r, str) and "-ERR" in r, r
for _ in range(50):
    p = apop("bob", "builder")
    assert not isinstance(p, str), p
    count, _size = p.stat()
    if count == 1:
        break
    p.quit()
    time.sleep(0.1)
assert count == 1, count
lines = b"\r\n".join(p.retr(1)[1])
assert b"read me with APOP" in lines, lines
p.quit()
print("apop ok: bob logged in and read his message")

# alice has no password: APOP with an empty secret (MD5 of the timestamp alone), USER/PASS
# and AUTH PLAIN all fail.
r = apop("alice", "")
assert isinstance(r, str) and "-ERR" in r, r
p = poplib.POP3("127.0.0.1", pop, timeout=10)
p.user("alice")
try:
    p.pass_("x")
    raise AssertionError("alice logged in with a made-up password")
except poplib.error_proto:
    pass
p.close()
print("apop ok: alice (no password) refused")

with smtplib.SMTP("127.0.0.1", sub, timeout=10) as s:
    s.ehlo("client.example")
    try:
        s.login("alice", "")  # smtplib tries PLAIN, then LOGIN
        raise AssertionError("alice logged in with an empty password")
    except smtplib.SMTPAuthenticationError as e:
        assert e.smtp_code == 535, e
    code, _ = s.docmd("MAIL FROM:<alice@b.example>")
    assert code == 530, code
print("smtp ok: alice cannot log in on submission")
PY
echo "apop_python_test: ok"
