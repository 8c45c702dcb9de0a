#!/usr/bin/env bash
# `mpirun -np N maillab chaos ...` (Open MPI): the seeds are split over N processes and rank 0
# prints one report, the same bytes as one process on threads; a planted bug (a queue that
# forgets its messages on a crash) is caught by the MPI sweep too, exit 1 with its replay line.
set -euo pipefail
: "${MAILLAB:?MAILLAB must point at the maillab binary}"
command -v mpirun >/dev/null || { echo "mpirun not found (tools/setup.sh installs openmpi-bin)"; exit 1; }
# Open MPI refuses root unless told (CI runs as root); --oversubscribe: more ranks than cores.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
# Containers often forbid the cross-memory-attach single copy (ptrace); ranks on one machine
# then copy through shared memory instead.
export OMPI_MCA_btl_vader_single_copy_mechanism=none
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$MAILLAB" chaos all --seeds 1-8 --jobs 2 >"$tmp/threads.txt"
mpirun -np 3 "$MAILLAB" chaos all --seeds 1-8 --jobs 1 >"$tmp/mpi.txt" 2>"$tmp/mpi.err"
grep -q "chaos: 3 MPI rank(s) x 1 thread(s)" "$tmp/mpi.err" ||
  { echo "FAIL: not run as 3 MPI ranks:"; cat "$tmp/mpi.err"; exit 1; }
diff -u "$tmp/threads.txt" "$tmp/mpi.txt" || { echo "FAIL: the MPI report differs"; exit 1; }
tail -n 2 "$tmp/mpi.txt"

rc=0
mpirun -np 2 "$MAILLAB" chaos mx-failover --seeds 1-40 --jobs 1 --plant forget-queue \
  >"$tmp/planted.txt" 2>"$tmp/planted.err" || rc=$?
[[ $rc -eq 1 ]] || { echo "FAIL: planted bug: exit $rc, expected 1"; cat "$tmp/planted.txt" "$tmp/planted.err"; exit 1; }
grep -q "VIOLATION lost" "$tmp/planted.txt" || { echo "FAIL: planted bug not reported as lost"; exit 1; }
grep -m1 "replay: maillab chaos mx-failover --seeds" "$tmp/planted.txt"
tail -n 1 "$tmp/planted.txt"
echo "ok: MPI sweep = thread sweep, planted bug caught over 2 ranks"
