# shellcheck shell=bash
# OpenDKIM's opendkim-testmsg as a verifier for the DKIM conformance tests, sourced after
# prologue.sh (dkim_interop_test.sh, dkim_serve_test.sh):
#   opendkim_verify ZONE GOOD... -- BAD...
#       In a private network and mount namespace, a DNS server on 127.0.0.1:53 answers TXT
#       from ZONE ("NAME TEXT" a line, auth_interop.py dnsd) and /etc/resolv.conf points
#       there; opendkim-testmsg must accept every GOOD message and reject every BAD one.
#       Returns 1 (after saying which) otherwise; logs in $work/opendkim.log, dnsd.log.
opendkim_verify() {
  local zone=$1 good=() bad=() seen_sep=""
  shift
  for f in "$@"; do
    if [ "$f" = -- ]; then seen_sep=1; elif [ -n "$seen_sep" ]; then bad+=("$f"); else good+=("$f"); fi
  done
  printf 'nameserver 127.0.0.1\n' >"$work/resolv.conf"
  rm -f "$work/dns.ready"
  cat >"$work/in-namespace.sh" <<NS
set -u
ip link set lo up
mount --bind "$work/resolv.conf" /etc/resolv.conf
/usr/bin/python3 "$here/auth_interop.py" dnsd "$zone" "$work/dns.ready" </dev/null >/dev/null 2>"$work/dnsd.log" &
dns_pid=\$!
trap 'kill \$dns_pid 2>/dev/null; wait \$dns_pid 2>/dev/null' EXIT
for i in \$(seq 300); do [ -f "$work/dns.ready" ] && break; sleep 0.1; done
for f in ${good[*]}; do
  opendkim-testmsg <"\$f" 2>>"$work/opendkim.log" || { echo "opendkim-testmsg rejects \$f"; exit 1; }
done
for f in ${bad[*]}; do
  if opendkim-testmsg <"\$f" 2>>"$work/opendkim.log"; then echo "opendkim-testmsg accepts \$f"; exit 1; fi
done
exit 0
NS
  FAIL_LOGS+=("$work/opendkim.log" "$work/dnsd.log")
  # --pid --fork: the namespace's first process is this bash; when it ends, the kernel ends
  # everything else inside (the DNS server), whatever happened.
  unshare --net --mount --pid --fork --propagation private bash "$work/in-namespace.sh"
}
