#!/usr/bin/env bash
# A full disk is refused at MAIL FROM, before the client sends its message (issue 15
# item 9: serve took the whole message and refused it only after DATA), as Postfix's
# queue_minfree check does: 452 4.3.1 when the disk is full, when it has less free space
# than 1.5 x message_size_limit, or less than the SIZE= the client declares.
#  1. a `disk_full` fault on the virtual disk under `serve --mailboxes` (no mount needed):
#     452 at MAIL, 250 again after `disk_ok` (posted through --http once the 452 was seen:
#     a `disk_ok` at a scenario time could come before a slow machine's first MAIL);
#  2. a real file system that runs short (a 4 MB tmpfs as --mailboxes; skipped where
#     mounting is not allowed): with message_size_limit 1 MB, 250 with room, 452 once a
#     filler leaves 1 MB (under 1.5 x 1 MB), 250 again once it is gone; with no size limit
#     and 2 MB free, 452 for SIZE=2500000 and 250 for SIZE=1000000.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/serve_lib.sh"
MOUNTED=""
cleanup() {
  serve_stop
  [ -n "$MOUNTED" ] && umount "$MOUNTED" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

write_lab() {  # MESSAGE_SIZE_LIMIT EVENTS
  cat >"$WORK/lab.yaml" <<YAML
scenario: disk-full-serve
seed: 1
duration: 1d
hosts:
  mx.b.example:
    address: 192.0.2.20
    mta:
      domains: [b.example]
      message_size_limit: $1
    users:
      bob: {password: builder}
$2
YAML
}
start_serve() {  # ARGS...
  serve_start "$WORK/lab.yaml" --quiet "$@" --listen mx.b.example:smtp=127.0.0.1:0
  PORT=$(serve_port mx.b.example smtp)
}
# mail_reply [SIZE]: the reply to MAIL FROM (a message follows when it is 250).
mail_reply() {
  python3 - "$PORT" "${1:-}" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
f = s.makefile("rb")
def reply():
    line = f.readline()
    while line[3:4] == b"-":
        line = f.readline()
    return line.decode().strip()
reply()
s.sendall(b"EHLO client.test\r\n"); reply()
size = f" SIZE={sys.argv[2]}" if sys.argv[2] else ""
s.sendall(f"MAIL FROM:<a@src.test>{size}\r\n".encode())
r = reply()
print(r)
if r.startswith("250"):
    s.sendall(b"RCPT TO:<bob@b.example>\r\n"); reply()
    s.sendall(b"DATA\r\n"); reply()
    s.sendall(b"Subject: t\r\n\r\nbody\r\n.\r\n"); reply()
s.sendall(b"QUIT\r\n"); reply()
PY
}

# 1. The virtual disk's fault, under serve: refused at MAIL, accepted after disk_ok.
write_lab 1000000 "events:
  - {at: 0s, disk_full: mx.b.example}"
start_serve --mailboxes "$WORK/mail1" --http 127.0.0.1:0
r=$(mail_reply)
case "$r" in 452\ 4.3.1*) ;; *) fail "disk_full: MAIL FROM got '$r', expected 452 4.3.1";; esac
status=$(curl -s -o "$WORK/post.out" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
  --data '{"disk_ok": "mx.b.example"}' "http://127.0.0.1:$(serve_port "http api")/api/v1/events")
[ "$status" = 200 ] || fail "POST disk_ok: HTTP $status $(cat "$WORK/post.out")"
for _ in $(seq 1 300); do
  r=$(mail_reply)
  case "$r" in 250*) break;; esac
  sleep 0.1
done
case "$r" in 250*) ;; *) fail "after disk_ok: MAIL FROM got '$r', expected 250";; esac
serve_stop
echo "disk_full fault: 452 4.3.1 at MAIL FROM, 250 after disk_ok"

# 2. A real file system that runs short.
mkdir -p "$WORK/fs"
if ! mount -t tmpfs -o size=4m tmpfs "$WORK/fs" 2>/dev/null; then
  echo "serve_disk_full: a real full disk not tried (mounting a tmpfs is not allowed here)"
  exit 0
fi
MOUNTED="$WORK/fs"
write_lab 1000000 ""
start_serve --mailboxes "$WORK/fs/mail"
r=$(mail_reply); case "$r" in 250*) ;; *) fail "4 MB free: MAIL FROM got '$r', expected 250";; esac
free_kb() { df -k --output=avail "$WORK/fs" | tail -1 | tr -d ' '; }
dd if=/dev/zero of="$WORK/fs/filler" bs=1k count=$(( $(free_kb) - 1024 )) status=none
r=$(mail_reply); case "$r" in 452\ 4.3.1*) ;; *) fail "1 MB free: MAIL FROM got '$r', expected 452 4.3.1";; esac
rm "$WORK/fs/filler"
r=$(mail_reply); case "$r" in 250*) ;; *) fail "filler gone: MAIL FROM got '$r', expected 250";; esac
serve_stop

write_lab 0 ""
start_serve --mailboxes "$WORK/fs/mail"
dd if=/dev/zero of="$WORK/fs/filler" bs=1k count=$(( $(free_kb) - 2048 )) status=none
r=$(mail_reply 2500000); case "$r" in 452\ 4.3.1*) ;; *) fail "2 MB free, SIZE=2500000: got '$r', expected 452 4.3.1";; esac
r=$(mail_reply 1000000); case "$r" in 250*) ;; *) fail "2 MB free, SIZE=1000000: got '$r', expected 250";; esac
rm "$WORK/fs/filler"
serve_stop
echo "real disk: 452 4.3.1 at MAIL FROM under 1.5 x message_size_limit free and for a SIZE above the free space"
