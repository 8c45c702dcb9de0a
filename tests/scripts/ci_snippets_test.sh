#!/usr/bin/env bash
# docs/ci.md's examples run as written (issue 21 item 5): the ```python block with pytest and
# the ```js block with `node --test`, each starting `maillab serve --http` itself, sending
# through the lab's submission port while the MX is down, and expecting the message after
# it is back. A missing runtime (no pytest, no node) fails the test: tools/setup.sh
# installs both.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export MAILLAB=${MAILLAB:-$ROOT/build/tools/maillab}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/maillab-ci.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# The first fenced block of a language, as the page shows it.
block() {
  awk -v lang="$1" '$0 == "```" lang {on = 1; next} on && $0 == "```" {exit} on {print}' "$ROOT/docs/ci.md"
}
block python >"$WORK/test_lab.py"
block js >"$WORK/lab.test.mjs"
[ -s "$WORK/test_lab.py" ] && [ -s "$WORK/lab.test.mjs" ] || { echo "FAIL: docs/ci.md lost an example"; exit 1; }

PY=""
for p in python3 /usr/bin/python3; do
  if "$p" -c 'import pytest' 2>/dev/null; then PY=$p; break; fi
done
[ -n "$PY" ] || { echo "FAIL: no python3 with pytest (tools/setup.sh installs python3-pytest)"; exit 1; }
(cd "$WORK" && "$PY" -m pytest -q -p no:cacheprovider test_lab.py) || { echo "FAIL: the pytest example"; exit 1; }

command -v node >/dev/null || { echo "FAIL: no node (tools/setup.sh installs nodejs)"; exit 1; }
(cd "$WORK" && node --test lab.test.mjs) >"$WORK/node.out" 2>&1 || { cat "$WORK/node.out"; echo "FAIL: the Node example"; exit 1; }
grep -q '^# pass 1' "$WORK/node.out" || { cat "$WORK/node.out"; echo "FAIL: the Node example passed nothing"; exit 1; }
echo "PASS"
