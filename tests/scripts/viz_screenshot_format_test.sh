#!/usr/bin/env bash
# `viz --screenshot` writes what the file name says (issue 16 item 9): a PNG for .png, a
# JPEG for .jpg/.jpeg (any case); any other name is refused with exit 2 before anything is
# rendered, and nothing is written.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/serve_lib.sh"  # MAILLAB, WORK, fail

magic() { head -c "$2" "$1" | od -An -tx1 | tr -d ' \n'; }

for name in x.jpg y.JPEG; do
  "$MAILLAB" viz basic-delivery --screenshot "$WORK/$name" --at 1s --size 640x480 2>"$WORK/err" ||
    fail "$name: exit $?: $(cat "$WORK/err")"
  [ "$(magic "$WORK/$name" 3)" = ffd8ff ] || fail "$name is not a JPEG: $(magic "$WORK/$name" 8)"
done
"$MAILLAB" viz basic-delivery --screenshot "$WORK/z.png" --size 640x480 2>"$WORK/err" || fail "png: $(cat "$WORK/err")"
[ "$(magic "$WORK/z.png" 8)" = 89504e470d0a1a0a ] || fail "z.png is not a PNG"

for name in x.gif x.bmp noextension; do
  "$MAILLAB" viz basic-delivery --screenshot "$WORK/$name" 2>"$WORK/err"
  rc=$?
  [ "$rc" -eq 2 ] || fail "$name: exit $rc, expected 2"
  grep -qF "maillab viz: --screenshot: $WORK/$name: name a PNG (.png) or JPEG (.jpg, .jpeg) file" "$WORK/err" ||
    fail "$name: $(cat "$WORK/err")"
  [ ! -e "$WORK/$name" ] || fail "$name was written"
done
echo "ok"
