#!/usr/bin/env bash
# `maillab check` against Exim 4.96 (Debian's exim4-daemon-light, unpacked, run from
# tools/peers.sh with a minimal configuration: domain ex.test, Exim's own limits at their
# defaults). Exim closes a session after more than three protocol errors
# (smtp_max_synprot_errors) or ten commands that carry no mail (smtp_accept_max_nonmail),
# with a 5xx and no 421: the probe must say so on the row after which it happened and go
# on with a new connection, never fail the next check. No MUST may fail; the two messages
# of --rcpt land in alice's Maildir. Then the lab under the same probe (check_lib.sh).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/prologue.sh"
source "$here/check_lib.sh"

port=$(peers_free_port)
peers_exim_start "$port" "$work/exim" || fail "Exim did not start"
FAIL_LOGS=("$work/exim/log/mainlog" "$work/exim/log/paniclog" "$work/exim/exim-start.err")
exim=$(peers_unpack exim4)/root/usr/sbin/exim4
echo "$("$exim" -C "$work/exim/exim.conf" -bV 2>/dev/null | sed -n 1p) on 127.0.0.1:$port"

run_check "Exim" -- "smtp://127.0.0.1:$port" --rcpt alice@ex.test --from carol@c.example
grep -q "closed by the server after [0-9]* errors (no 421)" "$work/out" ||
  { echo "FAIL: Exim closed no session (its limits are the defaults): the probe's sequence changed?"; failed=1; }
expect_row "Postmaster accepted" pass "Postmaster 250, postmaster@ex.test 250"
expect_row "command line of 512 octets accepted" pass "NOOP with an argument, 512 octets: 250"
expect_row "998-octet line accepted" pass
expect_row "dot-stuffing transaction" pass
expect_row "DSN parameters accepted" skip "DSN not announced"
for _ in $(seq 1 150); do
  [ "$(find "$work/exim/mail/alice/new" -type f 2>/dev/null | wc -l)" -ge 2 ] && break
  sleep 0.2
done
delivered=$(find "$work/exim/mail/alice/new" -type f 2>/dev/null | wc -l)
[ "$delivered" -ge 2 ] || { echo "FAIL: Exim delivered $delivered of the 2 --rcpt messages"; failed=1; }

check_serve_lab

if [ "$failed" -ne 0 ]; then
  echo "--- exim mainlog (tail)"; tail -n 20 "$work/exim/log/mainlog"
  fail "check_exim: see the tables above"
fi
echo "check_exim: no false MUST failure against Exim; the lab has its rows"
