#!/usr/bin/env bash
# `run --junit FILE` for a scenario that does not load (issue 16 item 9): CI reads the
# JUnit file, so it must carry the error as a failed test case, not be missing. Both kinds
# of invalid scenario: a loader error and one found when the world is built (an MTA that
# must resolve without a resolver). The file is well-formed XML (Python's expat reads it).
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/serve_lib.sh"  # MAILLAB, WORK, fail

# run_junit SCENARIO EXPECTED-ERROR-LINE
run_junit() {
  rm -f "$WORK/j.xml"
  "$MAILLAB" run "$1" --quiet --junit "$WORK/j.xml" >"$WORK/out" 2>"$WORK/err"
  local rc=$?
  [ "$rc" -eq 2 ] || fail "$1: exit $rc, expected 2"
  grep -qF "$2" "$WORK/err" || fail "$1: stderr: $(cat "$WORK/err")"
  [ -f "$WORK/j.xml" ] || fail "$1: no JUnit file written"
  python3 - "$WORK/j.xml" "$2" <<'PY' || fail "$1: $(cat "$WORK/j.xml")"
import sys, xml.etree.ElementTree as ET
suite = ET.parse(sys.argv[1]).getroot()
assert suite.tag == "testsuite" and suite.get("tests") == "1" and suite.get("failures") == "1", suite.attrib
case = suite.find("testcase")
failure = case.find("failure")
assert failure is not None, "no failure element"
assert sys.argv[2] in failure.get("message") and sys.argv[2] in failure.text, failure.attrib
PY
}

cat >"$WORK/typo.yaml" <<'YAML'
scenario: typo
duration: 1h
hosts:
  mx.b.example:
    adress: 192.0.2.20
YAML
run_junit "$WORK/typo.yaml" "typo.yaml:5:5: error: unknown key \`adress\` in host \`mx.b.example\` (did you mean \`address\`?)"

cat >"$WORK/noresolver.yaml" <<'YAML'
scenario: no-resolver
duration: 1h
hosts:
  mail.a.example:
    address: 192.0.2.10
    mta: {domains: [a.example]}
events:
  - {at: 1s, send: {from: alice@a.example, to: bob@b.example, server: mail.a.example}}
YAML
run_junit "$WORK/noresolver.yaml" "noresolver.yaml:4:3: error: host \`mail.a.example\` has an \`mta\` that must look up b.example"
echo "ok"
