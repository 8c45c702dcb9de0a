# shellcheck shell=bash
# Real mail software as peers for maillab's conformance tests and benchmarks: a bash
# library, SOURCED (never run) by tests/conformance/*_test.sh and the bench scripts.
#
#   peers_can_run                      root or passwordless sudo available? (else 1)
#   peers_install                      install postfix, dovecot-pop3d, dovecot-imapd, isync, getmail6, nginx-light, wrk, swaks, curl, fetchmail, msmtp,
#                                      s-nail, nsd, unbound, bind9, dnsutils, python3-dkim,
#                                      python3-spf, opendkim-tools, iproute2 from Debian's
#                                      packages if missing (sudo when not root)
#   peers_postfix_start NAME PORT DIR  a private Postfix instance: smtpd on 127.0.0.1:PORT only,
#                                      virtual domain pf.test (alice, bob, u) as Maildirs in
#                                      DIR/mail/<user>/, log in DIR/postfix.log
#   peers_postfix_stop NAME
#   peers_dovecot_start PORT DIR [IMAP_PORT]
#                                      Dovecot POP3 on 127.0.0.1:PORT (and IMAP on IMAP_PORT when
#                                      given), users alice, bob, u (password "secret"), Maildirs
#                                      DIR/mail/<user>/ (the same ones a Postfix instance given
#                                      the same DIR writes)
#   peers_dovecot_stop DIR
#   peers_sink_start PORT / peers_sink_stop [PORT]   Postfix's smtp-sink on 127.0.0.1:PORT
#   peers_nsd_start PORT DIR ZONE FILE NSD (authoritative DNS) on 127.0.0.1:PORT, UDP and TCP,
#                                      serving ZONE from the zone file FILE; log DIR/nsd.log
#   peers_nsd_stop PORT
#   peers_exim_start PORT DIR          Exim 4 (its unpacked .deb, see below) on 127.0.0.1:PORT,
#                                      domain ex.test (alice, bob, u; postmaster -> alice) as
#                                      Maildirs DIR/mail/<user>/, spool and logs in DIR
#   peers_exim_stop PORT
#   peers_opensmtpd_start PORT DIR     OpenSMTPD (unpacked .deb) on 127.0.0.1:PORT in a private
#                                      mount namespace, domain os.test (alice, bob, u; postmaster
#                                      -> alice) as Maildirs DIR/mail/<user>/ owned by nobody,
#                                      queue DIR/spool, log DIR/smtpd.log
#   peers_opensmtpd_stop PORT
#   peers_unpack NAME PACKAGE...       prints where the .debs are unpacked (downloaded once)
#   peers_free_port                    prints a free loopback port (TCP and UDP) that the system
#                                      does not hand out itself, claimed for this shell
#   peers_wait_port PORT [WHAT] [LOG] [PID]  waits (bounded) until 127.0.0.1:PORT accepts
#   peers_wait_log FILE REGEX [WHAT]   waits (bounded) until FILE has a line matching REGEX
#   peers_wait_gone PID [WHAT] [LOG]   waits (bounded) until PID exits; then kill -9, returns 1
#   peers_stop_all                     stops every peer this shell started (for traps)
#
# Invariants:
# - Nothing listens anywhere but 127.0.0.1, on the ports given: no port-25 listener, no
#   system-wide instance is touched (/etc/postfix and /etc/dovecot are only read, never
#   written), every file of an instance lives under its DIR. The directories above DIR get
#   o+x (search, not read) when they lack it, so that the postfix, dovecot and nobody
#   users reach their files under a `mktemp -d` directory.
# - Every wait is bounded by $PEERS_TIMEOUT seconds (default 30); on timeout the function
#   prints what it waited for and the tail of the peer's log to stderr and returns 1.
# - peers_postfix_start exports PEERS_POSTFIX_LOG_<NAME> (NAME with every character that
#   is not [A-Za-z0-9_] turned into _) holding the log's path, which is always
#   DIR/postfix.log; it prints nothing on stdout. Dovecot logs to DIR/dovecot.log,
#   smtp-sink to $PEERS_SINK_LOG ($PEERS_STATE/smtp-sink.PORT.log, removed by
#   peers_stop_all) and its pid is $PEERS_SINK_PID.
# - Which instance was started where is also recorded under $PEERS_STATE (a directory
#   shared by the processes of one test), so a stop works from a trap or a subshell.
#
# Exim and OpenSMTPD conflict with Postfix as Debian packages (each is a mail-transport-
# agent), so they are not installed: peers_unpack fetches their .debs with `apt-get
# download` and unpacks them with `dpkg -x` under $PEERS_UNPACKED (default
# /var/tmp/maillab-peers; once, shared by every test), and they run from there; the
# libraries they link are ordinary packages (in PEERS_PACKAGES). Their system users
# (Debian-exim; opensmtpd, opensmtpq) are added as the packages would add them.
#
# Environment read by peers_postfix_start:
#   PEERS_RELAYHOST=[127.0.0.1]:NNNN   relayhost (127.0.0.0/8 may relay to any domain)
#   PEERS_POSTFIX_EXTRA="k = v;k2 = v2" more main.cf lines, ';'-separated

PEERS_TIMEOUT=${PEERS_TIMEOUT:-30}
# Not exported on purpose: parallel tests started from one shell must not share a record
# (each one's peers_stop_all would stop the others' peers).
PEERS_STATE=${PEERS_STATE:-${TMPDIR:-/tmp}/maillab-peers.$$}
# s-nail: an APOP client (apop_clients_test.sh). msmtp (GNU SASL): the SCRAM-SHA-256 client
# (scram_msmtp_test.sh). unbound, bind9, dnsutils: the DNS peers.
# python3-dkim, python3-spf, opendkim-tools (and iproute2 for a private network namespace):
# the independent DKIM and SPF implementations of dkim_interop_test.sh and spf_pyspf_test.sh.
PEERS_PACKAGES=(postfix dovecot-pop3d dovecot-imapd swaks curl fetchmail s-nail msmtp nsd unbound bind9 dnsutils python3-dkim python3-spf
                opendkim-tools iproute2
                isync getmail6  # the IMAP sync and retrieval clients (imap_sync_clients_test.sh)
                chromium  # the browser tests (console_chromium_test.sh, tests/conformance/cdp.py)
                nginx-light wrk)  # bench/run.sh's HTTP row (nginx, wrk); its IMAP row uses dovecot-imapd
# The libraries of the unpacked Exim and OpenSMTPD (their .debs are not installed, above).
# TLS clients (tls_clients_test.sh: swaks --tls needs Net::SSLeay) and Wireshark's
# tshark (tls_keylog_tshark_test.sh).
PEERS_PACKAGES+=(openssl libnet-ssleay-perl libio-socket-ssl-perl python3 tshark)
PEERS_PACKAGES+=(libidn12 libgnutls-dane0 libnsl2 libpcre2-8-0 libdb5.3 libevent-2.1-7 libpam0g)
PEERS_UNPACKED=${PEERS_UNPACKED:-/var/tmp/maillab-peers}
# Mailbox files belong to this account (exists on every Debian system).
PEERS_MAIL_USER=${PEERS_MAIL_USER:-nobody}

