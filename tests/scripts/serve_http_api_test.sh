#!/usr/bin/env bash
# The REST API of `maillab serve --http` (cli.md "The lab over HTTP", issue 21 item 3) as a
# CI test in another language sees it, with curl and Python's json module and no maillab
# library: mail sent by the scenario and by POST /api/v1/events is listed with its fields,
# its raw bytes are the Maildir file's, a fault posted through the API takes an MX down
# (mail waits in the queue, listed by /api/v1/queues), checks are evaluated now, DELETE
# empties the mailboxes (the files too); bad requests get 4xx JSON and the lab goes on.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/serve_lib.sh"

# Not on loopback: refused before anything is bound.
if "$MAILLAB" serve basic-delivery --http 192.0.2.1:8025 --quiet 2>"$WORK/nonlocal.err"; then
  fail "--http on a non-loopback address was accepted"
fi
grep -q "not a loopback address" "$WORK/nonlocal.err" || fail "no reason given: $(cat "$WORK/nonlocal.err")"

"$MAILLAB" serve basic-delivery --http 127.0.0.1:0 --speed 100 --mailboxes "$WORK/mb" --quiet \
  >"$WORK/timeline" 2>"$WORK/serve.err" &
SERVE=$!
PORT=""
for _ in $(seq 1 600); do
  PORT=$(sed -n 's/^listening: http api on 127.0.0.1:\([0-9]*\)$/\1/p' "$WORK/serve.err")
  [ -n "$PORT" ] && break
  kill -0 "$SERVE" 2>/dev/null || break
  sleep 0.05
done
[ -n "$PORT" ] || fail "serve --http did not start"
export BASE="http://127.0.0.1:$PORT" MB="$WORK/mb"

python3 - <<'PY' || fail "the API did not answer as cli.md says"
import json, os, socket, subprocess, sys, time

BASE, MB = os.environ["BASE"], os.environ["MB"]

def curl(*args, body=None, check=True):
    """(status, content type, body bytes) of one curl call."""
    cmd = ["curl", "-s", "--path-as-is", "-o", "-", "-w", "\n%{http_code} %{content_type}", *args]
    out = subprocess.run(cmd, input=body, capture_output=True, check=check).stdout
    head, _, tail = out.rpartition(b"\n")
    status, _, ctype = tail.decode().partition(" ")
    return int(status), ctype, head

def get_json(path):
    status, ctype, body = curl(BASE + path)
    assert status == 200, (path, status, body)
    assert ctype.startswith("application/json"), (path, ctype)
    return json.loads(body.decode("utf-8"))  # strict UTF-8

def post(path, obj, raw=None):
    data = raw if raw is not None else json.dumps(obj).encode()
    status, ctype, body = curl("-X", "POST", "-H", "Content-Type: application/json", "--data-binary", "@-",
                               BASE + path, body=data)
    return status, json.loads(body.decode("utf-8"))

def wait_for(pred, what):
    for _ in range(600):
        got = pred()
        if got:
            return got
        time.sleep(0.05)
    sys.exit("timed out waiting for " + what)

# The scenario's own message (sent at 1s simulated, 10 ms here).
msgs = wait_for(lambda: get_json("/api/v1/messages?user=bob"), "the scenario's message")
m = msgs[0]
for key in ("id", "host", "user", "folder", "from", "to", "subject", "message_id", "date", "size", "flags"):
    assert key in m, ("missing field", key, m)
assert (m["host"], m["user"], m["folder"], m["subject"]) == ("mx.b.example", "bob", "INBOX", "Hello Bob"), m
assert m["from"] == "Alice <alice@a.example>" and m["to"] == "bob@b.example", m
assert m["message_id"].startswith("<") and m["flags"] == [], m

# The raw bytes are the Maildir file's, byte for byte.
status, ctype, raw = curl(BASE + "/api/v1/messages/" + m["id"] + "/raw")
assert status == 200 and ctype == "message/rfc822", (status, ctype)
files = [os.path.join(d, f) for d, _, fs in os.walk(os.path.join(MB, "mx.b.example", "bob")) for f in fs]
assert len(files) == 1, files
assert raw == open(files[0], "rb").read(), "raw bytes differ from the mailbox file"
assert len(raw) == m["size"]

# Filters.
assert get_json("/api/v1/messages?host=mail.a.example") == []
assert len(get_json("/api/v1/messages?subject=Hello")) == 1
assert get_json("/api/v1/messages?subject=nothing-like-it") == []

# A message sent through the API, with HTML and non-ASCII in its subject.
subject = "Via the API <script>alert(1)</script> \u00e9t\u00e9"
status, r = post("/api/v1/events", {"send": {"from": "alice@a.example", "to": ["bob@b.example"],
                                              "subject": subject, "body": "hi\n", "client": "pc.alice",
                                              "server": "mail.a.example"}})
assert status == 200 and r["done"] == "send", (status, r)
wait_for(lambda: get_json("/api/v1/messages?subject=Via%20the%20API"), "the posted message")
got = get_json("/api/v1/messages?subject=Via%20the%20API")[0]
assert got["subject"] == subject, got

# A fault through the API: the MX goes down, new mail waits in mail.a.example's queue.
status, r = post("/api/v1/events", {"down": "mx.b.example"})
assert status == 200 and r["done"] == "down", (status, r)
hosts = {h["name"]: h for h in get_json("/api/v1/hosts")}
assert hosts["mx.b.example"]["up"] is False
post("/api/v1/events", {"send": {"from": "alice@a.example", "to": ["bob@b.example"], "subject": "Waiting",
                                 "client": "pc.alice", "server": "mail.a.example"}})
