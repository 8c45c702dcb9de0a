#!/usr/bin/env bash
# bench/run.sh: reruns maillab's whole performance table (shared/bench/README.md) on this
# machine, each row against its reference measured in the same run, and prints it as
# markdown rows (also written to bench/results.md).
#
#   bench/run.sh [BUILD_DIR] [--quick] [--maildir-messages N] [--out FILE] [--rows LIST]
#
# BUILD_DIR (default: build) is configured and built (Release) when it has no maillab
# binary. --quick: a smoke pass with tiny sizes (figures meaningless, every row runs).
# --rows LIST: only these rows, comma-separated names: kernel, mail, tls-mail, auth-mail, hosts, queue,
# sink, tls-sink, maildir, imap, http (default: all), e.g. `bench/run.sh --rows tls-sink`;
# the table is then only printed (bench/results.md keeps the whole one) unless --out is given.
#
# Rows: the kernel hold model against ns-3's scheduler (ns3_hold, built here from
# shared/bench/ns3_hold.cc; libns3-dev installed when missing and we are root), the
# simulated mail benchmark and the idle-host footprint against their targets, the bridge
# as an SMTP sink against Postfix's smtp-sink, and the bridge delivering into a real
# Maildir (synced before the 250: group commit) against a real Postfix (tools/peers.sh) delivering into virtual
# Maildirs. Medians of 3 interleaved runs for the kernel rows, 3 runs for the mail row and 5 for
# the sink row (the two sides pinned to separate CPUs), one run for the others. The machine is shared: quote ratios, not absolute figures, and note the load
# (printed under the table).
# Added with 1.1 (shared/bench/README.md section 4): `bench mail --tls` against the same
# run in clear; the lab's IMAP server against Dovecot (dovecot-imapd) under one load
# generator (bench/imap_load.cpp); the HTTP API against nginx serving the same bytes, driven
# by wrk. Medians of 3 interleaved runs each; the peers come from tools/peers.sh.
# The bridge as an SMTP sink behind STARTTLS against Postfix's smtpd with TLS, under one
# load generator (bench/smtp_tls_load.cpp, a CMake target); SINK_RUNS interleaved runs.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SHARED=${MAILLAB_SHARED:-$ROOT/../shared}
BUILD=build
QUICK=0
MAILDIR_MSGS=""
OUT=$ROOT/bench/results.md
ROWS_WANTED=all
OUT_GIVEN=0
while [ $# -gt 0 ]; do
  case $1 in
    --quick) QUICK=1 ;;
    --maildir-messages) MAILDIR_MSGS=${2:?--maildir-messages needs a number}; shift ;;
    --out) OUT=${2:?--out needs a file}; OUT_GIVEN=1; shift ;;
    --rows) ROWS_WANTED=${2:?--rows needs a list}; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 0 ;;
    -*) echo "bench/run.sh: unknown option $1" >&2; exit 2 ;;
    *) BUILD=$1 ;;
  esac
  shift
done
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
if [ "$ROWS_WANTED" != all ] && [ $OUT_GIVEN -eq 0 ]; then OUT=/dev/null; fi
want() { [ "$ROWS_WANTED" = all ] || case ",$ROWS_WANTED," in *",$1,"*) true ;; *) false ;; esac; }

if [ $QUICK -eq 1 ]; then
  K_EVENTS=200000; K_P1=10000; K_P2=100000
  MAIL_ARGS="--domains 20 --users 3 --messages 2000"; DAY_RATE=1000; HOSTS=20000
  QUEUE_ARGS="--domains 20 --users 3 --outage"; QUEUE_M=2000
  SINK_MSGS=500; MAILDIR_MSGS=${MAILDIR_MSGS:-200}; RUNS=1; SINK_RUNS=1
  IMAP_MESSAGES=100; IMAP_SECONDS=1; HTTP_SECONDS=1
  TLS_MAIL_ARGS="--domains 10 --users 3 --messages 500"
else
  K_EVENTS=10000000; K_P1=100000; K_P2=1000000
  # DAY_RATE: 1,000,000 messages over 86,400 simulated seconds is 11.6/s.
  MAIL_ARGS="--domains 1000 --users 10 --messages 1000000"; DAY_RATE=12; HOSTS=1000000
  QUEUE_ARGS="--domains 1000 --users 10 --outage"; QUEUE_M=100000
  SINK_MSGS=50000; MAILDIR_MSGS=${MAILDIR_MSGS:-50000}; RUNS=3; SINK_RUNS=5
  IMAP_MESSAGES=1000; IMAP_SECONDS=10; HTTP_SECONDS=10
  TLS_MAIL_ARGS="--domains 1000 --users 10 --messages 10000"
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/maillab-bench.XXXXXX")
export PEERS_STATE=$WORK/peers
SERVE_PID=""
cleanup() {
  if [ -n "$SERVE_PID" ]; then kill "$SERVE_PID" 2>/dev/null || true; wait "$SERVE_PID" 2>/dev/null || true; fi
  if declare -F peers_stop_all >/dev/null; then peers_stop_all || true; fi
  rm -rf "$WORK"
  if [ -n "${TLS_SPOOL:-}" ]; then rm -rf "$TLS_SPOOL"; fi
}
trap cleanup EXIT

