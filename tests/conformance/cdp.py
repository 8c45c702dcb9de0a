"""A minimal Chrome DevTools Protocol client on the standard library (no websocket module):
enough for the browser tests to load a page, evaluate JavaScript in it, click, and take a
screenshot. RFC 6455 framing: masked text frames out, unmasked frames in (with extended
lengths and continuation frames)."""
import base64, json, os, re, socket, subprocess, time, urllib.request


class Page:
    def __init__(self, ws_url):
        m = re.match(r"ws://([^:/]+):(\d+)(/.*)", ws_url)
        self.sock = socket.create_connection((m.group(1), int(m.group(2))), timeout=30)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(("GET %s HTTP/1.1\r\nHost: %s:%s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                           "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n"
                           % (m.group(3), m.group(1), m.group(2), key)).encode())
        head = b""
        while b"\r\n\r\n" not in head:
            head += self.sock.recv(1)
        if b" 101 " not in head.split(b"\r\n")[0]:
            raise RuntimeError("no websocket: %r" % head[:80])
        self.next_id = 0

    def _recv_exact(self, n):
        out = b""
        while len(out) < n:
            b = self.sock.recv(n - len(out))
            if not b:
                raise RuntimeError("DevTools connection closed")
            out += b
        return out

    def _send(self, text):
        data = text.encode()
        head = bytes([0x81])
        n = len(data)
        if n < 126:
            head += bytes([0x80 | n])
        elif n < 65536:
            head += bytes([0x80 | 126]) + n.to_bytes(2, "big")
        else:
            head += bytes([0x80 | 127]) + n.to_bytes(8, "big")
        mask = os.urandom(4)
        self.sock.sendall(head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))

    def _recv(self):
        message = b""
        while True:
            b0, b1 = self._recv_exact(2)
            n = b1 & 0x7F
            if n == 126:
                n = int.from_bytes(self._recv_exact(2), "big")
            elif n == 127:
                n = int.from_bytes(self._recv_exact(8), "big")
            payload = self._recv_exact(n)
            if b0 & 0x0F in (0x9, 0xA):  # ping, pong: not part of a message
                continue
            message += payload
            if b0 & 0x80:
                return json.loads(message)

    def call(self, method, **params):
        self.next_id += 1
        self._send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            m = self._recv()
            if m.get("id") == self.next_id:
                if "error" in m:
                    raise RuntimeError("%s: %s" % (method, m["error"]))
                return m["result"]

    def eval(self, expression):
        r = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in r:
            raise RuntimeError("script failed: %s" % r["exceptionDetails"])
        return r["result"].get("value")

    def wait_for(self, expression, what, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            v = self.eval(expression)
            if v:
                return v
            time.sleep(0.1)
        raise RuntimeError("timed out waiting for " + what)

    def screenshot(self, path):
        r = self.call("Page.captureScreenshot", format="png")
        with open(path, "wb") as f:
            f.write(base64.b64decode(r["data"]))


def start_browser(workdir, width=1280, height=1400, extra_args=()):
    """Headless Chromium with DevTools on a free port; returns (process, Page of its tab)."""
    proc = subprocess.Popen(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                             "--remote-debugging-port=0", "--user-data-dir=" + os.path.join(workdir, "chromium"),
                             "--window-size=%d,%d" % (width, height)] + list(extra_args) + ["about:blank"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    port = None
    deadline = time.time() + 30
    while port is None and time.time() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        m = re.search(r"DevTools listening on ws://127\.0\.0\.1:(\d+)/", line)
        if m:
            port = int(m.group(1))
    if port is None:
        proc.kill()
        raise RuntimeError("chromium did not start")
    with urllib.request.urlopen("http://127.0.0.1:%d/json/list" % port) as r:
        targets = [t for t in json.load(r) if t["type"] == "page"]
    return proc, Page(targets[0]["webSocketDebuggerUrl"])


def go_to(page, url, what):
    """Navigates and waits for the page to be loaded."""
    page.call("Page.navigate", url=url)
    page.wait_for("document.readyState == 'complete'", what)


def log_in_as(page, base, user, password):
    """The webmail's login form filled in and sent; waits for the page that answers."""
    go_to(page, base + "/login", "the login page")
    page.eval("document.querySelector('input[name=user]').value = %r;"
              "document.querySelector('input[name=password]').value = %r;"
              "document.querySelector('form[action=\"/login\"]').submit()" % (user, password))
    time.sleep(0.3)
    page.wait_for("document.readyState == 'complete' && !location.pathname.startsWith('/login')"
                  " || document.querySelector('.error') != null", "the answer to the login")
