#!/usr/bin/env bash
# The layering of shared/DESIGN.md and docs/architecture.md, checked on the sources:
# - protocols/ (the sans-I/O engines and the services) include nothing of sim/, scenarios/,
#   viz/, bridge/ or tools/, no Asio (nor the parts of Beast built on it) and no socket,
#   thread or filesystem header: they reach the world through io::Runtime only;
# - sim/ includes nothing of mail (protocols/) nor of the layers above it;
# - base/ includes only base/.
# The build enforces the same per module (each library sees only its own headers and those
# of the libraries it links, CMakeLists.txt: ml_expose_headers); this test also guards the
# build itself: no CMakeLists.txt hands a target the project root as an include directory.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"

fail=0
# forbid FOLDER REGEX WHY: any #include line in FOLDER's sources matching REGEX is an error.
forbid() {
  local folder=$1 regex=$2 why=$3 hits
  hits=$(grep -rnE --include='*.cpp' --include='*.hpp' --include='*.h' \
           "^[[:space:]]*#[[:space:]]*include[[:space:]]*[<\"]($regex)" "$folder" || true)
  if [[ -n $hits ]]; then
    echo "FAIL: $folder must not include $why:"
    echo "$hits"
    fail=1
  fi
}

forbid protocols 'sim/|scenarios/|viz/|bridge/|tools/' 'the simulator or the layers above the engines'
forbid protocols 'boost/asio|asio\.hpp|asio/|boost/beast\.hpp|boost/beast/core\.hpp|boost/beast/(core/)?(tcp_stream|basic_stream|flat_stream|detect_ssl|ssl)|boost/beast/websocket' \
       'Asio (engines are sans-I/O: bytes in, bytes out)'
forbid protocols 'sys/socket\.h|netdb\.h|poll\.h|sys/epoll\.h|sys/select\.h|thread>|fstream>|filesystem>|unistd\.h|fcntl\.h' \
       'sockets, threads or the filesystem (the world is io::Runtime)'
forbid sim 'protocols/|scenarios/|viz/|bridge/|tools/' 'anything of mail or the layers above the simulator'
forbid base 'sim/|protocols/|scenarios/|viz/|bridge/|tools/' 'any layer (base/ is beneath them all)'

# The build's half: no target gets the project root (which would let it include anything).
roots=$(grep -rnE --include=CMakeLists.txt 'include_directories\([^)]*(PROJECT_SOURCE_DIR|CMAKE_SOURCE_DIR)' . \
          | grep -v '^\./build' || true)
if [[ -n $roots ]]; then
  echo "FAIL: a target sees the whole project root; use ml_expose_headers:"
  echo "$roots"
  fail=1
fi

# The checks above must be able to fail: a forbidden line is caught.
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
mkdir -p "$probe/protocols/x"
printf '#include "sim/simulator.hpp"\n#include <boost/asio/io_context.hpp>\n' >"$probe/protocols/x/y.cpp"
if ! (cd "$probe" && forbid protocols 'sim/' x | grep -q 'y.cpp:1' &&
      forbid protocols 'boost/asio' x | grep -q 'y.cpp:2'); then
  echo "FAIL: the include check does not see a forbidden include"
  fail=1
fi

if [[ $fail -ne 0 ]]; then exit 1; fi
echo "layering: protocols/, sim/ and base/ include only what they may"
