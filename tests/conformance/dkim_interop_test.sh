#!/usr/bin/env bash
# DKIM between the lab and two independent implementations, at library level:
# - messages the lab signs (rsa-sha256 2048 and ed25519-sha256, keys made from a seed,
#   relaxed/relaxed and simple/simple) verify with dkimpy (Debian python3-dkim, its dnsfunc
#   answering the lab's key records) and with OpenDKIM's opendkim-testmsg (its resolver
#   pointed, in a private network and mount namespace, at a DNS server on 127.0.0.1:53 that
#   serves the lab's records); a changed body fails with both;
# - messages dkimpy signs (rsa-sha256 with the lab's PEM key, ed25519 with its raw key,
#   several canonicalizations, with and without l=) verify in the lab;
# - opendkim-testmsg signs with rsa-sha1 only: the lab calls that neutral (RFC 8301) and,
#   asked to check rsa-sha1 anyway, finds OpenDKIM's relaxed/simple signature good.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/prologue.sh"
source "$here/opendkim_lib.sh"
probe=${AUTH_PROBE:-$(dirname "$MAILLAB")/../tests/auth_probe}
[ -x "$probe" ] || fail "no auth_probe at $probe (build the auth_probe target)"
py() { /usr/bin/python3 "$here/auth_interop.py" "$@"; }
now=1772442000

"$probe" keygen rsa "interop/a.example/s1" "$work/rsa.pem" >"$work/rsa.rec"
"$probe" keygen ed25519 "interop/a.example/s2" "$work/ed.pem" >"$work/ed.rec"
sed -n 2p "$work/ed.rec" >"$work/ed.raw"
{
  echo "s1._domainkey.a.example $(head -1 "$work/rsa.rec")"
  echo "s2._domainkey.a.example $(head -1 "$work/ed.rec")"
  echo "py1._domainkey.a.example $(head -1 "$work/rsa.rec")"
  echo "py2._domainkey.a.example $(head -1 "$work/ed.rec")"
  echo "od._domainkey.a.example $(head -1 "$work/rsa.rec")"
} >"$work/zone"
printf '%s\r\n' "From: Alice <alice@a.example>" "To: Bob <bob@b.example>" "Cc: carol@c.example" \
  "Subject: interop  test" "  folded" "Date: Mon, 02 Mar 2026 09:00:00 +0000" \
  "Message-ID: <interop.1@a.example>" "" "Hello Bob,  " "	tabbed line" "" "" >"$work/msg.eml"

# 1. The lab signs; dkimpy and OpenDKIM verify.
signed=()
for key in rsa:s1 ed:s2; do
  for canon in relaxed/relaxed simple/simple relaxed/simple; do
    out="$work/lab-${key%%:*}-${canon/\//-}.eml"
    "$probe" sign "$work/${key%%:*}.pem" a.example "${key##*:}" "$now" "$canon" <"$work/msg.eml" >"$out"
    [ "$(py dkim-verify "$work/zone" "$out")" = True ] || fail "dkimpy does not verify $(basename "$out")"
    signed+=("$out")
  done
done
sed 's/Hello Bob/Hello Eve/' "${signed[0]}" >"$work/tampered.eml"
[ "$(py dkim-verify "$work/zone" "$work/tampered.eml")" = False ] || fail "dkimpy verified a changed body"
echo "dkimpy verifies the lab's ${#signed[@]} signatures (rsa-sha256, ed25519-sha256; 3 canonicalizations)"

opendkim_verify "$work/zone" "${signed[@]}" -- "$work/tampered.eml" || fail "OpenDKIM verification"
echo "opendkim-testmsg verifies the lab's ${#signed[@]} signatures and rejects a changed body"

# 2. dkimpy signs; the lab verifies.
n=0
for spec in "rsa.pem rsa-sha256 py1" "ed.raw ed25519-sha256 py2"; do
  set -- $spec
  for canon in relaxed/relaxed simple/simple relaxed/simple simple/relaxed; do
    for length in "" l; do
      py dkim-sign "$work/$1" "$2" "$3" "$canon" $length <"$work/msg.eml" >"$work/py.eml"
      result=$("$probe" verify "$work/zone" "$now" <"$work/py.eml")
      [ "${result%% *}" = pass ] || fail "the lab does not verify dkimpy's $2 $canon ${length:+l=}: $result"
      n=$((n + 1))
    done
  done
done
echo "the lab verifies dkimpy's $n signatures (rsa-sha256, ed25519-sha256; 4 canonicalizations; with and without l=)"

# 3. OpenDKIM signs (rsa-sha1, relaxed/simple): neutral for the lab, good when sha1 is allowed.
opendkim-testmsg -C -d a.example -k "$work/rsa.pem" -s od <"$work/msg.eml" >"$work/od.eml" 2>"$work/opendkim.log" ||
  fail "opendkim-testmsg could not sign"
result=$("$probe" verify "$work/zone" "$now" <"$work/od.eml")
case "$result" in neutral*"rsa-sha1 is not accepted"*) ;; *) fail "the lab on OpenDKIM's rsa-sha1: $result" ;; esac
result=$("$probe" verify "$work/zone" "$now" sha1 <"$work/od.eml")
[ "${result%% *}" = pass ] || fail "OpenDKIM's signature does not verify in the lab with rsa-sha1 allowed: $result"
echo "opendkim-testmsg signs rsa-sha1: the lab says neutral (RFC 8301) and, rsa-sha1 allowed, pass"
echo "dkim_interop: all checks passed"
