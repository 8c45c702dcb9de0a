#!/usr/bin/env bash
# The benchmarks as smoke tests (no timing assertions): `bench mail` must deliver every
# message through the whole path (it exits 1 and names the lost ones otherwise) and, with
# --outage, keep every message queued at one body copy each; `bench
# hosts` must report a byte count per idle host, `bench kernel` an event rate.
set -euo pipefail

fail() { echo "FAIL: $*"; exit 1; }

out=$("$MAILLAB" bench mail --domains 20 --users 3 --messages 2000) || fail "bench mail exited $?: $out"
last=$(printf '%s\n' "$out" | tail -n 1)
echo "$last"
[[ "$last" == delivered=2000\ messages=2000\ * ]] || fail "bench mail last line: $last"
for key in sim_seconds wall_s delivered_per_s events events_per_s peak_rss_mb bytes_per_idle_host; do
  [[ "$last" =~ (^|\ )$key=[0-9.]+($|\ ) ]] || fail "bench mail: no numeric $key in: $last"
done

# Every hop signed and checked (--auth): SPF reject and DMARC enforce would refuse a
# message whose checks failed, so every message delivered means they passed.
auth=$("$MAILLAB" bench mail --domains 4 --users 2 --messages 50 --auth | tail -n 1)
[[ "$auth" == delivered=50\ messages=50\ * ]] || fail "bench mail --auth: $auth"

# TLS on every hop (--tls): MTAs relay and user agents submit only encrypted, so every
# message delivered means every hop's handshake succeeded; the handshakes are events the
# plaintext run does not have.
tls=$("$MAILLAB" bench mail --domains 4 --users 2 --messages 50 --tls | tail -n 1)
plain=$("$MAILLAB" bench mail --domains 4 --users 2 --messages 50 | tail -n 1)
[[ "$tls" == delivered=50\ messages=50\ * ]] || fail "bench mail --tls: $tls"
et=$(printf '%s' "$tls" | sed -n 's/.* events=\([0-9]*\).*/\1/p'); ep=$(printf '%s' "$plain" | sed -n 's/.* events=\([0-9]*\).*/\1/p')
[ "$et" -gt "$ep" ] || fail "bench mail --tls ran no more events than without TLS: $et vs $ep"

# Another seed and more users per domain: still every message, and the same count twice.
a=$("$MAILLAB" bench mail --domains 5 --users 40 --messages 500 --seed 7 | tail -n 1)
b=$("$MAILLAB" bench mail --domains 5 --users 40 --messages 500 --seed 7 | tail -n 1)
[[ "$a" == delivered=500\ * ]] || fail "bench mail seed 7: $a"
ea=$(printf '%s' "$a" | grep -o ' events=[0-9]*'); eb=$(printf '%s' "$b" | grep -o ' events=[0-9]*')
[[ "$ea" == "$eb" ]] || fail "bench mail is not deterministic: $ea vs $eb"

# The bench verifies: mail that cannot arrive in time (10 s one way, so a session outlasts
# the deadline) is reported message by message, and the exit status is 1.
set +e
lost=$("$MAILLAB" bench mail --domains 2 --users 1 --messages 3 --latency-ms 10000)
rc=$?
set -e
[[ $rc -eq 1 ]] || fail "bench mail with undeliverable mail exited $rc: $lost"
[[ $(printf '%s\n' "$lost" | grep -c '^lost message ') -eq 3 ]] || fail "lost messages not listed: $lost"
[[ $(printf '%s\n' "$lost" | tail -n 1) == delivered=0\ messages=3\ * ]] || fail "last line: $lost"

# An outage: no MX reachable, every message stays queued on its sender's MTA. The bench
# counts them and reports the heap per queued message; a body 10,000 octets longer must
# cost about one more copy of it per message (shared from the queue to the SMTP attempt,
# not copied per step), not two or more. At 1,000 submissions a second few sessions are
# open at once, so the streams' buffers (which scale with concurrency) stay small.
per_msg() {
  local line
  line=$("$MAILLAB" bench mail --domains 10 --users 2 --messages 1000 --rate 1000 --outage --size "$1") ||
    fail "bench mail --outage --size $1 exited $?: $line"
  [[ "$line" == queued=1000\ messages=1000\ delivered=0\ * ]] || fail "bench mail --outage: $line"
  printf '%s' "$line" | grep -o 'bytes_per_queued_message=[0-9]*' | cut -d= -f2
}
small=$(per_msg 1000); big=$(per_msg 11000)
echo "bytes per queued message: $small (1,000-octet body), $big (11,000)"
(( big - small > 9000 && big - small < 15000 )) ||
  fail "10,000 more body octets cost $((big - small)) bytes per queued message"

# A bad argument is refused with a message, not a crash.
if "$MAILLAB" bench mail --domains 0 --messages 10 >/dev/null 2>&1; then fail "--domains 0 accepted"; fi

out=$("$MAILLAB" bench hosts --hosts 20000) || fail "bench hosts exited $?"
last=$(printf '%s\n' "$out" | tail -n 1)
echo "$last"
[[ "$last" =~ ^hosts=20000\ bytes_per_host=[0-9]+\ peak_rss_mb=[0-9.]+$ ]] || fail "bench hosts last line: $last"

out=$("$MAILLAB" bench kernel --pending 1000 --events 100000) || fail "bench kernel exited $?"
last=$(printf '%s\n' "$out" | tail -n 1)
echo "$last"
[[ "$last" =~ events_per_s=[0-9]+$ ]] || fail "bench kernel last line: $last"
echo "bench smoke: ok"
