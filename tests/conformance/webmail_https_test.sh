#!/usr/bin/env bash
# The webmail over HTTPS on real sockets (issue 21; docs/webmail.md "HTTPS"): a webmail
# host with `tls` behind `maillab serve --listen HOST:https=... --listen HOST:http=...
# --ca-out ca.pem`. curl trusting only the lab CA (--cacert) gets the login page over
# TLS with a Secure, HttpOnly cookie; the same curl without the CA is refused; plain HTTP
# answers 301 to the https listen's port. Then headless Chromium, trusting the lab's
# leaf key (--ignore-certificate-errors-spki-list: Chromium cannot be given a CA file on
# the command line) and resolving the host's name to loopback, logs in as bob over
# HTTPS, finds Alice's message and sends one that carol reads.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/prologue.sh"
FAIL_LOGS=("$work/serve.err")
command -v curl >/dev/null || fail "no curl"

# The browser tests' lab, with a certificate for the mail server and the webmail.
sed -e 's/^    imap: true$/    imap: true\n    tls: true/' \
    -e 's/^    webmail: {imap/    tls: true\n    webmail: {imap/' "$here/webmail-lab.yaml" >"$work/lab.yaml"

hport=$(peers_free_port)
"$MAILLAB" serve "$work/lab.yaml" --listen "webmail.b.example:https=127.0.0.1:$hport" \
  --listen webmail.b.example:http=127.0.0.1:0 --ca-out "$work/ca.pem" --speed 10 --quiet 2>"$work/serve.err" &
serve_pid=$!
port=""
for _ in $(seq 1 600); do
  port=$(sed -n 's/^listening: webmail.b.example http on 127.0.0.1:\([0-9]*\)$/\1/p' "$work/serve.err")
  [ -n "$port" ] && break
  sleep 0.05
done
[ -n "$port" ] || fail "serve did not listen for the webmail"
name=webmail.b.example
base="https://$name:$hport"
resolve=(--resolve "$name:$hport:127.0.0.1" --resolve "$name:$port:127.0.0.1")

curl -sS -D "$work/h1" -o "$work/login.html" --cacert "$work/ca.pem" "${resolve[@]}" "$base/login" ||
  fail "curl --cacert over HTTPS"
grep -q "^HTTP/1.1 200" "$work/h1" || fail "the login page: $(head -n 1 "$work/h1")"
grep -i "^set-cookie: wm_login=" "$work/h1" | grep -q "HttpOnly; SameSite=Strict; Secure" ||
  fail "the login cookie is not Secure: $(grep -i set-cookie "$work/h1")"
grep -q 'name="csrf"' "$work/login.html" || fail "no login form"
if curl -sS -o /dev/null "${resolve[@]}" "$base/login" 2>"$work/untrusted.err"; then
  fail "curl without the lab CA trusted the webmail"
fi
curl -sS -D "$work/h2" -o /dev/null "${resolve[@]}" "http://$name:$port/mail/INBOX?page=2" || fail "plain HTTP"
grep -q "^HTTP/1.1 301" "$work/h2" || fail "port 80 did not redirect: $(head -n 1 "$work/h2")"
grep -qi "^location: https://$name:$hport/mail/INBOX?page=2" "$work/h2" ||
  fail "the redirect: $(grep -i location "$work/h2")"
grep -qi "^set-cookie" "$work/h2" && fail "the redirect set a cookie"
echo "curl ok"

command -v chromium >/dev/null || { echo "no chromium: the browser part skipped"; echo "PASS"; exit 0; }
spki=$(openssl s_client -connect "127.0.0.1:$hport" -servername "$name" -CAfile "$work/ca.pem" </dev/null 2>/dev/null |
  openssl x509 -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64)
[ -n "$spki" ] || fail "no certificate from the https listen"

PYTHONPATH="$here" python3 - "$base" "$work" "$spki" "$name" <<'PY' || fail "the webmail over HTTPS in Chromium"
import sys, time
from cdp import start_browser, go_to, log_in_as

base, work, spki, name = sys.argv[1:5]
browser, page = start_browser(work, 1100, 800, ["--ignore-certificate-errors-spki-list=" + spki,
                                                "--host-resolver-rules=MAP %s 127.0.0.1" % name])

def go(url, what):
    go_to(page, url, what)

def log_in(user, password):
    log_in_as(page, base, user, password)

try:
    page.call("Page.enable")
    log_in("bob", "builder")
    assert page.eval("location.href").startswith(base + "/mail/INBOX"), page.eval("location.href")
    assert page.eval("document.cookie") == "", "the session cookie must be HttpOnly"
    for _ in range(100):
        if "Lunch" in page.eval("document.body.innerText"):
            break
        time.sleep(0.2)
        go(base + "/mail/INBOX", "the inbox")
    else:
        raise AssertionError("no message in bob's inbox")
    go(base + "/compose", "the compose form")
    page.eval("document.querySelector('input[name=to]').value = 'carol@b.example';"
              "document.querySelector('input[name=subject]').value = 'Over HTTPS';"
              "document.querySelector('textarea[name=body]').value = 'Sent from Chromium over TLS.';"
              "document.querySelector('form[action=\"/send\"]').submit()")
    page.wait_for("location.pathname == '/mail/Sent' && document.readyState == 'complete'", "the Sent folder")
    page.eval("document.querySelector('form[action=\"/logout\"]').submit()")
    page.wait_for("location.pathname == '/login'", "the login page after logout")
    log_in("carol", "secret")
    for _ in range(100):
        if "Over HTTPS" in page.eval("document.body.innerText"):
            break
        time.sleep(0.2)
        go(base + "/mail/INBOX", "carol's inbox")
    else:
        raise AssertionError("the message did not arrive in carol's inbox")
finally:
    browser.kill()
    browser.wait()
print("chromium ok")
PY
echo "PASS"
