"""A small Chrome DevTools Protocol client for the measuring and checking scripts.

It talks to headless Chromium over --remote-debugging-pipe (file descriptors 3 and 4,
messages separated by NUL bytes), so it needs no WebSocket library: only the Python
standard library and the chromium that scripts/setup installs.
"""

import json
import os
import shutil
import subprocess
import tempfile
import time


class CdpError(Exception):
    pass


class Browser:
    """One headless Chromium; `page()` opens a tab in a fresh browser context."""

    def __init__(self, width=1280, height=720):
        exe = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
        if exe is None:
            raise CdpError("no chromium on PATH (scripts/setup installs it)")
        self.profile = tempfile.mkdtemp(prefix="walscope-cdp-")
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()
        # Chromium reads commands on fd 3 and writes replies on fd 4.
        def fds():
            # Through fresh copies: a pipe end may itself be fd 3 or 4, and dup2 onto
            # itself would leave it close-on-exec.
            a, b = os.dup(to_chrome_r), os.dup(from_chrome_w)
            os.dup2(a, 3)
            os.dup2(b, 4)

        self.proc = subprocess.Popen(
            [
                exe,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--remote-debugging-pipe",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-extensions",
                # measure-load opens every lesson step by link, several times over: three
                # history changes a step, so past 200 in 10 s Chromium would ignore the
                # next ones ("Throttling navigation to prevent the browser from hanging").
                "--disable-ipc-flooding-protection",
                "--user-data-dir=" + self.profile,
                "--window-size=%d,%d" % (width, height),
                "about:blank",
            ],
            preexec_fn=fds,
            close_fds=False,  # fds 3 and 4, made in preexec, must reach chromium
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._buf = b""
        self._next = 0
        self.events = []
        self.width, self.height = width, height

    def close(self):
        try:
            self.call("Browser.close")
        except Exception:
            pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        for fd in (self._to_chrome, self._from_chrome):
            try:
                os.close(fd)
            except OSError:
                pass
        shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _read(self, timeout):
        deadline = time.monotonic() + timeout
        while b"\0" not in self._buf:
            if time.monotonic() > deadline:
                raise CdpError("chromium did not answer within %.0f s" % timeout)
            chunk = os.read(self._from_chrome, 1 << 16)
            if not chunk:
                raise CdpError("chromium closed the pipe")
            self._buf += chunk
        msg, self._buf = self._buf.split(b"\0", 1)
        return json.loads(msg)

    def call(self, method, params=None, session=None, timeout=60):
        self._next += 1
        msg = {"id": self._next, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._to_chrome, json.dumps(msg).encode() + b"\0")
        while True:
            reply = self._read(timeout)
            if reply.get("id") == self._next:
                if "error" in reply:
                    raise CdpError("%s: %s" % (method, reply["error"].get("message")))
                return reply.get("result", {})
            self.events.append(reply)

    def page(self):
        """A new tab in its own browser context (no cache, storage or cookies shared)."""
        ctx = self.call("Target.createBrowserContext")["browserContextId"]
        target = self.call("Target.createTarget", {"url": "about:blank", "browserContextId": ctx})["targetId"]
        session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        p = Page(self, session)
        p.call("Page.enable")
        p.call("Runtime.enable")
        p.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": self.width, "height": self.height, "deviceScaleFactor": 1, "mobile": False},
        )
        return p


class Page:
    def __init__(self, browser, session):
        self.browser = browser
        self.session = session

    def call(self, method, params=None, timeout=60):
        return self.browser.call(method, params, self.session, timeout)

    def eval(self, expression, timeout=60):
        """Evaluates `expression` (awaiting a promise) and returns its JSON value."""
        r = self.call(
            "Runtime.evaluate",
            {"expression": expression, "awaitPromise": True, "returnByValue": True},
            timeout,
        )
        if "exceptionDetails" in r:
            d = r["exceptionDetails"]
            raise CdpError("page: %s" % (d.get("exception", {}).get("description") or d.get("text")))
        return r["result"].get("value")

    def wait_for(self, expression, timeout=30, every=0.02):
        """Polls `expression` until it is truthy; returns its value."""
        deadline = time.monotonic() + timeout
        while True:
            v = self.eval(expression)
            if v:
                return v
            if time.monotonic() > deadline:
                raise CdpError("timed out after %.0f s waiting for: %s" % (timeout, expression))
            time.sleep(every)
