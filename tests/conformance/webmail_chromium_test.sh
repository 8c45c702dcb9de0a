#!/usr/bin/env bash
# The webmail in a real browser (issue 21 items 2 and 6; docs/webmail.md): `maillab serve`
# exposes webmail.b.example's HTTP port on loopback; headless Chromium, driven over the
# DevTools protocol (tests/conformance/cdp.py), logs in as bob, reads the message Alice
# sent him (its subject and text hold HTML and script: shown as text, nothing runs), sends
# one to carol through the compose form, logs out, logs in as carol and finds it in her
# inbox. A wrong password gets the login page back. The session cookie is HttpOnly
# (document.cookie cannot see it). SCREENSHOT_DIR=DIR keeps the screenshot of the message
# page (docs/images/webmail.png is made so, docs/webmail.md).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/prologue.sh"
FAIL_LOGS=("$work/serve.err")
command -v chromium >/dev/null || fail "no chromium (tools/peers.sh installs it)"

cp "$here/webmail-lab.yaml" "$work/lab.yaml"

"$MAILLAB" serve "$work/lab.yaml" --listen webmail.b.example:http=127.0.0.1:0 --speed 10 --quiet 2>"$work/serve.err" &
serve_pid=$!
port=$(serve_port "webmail.b.example http") || fail "serve did not listen for the webmail"

PYTHONPATH="$here" python3 - "http://127.0.0.1:$port" "$work" "${SCREENSHOT_DIR:-}" <<'PY' || fail "the webmail in Chromium"
import sys, time
from cdp import start_browser, go_to, log_in_as

base, work, shots = sys.argv[1], sys.argv[2], sys.argv[3]
browser, page = start_browser(work, 1100, 800)

def go(url, what):
    go_to(page, url, what)

def log_in(user, password):
    log_in_as(page, base, user, password)

try:
    page.call("Page.enable")
    log_in("bob", "wrong")
    assert page.eval("location.pathname") == "/login", page.eval("location.href")
    assert "refused" in page.eval("document.querySelector('.error').innerText")

    log_in("bob", "builder")
    assert page.eval("location.pathname") == "/mail/INBOX", page.eval("location.href")
    assert page.eval("document.cookie") == "", "the session cookie must be HttpOnly"
    # Alice's message arrives within a few simulated seconds: reload until it is listed.
    for _ in range(100):
        if page.eval("document.querySelectorAll('table.messages tbody tr').length") >= 1:
            break
        time.sleep(0.2)
        go(base + "/mail/INBOX", "the inbox")
    else:
        raise AssertionError("no message in bob's inbox")
    row = page.eval("document.querySelector('table.messages tbody tr').innerText")
    assert "Lunch <img src=x onerror=window.pwned=1>" in row, row
    page.eval("document.querySelector('table.messages tbody a').click()")
    page.wait_for("document.querySelector('pre.body') != null", "the message page")
    text = page.eval("document.querySelector('pre.body').innerText")
    assert "lunch at noon? <script>window.pwned=2</script>" in text, text
    assert page.eval("window.pwned === undefined && document.querySelectorAll('main img, main script').length == 0")
    if shots:
        page.screenshot(shots + "/webmail.png")

    go(base + "/compose", "the compose form")
    page.eval("document.querySelector('input[name=to]').value = 'carol@b.example';"
              "document.querySelector('input[name=subject]').value = 'Browser hello';"
              "document.querySelector('textarea[name=body]').value = 'Sent from Chromium.';"
              "document.querySelector('form[action=\"/send\"]').submit()")
    page.wait_for("location.pathname == '/mail/Sent' && document.readyState == 'complete'", "the Sent folder")
    assert "Browser hello" in page.eval("document.querySelector('table.messages').innerText")
    page.eval("document.querySelector('form[action=\"/logout\"]').submit()")
    page.wait_for("location.pathname == '/login'", "the login page after logout")

    log_in("carol", "secret")
    for _ in range(100):
        if "Browser hello" in page.eval("document.body.innerText"):
            break
        time.sleep(0.2)
        go(base + "/mail/INBOX", "carol's inbox")
    else:
        raise AssertionError("the message did not arrive in carol's inbox")
finally:
    browser.kill()
    browser.wait()
print("webmail ok")
PY
echo "PASS"
