#!/usr/bin/env bash
# TLS on real sockets (issue 19 item 8): `maillab serve` with a TLS host, its CA written
# with --ca-out, and real clients that verify it: swaks --tls (STARTTLS on 25, and on 587
# with AUTH) and --tlsc (465), openssl s_client -starttls smtp/pop3/imap, Python's
# smtplib.starttls / SMTP_SSL / poplib.POP3_SSL / imaplib.IMAP4_SSL with certificate and
# host name verification, curl --ssl-reqd for smtp, pop3 and imap. A TLS 1.0 client
# (openssl s_client -tls1, SECLEVEL=0 so only the server can refuse) is refused, a client
# that does not trust the lab CA fails, and --keylog holds the session secrets.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/prologue.sh"
FAIL_LOGS=("$work/serve.err" "$work/timeline" "$work/client.out")

cat >"$work/lab.yaml" <<'YAML'
scenario: tls-clients
duration: 1d
hosts:
  mx.b.example:
    address: 192.0.2.20
    tls: {names: [mx.b.example, localhost]}
    mta:
      domains: [b.example]
      submission: true
      smtps: true
      auth_failure_delay: 100ms
    pop3: true
    pop3s: true
    imap: true
    imaps: true
    users:
      bob: {password: builder}
YAML
listen=()
for s in smtp submission smtps pop3 pop3s imap imaps; do listen+=(--listen "mx.b.example:$s=127.0.0.1:0"); done
"$MAILLAB" serve "$work/lab.yaml" "${listen[@]}" --ca-out "$work/ca.pem" --keylog "$work/keys.log" \
  >"$work/timeline" 2>"$work/serve.err" &
serve_pid=$!
peers_wait_log "$work/serve.err" "mx.b.example imaps on" "maillab serve"
port() { sed -n "s/^listening: mx.b.example $1 on 127.0.0.1:\([0-9]*\)$/\1/p" "$work/serve.err"; }
smtp=$(port smtp) sub=$(port submission) smtps=$(port smtps)
pop=$(port pop3) pops=$(port pop3s) imap=$(port imap) imaps=$(port imaps)
grep -q "BEGIN CERTIFICATE" "$work/ca.pem" || fail "--ca-out wrote no certificate"
ca=$work/ca.pem
out=$work/client.out

# --- swaks ---------------------------------------------------------------------------
swaks --silent 2 --server 127.0.0.1 --port "$smtp" --tls --tls-verify --tls-ca-path "$ca" \
  --from carol@c.example --to bob@b.example --header "Subject: swaks starttls" >"$out" 2>&1 ||
  fail "swaks --tls on 25"
swaks --silent 2 --server 127.0.0.1 --port "$sub" --tls --tls-verify --tls-ca-path "$ca" \
  --auth PLAIN --auth-user bob --auth-password builder \
  --from bob@b.example --to bob@b.example --header "Subject: swaks submission" >"$out" 2>&1 ||
  fail "swaks --tls --auth on 587"
swaks --silent 2 --server 127.0.0.1 --port "$smtps" --tlsc --tls-verify --tls-ca-path "$ca" \
  --auth PLAIN --auth-user bob --auth-password builder \
  --from bob@b.example --to bob@b.example --header "Subject: swaks smtps" >"$out" 2>&1 ||
  fail "swaks --tlsc on 465"
if swaks --silent 2 --server 127.0.0.1 --port "$smtp" --tls --tls-verify \
     --from carol@c.example --to bob@b.example >"$out" 2>&1; then
  fail "swaks --tls-verify without the lab CA went through"
fi
echo "ok: swaks --tls (25, 587 with AUTH) and --tlsc (465) verifying the lab CA; refused without it"

# --- openssl s_client ------------------------------------------------------------------
s_client() {  # PROTO PORT INPUT
  printf "$3" | timeout 30 openssl s_client -starttls "$1" -connect "127.0.0.1:$2" -crlf -ign_eof \
    -CAfile "$ca" -verify_return_error -verify_hostname mx.b.example -servername mx.b.example >"$out" 2>&1 ||
    fail "openssl s_client -starttls $1"
  grep -q "Verify return code: 0 (ok)" "$out" || fail "s_client $1: the certificate did not verify"
}
s_client smtp "$smtp" 'EHLO c.example\nQUIT\n'
grep -q "^250-AUTH\|^250 " "$out" && grep -q "^221 " "$out" || fail "s_client smtp: no EHLO/QUIT answers inside TLS"
s_client pop3 "$pop" 'USER bob\nPASS builder\nSTAT\nQUIT\n'
grep -q "^+OK maildrop has" "$out" || fail "s_client pop3: no login inside TLS"
s_client imap "$imap" 'a1 LOGIN bob builder\na2 SELECT INBOX\na3 LOGOUT\n'
grep -q "^a1 OK" "$out" && grep -q "^a2 OK" "$out" || fail "s_client imap: no login inside TLS"
if printf 'QUIT\n' | timeout 30 openssl s_client -tls1 -cipher 'DEFAULT:@SECLEVEL=0' \
     -connect "127.0.0.1:$smtps" >"$out" 2>&1; then
  fail "a TLS 1.0 client was accepted on 465"
fi
grep -q "Cipher is (NONE)\|alert protocol version\|no protocols available\|unsupported protocol" "$out" ||
  fail "s_client -tls1: no sign of a refused handshake"
