#!/usr/bin/env bash
# `maillab check dns://` against BIND 9 serving the same big.test zone as the NSD test
# (31 MX with long names: over 512 octets). Every MUST passes; BIND keeps the question's
# case (0x20), speaks EDNS(0) (BADVERS to version 1) and transfers the zone to loopback.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/prologue.sh"
source "$here/dns_nsd_zone.sh"

port=$(peers_free_port)
nsd_zone_big >"$work/big.test.zone"
FAIL_LOGS=("$work/bind/named.log")
peers_bind_start "$port" "$work/bind" big.test "$work/big.test.zone" || fail "named did not start"
echo "$(named -v 2>&1 | sed -n 1p) on 127.0.0.1:$port (UDP and TCP), zone big.test"

rc=0
"$MAILLAB" check "dns://127.0.0.1:$port/big.test" --timeout 10 --format markdown >"$work/out" 2>"$work/err" || rc=$?
cat "$work/out"
[ -s "$work/err" ] && sed 's/^/stderr: /' "$work/err"
[ "$rc" -eq 0 ] || fail "maillab check exited $rc (0 = no MUST failed)"
for row in "question case kept (0x20)" "EDNS(0) answered" "EDNS version 1 -> BADVERS" "AXFR over TCP" \
           "MX answered" "MX targets have addresses" "SOA over TCP"; do
  grep -F "| $row " "$work/out" | grep -q '| pass |' || fail "'$row' did not pass against BIND"
done
echo "dns_bind: all checks passed against BIND"
