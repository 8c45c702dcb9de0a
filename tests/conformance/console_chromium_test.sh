#!/usr/bin/env bash
# The console of `maillab serve --http` in a real browser (issue 21 items 4 and 6): headless
# Chromium, driven over the DevTools protocol (tests/conformance/cdp.py), loads `/`, which
# shows the hosts, the delivered message, the sequence chart and the timeline; a click on
# a message shows its raw bytes; a click on mx.b.example's "take down" button takes the
# host down in the lab (the API says so, the page shows it, the trace has host.down). A
# message whose subject holds HTML and script is shown as text: no element is made from
# it. SCREENSHOT_DIR=DIR keeps the screenshot (docs/images/console.png is made so).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/prologue.sh"
FAIL_LOGS=("$work/serve.err")
command -v chromium >/dev/null || fail "no chromium (tools/peers.sh installs it)"

"$MAILLAB" serve basic-delivery --http 127.0.0.1:0 --speed 100 --quiet 2>"$work/serve.err" &
serve_pid=$!
port=$(serve_port "http api") || fail "serve --http did not start"

PYTHONPATH="$here" python3 - "http://127.0.0.1:$port" "$work" "${SCREENSHOT_DIR:-}" <<'PY' || fail "the console in Chromium"
import json, sys, time, urllib.request
from cdp import start_browser

base, work, shots = sys.argv[1], sys.argv[2], sys.argv[3]

def api(method, path, body=None):
    req = urllib.request.Request(base + path, method=method, data=None if body is None else json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return json.load(r)

evil = "<img src=x onerror=alert(1)><script>window.pwned=1</script>"
api("POST", "/api/v1/events", {"send": {"from": "alice@a.example", "to": ["bob@b.example"], "subject": evil,
                                         "client": "pc.alice", "server": "mail.a.example"}})
for _ in range(600):
    if len(api("GET", "/api/v1/messages?user=bob")) == 2:
        break
    time.sleep(0.05)

browser, page = start_browser(work)
try:
    page.call("Page.enable")
    page.call("Page.navigate", url=base + "/")
    page.wait_for("document.querySelectorAll('#messages tbody tr').length == 2", "the two messages listed")
    page.wait_for("document.querySelectorAll('#timeline tbody tr').length > 20", "the timeline")
    page.wait_for("document.getElementById('chart').complete && document.getElementById('chart').naturalWidth > 0",
                  "the sequence chart drawn")
    text = page.eval("document.querySelector('#messages').innerText")
    assert "Hello Bob" in text and evil in text, text  # the subject shown as text
    assert page.eval("window.pwned === undefined && document.querySelectorAll('#messages img, #messages script').length == 0")
    hosts = page.eval("[...document.querySelectorAll('#hosts tbody tr')].map(r => r.cells[0].innerText + ' ' + r.cells[3].innerText)")
    assert "mx.b.example up" in hosts, hosts

    # The message viewer: the raw bytes of the first message.
    page.eval("document.querySelector('#messages tbody tr').click()")
    page.wait_for("document.getElementById('viewer').textContent.includes('Subject: Hello Bob')", "the raw message")

    if shots:
        page.screenshot(shots + "/console.png")

    # A fault from the page: the button takes mx.b.example down.
    page.eval("document.querySelector('button[data-host=\"mx.b.example\"]').click()")
    for _ in range(600):
        if not {h["name"]: h for h in api("GET", "/api/v1/hosts")}["mx.b.example"]["up"]:
            break
        time.sleep(0.05)
    else:
        raise AssertionError("the button did not take the host down")
    page.wait_for("[...document.querySelectorAll('#hosts tbody tr')].some(r => r.cells[0].innerText == 'mx.b.example' && r.cells[3].innerText == 'down')",
                  "the page showing the host down")
    page.wait_for("[...document.querySelectorAll('#timeline tbody tr')].some(r => r.cells[4].innerText == 'host.down')",
                  "host.down on the live timeline")
finally:
    browser.kill()
    browser.wait()
print("console ok")
PY
echo "PASS"
