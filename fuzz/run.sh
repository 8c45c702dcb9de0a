#!/usr/bin/env bash
# fuzz/run.sh [SECONDS] [TARGET...]: builds the libFuzzer targets (clang, ASan + UBSan,
# -DMAILLAB_FUZZ=ON in build-fuzz/) and runs each for SECONDS (default 30) on a working
# copy of its seed corpus. Prints one line per target (target, runs, runs/s, result) and
# exits non-zero when any target crashed (or timed out, or ran out of memory).
#
#   fuzz/run.sh            every target, 30 s each (what .ci/run does)
#   fuzz/run.sh 600        the long run documented in docs/reliability.md
#   fuzz/run.sh 60 smtp_server_fuzz dns_decode_fuzz
#
# Layout: seeds in fuzz/corpus/<target>/ (committed), dictionaries in fuzz/dict/; the
# working corpus grows in build-fuzz/corpus/<target>/ (kept between runs, refreshed from the
# seeds), crashing inputs land in build-fuzz/artifacts/<target>/ (copy one to
# fuzz/regressions/<target>/ to have it replayed before every run), full logs in
# build-fuzz/logs/<target>.log. Environment: FUZZ_JOBS (build parallelism, default 2),
# FUZZ_BUILD_DIR (default build-fuzz), FUZZ_FRESH=1 starts from the seeds only,
# FUZZ_KEEP_GOING=1 keeps fuzzing after a crash (libFuzzer fork mode) and past known inputs.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${FUZZ_BUILD_DIR:-$ROOT/build-fuzz}"
JOBS="${FUZZ_JOBS:-2}"
ALL_TARGETS=(smtp_server_fuzz smtp_client_fuzz pop3_server_fuzz pop3_client_fuzz
             imap_server_fuzz imap_client_fuzz dns_decode_fuzz dns_authority_fuzz dns_zone_fuzz
             dns_lookup_fuzz message_fuzz scenario_loader_fuzz tls_server_fuzz spf_fuzz dkim_fuzz
             dmarc_fuzz header_safe_fuzz http_server_fuzz text_escape_fuzz)

SECONDS_EACH=30
if [[ $# -gt 0 && "$1" =~ ^[0-9]+$ ]]; then
  SECONDS_EACH="$1"
  shift
fi
TARGETS=("$@")
[[ ${#TARGETS[@]} -eq 0 ]] && TARGETS=("${ALL_TARGETS[@]}")
for t in "${TARGETS[@]}"; do
  if [[ ! " ${ALL_TARGETS[*]} " =~ " $t " ]]; then
    echo "run.sh: unknown target '$t' (targets: ${ALL_TARGETS[*]})" >&2
    exit 2
  fi
done

# Debian's clang and its libFuzzer runtime.
if ! command -v clang++ >/dev/null || ! dpkg -s libclang-rt-14-dev >/dev/null 2>&1; then
  echo "run.sh: installing clang and libclang-rt-14-dev" >&2
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clang libclang-rt-14-dev >/dev/null
fi

# Configure (once with a generator, then only refreshed) and build the fuzz targets only.
GEN=()
if [[ ! -f "$BUILD/CMakeCache.txt" ]] && command -v ninja >/dev/null; then GEN=(-G Ninja); fi
mkdir -p "$BUILD"
CC=clang CXX=clang++ cmake -S "$ROOT" -B "$BUILD" "${GEN[@]}" -DMAILLAB_FUZZ=ON >"$BUILD/configure.log" 2>&1 ||
  { cat "$BUILD/configure.log" >&2; exit 1; }
cmake --build "$BUILD" -j "$JOBS" --target "${TARGETS[@]}" >"$BUILD/build-fuzz.log" 2>&1 ||
  { tail -50 "$BUILD/build-fuzz.log" >&2; echo "run.sh: build failed ($BUILD/build-fuzz.log)" >&2; exit 1; }

export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:symbolize=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

mkdir -p "$BUILD/logs"
WHY='invariant violated: .*|runtime error: .*|ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer): [a-z -]+'
status=0
printf '%-22s %12s %10s  %s\n' target runs runs/s result
for t in "${TARGETS[@]}"; do
  corpus="$BUILD/corpus/$t"
  artifacts="$BUILD/artifacts/$t"
  log="$BUILD/logs/$t.log"
  [[ "${FUZZ_FRESH:-0}" == 1 ]] && rm -rf "$corpus"
  mkdir -p "$corpus" "$artifacts"
  cp -f "$ROOT/fuzz/corpus/$t"/* "$corpus/"
  dict=()
  [[ -f "$ROOT/fuzz/dict/$t.dict" ]] && dict=("-dict=$ROOT/fuzz/dict/$t.dict")
  before=$(find "$artifacts" -type f | wc -l)

  # Inputs that once crashed (fuzz/regressions/<target>/) are replayed first: a bug that is
  # still there fails at once, without a fuzzing run to rediscover it.
  regression=""
  if compgen -G "$ROOT/fuzz/regressions/$t/*" >/dev/null; then
    for f in "$ROOT/fuzz/regressions/$t"/*; do
      if ! "$BUILD/fuzz/$t" -timeout=10 -rss_limit_mb=2048 "$f" >"$log.replay" 2>&1; then
        regression="$f"
        break
      fi
    done
  fi
  if [[ -n "$regression" ]]; then
    status=1
    what=$(grep -m1 -oE "$WHY" "$log.replay" || true)
    known="CRASH on a known input: ${what:-see log}; input: $regression; log: $log.replay"
    if [[ "${FUZZ_KEEP_GOING:-0}" != 1 ]]; then
      printf '%-22s %12s %10s  %s\n' "$t" 0 - "$known"
      continue
    fi
  fi

  # FUZZ_KEEP_GOING=1: fork mode, the run goes on after a crash (to measure a target whose
  # known bug is not fixed yet, or to collect several distinct crashes at once).
  mode=()
  [[ "${FUZZ_KEEP_GOING:-0}" == 1 ]] && mode=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
  rc=0
  "$BUILD/fuzz/$t" "$corpus" "${dict[@]}" "${mode[@]}" -max_total_time="$SECONDS_EACH" -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$artifacts/" >"$log" 2>&1 || rc=$?

  runs=""
  speed=""
  if [[ ${#mode[@]} -eq 0 ]]; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  fi
  if [[ -z "$runs" ]]; then  # fork mode (the parent's "#N:" lines), or a crash before the stats
    runs=$(sed -n 's/^#\([0-9]*\).*/\1/p' "$log" | tail -1)
    [[ -n "$runs" && "$SECONDS_EACH" -gt 0 ]] && speed=$((runs / SECONDS_EACH))
  fi
  after=$(find "$artifacts" -type f | wc -l)
  if [[ $rc -eq 0 && $after -eq $before ]]; then
    result="ok"
    [[ -n "$regression" ]] && result="ok apart from the known input; $known"
  else
    status=1
    newest=$(ls -t "$artifacts" 2>/dev/null | head -1)
    # The reason, from a replay of the latest input (fork mode keeps the children's logs).
    "$BUILD/fuzz/$t" -timeout=10 -rss_limit_mb=2048 "$artifacts/$newest" >"$log.latest" 2>&1 || true
    what=$(grep -m1 -oE "$WHY" "$log.latest" || true)
    result="CRASH (exit $rc, $((after - before)) new inputs) ${what:-see log}; latest: $artifacts/${newest:-?}; log: $log"
  fi
  printf '%-22s %12s %10s  %s\n' "$t" "${runs:-?}" "${speed:-?}" "$result"
done
exit $status