say() { echo "bench: $*" >&2; }
is_root() { [ "$(id -u)" -eq 0 ]; }

# ---- tools ----------------------------------------------------------------------------

MAILLAB=$BUILD/tools/maillab
if [ ! -x "$MAILLAB" ]; then
  say "building maillab (Release) in $BUILD"
  launcher=()
  command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  gen=()
  command -v ninja >/dev/null && gen=(-G Ninja)
  cmake -S "$ROOT" -B "$BUILD" "${gen[@]}" -DCMAKE_BUILD_TYPE=Release "${launcher[@]}" >&2
  cmake --build "$BUILD" -j"$(nproc)" --target maillab >&2
fi

apt_install() {  # PACKAGE...: only as root, non-interactively
  is_root || return 1
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 -y -qq install "$@" >&2 ||
    { DEBIAN_FRONTEND=noninteractive apt-get -qq update >&2 &&
      DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 -y -qq install "$@" >&2; }
}

NS3=$WORK/ns3_hold
if [ -r "$SHARED/bench/ns3_hold.cc" ]; then
  [ -e /usr/include/ns3/core-module.h ] || apt_install libns3-dev || say "libns3-dev missing"
  g++ -O2 -std=c++17 "$SHARED/bench/ns3_hold.cc" -o "$NS3" -lns3-core 2>"$WORK/ns3.err" ||
    { say "ns3_hold did not build: $(tail -n 3 "$WORK/ns3.err")"; NS3=""; }
else
  say "no $SHARED/bench/ns3_hold.cc: kernel rows without a reference"; NS3=""
fi

# shellcheck source=../tools/peers.sh
source "$ROOT/tools/peers.sh"
if ! command -v smtp-source >/dev/null && [ ! -x /usr/sbin/smtp-source ]; then
  is_root && peers_install >&2 || true
fi
PATH=$PATH:/usr/sbin
HAVE_SOURCE=0
command -v smtp-source >/dev/null && command -v smtp-sink >/dev/null && HAVE_SOURCE=1

# ---- helpers --------------------------------------------------------------------------

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {if (NR) print a[int((NR+1)/2)]}'; }
lastkey() {  # KEY: the value of KEY=... in the last line of stdin
  tail -n 1 | tr ' ' '\n' | sed -n "s/^$1=//p" | head -n 1
}
now_ns() { date +%s%N; }
rate() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN {printf "%.0f", n / ((b - a) / 1e9)}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (a == "" || b == "" || b + 0 == 0) print "n/a"; else printf "%.2f", a / b}'; }
fmt() { awk -v x="$1" 'BEGIN {if (x == "") print "n/a"; else if (x >= 1e6) printf "%.2f M", x / 1e6; else if (x >= 1e4) printf "%.1f k", x / 1e3; else printf "%.0f", x}'; }
met() { awk -v r="$1" -v op="$2" -v t="$3" 'BEGIN {if (r == "n/a") print "n/a"; else if ((op == ">=" && r + 0 >= t) || (op == "<=" && r + 0 <= t)) print "yes"; else print "**no**"}'; }

ROWS=()
row() { ROWS+=("| $1 | $2 | $3 | $4 | $5 | $6 | \`$7\` |"); }

# maillab serve SCENARIO [ARGS...] on a free port: sets SERVE_PID and SERVE_PORT. The
# service exposed is $SERVE_AT (HOST:SERVICE, default mx.sink.test:smtp).
serve_start() {
  local scenario=$1 at=${SERVE_AT:-mx.sink.test:smtp}; shift
  : >"$WORK/serve.err"
  "$MAILLAB" serve "$scenario" --quiet "$@" --listen "$at=127.0.0.1:0" \
    2>"$WORK/serve.err" >/dev/null &
  SERVE_PID=$!
  SERVE_PORT=""
  local i
  for i in $(seq 1 300); do
    SERVE_PORT=$(sed -n "s/^listening: ${at%%:*} ${at#*:} on 127\\.0\\.0\\.1:\\([0-9]*\\)\$/\\1/p" "$WORK/serve.err")
    [ -n "$SERVE_PORT" ] && return 0
    kill -0 "$SERVE_PID" 2>/dev/null || break
    sleep 0.1
  done
  say "maillab serve did not start: $(tail -n 3 "$WORK/serve.err")"
  return 1
}
serve_stop() {
  [ -n "$SERVE_PID" ] || return 0
  kill "$SERVE_PID" 2>/dev/null || true
  wait "$SERVE_PID" 2>/dev/null || true
  SERVE_PID=""
}
wait_files() {  # DIR COUNT TIMEOUT_S: until DIR holds COUNT files; prints the time (ns)
  local dir=$1 want=$2 deadline=$((SECONDS + $3)) n=0
  while [ $SECONDS -lt $deadline ]; do
    n=$(find "$dir" -maxdepth 1 -type f 2>/dev/null | wc -l)
    [ "$n" -ge "$want" ] && { now_ns; return 0; }
    sleep 0.05
  done
  say "$dir holds $n of $want files after $3 s"
  return 1
}

