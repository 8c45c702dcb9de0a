#!/usr/bin/env bash
# A stranger's text never reaches the terminal raw (issue 15 item 7): a message whose
# Subject and Message-ID carry terminal escape sequences (OSC title change, screen clear,
# a C1 CSI, a right-to-left override) and a reply-ish CR goes through `maillab serve`;
# the live timeline on stdout holds no ESC, no C1 control and no CR, and shows the bytes
# escaped instead. `run` prints the same way.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/serve_lib.sh"

cat >"$WORK/lab.yaml" <<'YAML'
scenario: terminal
duration: 1d
hosts:
  mx.b.example:
    address: 192.0.2.20
    mta: {domains: [b.example]}
    users: {bob: {}}
YAML
serve_start "$WORK/lab.yaml" --listen mx.b.example:smtp=127.0.0.1:0
SMTP=$(serve_port mx.b.example smtp)
python3 - "$SMTP" <<'PY'
import smtplib, sys
msg = (b"Subject: \x1b]0;owned\x07\x1b[2J\xc2\x9b31mred \xe2\x80\xaegnp.exe\r\n"
       b"Message-ID: <\x1b[5mblink@x>\r\n\r\nbody\r\n")
with smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=10) as s:
    s.sendmail("carol@c.example", ["bob@b.example"], msg)
PY
for _ in $(seq 1 600); do
  grep -q "deliver" "$WORK/timeline" && break
  sleep 0.05
done
serve_stop
grep -q "deliver" "$WORK/timeline" || fail "no delivery on the timeline"
python3 - "$WORK/timeline" <<'PY' || fail "raw control bytes on the timeline"
import sys
data = open(sys.argv[1], "rb").read()
text = data.decode("utf-8")  # valid UTF-8
bad = [c for c in text if (ord(c) < 0x20 and c not in "\n\t") or 0x7f <= ord(c) <= 0x9f or 0x202a <= ord(c) <= 0x202e]
assert not bad, bad
assert "\\x1B]0;owned\\x07\\x1B[2J\\x9B31mred \\u{202E}gnp.exe" in text, text
assert "\\x1B[5mblink@x" in text, text
print("serve timeline ok")
PY
echo "serve_terminal_test: ok"
