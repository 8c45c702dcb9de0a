#!/usr/bin/env bash
# `maillab check` against OpenSMTPD 6.8 (Debian's opensmtpd, unpacked, run from
# tools/peers.sh in a private mount namespace: domain os.test delivered as Maildirs that
# Dovecot serves). OpenSMTPD refuses any argument to NOOP, so the 512-octet line must be
# carried by another command (MAIL with trailing spaces) and judged against its short
# form. No MUST may fail; the --fetch round trip reads the dot-stuffing message back
# through Dovecot. Then the lab under the same probe (check_lib.sh).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/prologue.sh"
source "$here/check_lib.sh"

port=$(peers_free_port)
pop3=$(peers_free_port)
peers_opensmtpd_start "$port" "$work/os" || fail "OpenSMTPD did not start"
peers_dovecot_start "$pop3" "$work/os" || fail "Dovecot did not start"
FAIL_LOGS=("$work/os/smtpd.log" "$work/os/dovecot.log")
echo "$(sed -n 's/^info: \(OpenSMTPD [^ ]*\).*/\1/p' "$work/os/smtpd.log" | head -1) on 127.0.0.1:$port," \
  "dovecot $(dovecot --version | awk '{print $1}') pop3 on 127.0.0.1:$pop3"

# OpenSMTPD's findings (SHOULDs, checked by hand): VRFY is an unknown command (500), a
# malformed path gets 553 not 501, and MAIL FROM with SIZE over its limit gets 250.
run_check "OpenSMTPD" -- "smtp://127.0.0.1:$port" --rcpt alice@os.test --from carol@c.example \
  --fetch "pop3://alice:secret@127.0.0.1:$pop3"
expect_row "command line of 512 octets accepted" pass "MAIL with trailing spaces, 512 octets: 250"
expect_row "Postmaster accepted" pass "Postmaster 250, postmaster@os.test 250"
expect_row "DSN parameters accepted" pass
expect_row "dot-stuffing round trip (--fetch)" pass "body identical"
expect_row "enhanced status codes" pass

check_serve_lab

[ "$failed" -eq 0 ] || fail "check_opensmtpd: see the tables above"
echo "check_opensmtpd: no false MUST failure against OpenSMTPD; the lab has its rows"
