#!/usr/bin/env bash
# Installs what maillab needs to build and test, from Debian 12's packages.
# Safe to run again: it installs only what is missing.
set -euo pipefail
packages=(cmake ninja-build g++ pkg-config libboost-dev libboost-graph-dev libyaml-cpp-dev
          catch2 libcli11-dev nlohmann-json3-dev python3
          libssl-dev  # OpenSSL 3: TLS (protocols/tls) and DKIM signatures (protocols/auth)
          libimgui-dev libsdl2-dev libstb-dev libpcap-dev
          fonts-dejavu-core  # the visualiser's font (Unicode marks); falls back to ImGui's own
          curl swaks  # real clients for the bridge's conformance tests (small)
          jq  # tests/scripts/trace_utf8_test.sh: the trace as jq reads it
          strace  # tests/scripts/serve_group_commit_test.sh: the 250 follows the sync
          python3-pytest nodejs  # tests/scripts/ci_snippets_test.sh runs docs/ci.md's examples
          openmpi-bin libopenmpi-dev)  # `mpirun -np N maillab chaos` (tools/mpi_sweep.hpp)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO=sudo
  log=$(mktemp)
  echo "setup: installing ${missing[*]}"
  if ! { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
         --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
    cat "$log"
    exit 1
  fi
  rm -f "$log"
fi
