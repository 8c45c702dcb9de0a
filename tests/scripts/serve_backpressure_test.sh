#!/usr/bin/env bash
# Backpressure against `maillab serve` on real sockets (issue 15 item 2): a client that
# pipelines tens of megabytes of commands and reads nothing must not grow the server's
# memory without bound, on SMTP (25), submission (587), POP3 and DNS over TCP. For each
# service a Python client logs in if it must, learns the reply to one period of commands,
# then sends its burst without reading until the burst is out or the server stops taking
# bytes (nothing writable for a while: TCP's window is full, the backpressure working);
# the peak resident memory of serve (VmHWM in /proc/PID/status) must not have grown by
# 64 MB. Then it reads: every reply must arrive, in order, and the session end cleanly.
# Without backpressure serve read everything and kept the replies: 12-20x the bytes sent.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/serve_lib.sh"

cat >"$WORK/lab.yaml" <<'YAML'
scenario: backpressure
title: Services for the backpressure test
seed: 1
duration: 1d
hosts:
  ns.example:
    address: 192.0.2.53
    dns:
      zones:
        - |
          $ORIGIN b.example.
          $TTL 3600
          @     IN SOA ns.example. hostmaster.b.example. 1 3600 600 604800 300
          @     IN NS  ns.example.
          @     IN MX  10 mx.b.example.
          @     IN MX  20 mx2.b.example.
          mx    IN A   192.0.2.20
          mx2   IN A   192.0.2.21
  mx.b.example:
    address: 192.0.2.20
    mta:
      domains: [b.example]
      submission: true
    pop3: true
    users:
      bob: {password: builder}
YAML

serve_start "$WORK/lab.yaml" --quiet \
  --listen mx.b.example:smtp=127.0.0.1:0 --listen mx.b.example:submission=127.0.0.1:0 \
  --listen mx.b.example:pop3=127.0.0.1:0 --listen ns.example:dns=127.0.0.1:0

python3 - "$SERVE" "$WORK/serve.err" <<'PY'
import re, select, smtplib, socket, struct, sys, time, poplib

pid, errfile = int(sys.argv[1]), sys.argv[2]
ports = {}
for line in open(errfile):
    m = re.match(r"listening: (\S+) (\S+) on 127\.0\.0\.1:(\d+)", line)
    if m:
        ports[m.group(2)] = int(m.group(3))
LIMIT = 64 << 20  # peak RSS growth allowed per attack

def hwm():
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise SystemExit("no VmHWM")

def recv_until(s, done):
    buf = b""
    while not done(buf):
        chunk = s.recv(65536)
        if not chunk:
            raise SystemExit(f"closed early after {buf[-200:]!r}")
        buf += chunk
    return buf

def smtp_reply_done(buf):
    lines = buf.split(b"\r\n")
    return len(lines) > 1 and any(len(l) >= 4 and l[3:4] == b" " for l in lines[:-1])