q = wait_for(lambda: [x for x in get_json("/api/v1/queues") if x["subject"] == "Waiting" and x["attempts"] > 0],
             "the message queued")[0]
assert q["host"] == "mail.a.example" and q["recipients"] == ["bob@b.example"], q
assert q["state"] in ("deferred", "active", "incoming"), q
for key in ("id", "sender", "next_attempt", "last_reason"):
    assert key in q, (key, q)

# Checks now, as `run` prints them.
status, r = post("/api/v1/expect", [{"delivered": {"to": "bob@b.example", "subject": "Hello Bob"}},
                                     {"queue_empty": "all"}])
assert status == 200 and r["passed"] == 1 and r["failed"] == 1 and r["ok"] is False, r
assert r["results"][0]["line"].startswith("PASS delivered"), r
assert r["results"][1]["line"].startswith("FAIL queue_empty all") and "Waiting" in r["results"][1]["found"], r

# Bad bodies: 400 with the loader's own message, naming the place.
status, r = post("/api/v1/events", {"down": "mx.b.exampel"})
assert status == 400 and "request body:1:" in r["error"] and "did you mean `mx.b.example`" in r["error"], r
status, r = post("/api/v1/events", None, raw=b'{"down": ')
assert status == 400 and "invalid JSON" in r["error"], r
status, r = post("/api/v1/events", {"at": "1s", "down": "mx.b.example"})
assert status == 400 and "leave out `at`" in r["error"], r
status, r = post("/api/v1/expect", {"delivered": {}})
assert status == 400 and "must be a list" in r["error"], r
status, r = post("/api/v1/events", None, raw=b'{"down": "\xff\xfe"}')
assert status == 400, r
status, _, body = curl("-X", "POST", "-H", "Origin: http://elsewhere.example", "--data-binary", "x",
                      BASE + "/api/v1/events")
assert status == 415, status

# Paths and methods.
for path, code in (("/api/v1/messages/../../etc/passwd", 400), ("/api/v1/messages/%2e%2e/raw", 400),
                   ("/api/v1/messages/0000000000000000/raw", 404), ("/nothing", 404),
                   ("/api/v1/trace?since=x", 400)):
    status, ctype, body = curl(BASE + path)
    assert status == code, (path, status, body)
    assert "root:" not in body.decode("latin-1"), path
    if code != 400 or "since" in path:
        assert "error" in json.loads(body), (path, body)
status, _, _ = curl("-X", "PUT", BASE + "/api/v1/messages")
assert status == 405, status
# DNS rebinding: a page on rebind.example resolving to 127.0.0.1 is not answered.
status, _, body = curl("-H", "Host: rebind.example", BASE + "/api/v1/messages")
assert status == 421 and b"Hello Bob" not in body, (status, body)
status, _, _ = curl("-H", "Host: localhost:1", BASE + "/api/v1/hosts")
assert status == 200, status

# Over the limits, at the socket: a 2 MiB body and a 64 KiB header; then the lab goes on.
def raw_request(data):
    s = socket.create_connection(("127.0.0.1", int(BASE.rsplit(":", 1)[1])))
    try:
        s.sendall(data)
    except OSError:
        pass
    s.settimeout(30)  # the server closes after its 4xx; the bound is for a broken one
    out = b""
    try:
        while True:
            b = s.recv(65536)
            if not b:
                break
            out += b
    except OSError:
        pass
    s.close()
    return out
r = raw_request(b"POST /api/v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b"Content-Length: 2097152\r\n\r\n")
assert r.startswith(b"HTTP/1.1 413 "), r[:80]
r = raw_request(b"GET /api/v1/messages HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 65536 + b"\r\n\r\n")
assert r.startswith(b"HTTP/1.1 431 "), r[:80]
r = raw_request(b"POST /api/v1/events HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n")
assert r.startswith(b"HTTP/1.1 400 "), r[:80]

# The trace: JSON Lines from N on, the posted fault among them.
status, ctype, body = curl(BASE + "/api/v1/trace?since=0")
lines = [json.loads(l) for l in body.decode("utf-8").splitlines()]
assert any(e["event"] == "host.down" and e["host"] == "mx.b.example" for e in lines), "no host.down"
status, ctype, tail = curl(BASE + "/api/v1/trace?since=%d" % (len(lines) - 1))
assert json.loads(tail.decode().splitlines()[0]) == lines[-1]

# The live stream: the events as Server-Sent Events.
# Read until the first event is in (not for a fixed second: a busy machine may need more).
import http.client
conn = http.client.HTTPConnection("127.0.0.1", int(BASE.rsplit(":", 1)[1]), timeout=30)
conn.request("GET", "/api/v1/stream?since=0")
resp = conn.getresponse()
assert resp.status == 200, resp.status
body = resp.read(len(b"id: 0\ndata: {"))
conn.close()
assert body.startswith(b"id: 0\ndata: {"), body[:60]

# DELETE empties every mailbox, files included.
status, _, body = curl("-X", "DELETE", BASE + "/api/v1/messages")
assert status == 200 and json.loads(body)["deleted"] == 2, body
assert get_json("/api/v1/messages") == []
left = [f for d, _, fs in os.walk(os.path.join(MB, "mx.b.example", "bob")) for f in fs]
assert left == [], left

# The console page.
status, ctype, page = curl(BASE + "/")
assert status == 200 and ctype.startswith("text/html") and b"maillab console" in page
PY

kill -0 "$SERVE" || fail "serve is gone"
serve_stop
echo "PASS"
