#!/usr/bin/env bash
# A real recursive resolver in front of the lab's DNS: Unbound with DNS 0x20
# (use-caps-for-id: every query's name in random case, answers whose question comes back
# in another case are dropped as possibly spoofed) asks `maillab serve`'s ns.example for
# b.example. The MX must be answered, and Unbound must never log "wrong 0x20-ID" (the lab
# used to lowercase the question, so Unbound retried every lookup and fell back). dig
# then checks EDNS(0) (an OPT of 1232 octets back) and a zone transfer (AXFR) over TCP.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/prologue.sh"

lab=$(peers_free_port)
"$MAILLAB" serve basic-delivery --listen "ns.example:dns=127.0.0.1:$lab" >"$work/serve.out" 2>"$work/serve.err" &
serve_pid=$!
FAIL_LOGS=("$work/serve.err" "$work/unbound/unbound.log")
for _ in $(seq 1 300); do
  dig +time=1 +tries=1 -p "$lab" @127.0.0.1 SOA b.example >/dev/null 2>&1 && break
  sleep 0.1
done

port=$(peers_free_port)
peers_unbound_start "$port" "$work/unbound" b.example "127.0.0.1@$lab" || fail "unbound did not start"
echo "$(unbound -V 2>&1 | sed -n 1p) on 127.0.0.1:$port, stub b.example -> 127.0.0.1@$lab"

mx=$(dig +short +time=5 -p "$port" @127.0.0.1 MX b.example)
echo "MX b.example via Unbound: $mx"
[ "$mx" = "10 mx.b.example." ] || fail "Unbound did not get the MX of b.example (got '$mx')"
a=$(dig +short +time=5 -p "$port" @127.0.0.1 A Mx.B.Example)
[ "$a" = "192.0.2.20" ] || fail "Unbound did not get the A of mx.b.example (got '$a')"
if grep -q "wrong 0x20-ID" "$work/unbound/unbound.log"; then
  grep "0x20" "$work/unbound/unbound.log" | head -5 >&2
  fail "Unbound saw the question's case changed (DNS 0x20)"
fi
grep -q "good 0x20-ID" "$work/unbound/unbound.log" || fail "Unbound did not use 0x20 (no 'good 0x20-ID' line)"
echo "Unbound: 0x20 answers kept the question's case"

edns=$(dig +time=2 +bufsize=4096 -p "$lab" @127.0.0.1 MX b.example)
echo "$edns" | grep -q "EDNS: version: 0, flags:; udp: 1232" || { echo "$edns"; fail "no EDNS(0) OPT of 1232 octets back"; }
axfr=$(dig +time=2 -p "$lab" @127.0.0.1 AXFR b.example)
soas=$(echo "$axfr" | grep -c "IN[[:space:]]SOA" || true)
[ "$soas" -eq 2 ] || { echo "$axfr"; fail "AXFR: expected the SOA first and last (got $soas SOA lines)"; }
echo "$axfr" | grep -q "XFR size: 5 records" || { echo "$axfr"; fail "AXFR: expected 5 records"; }
echo "dns_unbound: 0x20, EDNS(0) and AXFR as a real resolver and dig expect"