# ---- kernel: hold model ---------------------------------------------------------------

kernel_row() {  # PENDING [heap]
  local p=$1 sched=${2:-} m=() r=() i
  for i in $(seq 1 $RUNS); do
    m+=("$("$MAILLAB" bench kernel --pending "$p" --events "$K_EVENTS" | lastkey events_per_s)")
    [ -n "$NS3" ] && r+=("$("$NS3" "$p" "$K_EVENTS" $sched | lastkey events_per_s)")
  done
  local mm rr
  mm=$(echo "${m[*]}" | median)
  rr=$( [ ${#r[@]} -gt 0 ] && echo "${r[*]}" | median || echo "")
  local q; q=$(ratio "$mm" "$rr")
  row "kernel hold model, P=$p, events/s" "$(fmt "$mm")" "$(fmt "$rr") (ns-3 ${sched:-map})" \
      "${q}x" ">= 5x" "$(met "$q" ">=" 5)" "maillab bench kernel --pending $p --events $K_EVENTS"
  eval "KERNEL_$p=$mm"
}
if want kernel; then
say "kernel rows"
kernel_row "$K_P1"
kernel_row "$K_P2" heap
k1=$(eval echo "\$KERNEL_$K_P1"); k2=$(eval echo "\$KERNEL_$K_P2")
q=$(ratio "$k1" "$k2")
row "kernel slow-down P=$K_P1 -> P=$K_P2" "${q}x" "-" "${q}x" "<= 2x" "$(met "$q" "<=" 2)" \
    "the two rows above"
fi

# ---- simulated mail and idle hosts ----------------------------------------------------

# The same workload twice: at the default rate (100,000 submissions per simulated second,
# some 2,500 messages in flight at once, so the working set misses the caches) and at
# the rate of the issue's "simulated day" (M messages over 86,400 simulated seconds: a
# few in flight). Same events and instructions per message; only the concurrency differs.
mail_row() {  # label, extra args
  say "mail row (bench mail $MAIL_ARGS $2, median of $RUNS)"
  # Median of RUNS: the same binary's wall time at this size varied 1.7x between runs
  # minutes apart on this VM (docs/performance.md), so one run is not a figure.
  local m=() v d q i
  for i in $(seq 1 "$RUNS"); do
    # shellcheck disable=SC2086
    v=$("$MAILLAB" bench mail $MAIL_ARGS $2 | lastkey delivered_per_s) || v=""
    [ -n "$v" ] && m+=("$v")
  done
  d=$([ ${#m[@]} -gt 0 ] && echo "${m[*]}" | median || echo "")
  q=$(ratio "$d" 100000)
  row "$1" "$(fmt "$d")" "target 100 k" "${q}x" ">= 1x" "$(met "$q" ">=" 1)" \
      "maillab bench mail $MAIL_ARGS${2:+ $2}"
}
want mail && mail_row "simulated mail, delivered/s" ""
want mail && mail_row "simulated mail, few in flight (--rate $DAY_RATE; 12/s: a simulated day at full size), delivered/s" "--rate $DAY_RATE"

# TLS on every hop against the same run in clear (README section 4): the cost per message
# (1 / delivered_per_s) with --tls over the cost without, the median of RUNS interleaved
# pairs. A smaller M than the mail rows: a TLS run at full size would take most of an hour.
# Sender authentication on every hop (issue 22 item 7) the same way, with --auth: no
# target, reported beside the plain run.
paired_mail_row() {  # flag, label, target, op, value (op and value empty: no target)
  say "mail row $1 (bench mail $TLS_MAIL_ARGS [$1], $RUNS interleaved pairs)"
  local p=() f=() v i pp ff q ok="-"
  for i in $(seq 1 "$RUNS"); do
    # shellcheck disable=SC2086
    v=$("$MAILLAB" bench mail $TLS_MAIL_ARGS | lastkey delivered_per_s) && [ -n "$v" ] && p+=("$v")
    # shellcheck disable=SC2086
    v=$("$MAILLAB" bench mail $TLS_MAIL_ARGS "$1" | lastkey delivered_per_s) && [ -n "$v" ] && f+=("$v")
  done
  pp=$([ ${#p[@]} -gt 0 ] && echo "${p[*]}" | median || echo "")
  ff=$([ ${#f[@]} -gt 0 ] && echo "${f[*]}" | median || echo "")
  q=$(ratio "$pp" "$ff")
  [ -n "$4" ] && ok=$(met "$q" "$4" "$5")
  row "$2" "$(fmt "$ff")" "$(fmt "$pp") (same run without $1)" "${q}x" "$3" "$ok" \
      "maillab bench mail $TLS_MAIL_ARGS $1 (and without)"
}
if want tls-mail; then
  paired_mail_row --tls "simulated mail, TLS on every hop: cost per message against plaintext (delivered/s)" \
      "<= 2x" "<=" 2
fi
if want auth-mail; then
  paired_mail_row --auth "simulated mail, SPF/DKIM/DMARC on every hop: cost per message against plaintext (delivered/s)" \
      "report" "" ""
fi

if want hosts; then
say "hosts row"
b=$("$MAILLAB" bench hosts --hosts "$HOSTS" | lastkey bytes_per_host) || b=""
q=$(ratio "$b" 2048)
row "idle MTA host, bytes" "$b" "target 2048" "${q}x" "<= 1x" "$(met "$q" "<=" 1)" \
    "maillab bench hosts --hosts $HOSTS"
fi

if want queue; then
say "queued-memory row (bench mail $QUEUE_ARGS, M/2 and M = $QUEUE_M)"
# Memory that grows linearly with the queue: the bytes one more queued message costs
# between M/2 and M queued (marginal) against the average at M.
queued_bytes() {  # MESSAGES -> heap held in bytes
  local line
  # shellcheck disable=SC2086
  line=$("$MAILLAB" bench mail $QUEUE_ARGS --messages "$1" | tail -n 1) || return 1
  awk -v l="$line" 'BEGIN { n = split(l, f, " "); for (i = 1; i <= n; i++) { split(f[i], kv, "=");
    v[kv[1]] = kv[2] } if (v["queued"] == 0) exit 1; print v["queued"] * v["bytes_per_queued_message"] }'
}
h1=$(queued_bytes $((QUEUE_M / 2))) || h1=""
h2=$(queued_bytes "$QUEUE_M") || h2=""
if [ -n "$h1" ] && [ -n "$h2" ]; then
  marginal=$(( (h2 - h1) / (QUEUE_M - QUEUE_M / 2) )); average=$(( h2 / QUEUE_M ))
else
  marginal=""; average=""
fi
q=$(ratio "$marginal" "$average")
row "memory per queued message, bytes (marginal, M/2 -> M = $QUEUE_M queued)" "$marginal" \
    "$average (average at M)" "${q}x" "<= 1.1x (linear)" "$(met "$q" "<=" 1.1)" \
    "maillab bench mail $QUEUE_ARGS --messages $QUEUE_M (and M/2)"
fi

# ---- bridge: SMTP sink ----------------------------------------------------------------

SRC=(smtp-source -s 20 -l 1000)
# Both servers get the same treatment: with two or more CPUs, smtp-source runs on CPU 0
# and the server (every thread of it) on CPU 1, so the scheduler moving them about adds
# no noise of its own. smtp-source is the bottleneck on both sides (it uses about one
# CPU; the servers less), so the ratio is small either way: 5 interleaved runs.
PIN_SRC=(); pin_server() { :; }
if [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then
  PIN_SRC=(taskset -c 0)
  pin_server() { taskset -a -p -c 1 "$1" >/dev/null || true; }
fi
if ! want sink; then :
elif [ $HAVE_SOURCE -eq 1 ]; then
  say "sink rows ($SINK_MSGS messages, $SINK_RUNS interleaved runs)"
  m=(); r=()
  for i in $(seq 1 $SINK_RUNS); do
    port=$(peers_free_port)
    peers_sink_start "$port" >&2
    pin_server "$PEERS_SINK_PID"
    t0=$(now_ns); "${PIN_SRC[@]}" "${SRC[@]}" -m "$SINK_MSGS" "127.0.0.1:$port" >/dev/null; t1=$(now_ns)
    peers_sink_stop "$port" >&2
    r+=("$(rate "$SINK_MSGS" "$t0" "$t1")")
    serve_start "$ROOT/bench/sink.yaml"
    pin_server "$SERVE_PID"
    t0=$(now_ns)
    "${PIN_SRC[@]}" "${SRC[@]}" -m "$SINK_MSGS" -f a@src.test -t u@sink.test "127.0.0.1:$SERVE_PORT" >/dev/null
    t1=$(now_ns)
    serve_stop
    m+=("$(rate "$SINK_MSGS" "$t0" "$t1")")
  done
  mm=$(echo "${m[*]}" | median); rr=$(echo "${r[*]}" | median); q=$(ratio "$mm" "$rr")
  row "bridge SMTP sink, msg/s ($SINK_MSGS msgs, 20 sessions)" "$(fmt "$mm")" \
      "$(fmt "$rr") (smtp-sink)" "${q}x" ">= 1x" "$(met "$q" ">=" 1)" \
      "smtp-source -s 20 -l 1000 -m $SINK_MSGS -f a@src.test -t u@sink.test; maillab serve bench/sink.yaml"
else
  row "bridge SMTP sink" "skipped" "smtp-source/smtp-sink missing (postfix)" "n/a" ">= 1x" "n/a" "-"
fi

# ---- bridge: SMTP sink behind STARTTLS against Postfix's smtpd with TLS ---------------

# One load generator for both, on the lab's own client engines (bench/smtp_tls_load.cpp,
# built here as a CMake target): 20 sessions, each EHLO, STARTTLS, EHLO once, then
# MAIL/RCPT/DATA/RSET for message after message on the same TLS connection. smtp-sink has
# no TLS, so the reference is a real Postfix smtpd (smtpd_tls_security_level = may, an
# ECDSA P-256 test certificate made here with openssl: the key type of the lab CA's) whose
# virtual domain is delivered by discard(8). Both do the same work per message: TLS, SMTP,
# a queue file written and synced before the 250, then discarded (the bridge with
# `--mailboxes`: group commit, bridge/group_commit.hpp). Both spools live on one tmpfs
# (/dev/shm when there is one) so the shared machine's disk load, which decides a sync's
# latency there, decides neither side. Pinned as the sink rows; SINK_RUNS interleaved runs.
tls_sink_rows() {
  local loadgen=$BUILD/bench/smtp_tls_load spool m=() r=() i v port pdir mpid c mm rr q
  cmake --build "$BUILD" --target smtp_tls_load >&2 || { say "smtp_tls_load did not build"; return 1; }
  spool=$WORK
  if [ -d /dev/shm ] && [ -w /dev/shm ]; then spool=$(mktemp -d /dev/shm/maillab-bench.XXXXXX); TLS_SPOOL=$spool; fi
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=pf.test \
    -keyout "$spool/key.pem" -out "$spool/cert.pem" 2>/dev/null || { say "openssl req failed"; return 1; }
  chmod 644 "$spool/key.pem" "$spool/cert.pem"
  local have_postfix=0
  command -v postfix >/dev/null && is_root && have_postfix=1
  [ $have_postfix -eq 1 ] || say "no Postfix (or not root): STARTTLS sink row without a reference"
  for i in $(seq 1 $SINK_RUNS); do
    if [ $have_postfix -eq 1 ]; then
      port=$(peers_free_port); pdir=$spool/postfix.$i
      if PEERS_POSTFIX_EXTRA="smtpd_tls_security_level = may; smtpd_tls_cert_file = $spool/cert.pem; smtpd_tls_key_file = $spool/key.pem; virtual_transport = discard:" \
          peers_postfix_start tlsbench "$port" "$pdir" >&2; then
        mpid=$(tr -d ' \n' <"$pdir/spool/pid/master.pid")
        pin_server "$mpid"; for c in $(pgrep -P "$mpid"); do pin_server "$c"; done
        v=$("${PIN_SRC[@]}" "$loadgen" 127.0.0.1 "$port" --sessions 20 --messages "$SINK_MSGS" --to u@pf.test | tail -n 1) || v=""
        say "tls sink postfix: $v"; r+=("$(echo "$v" | lastkey messages_per_s)")
        peers_postfix_stop tlsbench >&2
      fi
      rm -rf "$pdir"
    fi
    serve_start "$ROOT/bench/sink_tls.yaml" --mailboxes "$spool/lab.$i" || return 1
    pin_server "$SERVE_PID"
    v=$("${PIN_SRC[@]}" "$loadgen" 127.0.0.1 "$SERVE_PORT" --sessions 20 --messages "$SINK_MSGS" | tail -n 1) || v=""
    serve_stop
    rm -rf "$spool/lab.$i"
    say "tls sink lab: $v"; m+=("$(echo "$v" | lastkey messages_per_s)")
  done
  if [ "$spool" != "$WORK" ]; then rm -rf "$spool"; fi
  mm=$(echo "${m[*]}" | median); rr=$([ ${#r[@]} -gt 0 ] && echo "${r[*]}" | median || echo "")
  q=$(ratio "$mm" "$rr")
  row "bridge SMTP sink behind STARTTLS, queue synced before 250, msg/s ($SINK_MSGS msgs, 20 TLS sessions reused)" \
      "$(fmt "$mm")" "$(fmt "$rr") (Postfix smtpd TLS, discard)" "${q}x" ">= 1x" "$(met "$q" ">=" 1)" \
      "smtp_tls_load 127.0.0.1 PORT --sessions 20 --messages $SINK_MSGS (bench/smtp_tls_load.cpp); maillab serve bench/sink_tls.yaml --mailboxes TMPFS"
}
if want tls-sink; then
  say "STARTTLS sink rows ($SINK_MSGS messages, $SINK_RUNS interleaved runs)"
  tls_sink_rows || row "bridge SMTP sink behind STARTTLS" "failed" "-" "n/a" ">= 1x" "n/a" "-"
fi

# ---- bridge: into a real Maildir, synced to the device before the 250 ------------------

if ! want maildir; then :
elif [ $HAVE_SOURCE -eq 1 ]; then
  say "maildir rows ($MAILDIR_MSGS messages, one run each)"
  limit=$((MAILDIR_MSGS / 10 + 120))
  serve_start "$ROOT/bench/maildir.yaml" --mailboxes "$WORK/lab-mail"
  t0=$(now_ns)
  "${SRC[@]}" -m "$MAILDIR_MSGS" -f a@src.test -t u@sink.test "127.0.0.1:$SERVE_PORT" >/dev/null
  t1=$(wait_files "$WORK/lab-mail/mx.sink.test/u/new" "$MAILDIR_MSGS" "$limit") || t1=""
  serve_stop
  mm=$([ -n "$t1" ] && rate "$MAILDIR_MSGS" "$t0" "$t1" || echo "")
  rm -rf "$WORK/lab-mail"
  rr=""
  if command -v postfix >/dev/null && is_root; then
    port=$(peers_free_port)
    if peers_postfix_start bench "$port" "$WORK/postfix" >&2; then
      t0=$(now_ns)
      "${SRC[@]}" -m "$MAILDIR_MSGS" -f a@src.test -t u@pf.test "127.0.0.1:$port" >/dev/null
      t1=$(wait_files "$WORK/postfix/mail/u/new" "$MAILDIR_MSGS" "$limit") || t1=""
      rr=$([ -n "$t1" ] && rate "$MAILDIR_MSGS" "$t0" "$t1" || echo "")
      peers_postfix_stop bench >&2
    fi
  else
    say "no Postfix (or not root): Maildir row without a reference"
  fi
  q=$(ratio "$mm" "$rr")
  row "bridge into Maildir, synced before 250, msg/s until all in new/ ($MAILDIR_MSGS msgs)" "$(fmt "$mm")" \
      "$(fmt "$rr") (Postfix virtual)" "${q}x" ">= 1x" "$(met "$q" ">=" 1)" \
      "maillab serve bench/maildir.yaml --mailboxes DIR; Postfix: tools/peers.sh peers_postfix_start"
else
  row "bridge into Maildir" "skipped" "smtp-source missing (postfix)" "n/a" ">= 1x" "n/a" "-"
fi

# ---- IMAP: the lab's server against Dovecot, one load generator ----------------------

# bench/imap_load.cpp (built here): IMAP_CLIENTS clients running sessions back to back
# (LOGIN, SELECT INBOX, FETCH 1:* (FLAGS ENVELOPE), 10 FETCH BODY.PEEK[], 10 STORE,
# LOGOUT) on a 1,000-message INBOX (bench/make_maildir.py: the same files on both sides);
# commands/s of the measured window after a warm-up. Generator on CPU 0, each server (every
# process and thread of it) on CPU 1, as for the sink rows; cpu_share (the generator's CPU
# over wall time) is printed so one sees it is not the limit.
IMAP_CLIENTS=10
imap_rows() {
  local gen=$WORK/imap_load secs=$IMAP_SECONDS m=() r=() share=() i v p1="" p2="" c
  g++ -O2 -std=c++20 "$ROOT/bench/imap_load.cpp" -o "$gen" 2>"$WORK/imap_load.err" ||
    { say "imap_load did not build: $(tail -n 3 "$WORK/imap_load.err")"; return 1; }
  python3 "$ROOT/bench/make_maildir.py" "$WORK/imap-lab/mx.imap.test/u" "$IMAP_MESSAGES"
  local have_dovecot=0
  if command -v dovecot >/dev/null && [ -x /usr/lib/dovecot/imap ] && is_root; then
    mkdir -p "$WORK/dovecot/mail"
    python3 "$ROOT/bench/make_maildir.py" "$WORK/dovecot/mail/u" "$IMAP_MESSAGES"
    chown -R "$PEERS_MAIL_USER" "$WORK/dovecot/mail"
    p1=$(peers_free_port); p2=$(peers_free_port)
    if peers_dovecot_start "$p1" "$WORK/dovecot" "$p2" >&2; then
      have_dovecot=1
      local mpid; mpid=$(tr -d ' \n' <"$WORK/dovecot/dovecot/run/master.pid")
      pin_server "$mpid"; for c in $(pgrep -P "$mpid"); do pin_server "$c"; done
    fi
  else
    say "no dovecot-imapd (or not root): IMAP row without a reference"
  fi
  SERVE_AT=mx.imap.test:imap serve_start "$ROOT/bench/imap.yaml" --mailboxes "$WORK/imap-lab" || return 1
  pin_server "$SERVE_PID"
  # Warm-up, untimed: Dovecot builds its index and cache on the first sessions.
  "$gen" 127.0.0.1 "$SERVE_PORT" --clients "$IMAP_CLIENTS" --seconds 1 --warmup 0 >/dev/null
  [ $have_dovecot -eq 1 ] && "$gen" 127.0.0.1 "$p2" --clients "$IMAP_CLIENTS" --seconds 2 --warmup 0 >/dev/null
  for i in $(seq 1 "$RUNS"); do
    v=$("${PIN_SRC[@]}" "$gen" 127.0.0.1 "$SERVE_PORT" --clients "$IMAP_CLIENTS" --seconds "$secs" | tail -n 1)
    say "imap lab: $v"; m+=("$(echo "$v" | lastkey commands_per_s)"); share+=("$(echo "$v" | lastkey cpu_share)")
    if [ $have_dovecot -eq 1 ]; then
      v=$("${PIN_SRC[@]}" "$gen" 127.0.0.1 "$p2" --clients "$IMAP_CLIENTS" --seconds "$secs" | tail -n 1)
      say "imap dovecot: $v"; r+=("$(echo "$v" | lastkey commands_per_s)")
    fi
  done
  serve_stop
  [ $have_dovecot -eq 1 ] && peers_dovecot_stop "$WORK/dovecot" >&2
  local mm rr q
  mm=$(echo "${m[*]}" | median); rr=$([ ${#r[@]} -gt 0 ] && echo "${r[*]}" | median || echo "")
  q=$(ratio "$mm" "$rr")
  row "IMAP sessions on a $IMAP_MESSAGES-message INBOX, commands/s ($IMAP_CLIENTS clients; generator CPU share $(echo "${share[*]}" | median))" \
      "$(fmt "$mm")" "$(fmt "$rr") (Dovecot imapd)" "${q}x" ">= 1x" "$(met "$q" ">=" 1)" \
      "imap_load 127.0.0.1 PORT --clients $IMAP_CLIENTS --seconds $secs (bench/imap_load.cpp); maillab serve bench/imap.yaml --mailboxes DIR"
}
want imap && say "IMAP row"
want imap && { imap_rows || row "IMAP sessions" "failed" "-" "n/a" ">= 1x" "n/a" "-"; }

# ---- HTTP API: the lab's console API against nginx serving the same bytes --------------

# GET /api/v1/messages (the JSON list of the same messages) and GET
# /api/v1/messages/ID/raw (round robin over the ids, bench/raw_fetch.lua), wrk with one
# thread and 20 keep-alive connections; nginx (one worker, access log off) serves the
# bytes the lab answered as static files under the same URLs. Pinned as above.
wrk_rate() {  # URL [SCRIPT]: requests/s (empty if any answer was not 2xx or a socket failed)
  local out
  out=$(IDS=$WORK/ids "${PIN_SRC[@]}" wrk -t1 -c20 -d"${HTTP_SECONDS}s" ${2:+-s "$2"} "$1")
  if echo "$out" | grep -q -E "Non-2xx|Socket errors"; then say "wrk $1: $(echo "$out" | tail -n 4)"; return 0; fi
  echo "$out" | sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p'
}
http_rows() {
  command -v wrk >/dev/null || { say "no wrk: HTTP rows skipped"; return 1; }
  # The IMAP row's INBOX; made here when that row did not run (--rows http). nginx's
  # worker (user nobody) must reach the files under $WORK (mktemp -d makes it 0700).
  [ -d "$WORK/imap-lab/mx.imap.test/u" ] ||
    python3 "$ROOT/bench/make_maildir.py" "$WORK/imap-lab/mx.imap.test/u" "$IMAP_MESSAGES"
  chmod 755 "$WORK"
  SERVE_AT=mx.imap.test:imap serve_start "$ROOT/bench/imap.yaml" --mailboxes "$WORK/imap-lab" \
    --http 127.0.0.1:0 || return 1
  pin_server "$SERVE_PID"
  local lab n=$WORK/nginx np have_nginx=0 id nginx_pid="" c
  lab=$(sed -n 's/^listening: http api on \(.*\)$/\1/p' "$WORK/serve.err")
  mkdir -p "$n/root/api/v1/messages" "$n/tmp" "$n/logs"
  curl -sf "http://$lab/api/v1/messages" >"$n/root/messages.json" || { say "GET /api/v1/messages failed"; return 1; }
  python3 -c 'import json, sys; print("\n".join(m["id"] for m in json.load(open(sys.argv[1]))))' \
    "$n/root/messages.json" >"$WORK/ids"
  while read -r id; do
    mkdir -p "$n/root/api/v1/messages/$id"
    curl -sf "http://$lab/api/v1/messages/$id/raw" >"$n/root/api/v1/messages/$id/raw"
  done <"$WORK/ids"
  np=$(peers_free_port)
  sed -e "s|@DIR@|$n|g" -e "s|@PORT@|$np|g" >"$n/nginx.conf" <<'CONF'
worker_processes 1;
pid @DIR@/nginx.pid;
error_log @DIR@/logs/error.log;
daemon off;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  client_body_temp_path @DIR@/tmp;
  proxy_temp_path @DIR@/tmp;
  fastcgi_temp_path @DIR@/tmp;
  uwsgi_temp_path @DIR@/tmp;
  scgi_temp_path @DIR@/tmp;
  server {
    listen 127.0.0.1:@PORT@;
    root @DIR@/root;
    location = /api/v1/messages { default_type application/json; try_files /messages.json =404; }
    location /api/v1/messages/ { default_type message/rfc822; }
  }
}
CONF
  if [ -x /usr/sbin/nginx ]; then
    /usr/sbin/nginx -c "$n/nginx.conf" -p "$n" 2>"$n/logs/start.err" &
    nginx_pid=$!
    if peers_wait_port "$np" nginx "$n/logs/error.log" "$nginx_pid" >&2; then
      have_nginx=1
      pin_server "$nginx_pid"; for c in $(pgrep -P "$nginx_pid"); do pin_server "$c"; done
      cmp -s <(curl -s "http://127.0.0.1:$np/api/v1/messages") "$n/root/messages.json" ||
        say "nginx does not serve the same list bytes"
    fi
  else
    say "no nginx: HTTP rows without a reference"
  fi
  local kind url script m r mm rr q i
  for kind in list raw; do
    m=(); r=()
    if [ $kind = list ]; then url=/api/v1/messages; script=""; else url=""; script=$ROOT/bench/raw_fetch.lua; fi
    for i in $(seq 1 "$RUNS"); do
      m+=("$(wrk_rate "http://$lab$url" "$script")")
      [ $have_nginx -eq 1 ] && r+=("$(wrk_rate "http://127.0.0.1:$np$url" "$script")")
    done
    mm=$(echo "${m[*]}" | median); rr=$([ ${#r[@]} -gt 0 ] && echo "${r[*]}" | median || echo "")
    q=$(ratio "$mm" "$rr")
    if [ $kind = list ]; then
      row "HTTP GET /api/v1/messages ($IMAP_MESSAGES messages, 20 keep-alive connections), requests/s" \
          "$(fmt "$mm")" "$(fmt "$rr") (nginx, static file)" "${q}x" ">= 0.5x" "$(met "$q" ">=" 0.5)" \
          "wrk -t1 -c20 -d${HTTP_SECONDS}s http://HOST/api/v1/messages; maillab serve bench/imap.yaml --mailboxes DIR --http ADDR"
    else
      row "HTTP GET /api/v1/messages/ID/raw (round robin over $IMAP_MESSAGES ids, 20 keep-alive connections), requests/s" \
          "$(fmt "$mm")" "$(fmt "$rr") (nginx, static files)" "${q}x" ">= 0.5x" "$(met "$q" ">=" 0.5)" \
          "IDS=FILE wrk -t1 -c20 -d${HTTP_SECONDS}s -s bench/raw_fetch.lua http://HOST"
    fi
  done
  serve_stop
  if [ -n "$nginx_pid" ]; then kill "$nginx_pid" 2>/dev/null || true; wait "$nginx_pid" 2>/dev/null || true; fi
}
want http && say "HTTP rows"
want http && { http_rows || row "HTTP API" "failed" "-" "n/a" ">= 0.5x" "n/a" "-"; }

# ---- the table ------------------------------------------------------------------------

{
  echo "| workload | maillab | reference | ratio | target | met? | command |"
  echo "|---|---|---|---|---|---|---|"
  printf '%s\n' "${ROWS[@]}"
  echo
  echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') on $(nproc) cores, load average" \
       "$(cut -d' ' -f1-3 /proc/loadavg) at the end$([ $QUICK -eq 1 ] && echo ' (--quick: tiny sizes, figures meaningless)')."
} | tee "$OUT"