def attack(name, port, setup, period, period_reply, count, tail, tail_done):
    s = socket.create_connection(("127.0.0.1", port))
    setup(s)
    before = hwm()
    total = len(period) * count
    # The burst repeats the period, so the byte stream is periodic in the burst too.
    burst = period * max(1, (256 << 10) // len(period))
    view = memoryview(burst)

    def send_some():
        nonlocal sent
        at = sent % len(burst)
        try:
            sent += s.send(view[at:at + min(len(burst) - at, total - sent)])
        except BlockingIOError:
            pass

    s.setblocking(False)
    sent, stalled = 0, False
    while sent < total:
        _, w, _ = select.select([], [s], [], 3.0)
        if not w:
            stalled = True  # the server takes nothing more: TCP's window is full
            break
        send_some()
    peak = hwm() - before
    print(f"{name}: sent {sent >> 20} of {total >> 20} MiB without reading "
          f"({'the server stopped reading' if stalled else 'all of it'}); peak RSS growth {peak >> 20} MiB")
    if peak > LIMIT:
        raise SystemExit(f"FAIL {name}: serve's peak RSS grew by {peak >> 20} MiB (limit {LIMIT >> 20})")
    # Now read every reply while sending the rest, then the tail.
    expected = len(period_reply) * count
    got, pending, tail_sent = 0, b"", False
    while True:
        want_write = sent < total or not tail_sent
        r, w, _ = select.select([s], [s] if want_write else [], [], 30.0)
        if not r and not w:
            raise SystemExit(f"FAIL {name}: stuck after {got} of {expected} reply bytes")
        if w:
            if sent < total:
                send_some()
            elif not tail_sent:
                s.setblocking(True)
                s.sendall(tail)
                s.setblocking(False)
                tail_sent = True
        if r:
            chunk = s.recv(1 << 20)
            if not chunk:
                break
            pending += chunk
            # Whole period replies as they come: every one the same, in order.
            k = min(len(pending), expected - got) // len(period_reply)
            if k:
                block = pending[:k * len(period_reply)]
                if block != period_reply * k:
                    i = next(j for j in range(k)
                             if block[j * len(period_reply):(j + 1) * len(period_reply)] != period_reply)
                    raise SystemExit(f"FAIL {name}: reply to period {got // len(period_reply) + i} differs: "
                                     f"{block[i * len(period_reply):(i + 1) * len(period_reply)][:200]!r}")
                got += len(block)
                pending = pending[len(block):]
            if got == expected and tail_sent and tail_done(pending):
                break
    if got != expected or not tail_done(pending):
        raise SystemExit(f"FAIL {name}: {got} of {expected} reply bytes, then {pending[:200]!r}")
    total_peak = hwm() - before
    print(f"{name}: all {count} periods answered in order; peak RSS growth over the whole run "
          f"{total_peak >> 20} MiB")
    if total_peak > LIMIT:
        raise SystemExit(f"FAIL {name}: serve's peak RSS grew by {total_peak >> 20} MiB")
    s.close()

# SMTP on 25: NOOP/RSET, all "250 2.0.0 Ok".
def smtp_setup(s):
    recv_until(s, smtp_reply_done)
    s.sendall(b"EHLO attacker\r\n")
    recv_until(s, smtp_reply_done)
attack("smtp", ports["smtp"], smtp_setup, b"NOOP\r\nRSET\r\n", b"250 2.0.0 Ok\r\n" * 2,
       (48 << 20) // 12, b"QUIT\r\n", lambda b: b.startswith(b"221 "))

# Submission on 587: EHLO/NOOP alternate (the order shows).
probe = socket.create_connection(("127.0.0.1", ports["submission"]))
recv_until(probe, smtp_reply_done)
probe.sendall(b"EHLO attacker\r\nNOOP\r\n")
ehlo_noop = recv_until(probe, lambda b: b.endswith(b"250 2.0.0 Ok\r\n"))
probe.close()
attack("submission", ports["submission"], lambda s: recv_until(s, smtp_reply_done),
       b"EHLO attacker\r\nNOOP\r\n", ehlo_noop, (32 << 20) // 21, b"QUIT\r\n",
       lambda b: b.startswith(b"221 "))

# POP3: a message for bob, then RETR/NOOP pipelined (RETR answers the whole message).
with smtplib.SMTP("127.0.0.1", ports["smtp"]) as c:
    c.sendmail("carol@c.example", ["bob@b.example"],
               "Subject: backpressure\r\n\r\n" + "x" * 400 + "\r\n")
deadline = time.time() + 30
while True:
    p = poplib.POP3("127.0.0.1", ports["pop3"])
    p.user("bob"); p.pass_("builder")
    n = p.stat()[0]
    p.quit()
    if n >= 1:
        break
    if time.time() > deadline:
        raise SystemExit("FAIL: the message never reached bob's maildrop")
    time.sleep(0.1)

def pop_login(s):
    recv_until(s, lambda b: b.endswith(b"\r\n"))
    s.sendall(b"USER bob\r\nPASS builder\r\n")
    recv_until(s, lambda b: b.count(b"\r\n") >= 2)
probe = socket.create_connection(("127.0.0.1", ports["pop3"]))
pop_login(probe)
probe.sendall(b"RETR 1\r\nNOOP\r\n")
retr_noop = recv_until(probe, lambda b: b.endswith(b"\r\n.\r\n+OK\r\n"))
probe.sendall(b"QUIT\r\n")
probe.close()
attack("pop3", ports["pop3"], pop_login, b"RETR 1\r\nNOOP\r\n", retr_noop, (8 << 20) // 14,
       b"QUIT\r\n", lambda b: b.startswith(b"+OK") and b.endswith(b"\r\n"))

# DNS over TCP: MX queries with the length prefix; every answer the same (same id).
q = struct.pack(">HHHHHH", 0x1234, 0x0100, 1, 0, 0, 0) + b"\x01b\x07example\x00" + struct.pack(">HH", 15, 1)
query = struct.pack(">H", len(q)) + q
probe = socket.create_connection(("127.0.0.1", ports["dns"]))
probe.sendall(query)
head = recv_until(probe, lambda b: len(b) >= 2 and len(b) >= 2 + struct.unpack(">H", b[:2])[0])
probe.close()
attack("dns", ports["dns"], lambda s: None, query, head, (32 << 20) // len(query), b"",
       lambda b: b == b"")
print("ok: serve's memory stayed bounded under four pipelining attacks; every reply arrived in order")
PY
