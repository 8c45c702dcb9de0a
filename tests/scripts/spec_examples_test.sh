#!/usr/bin/env bash
# Every YAML example of the scenario format (version 1 and the 1.1 additions: staples, TLS,
# IMAP, webmail, sender authentication) as the spec writes it, completed into whole worlds
# in tests/scripts/spec_examples/*.yaml: each loads, runs and meets its expectations
# (`maillab run --quiet` exits 0 with "N passed, 0 failed"), and runs the same twice.
# Then cli.md's 1.1 serve examples as written: every new --listen SERVICE, --ca-out used
# by curl/openssl, and the HTTP API's requests with plain `curl -d` bodies.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/serve_lib.sh"

for f in "$ROOT"/tests/scripts/spec_examples/*.yaml; do
  name=$(basename "$f" .yaml)
  if ! "$MAILLAB" run "$f" --quiet --trace "$WORK/$name.1.jsonl" >"$WORK/$name.out" 2>&1; then
    cat "$WORK/$name.out"
    fail "$name: run did not exit 0"
  fi
  grep -Eq '^[1-9][0-9]* passed, 0 failed$' "$WORK/$name.out" || fail "$name: $(tail -n 1 "$WORK/$name.out")"
  "$MAILLAB" run "$f" --quiet --trace "$WORK/$name.2.jsonl" >/dev/null 2>&1 || fail "$name: second run"
  cmp -s "$WORK/$name.1.jsonl" "$WORK/$name.2.jsonl" || fail "$name: two runs, two traces"
done

# serve --listen smtps/pop3s/imap/imaps/http and --ca-out: real clients trust the lab.
serve_start "$ROOT/tests/scripts/spec_examples/v11-imap-webmail.yaml" --speed 100 --quiet \
  --listen mx.b.example:imap=127.0.0.1:0 --listen mx.b.example:imaps=127.0.0.1:0 \
  --listen webmail.b.example:http=127.0.0.1:0 --ca-out "$WORK/ca.pem"
grep -q "BEGIN CERTIFICATE" "$WORK/ca.pem" || fail "--ca-out wrote no certificate"
echo "a LOGOUT" | openssl s_client -quiet -CAfile "$WORK/ca.pem" -verify_return_error \
  -verify_hostname mx.b.example -connect "127.0.0.1:$(serve_port mx.b.example imaps)" \
  >"$WORK/imaps.out" 2>"$WORK/imaps.err" || fail "imaps: $(cat "$WORK/imaps.err")"
grep -q "^\* OK" "$WORK/imaps.out" || fail "imaps: no greeting"
exec 3<>"/dev/tcp/127.0.0.1/$(serve_port mx.b.example imap)"
read -r greeting <&3
case $greeting in *STARTTLS*LOGINDISABLED*) ;; *) fail "imap on a tls host: $greeting" ;; esac
exec 3>&-
curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$(serve_port webmail.b.example http)/" | grep -q '^[23]' ||
  fail "the webmail does not answer over http"
serve_stop
serve_start "$ROOT/tests/scripts/spec_examples/v11-tls.yaml" --speed 100 --quiet \
  --listen mx.b.example:smtps=127.0.0.1:0 --listen mx.b.example:pop3s=127.0.0.1:0 --ca-out "$WORK/ca.pem"
for svc in smtps pop3s; do
  echo QUIT | openssl s_client -quiet -CAfile "$WORK/ca.pem" -verify_return_error -verify_hostname mx.b.example \
    -connect "127.0.0.1:$(serve_port mx.b.example $svc)" >"$WORK/$svc.out" 2>"$WORK/$svc.err" ||
    fail "$svc: $(cat "$WORK/$svc.err")"
  grep -Eq '^(220 |\+OK)' "$WORK/$svc.out" || fail "$svc: no greeting"
done
serve_stop

# The HTTP API, each request of cli.md's table as written, bodies posted with plain curl -d.
serve_start "$ROOT/tests/scripts/spec_examples/v1-format.yaml" --http 127.0.0.1:0 --speed 100 --quiet
B="http://127.0.0.1:$(serve_port http api)"
post() { curl -s -o "$WORK/post.out" -w '%{http_code}' -X POST -d "$2" "$B$1"; }
[ "$(post /api/v1/events '{"down": "mx1.b.example"}')" = 200 ] || fail "down: $(cat "$WORK/post.out")"
grep -q '"done":"down"' "$WORK/post.out" || fail "down: $(cat "$WORK/post.out")"
[ "$(post /api/v1/events '{"cut": ["a", "b"]}')" = 400 ] || fail "cut a b: $(cat "$WORK/post.out")"
grep -q 'request body:1:10: error: `cut` names `a`, which is not a host' "$WORK/post.out" ||
  fail "cut a b: $(cat "$WORK/post.out")"
[ "$(post /api/v1/events '{"up": "mx1.b.example"}')" = 200 ] || fail "up: $(cat "$WORK/post.out")"
[ "$(post /api/v1/events '{"send": {"from": "alice@a.example", "to": ["bob@b.example"], "subject": "Hi", "client": "pc.alice", "server": "mail.a.example"}}')" = 200 ] ||
  fail "send: $(cat "$WORK/post.out")"
ok=""
for _ in $(seq 1 100); do
  [ "$(post /api/v1/expect '[{"delivered": {"to": "bob@b.example", "subject": "Hi"}}]')" = 200 ] || fail "expect: $(cat "$WORK/post.out")"
  grep -q '"ok":true' "$WORK/post.out" && ok=1 && break
  sleep 0.1
done
[ -n "$ok" ] || fail "expect: $(cat "$WORK/post.out")"
grep -q '"line":"PASS delivered to=bob@b.example subject=Hi' "$WORK/post.out" || fail "expect line: $(cat "$WORK/post.out")"
# A browser's form post (it names its origin) is still refused.
[ "$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Origin: http://elsewhere.example' \
     -d '{"down": "mx1.b.example"}' "$B/api/v1/events")" = 415 ] || fail "a cross-site form post was taken"
curl -s "$B/api/v1/messages?host=mx1.b.example&user=bob&folder=INBOX&subject=Hi" >"$WORK/list.json"
python3 - "$WORK/list.json" <<'PY' || fail "messages: $(cat "$WORK/list.json")"
import json, sys
msgs = json.load(open(sys.argv[1]))
assert len(msgs) == 1, msgs
want = {"id", "host", "user", "folder", "from", "to", "subject", "message_id", "date", "size", "flags"}
assert want <= set(msgs[0]), msgs[0]
PY
id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["id"])' "$WORK/list.json")
curl -s -D "$WORK/raw.head" -o "$WORK/raw.eml" "$B/api/v1/messages/$id/raw"
grep -qi '^content-type: message/rfc822' "$WORK/raw.head" || fail "raw: $(cat "$WORK/raw.head")"
grep -q '^Subject: Hi' "$WORK/raw.eml" || fail "raw: no Subject"
curl -s "$B/api/v1/queues" | python3 -c 'import json,sys; assert isinstance(json.load(sys.stdin), list)' || fail "queues"
[ "$(curl -s "$B/api/v1/trace?since=3" | head -n 1)" = "$(curl -s "$B/api/v1/trace?since=0" | sed -n 4p)" ] ||
  fail "trace?since=3 does not start at event 3"
timeout 3 curl -s -N "$B/api/v1/stream?since=0" >"$WORK/stream" || true
grep -q '^data: {"t_ns":0,' "$WORK/stream" || fail "stream: $(head -c 300 "$WORK/stream")"
[ "$(curl -s -o /dev/null -w '%{http_code}' "$B/")" = 200 ] || fail "the console"
[ "$(curl -s -o /dev/null -w '%{http_code}' -X DELETE "$B/api/v1/messages")" = 200 ] || fail "DELETE"
[ "$(curl -s "$B/api/v1/messages")" = "[]" ] || fail "DELETE left messages"
serve_stop
echo "ok"
