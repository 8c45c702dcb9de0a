#!/usr/bin/env bash
# `maillab check dns://` against a real authoritative server, NSD (NLnet Labs), serving
# big.test: 31 MX records with long names, so the MX answer does not fit in a 512-octet
# datagram. NSD answers it over UDP with TC set; the probe must ask again over TCP (RFC
# 7766 5), as the lab's stub resolver does, and find every exchanger's address. Every
# check must pass: exit 0, no MUST failed, the MX row showing the TCP retry.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/prologue.sh"
source "$here/dns_nsd_zone.sh"

port=$(peers_free_port)
nsd_zone_big >"$work/big.test.zone"
FAIL_LOGS=("$work/nsd/nsd.log" "$work/nsd/nsd-start.err")
peers_nsd_start "$port" "$work/nsd" big.test "$work/big.test.zone" || fail "nsd did not start"
echo "$(nsd -v 2>&1 | sed -n 1p) on 127.0.0.1:$port (UDP and TCP), zone big.test"

rc=0
"$MAILLAB" check "dns://127.0.0.1:$port/big.test" --timeout 10 --format markdown >"$work/out" 2>"$work/err" || rc=$?
cat "$work/out"
[ -s "$work/err" ] && sed 's/^/stderr: /' "$work/err"
[ "$rc" -eq 0 ] || fail "maillab check exited $rc (0 = no MUST failed)"
grep -E '^\| MX answered .*\| pass \|' "$work/out" | grep -q 'UDP NOERROR aa tc, TCP: NOERROR aa, 31 MX:' ||
  fail "the MX answer was not truncated over UDP and then taken whole (31 MX) over TCP"
grep -qE '^\| MX targets have addresses .*\| pass \|' "$work/out" || fail "the exchangers' addresses were not found"
grep -qE '^\| SOA over TCP .*\| pass \|' "$work/out" || fail "SOA over TCP"
echo "dns_nsd: all checks passed against NSD"