_peers_sudo() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

_peers_say() {  # a message on stderr; returns 0 (callers return 1 after saying more)
  echo "peers: $*" >&2
}

_peers_tail() {  # FILE: its last lines on stderr, indented
  if [ -n "${1:-}" ] && [ -r "$1" ]; then
    echo "peers: --- last lines of $1 ---" >&2
    tail -n 25 "$1" | sed 's/^/    /' >&2
  elif [ -n "${1:-}" ]; then
    echo "peers: (no log at $1)" >&2
  fi
}

_peers_traversable() {  # DIR: let the peers' own users (postfix, dovecot, nobody) walk down to DIR
  local d=$1
  while [ -n "$d" ] && [ "$d" != / ]; do
    if [ -d "$d" ] && [ "$(stat -c %A "$d" | cut -c10)" != x ] && [ "$(stat -c %A "$d" | cut -c10)" != t ]; then
      _peers_sudo chmod o+x "$d"   # search only, not read: mktemp -d makes 0700 directories
    fi
    d=${d%/*}
  done
}

_peers_varname() {  # NAME -> a valid shell variable suffix
  printf '%s' "$1" | tr -c 'A-Za-z0-9_' '_'
}

_peers_record() {  # KIND NAME VALUE
  mkdir -p "$PEERS_STATE"
  printf '%s\n' "$3" >"$PEERS_STATE/$1.$(_peers_varname "$2")"
}

_peers_recall() {  # KIND NAME -> VALUE or nothing
  local f
  f="$PEERS_STATE/$1.$(_peers_varname "$2")"
  [ -r "$f" ] && cat "$f"
  return 0
}

_peers_forget() {  # KIND NAME
  rm -f "$PEERS_STATE/$1.$(_peers_varname "$2")"
  rmdir "$PEERS_STATE" 2>/dev/null || true
}

# Private Postfix and Dovecot instances start as root (they drop privileges themselves).
# Returns 1 when neither root nor passwordless sudo is available (tests exit 77: skipped).
peers_can_run() {
  [ "$(id -u)" -eq 0 ] && return 0
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then return 0; fi
  _peers_say "needs root or passwordless sudo to start Postfix and Dovecot"
  return 1
}

# ---------------------------------------------------------------------------------------
# Installation (Debian 12 packages; non-interactive, safe to run again and in parallel)

_peers_installed() {  # PACKAGE: installed (not merely known, or removed with its config left)
  [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}

peers_install() {
  local missing=() p
  for p in "${PEERS_PACKAGES[@]}"; do
    _peers_installed "$p" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local lock=${TMPDIR:-/tmp}/maillab-peers-install.lock
  local log rc=0
  log=$(mktemp)
  (
    # Tests running in parallel install one at a time; the second one finds nothing missing.
    flock -w 600 9 || { echo "peers: another install holds $lock" >&2; exit 1; }
    missing=()
    for p in "${PEERS_PACKAGES[@]}"; do
      _peers_installed "$p" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && exit 0
    echo "peers: installing ${missing[*]}" >&2
    echo "postfix postfix/main_mailer_type select No configuration" |
      _peers_sudo debconf-set-selections
    # No init system here, and none wanted: the packages' maintainer scripts must not start
    # a system-wide Postfix or Dovecot (policy-rc.d 101 = "action forbidden").
    local policy=/usr/sbin/policy-rc.d made_policy=0
    if [ ! -e "$policy" ]; then
      printf '#!/bin/sh\nexit 101\n' | _peers_sudo tee "$policy" >/dev/null
      _peers_sudo chmod 755 "$policy"
      made_policy=1
    fi
    local apt=(env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 -y -qq)
    local ok=0
    _peers_sudo "${apt[@]}" install --no-install-recommends "${missing[@]}" >"$log" 2>&1 && ok=1
    if [ $ok -eq 0 ]; then  # stale or empty package lists on a fresh machine
      _peers_sudo "${apt[@]}" update >>"$log" 2>&1 &&
        _peers_sudo "${apt[@]}" install --no-install-recommends "${missing[@]}" >>"$log" 2>&1 &&
        ok=1
    fi
    [ $made_policy -eq 1 ] && _peers_sudo rm -f "$policy"
    if [ $ok -eq 0 ]; then
      echo "peers: installing ${missing[*]} failed:" >&2
      tail -n 30 "$log" >&2
      exit 1
    fi
    exit 0
  ) 9>"$lock" || rc=$?
  rm -f "$log"
  return $rc
}

# ---------------------------------------------------------------------------------------
# Ports and waits

peers_free_port() {
  # Not a port the system hands out: bind(port 0) and connect() take theirs from
  # ip_local_port_range (32768-60999), so a number from there, released here and bound
  # later by a peer, could meanwhile be taken by any other process (CI saw refused and
  # wrong-server connections). Below that range only those who name a port bind one; the
  # ones handed out here are claimed under ${TMPDIR:-/tmp}/maillab-ports (one file per
  # port, holding the claiming shell's pid) so that tests running in parallel never get
  # the same one; a claim is released when its shell is gone.
  if command -v python3 >/dev/null 2>&1; then
    python3 - "$$" "${TMPDIR:-/tmp}/maillab-ports" <<'PY' && return 0
import fcntl, os, random, socket, sys, time
owner, claims = sys.argv[1], sys.argv[2]
os.makedirs(claims, exist_ok=True)
if os.stat(claims).st_uid == os.getuid():
    os.chmod(claims, 0o1777)  # every user's tests claim here
low = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
first, last = (10000, low - 1) if low > 12000 else (1024, low - 1)

def claimed(port):
    try:
        with open(os.path.join(claims, str(port))) as f:
            pid = f.read().strip()
        age = time.time() - os.stat(os.path.join(claims, str(port))).st_mtime
    except (FileNotFoundError, ValueError):
        return False
    return pid.isdigit() and os.path.exists(f"/proc/{pid}") and age < 6 * 3600

def free(port):  # nothing bound to it, TCP or UDP (no SO_REUSEADDR: TIME_WAIT counts)
    for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
        s = socket.socket(socket.AF_INET, kind)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        finally:
            s.close()
    return True

with open(os.path.join(claims, ".lock"), "a") as lock:
    fcntl.flock(lock, fcntl.LOCK_EX)
    for _ in range(2000):
        port = random.randint(first, last)
        if not claimed(port) and free(port):
            with open(os.path.join(claims, str(port)), "w") as f:
                f.write(owner + "\n")
            print(port)
            sys.exit(0)
sys.exit("no free port found")
PY
  fi
  # Without python3: a random high port nobody answers on.
  local port
  for _ in $(seq 1 200); do
    port=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  _peers_say "no free port found"
  return 1
}

_peers_port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Postfix's master and smtp-sink can both bind a port another one listens on (SO_REUSEPORT),
# and the wait for the port would then be answered by the wrong server: refuse up front.
_peers_port_free() {  # PORT WHAT
  case "$1" in
    '' | *[!0-9]*) _peers_say "$2: '$1' is not a port number"; return 1 ;;
  esac
  if [ "$1" -lt 1 ] || [ "$1" -gt 65535 ]; then
    _peers_say "$2: port $1 is out of range (1-65535)"
    return 1
  fi
  if _peers_port_open "$1"; then
    _peers_say "$2: 127.0.0.1:$1 is already in use by another server"
    return 1
  fi
}

peers_wait_port() {  # PORT [WHAT] [LOG] [PID]: with PID, gives up as soon as PID is gone
  local port=$1 what=${2:-"127.0.0.1:$1"} log=${3:-} pid=${4:-}
  local deadline=$((SECONDS + PEERS_TIMEOUT))
  until _peers_port_open "$port"; do
    if [ -n "$pid" ] && ! _peers_alive "$pid"; then
      _peers_say "$what exited before it listened on 127.0.0.1:$port"
      _peers_tail "$log"
      return 1
    fi
    if [ $SECONDS -ge "$deadline" ]; then
      _peers_say "$what: 127.0.0.1:$port accepts no connection after ${PEERS_TIMEOUT}s"
      _peers_tail "$log"
      return 1
    fi
    sleep 0.1
  done
}

peers_wait_log() {  # FILE REGEX [WHAT]
  local file=$1 re=$2 what=${3:-"a line matching '$2' in $1"}
  local deadline=$((SECONDS + PEERS_TIMEOUT))
  until [ -r "$file" ] && grep -Eq -- "$re" "$file"; do
    if [ $SECONDS -ge "$deadline" ]; then
      _peers_say "timed out after ${PEERS_TIMEOUT}s waiting for $what"
      _peers_tail "$file"
      return 1
    fi
    sleep 0.2
  done
}

_peers_alive() {  # PID: running (a zombie, exited but not yet reaped, counts as gone)
  local st
  st=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  st=${st##*) }
  [ "${st%% *}" != Z ]
}

peers_wait_gone() {  # PID [WHAT] [LOG]: bounded wait for a process to exit
  local pid=$1 what=${2:-"pid $1"} deadline=$((SECONDS + PEERS_TIMEOUT))
  while _peers_alive "$pid"; do
    if [ $SECONDS -ge "$deadline" ]; then
      _peers_say "$what (pid $pid) still running after ${PEERS_TIMEOUT}s; killing it"
      _peers_tail "${3:-}"
      kill -9 "$pid" 2>/dev/null || true
      return 1
    fi
    sleep 0.1
  done
}

# ---------------------------------------------------------------------------------------
# Postfix: one private instance per NAME, everything under DIR

_peers_postfix_master_cf() {  # PORT: master.cf with one smtpd on 127.0.0.1:PORT, no chroot
  cat <<EOF
# Written by maillab tools/peers.sh: one smtpd on loopback, no chroot, no port 25.
127.0.0.1:$1 inet n       -       n       -       -       smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
virtual   unix  -       n       n       -       -       virtual
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
EOF
}

_peers_postfix_main_cf() {  # NAME DIR
  local name=$1 dir=$2 uid gid
  uid=$(id -u "$PEERS_MAIL_USER")
  gid=$(id -g "$PEERS_MAIL_USER")
  cat <<EOF
# Written by maillab tools/peers.sh for the private instance "$name".
compatibility_level = 3.6
config_directory = $dir/etc
queue_directory = $dir/spool
data_directory = $dir/data
meta_directory = /etc/postfix
maillog_file = $dir/postfix.log
maillog_file_prefixes = $dir
syslog_name = postfix-$name
myhostname = $(_peers_varname "$name" | tr '_A-Z' '-a-z').peers.test
mydomain = peers.test
myorigin = \$myhostname
mydestination =
local_recipient_maps =
local_transport = error:no local delivery in the peers lab
alias_maps =
alias_database =
inet_interfaces = loopback-only
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
smtpd_banner = \$myhostname ESMTP \$mail_name
biff = no
# No DNS: numeric next hops only, names from /etc/hosts.
smtp_host_lookup = native
smtp_dns_support_level = disabled
lmtp_host_lookup = native
smtpd_peername_lookup = no
# Quick retries: a deferred message is tried again within seconds, not minutes.
queue_run_delay = 10s
minimal_backoff_time = 10s
maximal_backoff_time = 20s
smtp_connect_timeout = 10s
virtual_mailbox_domains = pf.test
virtual_mailbox_maps = texthash:$dir/etc/vmailbox
# RFC 5321 4.5.1: postmaster at every domain served (as Postfix's docs advise).
virtual_alias_maps = texthash:$dir/etc/valias
virtual_mailbox_base = $dir/mail
virtual_minimum_uid = 1
virtual_uid_maps = static:$uid
virtual_gid_maps = static:$gid
EOF
}

_peers_postfix_settings() {  # DIR: $PEERS_RELAYHOST and $PEERS_POSTFIX_EXTRA, via postconf -e
  local dir=$1 line                    # (which replaces a setting rather than repeating it)
  if [ -n "${PEERS_RELAYHOST:-}" ]; then
    _peers_sudo postconf -c "$dir/etc" -e "relayhost = $PEERS_RELAYHOST" || return 1
  fi
  local IFS=';'
  for line in ${PEERS_POSTFIX_EXTRA:-}; do
    line="${line#"${line%%[![:space:]]*}"}"
    [ -z "$line" ] && continue
    case "$line" in
      *=*) _peers_sudo postconf -c "$dir/etc" -e "$line" || return 1 ;;
      *) _peers_say "PEERS_POSTFIX_EXTRA: '$line' is not 'key = value'"; return 1 ;;
    esac
  done
}

peers_postfix_start() {  # NAME PORT DIR
  [ $# -eq 3 ] || { _peers_say "usage: peers_postfix_start NAME PORT DIR"; return 1; }
  local name=$1 port=$2 dir
  command -v postfix >/dev/null 2>&1 || { _peers_say "postfix is not installed (peers_install)"; return 1; }
  _peers_port_free "$port" "postfix instance $name" || return 1
  mkdir -p "$3" && dir=$(cd "$3" && pwd -P) || return 1
  local log=$dir/postfix.log uid gid u
  uid=$(id -u "$PEERS_MAIL_USER")
  gid=$(id -g "$PEERS_MAIL_USER")
  # The postfix user walks into the queue; the virtual agent writes mail/ as $uid.
  _peers_traversable "$dir"
  _peers_sudo chmod 755 "$dir"
  _peers_sudo mkdir -p "$dir/etc" "$dir/spool" "$dir/data" "$dir/mail"
  _peers_sudo chown root:root "$dir/etc" "$dir/spool"
  _peers_sudo chown postfix:postfix "$dir/data"
  _peers_sudo chown "$uid:$gid" "$dir/mail"
  _peers_postfix_main_cf "$name" "$dir" | _peers_sudo tee "$dir/etc/main.cf" >/dev/null
  _peers_postfix_master_cf "$port" | _peers_sudo tee "$dir/etc/master.cf" >/dev/null
  for u in alice bob u; do echo "$u@pf.test $u/"; done | _peers_sudo tee "$dir/etc/vmailbox" >/dev/null
  echo "postmaster@pf.test alice@pf.test" | _peers_sudo tee "$dir/etc/valias" >/dev/null
  _peers_postfix_settings "$dir" || return 1
  _peers_sudo touch "$log"
  _peers_record postfix "$name" "$dir"  # before the start: a trap stops even a half-started one
  # `postfix check` creates the queue's subdirectories with their owners and modes.
  if ! _peers_sudo postfix -c "$dir/etc" check >>"$dir/postfix-start.err" 2>&1 ||
     ! _peers_sudo postfix -c "$dir/etc" start >>"$dir/postfix-start.err" 2>&1; then
    _peers_say "postfix instance $name did not start:"
    _peers_tail "$dir/postfix-start.err"
    _peers_tail "$log"
    return 1
  fi
  export "PEERS_POSTFIX_LOG_$(_peers_varname "$name")=$log"
  peers_wait_port "$port" "postfix instance $name" "$log"
}

peers_postfix_stop() {  # NAME
  local name=${1:?usage: peers_postfix_stop NAME} dir pid=""
  dir=$(_peers_recall postfix "$name")
  [ -n "$dir" ] || return 0
  [ -r "$dir/spool/pid/master.pid" ] && pid=$(tr -d ' \n' <"$dir/spool/pid/master.pid")
  _peers_sudo postfix -c "$dir/etc" stop >>"$dir/postfix-start.err" 2>&1 || true
  if [ -n "$pid" ]; then
    peers_wait_gone "$pid" "postfix instance $name" "$dir/postfix.log" || true
  fi
  _peers_forget postfix "$name"
}

# ---------------------------------------------------------------------------------------
# Dovecot: POP3 only, one instance per DIR

peers_dovecot_start() {  # PORT DIR [IMAP_PORT]
  [ $# -eq 2 ] || [ $# -eq 3 ] || { _peers_say "usage: peers_dovecot_start PORT DIR [IMAP_PORT]"; return 1; }
  local port=$1 imap_port=${3:-0} protocols=pop3 dir uid gid u
  command -v dovecot >/dev/null 2>&1 || { _peers_say "dovecot is not installed (peers_install)"; return 1; }
  _peers_port_free "$port" "dovecot" || return 1
  if [ "$imap_port" != 0 ]; then
    _peers_port_free "$imap_port" "dovecot imap" || return 1
    protocols="pop3 imap"
  fi
  mkdir -p "$2" && dir=$(cd "$2" && pwd -P) || return 1
  uid=$(id -u "$PEERS_MAIL_USER")
  gid=$(id -g "$PEERS_MAIL_USER")
  _peers_traversable "$dir"
  _peers_sudo chmod 755 "$dir"
  _peers_sudo mkdir -p "$dir/dovecot/run" "$dir/dovecot/state" "$dir/mail"
  _peers_sudo chown "$uid:$gid" "$dir/mail"
  for u in alice bob u; do
    echo "$u:{PLAIN}secret:$uid:$gid::$dir/mail/$u::"
  done | _peers_sudo tee "$dir/dovecot/users" >/dev/null
  _peers_sudo chmod 644 "$dir/dovecot/users"
  _peers_sudo tee "$dir/dovecot.conf" >/dev/null <<EOF
# Written by maillab tools/peers.sh: POP3 on 127.0.0.1:$port (IMAP on port $imap_port; 0: none), no TLS.
instance_name = maillab-peers-$port
base_dir = $dir/dovecot/run
state_dir = $dir/dovecot/state
log_path = $dir/dovecot.log
info_log_path = $dir/dovecot.log
protocols = $protocols
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
default_login_user = dovenull
default_internal_user = dovecot
first_valid_uid = 1
first_valid_gid = 1
mail_location = maildir:$dir/mail/%n
pop3_uidl_format = %08Xu%08Xv
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%n $dir/dovecot/users
}
userdb {
  driver = passwd-file
  args = username_format=%n $dir/dovecot/users
}
service pop3-login {
  inet_listener pop3 {
    address = 127.0.0.1
    port = $port
  }
  inet_listener pop3s {
    port = 0
  }
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $imap_port
  }
  inet_listener imaps {
    port = 0
  }
}
EOF
  _peers_record dovecot "$dir" "$dir"
  if ! _peers_sudo dovecot -c "$dir/dovecot.conf" >>"$dir/dovecot-start.err" 2>&1; then
    _peers_say "dovecot on port $port did not start:"
    _peers_tail "$dir/dovecot-start.err"
    _peers_tail "$dir/dovecot.log"
    return 1
  fi
  peers_wait_port "$port" "dovecot" "$dir/dovecot.log" || return 1
  [ "$imap_port" = 0 ] || peers_wait_port "$imap_port" "dovecot imap" "$dir/dovecot.log"
}

peers_dovecot_stop() {  # DIR
  local dir pid=""
  [ -d "${1:?usage: peers_dovecot_stop DIR}" ] || return 0
  dir=$(cd "$1" && pwd -P)
  [ -r "$dir/dovecot.conf" ] || return 0
  [ -r "$dir/dovecot/run/master.pid" ] && pid=$(tr -d ' \n' <"$dir/dovecot/run/master.pid")
  _peers_sudo doveadm -c "$dir/dovecot.conf" stop >>"$dir/dovecot-start.err" 2>&1 ||
    { [ -n "$pid" ] && _peers_sudo kill "$pid" 2>/dev/null; } || true
  if [ -n "$pid" ]; then
    peers_wait_gone "$pid" "dovecot" "$dir/dovecot.log" || true
  fi
  _peers_forget dovecot "$dir"
}

# ---------------------------------------------------------------------------------------
# smtp-sink: Postfix's test SMTP server (accepts everything, keeps nothing)

_peers_kill_wait() {  # PID WHAT [LOG]: stop a peer this shell started in the background
  [ -n "$1" ] || return 0
  _peers_sudo kill "$1" 2>/dev/null || true
  peers_wait_gone "$1" "$2" "${3:-}" || true
  wait "$1" 2>/dev/null || true
}

peers_sink_start() {  # PORT
  local port=${1:?usage: peers_sink_start PORT} sink
  sink=$(command -v smtp-sink || echo /usr/sbin/smtp-sink)
  [ -x "$sink" ] || { _peers_say "smtp-sink is not installed (peers_install)"; return 1; }
  _peers_port_free "$port" "smtp-sink" || return 1
  mkdir -p "$PEERS_STATE"
  PEERS_SINK_LOG=$PEERS_STATE/smtp-sink.$port.log
  # As root it must drop to an unprivileged user (-u); -c counts sessions on stdout.
  # Started directly (not through a function) so that $! is smtp-sink (or sudo) itself.
  if [ "$(id -u)" -eq 0 ]; then
    "$sink" -u nobody -c "127.0.0.1:$port" 1000 >"$PEERS_SINK_LOG" 2>&1 &
  else  # the log belongs to the caller, not root: the redirection stays outside sudo
    # shellcheck disable=SC2024
    sudo "$sink" -u nobody -c "127.0.0.1:$port" 1000 >"$PEERS_SINK_LOG" 2>&1 &
  fi
  PEERS_SINK_PID=$!
  _peers_record sink "$port" "$PEERS_SINK_PID"
  _peers_record sink last "$port"
  export PEERS_SINK_PID PEERS_SINK_LOG
  peers_wait_port "$port" "smtp-sink" "$PEERS_SINK_LOG" "$PEERS_SINK_PID"
}

peers_sink_stop() {  # [PORT]: the given or the last sink started
  local port=${1:-} pid
  [ -n "$port" ] || port=$(_peers_recall sink last)
  [ -n "$port" ] || return 0
  pid=$(_peers_recall sink "$port")
  _peers_kill_wait "$pid" "smtp-sink" "${PEERS_SINK_LOG:-}"
  _peers_forget sink "$port"
  [ "$(_peers_recall sink last)" = "$port" ] && _peers_forget sink last
  return 0
}

# ---------------------------------------------------------------------------------------
# NSD: an authoritative DNS server (NLnet Labs), one private instance per DIR

_peers_stop_daemon() {  # KIND PORT WHAT LOG: stop a daemon recorded by KIND and PORT (its
  # directory recorded as dir.PORT; LOG is the file in it to show if it will not stop)
  local pid dir
  pid=$(_peers_recall "$1" "$2")
  dir=$(_peers_recall "$1" "dir.$2")
  _peers_kill_wait "$pid" "$3" "${dir:+$dir/$4}"
  _peers_forget "$1" "$2"
  _peers_forget "$1" "dir.$2"
}

peers_nsd_start() {  # PORT DIR ZONE ZONEFILE
  [ $# -eq 4 ] || { _peers_say "usage: peers_nsd_start PORT DIR ZONE ZONEFILE"; return 1; }
  local port=$1 zone=$3 dir nsd
  nsd=$(command -v nsd || echo /usr/sbin/nsd)
  [ -x "$nsd" ] || { _peers_say "nsd is not installed (peers_install)"; return 1; }
  _peers_port_free "$port" "nsd" || return 1
  mkdir -p "$2" && dir=$(cd "$2" && pwd -P) || return 1
  cp "$4" "$dir/zone" || return 1
  # No privilege drop (username ""), no database, no remote control: everything in DIR.
  cat >"$dir/nsd.conf" <<EOF
# Written by maillab tools/peers.sh: authoritative for $zone on 127.0.0.1:$port only.
server:
  ip-address: 127.0.0.1
  port: $port
  username: ""
  zonesdir: "$dir"
  database: ""
  zonelistfile: "$dir/zone.list"
  pidfile: "$dir/nsd.pid"
  xfrdfile: "$dir/xfrd.state"
  xfrdir: "$dir"
  logfile: "$dir/nsd.log"
  server-count: 1
  verbosity: 1
remote-control:
  control-enable: no
zone:
  name: $zone
  zonefile: zone
EOF
  if ! _peers_sudo "${nsd}-checkconf" "$dir/nsd.conf" >"$dir/nsd-start.err" 2>&1; then
    _peers_say "nsd: bad configuration:"
    _peers_tail "$dir/nsd-start.err"
    return 1
  fi
  # -d: stays in the foreground, so $! is nsd (or sudo) itself.
  if [ "$(id -u)" -eq 0 ]; then
    "$nsd" -d -c "$dir/nsd.conf" >>"$dir/nsd-start.err" 2>&1 &
  else
    # shellcheck disable=SC2024
    sudo "$nsd" -d -c "$dir/nsd.conf" >>"$dir/nsd-start.err" 2>&1 &
  fi
  local pid=$!
  _peers_record nsd "$port" "$pid"
  _peers_record nsd "dir.$port" "$dir"
  peers_wait_port "$port" "nsd" "$dir/nsd.log" "$pid" &&
    peers_wait_log "$dir/nsd.log" "zone $zone read with success" "nsd"
}

peers_nsd_stop() {  # PORT
  _peers_stop_daemon nsd "${1:?usage: peers_nsd_stop PORT}" nsd nsd.log
}

_peers_unbound() {  # PORT DIR WHAT: Unbound on 127.0.0.1:PORT in the foreground, its
  # configuration the common part below and then stdin (a server: clause may repeat);
  # everything in DIR (log DIR/unbound.log), its pid recorded for peers_unbound_stop.
  local port=$1 dir=$2 unbound
  unbound=$(command -v unbound || echo /usr/sbin/unbound)
  {
    cat <<EOF
# Written by maillab tools/peers.sh: $3.
server:
  interface: 127.0.0.1
  port: $port
  do-ip6: no
  username: ""
  chroot: ""
  directory: "$dir"
  logfile: "$dir/unbound.log"
  pidfile: "$dir/unbound.pid"
  num-threads: 1
  module-config: "iterator"
remote-control:
  control-enable: no
EOF
    cat
  } >"$dir/unbound.conf"
  "$unbound" -d -c "$dir/unbound.conf" >"$dir/unbound-start.err" 2>&1 &
  local pid=$!
  _peers_record unbound "$port" "$pid"
  _peers_record unbound "dir.$port" "$dir"
  peers_wait_port "$port" "unbound" "$dir/unbound-start.err" "$pid"
}

_peers_unbound_ready() {  # PORT DIR: unbound installed, the port free; prints DIR's full path
  command -v unbound >/dev/null 2>&1 || [ -x /usr/sbin/unbound ] ||
    { _peers_say "unbound is not installed (peers_install)"; return 1; }
  _peers_port_free "$1" "unbound" || return 1
  mkdir -p "$2" && (cd "$2" && pwd -P)
}

peers_unbound_start() {  # PORT DIR STUBZONE ADDR@PORT: a recursive Unbound that asks the lab
  # for STUBZONE only, with DNS 0x20 (use-caps-for-id) on; everything logged in DIR.
  [ $# -eq 4 ] || { _peers_say "usage: peers_unbound_start PORT DIR ZONE ADDR@PORT"; return 1; }
  local dir
  dir=$(_peers_unbound_ready "$1" "$2") || return 1
  _peers_unbound "$1" "$dir" "a resolver on 127.0.0.1:$1 for $3 (stub: $4)" <<EOF
server:
  do-not-query-localhost: no
  use-caps-for-id: yes
  verbosity: 4
stub-zone:
  name: "$3"
  stub-addr: $4
EOF
}

peers_unbound_auth_start() {  # PORT DIR ZONE ZONEFILE: Unbound answering for ZONE from FILE
  # itself (auth-zone, for downstream: authoritative answers, AA set), no recursion.
  [ $# -eq 4 ] || { _peers_say "usage: peers_unbound_auth_start PORT DIR ZONE ZONEFILE"; return 1; }
  local dir
  dir=$(_peers_unbound_ready "$1" "$2") || return 1
  cp "$4" "$dir/zone" || return 1
  _peers_unbound "$1" "$dir" "authoritative for $3 on 127.0.0.1:$1 only" <<EOF
server:
  access-control: 127.0.0.0/8 allow
  # RFC 6761 names (test., invalid., ...) are Unbound's own empty zones unless told not.
  local-zone: "test." nodefault
  local-zone: "invalid." nodefault
auth-zone:
  name: "$3"
  zonefile: "$dir/zone"
  for-downstream: yes
  for-upstream: no
EOF
}

peers_unbound_stop() {  # PORT
  _peers_stop_daemon unbound "${1:?usage: peers_unbound_stop PORT}" unbound unbound.log
}

peers_bind_start() {  # PORT DIR ZONE ZONEFILE: BIND 9 authoritative for ZONE, transfers allowed
  [ $# -eq 4 ] || { _peers_say "usage: peers_bind_start PORT DIR ZONE ZONEFILE"; return 1; }
  local port=$1 zone=$3 dir named
  named=$(command -v named || echo /usr/sbin/named)
  [ -x "$named" ] || { _peers_say "named (bind9) is not installed (peers_install)"; return 1; }
  _peers_port_free "$port" "named" || return 1
  mkdir -p "$2" && dir=$(cd "$2" && pwd -P) || return 1
  cp "$4" "$dir/zone" || return 1
  cat >"$dir/named.conf" <<EOF
// Written by maillab tools/peers.sh: authoritative for $zone on 127.0.0.1:$port only.
options {
  directory "$dir";
  pid-file "$dir/named.pid";
  listen-on port $port { 127.0.0.1; };
  listen-on-v6 { none; };
  recursion no;
  allow-transfer { 127.0.0.1; };
  dnssec-validation no;
};
zone "$zone" { type primary; file "$dir/zone"; };
EOF
  # -g: in the foreground, logging to stderr, as the caller (no -u).
  "$named" -g -c "$dir/named.conf" >"$dir/named.log" 2>&1 &
  local pid=$!
  _peers_record named "$port" "$pid"
  _peers_record named "dir.$port" "$dir"
  peers_wait_port "$port" "named" "$dir/named.log" "$pid" &&
    peers_wait_log "$dir/named.log" "zone $zone/IN: loaded" "named"
}

peers_bind_stop() {  # PORT
  _peers_stop_daemon named "${1:?usage: peers_bind_stop PORT}" named named.log
}

# ---------------------------------------------------------------------------------------
# Exim 4 and OpenSMTPD, run from their unpacked .debs

peers_unpack() {  # NAME PACKAGE...: prints the directory the packages are unpacked in
  local name=$1 dir lock log rc=0
  shift
  dir=$PEERS_UNPACKED/$name
  [ -e "$dir/.unpacked" ] && { echo "$dir"; return 0; }
  _peers_sudo mkdir -p "$PEERS_UNPACKED" && _peers_sudo chmod 755 "$PEERS_UNPACKED" || return 1
  lock=${TMPDIR:-/tmp}/maillab-peers-unpack.lock
  log=$(mktemp)
  (
    flock -w 600 9 || { echo "peers: another unpack holds $lock" >&2; exit 1; }
    [ -e "$dir/.unpacked" ] && exit 0
    _peers_sudo rm -rf "$dir.new" && _peers_sudo mkdir -p "$dir.new/debs" || exit 1
    apt=(apt-get -o DPkg::Lock::Timeout=300 -qq)
    # apt's sandbox user cannot write there: the download runs as root (apt warns, no more).
    if ! (cd "$dir.new/debs" && _peers_sudo "${apt[@]}" download "$@") >"$log" 2>&1; then
      # stale or empty package lists on a fresh machine
      _peers_sudo "${apt[@]}" update >>"$log" 2>&1 &&
        (cd "$dir.new/debs" && _peers_sudo "${apt[@]}" download "$@") >>"$log" 2>&1 ||
        { echo "peers: apt-get download $* failed:" >&2; tail -n 20 "$log" >&2; exit 1; }
    fi
    for deb in "$dir.new"/debs/*.deb; do
      _peers_sudo dpkg -x "$deb" "$dir.new/root" || exit 1
    done
    _peers_sudo chmod 755 "$dir.new" "$dir.new/root" &&
      _peers_sudo touch "$dir.new/.unpacked" &&
      _peers_sudo rm -rf "$dir" && _peers_sudo mv "$dir.new" "$dir"
  ) 9>"$lock" || rc=$?
  rm -f "$log"
  [ $rc -eq 0 ] && echo "$dir"
  return $rc
}

_peers_system_user() {  # NAME: a system account and its group, as the Debian package adds it
  getent group "$1" >/dev/null || _peers_sudo addgroup --quiet --system "$1" >/dev/null || return 1
  id "$1" >/dev/null 2>&1 ||
    _peers_sudo adduser --quiet --system --no-create-home --home /nonexistent --disabled-password \
      --force-badname --ingroup "$1" "$1" >/dev/null 2>&1
}

peers_exim_start() {  # PORT DIR: Exim with a minimal configuration (see the header)
  [ $# -eq 2 ] || { _peers_say "usage: peers_exim_start PORT DIR"; return 1; }
  local port=$1 dir root exim
  _peers_port_free "$port" "exim" || return 1
  root=$(peers_unpack exim4 exim4-daemon-light exim4-base) || return 1
  exim=$root/root/usr/sbin/exim4
  [ -x "$exim" ] || { _peers_say "no exim4 in $root"; return 1; }
  _peers_system_user Debian-exim || { _peers_say "cannot add the Debian-exim user"; return 1; }
  mkdir -p "$2" && dir=$(cd "$2" && pwd -P) || return 1
  _peers_traversable "$dir"
  _peers_sudo chmod 755 "$dir"
  _peers_sudo mkdir -p "$dir/spool" "$dir/log" "$dir/mail"
  # A configuration given with -C costs Exim its root privilege: it runs, and delivers,
  # as Debian-exim, which therefore owns the spool, the logs and the Maildirs.
  _peers_sudo chown Debian-exim:Debian-exim "$dir/spool" "$dir/log" "$dir/mail"
  # Exim's own limits stay at their defaults: smtp_max_synprot_errors = 3 (it closes the
  # session after more protocol errors) and smtp_accept_max_nonmail = 10.
  _peers_sudo tee "$dir/exim.conf" >/dev/null <<EOF
# Written by maillab tools/peers.sh: Exim on 127.0.0.1:$port only, domain ex.test.
exim_path = $exim
local_interfaces = <; 127.0.0.1.$port
primary_hostname = exim.peers.test
qualify_domain = ex.test
domainlist local_domains = ex.test : exim.peers.test
spool_directory = $dir/spool
log_file_path = $dir/log/%slog
pid_file_path = $dir/exim.pid
exim_user = Debian-exim
exim_group = Debian-exim
never_users = root
host_lookup =
rfc1413_hosts =
tls_advertise_hosts =
keep_environment =
acl_smtp_rcpt = acl_check_rcpt
begin acl
acl_check_rcpt:
  accept domains = +local_domains
         local_parts = postmaster
  accept domains = +local_domains
         verify = recipient
  deny   message = relay not permitted
begin routers
postmaster:
  driver = redirect
  domains = +local_domains
  local_parts = postmaster
  data = alice@ex.test
users:
  driver = accept
  domains = +local_domains
  local_parts = alice : bob : u
  transport = maildir
begin transports
maildir:
  driver = appendfile
  directory = $dir/mail/\${local_part_data}
  maildir_format
  delivery_date_add
  envelope_to_add
  return_path_add
  user = Debian-exim
  group = Debian-exim
begin retry
*  *  F,1h,1m
EOF
  _peers_record exim "dir.$port" "$dir"
  # -bdf: the daemon in the foreground, so $! is exim (or sudo) itself.
  if [ "$(id -u)" -eq 0 ]; then
    "$exim" -C "$dir/exim.conf" -bdf >"$dir/exim-start.err" 2>&1 &
  else
    # shellcheck disable=SC2024
    sudo "$exim" -C "$dir/exim.conf" -bdf >"$dir/exim-start.err" 2>&1 &
  fi
  local pid=$!
  _peers_record exim "$port" "$pid"
  peers_wait_port "$port" "exim" "$dir/log/mainlog" "$pid"
}

peers_exim_stop() {  # PORT
  _peers_stop_daemon exim "${1:?usage: peers_exim_stop PORT}" exim log/mainlog
}

# OpenSMTPD's queue (/var/spool/smtpd), control socket (/run/smtpd.sock), chroot
# (/var/lib/opensmtpd/empty) and delivery agents (/usr/libexec/opensmtpd) are compiled
# in. In a mount namespace of its own they are DIR/spool, empty tmpfs and the unpacked
# ones, so that instances run side by side; nothing outside DIR changes.
_peers_opensmtpd_ns='mount -t tmpfs -o mode=755 tmpfs /run &&
  mount -t tmpfs -o mode=755 tmpfs /var/spool && mkdir -m 711 /var/spool/smtpd &&
  mount --bind "$1/spool" /var/spool/smtpd &&
  mount -t tmpfs -o mode=755 tmpfs /var/lib && mkdir -p /var/lib/opensmtpd/empty &&
  mount --bind "$2/usr/libexec" /usr/libexec &&
  exec "$2/usr/sbin/smtpd" -d -f "$1/smtpd.conf"'

peers_opensmtpd_start() {  # PORT DIR: OpenSMTPD with a minimal configuration (see the header)
  [ $# -eq 2 ] || { _peers_say "usage: peers_opensmtpd_start PORT DIR"; return 1; }
  local port=$1 dir root u
  _peers_port_free "$port" "opensmtpd" || return 1
  root=$(peers_unpack opensmtpd opensmtpd) || return 1
  root=$root/root
  [ -x "$root/usr/sbin/smtpd" ] || { _peers_say "no smtpd in $root"; return 1; }
  _peers_system_user opensmtpd && _peers_system_user opensmtpq ||
    { _peers_say "cannot add the opensmtpd and opensmtpq users"; return 1; }
  mkdir -p "$2" && dir=$(cd "$2" && pwd -P) || return 1
  _peers_traversable "$dir"
  _peers_sudo chmod 755 "$dir"
  _peers_sudo mkdir -p "$dir/spool" "$dir/mail"
  _peers_sudo chmod 711 "$dir/spool"  # smtpd insists on its queue's modes
  _peers_sudo chown "$(id -u "$PEERS_MAIL_USER"):$(id -g "$PEERS_MAIL_USER")" "$dir/mail"
  {
    echo "postmaster alice@os.test"
    for u in alice bob u; do echo "$u@os.test $PEERS_MAIL_USER"; done
  } | _peers_sudo tee "$dir/virtuals" >/dev/null
  _peers_sudo tee "$dir/smtpd.conf" >/dev/null <<EOF
# Written by maillab tools/peers.sh: OpenSMTPD on 127.0.0.1:$port only, domain os.test.
table virtuals file:$dir/virtuals
table domains { os.test, os.peers.test }
listen on 127.0.0.1 port $port hostname os.peers.test
action "deliver" maildir "$dir/mail/%{dest.user:lowercase}" virtual <virtuals>
match from any for domain <domains> action "deliver"
EOF
  if ! _peers_sudo "$root/usr/sbin/smtpd" -n -f "$dir/smtpd.conf" >"$dir/smtpd-start.err" 2>&1; then
    _peers_say "opensmtpd: bad configuration:"
    _peers_tail "$dir/smtpd-start.err"
    return 1
  fi
  _peers_record opensmtpd "dir.$port" "$dir"
  # unshare and sh exec: $! is smtpd (or sudo) itself, in the foreground (-d).
  if [ "$(id -u)" -eq 0 ]; then
    unshare --mount --propagation private sh -c "$_peers_opensmtpd_ns" smtpd "$dir" "$root" \
      >"$dir/smtpd.log" 2>&1 &
  else
    # shellcheck disable=SC2024
    sudo unshare --mount --propagation private sh -c "$_peers_opensmtpd_ns" smtpd "$dir" "$root" \
      >"$dir/smtpd.log" 2>&1 &
  fi
  local pid=$!
  _peers_record opensmtpd "$port" "$pid"
  peers_wait_port "$port" "opensmtpd" "$dir/smtpd.log" "$pid"
}

peers_opensmtpd_stop() {  # PORT
  _peers_stop_daemon opensmtpd "${1:?usage: peers_opensmtpd_stop PORT}" opensmtpd smtpd.log
}

# ---------------------------------------------------------------------------------------

peers_stop_all() {  # every peer recorded in $PEERS_STATE; for traps
  local f name
  [ -d "$PEERS_STATE" ] || return 0
  for f in "$PEERS_STATE"/postfix.*; do
    [ -e "$f" ] || continue
    name=${f##*/postfix.}
    peers_postfix_stop "$name"
  done
  for f in "$PEERS_STATE"/dovecot.*; do
    [ -e "$f" ] || continue
    peers_dovecot_stop "$(cat "$f")"
  done
  for f in "$PEERS_STATE"/nsd.*; do
    [ -e "$f" ] || continue
    name=${f##*/nsd.}
    case $name in dir_*) continue ;; esac
    peers_nsd_stop "$name"
  done
  for f in "$PEERS_STATE"/unbound.* "$PEERS_STATE"/named.* "$PEERS_STATE"/exim.* "$PEERS_STATE"/opensmtpd.*; do
    [ -e "$f" ] || continue
    name=${f##*/}
    case $name in *.dir_*) continue ;; esac
    case ${name%%.*} in
      unbound) peers_unbound_stop "${name#*.}" ;;
      named) peers_bind_stop "${name#*.}" ;;
      exim) peers_exim_stop "${name#*.}" ;;
      opensmtpd) peers_opensmtpd_stop "${name#*.}" ;;
    esac
  done
  for f in "$PEERS_STATE"/sink.*; do
    [ -e "$f" ] || continue
    name=${f##*/sink.}
    [ "$name" = last ] && continue
    peers_sink_stop "$name"
  done
  rm -f "$PEERS_STATE"/*.log 2>/dev/null
  rmdir "$PEERS_STATE" 2>/dev/null || true
}

# ---------------------------------------------------------------------------------------
# TLS peers (maillab check over TLS): a test certificate, and Dovecot with ssl = yes

peers_test_certificate() {  # DIR NAME: DIR/ca.pem, DIR/NAME.pem and DIR/NAME.key (ECDSA
  local dir=$1 name=$2            # P-256, a CA of its own; the leaf for NAME and localhost)
  mkdir -p "$dir" || return 1
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj "/CN=peers test CA" -keyout "$dir/ca.key" -out "$dir/ca.pem" >/dev/null 2>&1 &&
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$name" \
      -keyout "$dir/$name.key" -out "$dir/$name.csr" >/dev/null 2>&1 &&
    openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial \
      -days 2 -extfile <(printf 'subjectAltName=DNS:%s,DNS:localhost\nextendedKeyUsage=serverAuth\n' "$name") \
      -out "$dir/$name.pem" >/dev/null 2>&1 ||
    { _peers_say "openssl could not make the test certificate in $dir"; return 1; }
  chmod 644 "$dir/$name.pem" "$dir/ca.pem"
  chmod 600 "$dir/$name.key"
}

# peers_dovecot_tls_start PORT DIR IMAP_PORT POP3S_PORT IMAPS_PORT CERT KEY [AUTH_PORT]: as
# peers_dovecot_start, then again with ssl = yes: STARTTLS/STLS on the plain ports, pop3s and
# imaps; with AUTH_PORT also Dovecot's SASL service on 127.0.0.1:AUTH_PORT, for a Postfix
# with smtpd_sasl_type = dovecot and smtpd_sasl_path = inet:127.0.0.1:AUTH_PORT.
peers_dovecot_tls_start() {
  [ $# -eq 7 ] || [ $# -eq 8 ] ||
    { _peers_say "usage: peers_dovecot_tls_start PORT DIR IMAP_PORT POP3S_PORT IMAPS_PORT CERT KEY [AUTH_PORT]"; return 1; }
  local port=$1 dir imap_port=$3 pop3s=$4 imaps=$5 cert=$6 key=$7 auth=${8:-0}
  peers_dovecot_start "$port" "$2" "$imap_port" || return 1
  dir=$(cd "$2" && pwd -P) || return 1
  peers_dovecot_stop "$dir"
  # A stopped master may linger as a zombie where nothing reaps orphans (a container):
  # Dovecot would take its pid file for a running instance.
  _peers_sudo rm -f "$dir/dovecot/run/master.pid"
  _peers_port_free "$pop3s" "dovecot pop3s" || return 1
  _peers_port_free "$imaps" "dovecot imaps" || return 1
  _peers_sudo sed -i -e 's/^ssl = no$/ssl = yes/' \
    -e "0,/^    port = 0\$/s//    port = $pop3s/" -e "0,/^    port = 0\$/s//    port = $imaps/" "$dir/dovecot.conf"
  printf 'ssl_cert = <%s\nssl_key = <%s\nssl_min_protocol = TLSv1.2\n' "$cert" "$key" |
    _peers_sudo tee -a "$dir/dovecot.conf" >/dev/null
  if [ "$auth" != 0 ]; then
    _peers_port_free "$auth" "dovecot auth" || return 1
    printf 'service auth {\n  inet_listener sasl {\n    address = 127.0.0.1\n    port = %s\n  }\n}\n' "$auth" |
      _peers_sudo tee -a "$dir/dovecot.conf" >/dev/null
  fi
  _peers_record dovecot "$dir" "$dir"
  if ! _peers_sudo dovecot -c "$dir/dovecot.conf" >>"$dir/dovecot-start.err" 2>&1; then
    _peers_say "dovecot with TLS on port $port did not start:"
    _peers_tail "$dir/dovecot-start.err"
    _peers_tail "$dir/dovecot.log"
    return 1
  fi
  local p
  for p in "$port" "$imap_port" "$pop3s" "$imaps" "$auth"; do
    [ "$p" = 0 ] && continue
    peers_wait_port "$p" "dovecot (TLS)" "$dir/dovecot.log" || return 1
  done
}

# peers_postfix_tls_start NAME PORT DIR CERT KEY: peers_postfix_start with STARTTLS offered
# (smtpd_tls_security_level = may) and the tlsmgr smtpd needs for it; PEERS_POSTFIX_EXTRA
# adds settings as for peers_postfix_start.
peers_postfix_tls_start() {
  [ $# -eq 5 ] || { _peers_say "usage: peers_postfix_tls_start NAME PORT DIR CERT KEY"; return 1; }
  local extra="smtpd_tls_security_level = may; smtpd_tls_cert_file = $4; smtpd_tls_key_file = $5"
  PEERS_POSTFIX_EXTRA="${PEERS_POSTFIX_EXTRA:+$PEERS_POSTFIX_EXTRA; }$extra" \
    peers_postfix_start "$1" "$2" "$3" || return 1
  local dir
  dir=$(cd "$3" && pwd -P) || return 1
  _peers_sudo postconf -c "$dir/etc" -M "tlsmgr/unix=tlsmgr unix - - n 1000? 1 tlsmgr" &&
    _peers_sudo postfix -c "$dir/etc" reload >>"$dir/postfix-start.err" 2>&1 ||
    { _peers_say "postfix instance $1: could not add tlsmgr"; _peers_tail "$dir/postfix-start.err"; return 1; }
  peers_wait_log "$dir/postfix.log" "reload -- version" "postfix instance $1 reloading with tlsmgr"
}
