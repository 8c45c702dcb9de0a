#!/usr/bin/env bash
# `run --junit` writes well-formed XML whatever the results hold (issue 15 item 9): a
# scenario whose subject carries bytes that are not UTF-8 (F5, FF, FE), a C0 control and
# a terminal escape, with a failing check that quotes it. Python's XML parser (expat:
# strict UTF-8, no control characters) must read the report; the failure must be there
# with its message, and the run must exit 1 (a check failed).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
MAILLAB=${MAILLAB:-$ROOT/build/tools/maillab}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/junit-xml.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

python3 - "$WORK/lab.yaml" <<'PY'
import sys
text = b'''scenario: junit-bytes
title: Bytes that are not UTF-8 in a JUnit report
seed: 1
duration: 10m
hosts:
  ns.example:
    address: 192.0.2.53
    dns:
      zones:
        - |
          $ORIGIN b.example.
          $TTL 3600
          @   IN SOA ns.example. hostmaster.b.example. 1 3600 600 604800 300
          @   IN NS  ns.example.
          @   IN MX  10 mx.b.example.
          mx  IN A   192.0.2.20
  mx.b.example:
    address: 192.0.2.20
    resolver: 192.0.2.53
    mta:
      domains: [b.example]
      submission: true
    users:
      bob: {password: builder}
  pc.bob:
    address: 198.51.100.7
    resolver: 192.0.2.53
events:
  - at: 1s
    send:
      from: bob@b.example
      to: [bob@b.example]
      subject: "Hello \\x1b[31mBob \\x01 \xf5\x80\x80 \xff"
      body: hi
      client: pc.bob
      server: mx.b.example
expect:
  - delivered: {to: bob@b.example, subject: "Not \xfe this", host: mx.b.example}
  - queue_empty: all
'''
open(sys.argv[1], "wb").write(text)
PY

rc=0
"$MAILLAB" run "$WORK/lab.yaml" --quiet --junit "$WORK/junit.xml" >"$WORK/out.txt" 2>&1 || rc=$?
[ "$rc" -eq 1 ] || { cat "$WORK/out.txt"; fail "expected exit 1 (one check fails), got $rc"; }

python3 - "$WORK/junit.xml" <<'PY' || fail "the JUnit report is not well-formed XML or lacks the failure"
import sys
import xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()  # raises on malformed XML
assert root.tag == "testsuite" and root.get("tests") == "2" and root.get("failures") == "1", root.attrib
cases = root.findall("testcase")
failed = [c for c in cases if c.find("failure") is not None]
assert len(cases) == 2 and len(failed) == 1, [c.attrib for c in cases]
name = failed[0].get("name")
assert name.startswith("delivered") and "Not \ufffd this" in name, name
assert "delivered" in failed[0].find("failure").get("message"), failed[0].find("failure").attrib
print("junit: well-formed, 2 cases, 1 failure:", name)
PY
