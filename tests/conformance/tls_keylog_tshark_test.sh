#!/usr/bin/env bash
# Wireshark reads the lab's TLS (issue 19 item 6): `maillab run --pcap --keylog` on a
# scenario with STARTTLS on every hop and a POP3 fetch over STLS; tshark, given the key
# log, decrypts the TLS records and shows the SMTP and POP3 inside; without it, it cannot.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/prologue.sh"
FAIL_LOGS=("$work/run.out" "$work/tshark.out")

cat >"$work/lab.yaml" <<'YAML'
scenario: tls-keylog
duration: 10m
hosts:
  mx.b.example:
    address: 192.0.2.20
    tls: true
    mta:
      domains: [b.example]
    pop3: true
    users:
      bob: {password: builder}
  pc.bob:
    address: 198.51.100.9
events:
  - at: 1s
    send: {from: bob@b.example, to: bob@b.example, subject: Secret subject, client: pc.bob, server: mx.b.example}
  - at: 1m
    fetch: {user: bob, server: mx.b.example, client: pc.bob}
expect:
  - fetched: {user: bob, count: 1, tls: true}
YAML
"$MAILLAB" run "$work/lab.yaml" --quiet --pcap "$work/out.pcap" --keylog "$work/keys.log" >"$work/run.out" 2>&1 ||
  fail "maillab run"
grep -q "^CLIENT_TRAFFIC_SECRET_0 " "$work/keys.log" || fail "no TLS 1.3 secrets in the key log"

# Without the key log: TLS records, no SMTP command after STARTTLS, no subject.
tshark -r "$work/out.pcap" -d tcp.port==25,smtp -d tcp.port==110,pop -V >"$work/tshark.out" 2>&1 || fail "tshark"
grep -q "TLSv1.3 Record Layer" "$work/tshark.out" || fail "tshark sees no TLS records"
grep -q "Secret subject" "$work/tshark.out" && fail "the subject is readable without the key log"

tshark -r "$work/out.pcap" -o "tls.keylog_file:$work/keys.log" -d tcp.port==25,smtp -d tcp.port==110,pop -V \
  >"$work/tshark.out" 2>&1 || fail "tshark with the key log"
grep -q "Secret subject" "$work/tshark.out" || fail "tshark did not decrypt the message"
grep -q "MAIL FROM:<bob@b.example>" "$work/tshark.out" || fail "tshark shows no MAIL FROM inside TLS"
grep -q "RETR 1" "$work/tshark.out" || fail "tshark shows no POP3 RETR inside TLS"
echo "ok: tshark decrypts SMTP and POP3 with the key log, and cannot without it"
echo "tls_keylog_tshark: all checks passed"