echo "ok: openssl s_client -starttls smtp/pop3/imap verified; -tls1 refused"

# --- Python ------------------------------------------------------------------------------
timeout 60 python3 - "$ca" "$smtp" "$smtps" "$pops" "$imaps" "$pop" <<'PY' >"$out" 2>&1 || fail "Python clients"
import imaplib, poplib, smtplib, ssl, sys
ca, smtp, smtps, pops, imaps, pop = sys.argv[1], *map(int, sys.argv[2:])
ctx = ssl.create_default_context(cafile=ca)  # verifies the chain and the host name
with smtplib.SMTP("localhost", smtp, timeout=20) as s:
    s.starttls(context=ctx)
    s.ehlo("c.example")
    s.sendmail("carol@c.example", ["bob@b.example"], "Subject: python starttls\r\n\r\nhi\r\n")
with smtplib.SMTP_SSL("localhost", smtps, context=ctx, timeout=20) as s:
    s.login("bob", "builder")
    s.sendmail("bob@b.example", ["bob@b.example"], "Subject: python smtps\r\n\r\nhi\r\n")
p = poplib.POP3_SSL("localhost", pops, context=ctx, timeout=20)
p.user("bob"); p.pass_("builder")
count, _ = p.stat()
assert count >= 1, count
p.quit()
p = poplib.POP3("localhost", pop, timeout=20)
p.stls(context=ctx)
p.user("bob"); p.pass_("builder")
p.quit()
m = imaplib.IMAP4_SSL("localhost", imaps, ssl_context=ctx, timeout=20)
m.login("bob", "builder")
typ, data = m.select("INBOX")
assert typ == "OK", (typ, data)
m.logout()
try:
    smtplib.SMTP_SSL("localhost", smtps, context=ssl.create_default_context(), timeout=20)
    raise SystemExit("connected without trusting the lab CA")
except ssl.SSLCertVerificationError:
    pass
print("python ok")
PY
grep -q "python ok" "$out" || fail "Python clients"
echo "ok: smtplib.starttls, SMTP_SSL, poplib.POP3_SSL and stls, imaplib.IMAP4_SSL verified the lab"

# --- curl --------------------------------------------------------------------------------
resolve=()
for p in "$smtp" "$smtps" "$pop" "$pops" "$imap" "$imaps"; do resolve+=(--resolve "mx.b.example:$p:127.0.0.1"); done
printf 'Subject: curl starttls\r\n\r\nfrom curl\r\n' >"$work/curl.eml"
curl -sS --max-time 20 --ssl-reqd --cacert "$ca" "${resolve[@]}" "smtp://mx.b.example:$smtp" \
  --mail-from carol@c.example --mail-rcpt bob@b.example -T "$work/curl.eml" >"$out" 2>&1 || fail "curl --ssl-reqd smtp"
curl -sS --max-time 20 --ssl-reqd --cacert "$ca" "${resolve[@]}" "pop3://mx.b.example:$pop/1" -u bob:builder \
  >"$out" 2>&1 || fail "curl --ssl-reqd pop3"
grep -q "^Subject: " "$out" || fail "curl pop3: no message"
curl -sS --max-time 20 --ssl-reqd --cacert "$ca" "${resolve[@]}" "imap://mx.b.example:$imap/INBOX;UID=1" \
  -u bob:builder >"$out" 2>&1 || fail "curl --ssl-reqd imap"
grep -q "^Subject: " "$out" || fail "curl imap: no message"
curl -sS --max-time 20 --cacert "$ca" "${resolve[@]}" "pop3s://mx.b.example:$pops/1" -u bob:builder \
  >"$out" 2>&1 || fail "curl pop3s"
curl -sS --max-time 20 --cacert "$ca" "${resolve[@]}" "imaps://mx.b.example:$imaps/INBOX;UID=1" -u bob:builder \
  >"$out" 2>&1 || fail "curl imaps"
echo "ok: curl --ssl-reqd smtp, pop3, imap; pop3s and imaps"

# A clear password on the TLS host is refused (Dovecot's disable_plaintext_auth); APOP,
# no clear password, stays allowed (curl logs in with it).
timeout 30 python3 - "$pop" "$imap" <<'PY' >"$out" 2>&1 || fail "a clear password was not refused"
import socket, sys
pop, imap = map(int, sys.argv[1:])
with socket.create_connection(("127.0.0.1", pop), timeout=20) as s:
    f = s.makefile("rb")
    f.readline()
    s.sendall(b"USER bob\r\n")
    line = f.readline().decode()
    assert line.startswith("-ERR [AUTH] Plaintext authentication disallowed"), line
with socket.create_connection(("127.0.0.1", imap), timeout=20) as s:
    f = s.makefile("rb")
    greeting = f.readline().decode()
    assert "LOGINDISABLED" in greeting and "STARTTLS" in greeting, greeting
    s.sendall(b"a1 LOGIN bob builder\r\n")
    line = f.readline().decode()
    assert line.startswith("a1 NO [PRIVACYREQUIRED]"), line
PY
echo "ok: a clear POP3 USER and IMAP LOGIN refused (LOGINDISABLED)"

grep -q "^CLIENT_TRAFFIC_SECRET_0 [0-9a-f]\{64\} " "$work/keys.log" || fail "--keylog holds no TLS 1.3 secrets"
echo "ok: --keylog holds the session secrets"
echo "tls_clients: all checks passed"
