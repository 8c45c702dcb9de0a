#!/usr/bin/env bash
# Regenerates the tables of docs/conformance.md: starts Postfix smtpd, smtp-sink and Dovecot
# POP3 (tests/conformance/peers_lab.sh), Exim and OpenSMTPD (their unpacked .debs; OpenSMTPD
# delivering into Maildirs a second Dovecot serves), and NSD, BIND and Unbound (DNS, the
# zone of dns_nsd_zone.sh; Unbound as an auth-zone), runs
# `maillab check --format markdown` against each, and rewrites what lies between the markers
#   <!-- BEGIN TABLES: tests/conformance/make_tables.sh -->
#   <!-- END TABLES -->
# with the three tables, their summary lines and the versions they came from. Everything
# outside the markers is kept as it is. A MUST failing against a real server does not stop
# the rewrite (the table is the finding); a usage error (exit 2) does.
#
#   usage: tests/conformance/make_tables.sh [MAILLAB_BINARY]   (default: $MAILLAB, then
#          build/tools/maillab)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
MAILLAB=${1:-${MAILLAB:-$root/build/tools/maillab}}
[ -x "$MAILLAB" ] || { echo "make_tables: no maillab binary at $MAILLAB" >&2; exit 2; }
doc=$root/docs/conformance.md
begin='<!-- BEGIN TABLES: tests/conformance/make_tables.sh -->'
end='<!-- END TABLES -->'
grep -qF "$begin" "$doc" && grep -qF "$end" "$doc" ||
  { echo "make_tables: $doc lacks the markers" >&2; exit 2; }

source "$root/tools/peers.sh"
source "$here/peers_lab.sh"
source "$here/dns_nsd_zone.sh"
peers_can_run || exit 2
peers_install
work=$(mktemp -d)
cleanup() {
  set +e  # every step runs, whatever failed before
  peers_stop_all
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP  # so that the EXIT trap stops the peers
peers_lab_start "$work"
NSD_PORT=$(peers_free_port)
nsd_zone_big >"$work/big.test.zone"
peers_nsd_start "$NSD_PORT" "$work/nsd" big.test "$work/big.test.zone"
nsd_version=$(nsd -v 2>&1 | sed -n '1s/.* //p')
BIND_PORT=$(peers_free_port)
peers_bind_start "$BIND_PORT" "$work/bind" big.test "$work/big.test.zone"
bind_version=$(named -v 2>&1 | sed -n '1s/^BIND \([^ ]*\).*/\1/p')
UB_PORT=$(peers_free_port)
peers_unbound_auth_start "$UB_PORT" "$work/unbound" big.test "$work/big.test.zone"
unbound_version=$(unbound -V 2>&1 | sed -n '1s/^Version //p')
EX_PORT=$(peers_free_port)
peers_exim_start "$EX_PORT" "$work/exim"
exim_version=$("$(peers_unpack exim4)/root/usr/sbin/exim4" -C "$work/exim/exim.conf" -bV 2>/dev/null |
  sed -n '1s/^Exim version \([^ ]*\).*/\1/p')
OS_PORT=$(peers_free_port)
OS_POP3=$(peers_free_port)
peers_opensmtpd_start "$OS_PORT" "$work/os"
peers_dovecot_start "$OS_POP3" "$work/os"
opensmtpd_version=$({ "$(peers_unpack opensmtpd)/root/usr/sbin/smtpd" -h 2>&1 || true; } |
  sed -n 's/^version: OpenSMTPD //p')  # -h prints the version and the usage, and exits 1

postfix_version=$(postconf -d -h mail_version)
dovecot_version=$(dovecot --version | awk '{print $1}')
debian=$(cat /etc/debian_version 2>/dev/null || echo unknown)

table() {  # TITLE ARGS...: one section of the generated block
  local title=$1 rc=0
  shift
  "$MAILLAB" check "$@" --timeout 10 --format markdown >"$work/table" 2>"$work/err" || rc=$?
  if [ "$rc" -eq 2 ]; then
    echo "make_tables: maillab check $* exited 2:" >&2
    cat "$work/err" >&2
    exit 2
  fi
  # The URL as a reader would type it: the ports are whatever was free.
  local shown
  shown=$(echo "$*" | sed -E "s/:($PF_PORT|$SINK_PORT|$EX_PORT|$OS_PORT|$NSD_PORT|$BIND_PORT|$UB_PORT)\b/:PORT/g;
    s/:($DC_PORT|$OS_POP3)\b/:POP3PORT/g; s/:$DC_IMAP_PORT\b/:IMAPPORT/g")
  {
    echo "### $title"
    echo
    echo "\`maillab check $shown\` (exit $rc)"
    echo
    cat "$work/table"
    echo
  } >>"$work/block"
  echo "make_tables: $title: exit $rc, $(grep -E '[0-9]+ passed' "$work/table" | tail -1)" >&2
}

{
  echo "$begin"
  echo
  echo "Generated on $(date -u +%Y-%m-%d) by \`tests/conformance/make_tables.sh\` on Debian $debian:"
  echo "Postfix $postfix_version (smtpd and smtp-sink), Exim $exim_version (exim4-daemon-light), OpenSMTPD"
  echo "$opensmtpd_version, Dovecot $dovecot_version (POP3, IMAP), NSD $nsd_version, BIND $bind_version and Unbound $unbound_version (DNS)."
  echo
} >"$work/block"
table "Postfix $postfix_version smtpd" "smtp://127.0.0.1:$PF_PORT" --rcpt alice@pf.test \
  --from carol@c.example --fetch "pop3://alice:secret@127.0.0.1:$DC_PORT"
table "Postfix $postfix_version smtp-sink" "smtp://127.0.0.1:$SINK_PORT" --rcpt u@sink.test \
  --from carol@c.example
table "Exim $exim_version" "smtp://127.0.0.1:$EX_PORT" --rcpt alice@ex.test --from carol@c.example
table "OpenSMTPD $opensmtpd_version" "smtp://127.0.0.1:$OS_PORT" --rcpt alice@os.test \
  --from carol@c.example --fetch "pop3://alice:secret@127.0.0.1:$OS_POP3"
table "Dovecot $dovecot_version POP3" "pop3://alice:secret@127.0.0.1:$DC_PORT"
table "Dovecot $dovecot_version IMAP" "imap://alice:secret@127.0.0.1:$DC_IMAP_PORT"
table "NSD $nsd_version (big.test: 31 MX, too big for UDP)" "dns://127.0.0.1:$NSD_PORT/big.test"
table "BIND $bind_version (the same zone, transfers allowed to loopback)" "dns://127.0.0.1:$BIND_PORT/big.test"
table "Unbound $unbound_version (the same zone as an auth-zone)" "dns://127.0.0.1:$UB_PORT/big.test"
echo "$end" >>"$work/block"

python3 - "$doc" "$work/block" "$begin" "$end" <<'PY'
import sys
doc, block, begin, end = sys.argv[1:]
text = open(doc).read()
a = text.index(begin)
b = text.index(end, a) + len(end)
new = text[:a] + open(block).read().rstrip("\n") + text[b:]
open(doc, "w").write(new)
PY
echo "make_tables: rewrote the tables of $doc" >&2
