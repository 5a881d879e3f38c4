#!/usr/bin/env python3
"""End to end: browsers started ahead (--warm-browsers), with real Chromium, Firefox and WebKit.

For each backend, through wdhost with Selenium's Python client: session A sets a cookie and
localStorage on a local page (and, where managed downloads exist, downloads a file), then ends.
wdhost starts the next browser of that configuration ahead; session B, asking the same, gets it
(wdhost_warm_handovers_total goes up) and sees none of A's cookie, storage or download. Then
SIGTERM: the host exits 0 and no browser of this run is left. The New Session times are printed
(the targets are held by tools/bench, not here).
"""
import argparse
import http.server
import os
import re
import threading
import time
import urllib.error
import urllib.request

from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.options import ArgOptions

from e2e_support import cmdline, pids, proc_file, start_wdhost, stop_wdhost, wait_for

CHROME_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
MARKER = f"WDHOST_WARM_TEST={os.getpid()}"


def log(message):
    print(f"[warm] {message}", flush=True)


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.read().decode()
    except (urllib.error.URLError, OSError):
        return ""


def metric(host, name, labels):
    text = get(host + "/metrics")
    want = re.escape(name + "{" + labels + "}") + r" (\S+)"
    found = re.search(want, text)
    return float(found.group(1)) if found else 0.0


class Site(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/report.txt":
            body, kind = b"session A's download\n", "application/octet-stream"
            extra = [("Content-Disposition", "attachment; filename=report.txt")]
        else:
            body, kind, extra = b"<title>warm</title><a id='d' href='/report.txt'>get</a>", \
                "text/html", []
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for key, value in extra:
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def options_for(browser):
    if browser == "chrome":
        options = webdriver.ChromeOptions()
        for arg in CHROME_ARGS:
            options.add_argument(arg)
    elif browser == "firefox":
        options = webdriver.FirefoxOptions()
        options.add_argument("-headless")
    else:
        options = ArgOptions()
        options.set_capability("browserName", "safari")
    if browser != "safari":
        options.set_capability("se:downloadsEnabled", True)
    return options


def files_of(driver):
    commands = driver.command_executor._commands
    commands["wdhostTestListFiles"] = ("GET", "/session/$sessionId/se/files")
    return driver.execute("wdhostTestListFiles")["value"]["names"]


def browsers_of_this_run():
    left = []
    for name in pids():
        environ = proc_file(name, "environ")
        if environ is None or MARKER.encode() not in environ:
            continue
        cmd = cmdline(name)
        if any(word in cmd for word in ("chromium", "chromedriver", "firefox", "WebKit",
                                        "MiniBrowser", "cog")):
            left.append(f"{name}: {cmd[:120]}")
    return left


def check(browser, wdhost, site):
    log(f"{browser}: session A leaves traces, session B gets the browser started ahead")
    process, host = start_wdhost(
        wdhost, ["--plugin", browser, "--max-sessions", "2", "--warm-browsers", "1",
                 "--pass-env", "WDHOST_WARM_TEST"],
        env=dict(os.environ, WDHOST_WARM_TEST=str(os.getpid())))
    try:
        downloads = browser != "safari"

        started = time.monotonic()
        a = webdriver.Remote(command_executor=host, options=options_for(browser))
        cold = time.monotonic() - started
        try:
            a.get(site)
            a.execute_script("document.cookie = 'who=A; path=/'; localStorage.setItem('who', 'A');")
            assert "who=A" in a.execute_script("return document.cookie")
            if downloads:
                a.find_element(By.ID, "d").click()
                wait_for(lambda: files_of(a), 30, "session A's download")
        finally:
            a.quit()
        wait_for(lambda: metric(host, "wdhost_warm", 'kind="browser"') == 1, 90,
                 "a browser started ahead")
        before = metric(host, "wdhost_warm_handovers_total", f'plugin="{browser}"')

        started = time.monotonic()
        b = webdriver.Remote(command_executor=host, options=options_for(browser))
        warm = time.monotonic() - started
        try:
            after = metric(host, "wdhost_warm_handovers_total", f'plugin="{browser}"')
            assert after == before + 1, f"no hand-over ({before} -> {after})"
            b.get(site)
            cookie = b.execute_script("return document.cookie")
            stored = b.execute_script("return localStorage.getItem('who')")
            assert "who=A" not in cookie, f"session A's cookie in session B: {cookie!r}"
            assert stored is None, f"session A's localStorage in session B: {stored!r}"
            if downloads:
                assert files_of(b) == [], "session A's download in session B"
        finally:
            b.quit()
        log(f"{browser}: New Session cold {cold * 1000:.0f} ms, started ahead {warm * 1000:.0f} ms;"
            " nothing of A in B")
    finally:
        code = stop_wdhost(process)
    assert code == 0, f"wdhost exited {code}"
    wait_for(lambda: not browsers_of_this_run(), 15, "every browser of the run to end")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--wdhost", required=True)
    parser.add_argument("--browsers", default="chrome,firefox,safari")
    args = parser.parse_args()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Site)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    site = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        for browser in args.browsers.split(","):
            check(browser, args.wdhost, site)
    finally:
        server.shutdown()
    log("passed")


if __name__ == "__main__":
    main()
