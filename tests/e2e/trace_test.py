#!/usr/bin/env python3
"""End to end: traces of WebDriver sessions, and the viewer that steps through them.

1. Selenium's Python client runs a small scripted test on chrome, firefox and WebKit (MiniBrowser
   on Xvfb) with wdhost:trace on: it navigates, fills a form (a name and a password), clicks
   submit, fails one find, reads the title. The trace (GET /wdhost/traces/{id}) has each command
   in order with its W3C name and status, the failed find's error, a picture after the click
   that shows the submitted page (its pixels are green), the URL and title after it, and on
   chrome the page's console message and its requests. The password typed is nowhere in the
   trace; the name typed is.
2. The exported file (?format=html) opened by headless Chromium from a file:// URL with its
   network off (the host's own chromium with --proxy-server to a closed port and every
   fetch refused): the timeline lists every command, opens at the failed find, the pictures
   show, stepping with the keyboard moves the selection, the failed-only filter keeps one; the
   screenshot of it is checked by structure (its size and that it is not blank).
   A click that opens an alert: the alert is still there for the client (the trace asked the
   page nothing that would dismiss it), and the trace says a prompt was open.
3. wdhost:trace {"mode": "on", "redact": true}: the name typed and script arguments are left out.
   --trace on-failure: a session whose client said test:passed and deleted it leaves no trace; a
   session that said test:failed does. A session whose browser is killed mid-test: its trace is
   readable up to the crash and says it crashed.
4. The trace routes want the client token and refuse a bad id (400) and an unknown one (404).

Every process started here is stopped at the end, also on failure. To look into a failure:
TRACE_DEBUG=1 prints each command's pictures and their colours, TRACE_SHOT=FILE keeps the
viewer's screenshot.
"""
import argparse
import json
import os
import signal
import struct
import sys
import tempfile
import threading
import urllib.request
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException, WebDriverException
from selenium.webdriver.chrome.service import Service as ChromeService
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from e2e_support import descendants_of, cmdline, http, http_json, start_wdhost, stop_wdhost, wait_for
from selenium_support import CHROME_ARGS, quit_all
from selenium_support import client_for as selenium_client

TOKEN = "trace-s3cret"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
PASSWORD = "hunter2-Zq9-never-in-a-trace"
NAME = "Ada Lovelace"

FORM = b"""<!doctype html><html><head><title>Sign in</title></head>
<body style="background:#fff"><form action="/done" method="get">
<input id="name" name="name" autofocus><input id="password" type="password" name="password">
<button id="submit" type="submit">Sign in</button></form>
<script>console.log("form page ready")</script></body></html>"""
ALERT = b"""<!doctype html><title>Alert</title><button id="warn" onclick="alert('careful')">Warn</button>"""
DONE = b"""<!doctype html><html><head><title>Welcome</title></head>
<body style="margin:0;background:rgb(0,200,0)"><h1>Signed in</h1>
<script>console.warn("signed in as", new URLSearchParams(location.search).get("name"))</script>
</body></html>"""


def log(message):
    print(f"[trace] {message}", flush=True)


class Pages(BaseHTTPRequestHandler):
    """The test's site: a sign-in form and the page it submits to."""

    def do_GET(self):
        body = (DONE if self.path.startswith("/done") else ALERT if self.path == "/alert"
                else FORM)
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def client_for(url, browser, trace=None):
    """A client session of `browser` with wdhost:trace `trace` (when given)."""
    return selenium_client(url, TOKEN, browser, None if trace is None else {"wdhost:trace": trace})


def scripted_test(client, pages):
    """The small test every backend runs: navigate, fill the form, click, fail one find."""
    client.get(pages + "/form")
    client.find_element(By.ID, "name").send_keys(NAME)
    client.find_element(By.ID, "password").send_keys(PASSWORD)
    client.find_element(By.ID, "submit").click()
    wait_for(lambda: client.title == "Welcome", 20, "the submitted page")
    try:
        client.find_element(By.ID, "no-such-thing")
        raise AssertionError("the find of a missing element worked")
    except NoSuchElementException:
        pass
    return client.session_id


def trace_of(url, session, timeout=30):
    """The trace of `session` once its session ended and it was written."""
    def written():
        code, body = http_json(f"{url}/wdhost/traces/{session}", headers=AUTH)
        return body["value"] if code == 200 and body["value"]["complete"] else None
    return wait_for(written, timeout, f"the trace of {session}")


def png_pixel(data, x, y):
    """The RGB of pixel (x, y) of PNG `data` (8-bit RGB or RGBA, no interlace)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, width, height, kind, idat = 8, 0, 0, 0, b""
    while pos < len(data):
        length, tag = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if tag == b"IHDR":
            width, height, depth, kind = struct.unpack(">IIBB", chunk[:10])
            assert depth == 8 and kind in (2, 6), (depth, kind)
        elif tag == b"IDAT":
            idat += chunk
        pos += 12 + length
    size = 3 if kind == 2 else 4
    raw, stride = zlib.decompress(idat), width * size
    rows, prev = [], bytearray(stride)
    for row in range(min(y + 1, height)):
        filt = raw[row * (stride + 1)]
        line = bytearray(raw[row * (stride + 1) + 1:(row + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - size] if i >= size else 0
            b = prev[i]
            c = prev[i - size] if i >= size else 0
            if filt == 1:
                line[i] = (line[i] + a) & 255
            elif filt == 2:
                line[i] = (line[i] + b) & 255
            elif filt == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif filt == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        prev = line
    line = rows[y]
    return tuple(line[x * size:x * size + 3])


def frame_colour(viewer, data_url):
    """The RGB near the bottom left of a picture (a data: URL), read by decoding it in `viewer`."""
    return tuple(viewer.execute_async_script("""
        const [src, done] = arguments;
        const img = new Image();
        img.onload = () => { const c = document.createElement('canvas');
          c.width = img.naturalWidth; c.height = img.naturalHeight;
          const g = c.getContext('2d'); g.drawImage(img, 0, 0);
          const p = g.getImageData(8, img.naturalHeight - 8, 1, 1).data; done([p[0], p[1], p[2]]); };
        img.onerror = () => done([-1, -1, -1]);
        img.src = src;""", data_url))


def check_trace(trace, browser, viewer):
    """Part 1's checks on one backend's trace."""
    names = [c["name"] for c in trace["commands"]]
    log(f"{browser}: {len(names)} commands: {', '.join(n or '?' for n in names)}")
    order = ["Navigate To", "Find Element", "Element Send Keys", "Find Element", "Element Send Keys",
             "Find Element", "Element Click"]
    assert names[:len(order)] == order, names
    assert names[-1] == "Find Element" and trace["endedBy"] == "deleted", (names, trace["endedBy"])
    finds = [c for c in trace["commands"] if c["name"] == "Find Element" and c["error"]]
    assert len(finds) == 1 and finds[0]["error"] == "no such element" and finds[0]["status"] == 404, finds
    assert "no-such-thing" in finds[0]["request"]
    for c in trace["commands"]:
        assert c["durationMs"] >= 0 and c["status"] in (200, 404), c
    numbers = [c["number"] for c in trace["commands"]]
    assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers)
    click = next(c for c in trace["commands"] if c["name"] == "Element Click")
    frames = {f["id"]: f for f in trace["frames"]}
    assert click["after"] in frames, (click["after"], list(frames))
    colour = frame_colour(viewer, frames[click["after"]]["data"])
    if os.environ.get("TRACE_DEBUG"):
        for c in trace["commands"]:
            log(f"  #{c['number']} {c['name']} at {c['startMs']} took {c['durationMs']} before {c['before']} after {c['after']}")
        for f in trace["frames"]:
            log(f"  frame {f['id']} at {f['atMs']} {frame_colour(viewer, f['data'])}")
    assert colour[1] > 150 and colour[0] < 90 and colour[2] < 90, f"not the green page: {colour}"
    nav = trace["commands"][0]
    assert nav["after"] in frames and nav["url"].endswith("/form") and nav["title"] == "Sign in", nav
    assert click["title"] == "Welcome" and "/done" in click["url"], click
    text = json.dumps(trace)
    assert PASSWORD not in text, "the password is in the trace"
    typed = [c for c in trace["commands"] if c["name"] == "Element Send Keys"]
    assert NAME in typed[0]["request"], typed[0]
    assert "[redacted]" in typed[1]["request"], typed[1]
    if browser == "chrome":
        events = [e["text"] for e in trace["events"]]
        assert any("signed in as" in e for e in events), events
        assert any(e.startswith("GET ") and "/done?" in e for e in events), events
    log(f"{browser}: order, statuses, the failed find, the green page after the click "
        f"{colour}, url and title, password absent: ok ({len(frames)} pictures, "
        f"{len(trace['events'])} console/network entries)")


def alert_stays(url, pages, browser):
    """A traced session's alert is the client's: the trace asks the page nothing that would
    handle (dismiss) it while it shows."""
    client = None
    try:
        client = client_for(url, browser, "on")
        client.get(pages + "/alert")
        client.find_element(By.ID, "warn").click()
        assert client.switch_to.alert.text == "careful"
        client.switch_to.alert.accept()
    finally:
        quit_all(client)
    events = [e["text"] for e in trace_of(url, client.session_id)["events"]]
    assert any("user prompt is open" in e for e in events), events
    log(f"{browser}: an alert opened by a click stays for the client to read and accept")


def viewer_for(work):
    """Headless Chromium started by the test (through no host), its network off."""
    options = webdriver.ChromeOptions()
    for arg in CHROME_ARGS + ["--window-size=1280,900", "--proxy-server=127.0.0.1:9",
                              "--proxy-bypass-list=<-loopback>", f"--user-data-dir={work}/viewer"]:
        options.add_argument(arg)
    service = ChromeService(executable_path="/usr/bin/chromedriver")
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_script_timeout(20)
    return driver


def exported_file(url, session, work, viewer):
    """Part 2: the downloaded viewer file, opened offline."""
    code, body = http(f"{url}/wdhost/traces/{session}?format=html", headers=AUTH)
    assert code == 200, code
    path = os.path.join(work, f"trace-{session}.html")
    with open(path, "wb") as f:
        f.write(body)
    assert PASSWORD.encode() not in body, "the password is in the exported file"
    viewer.get("file://" + path)
    wait_for(lambda: viewer.execute_script("return document.body.dataset.ready"), 10,
             "the viewer to read its trace")
    items = viewer.find_elements(By.CSS_SELECTOR, "#commands li")
    selected = viewer.find_element(By.CSS_SELECTOR, '#commands li[aria-selected="true"]')
    assert "failed" in selected.get_attribute("class"), selected.text
    assert "no such element" in viewer.find_element(By.ID, "detail").text
    loaded = viewer.execute_script(
        "return [...document.querySelectorAll('#detail img, #film img')]"
        ".filter(i => i.complete && i.naturalWidth > 0).length")
    assert loaded >= 2, loaded
    before = int(selected.get_attribute("data-index"))
    viewer.find_element(By.TAG_NAME, "body").send_keys(Keys.ARROW_UP)
    now = viewer.find_element(By.CSS_SELECTOR, '#commands li[aria-selected="true"]')
    assert int(now.get_attribute("data-index")) == before - 1
    assert "Get Title" in viewer.find_element(By.ID, "detail").text
    # The filmstrip jumps: the click's picture after it selects the click.
    click = next(c for c in trace_of(url, session)["commands"] if c["name"] == "Element Click")
    viewer.find_element(By.CSS_SELECTOR, f'#film img[data-id="{click["after"]}"]').click()
    assert f"#{click['number']} Element Click" in viewer.find_element(By.ID, "detail").text
    viewer.find_element(By.ID, "onlyFailed").click()
    failed = viewer.find_elements(By.CSS_SELECTOR, "#commands li")
    assert len(failed) == 1, len(failed)
    shot = viewer.get_screenshot_as_png()
    width, height = struct.unpack(">II", shot[16:24])
    assert (width, height) == tuple(viewer.execute_script(
        "return [innerWidth * devicePixelRatio, innerHeight * devicePixelRatio]")), (width, height)
    if os.environ.get("TRACE_SHOT"):
        with open(os.environ["TRACE_SHOT"], "wb") as f:
            f.write(shot)
    colours = set(png_pixel(shot, x, height // 2) for x in range(0, width, 7))
    assert len(colours) > 3, f"a blank screenshot: {colours}"
    # Its structure: the header above, the command list left of the details, the filmstrip below.
    boxes = viewer.execute_script("""return Object.fromEntries(['header', '#side', '#detail', '#film']
        .map(s => { const r = document.querySelector(s).getBoundingClientRect();
                    return [s, [r.left, r.top, r.width, r.height]]; }))""")
    header, side, detail, film = (boxes[k] for k in ("header", "#side", "#detail", "#film"))
    assert all(b[2] > 100 and b[3] > 30 for b in boxes.values()), boxes
    assert header[1] < side[1] and side[0] < detail[0] and film[1] > detail[1], boxes
    log(f"exported file: {len(body)} bytes, {len(items)} commands listed offline, opens at the "
        f"failed find, keyboard, filmstrip and filter work, screenshot {width}x{height}")


def backends(binary, pages, work, viewer, browsers):
    """Parts 1 and 2."""
    host, url = start_wdhost(binary, ["--plugin", "chrome", "--plugin", "firefox", "--plugin", "safari",
                                      "--plugin-option", "safari.display=xvfb",
                                      "--warm-browsers", "0", "--max-sessions", "4",
                                      "--auth-token", TOKEN, "--traces-dir", f"{work}/traces"],
                             log=os.path.join(work, "backends.log"))
    try:
        chrome_session = None
        for browser in browsers:
            client = None
            try:
                client = client_for(url, browser, "on")
                assert client.capabilities["wdhost:traceUrl"].endswith("/wdhost/traces/" + client.session_id)
                session = scripted_test(client, pages)
            finally:
                quit_all(client)
            check_trace(trace_of(url, session), browser, viewer)
            alert_stays(url, pages, browser)
            if browser == "chrome":
                chrome_session = session
        exported_file(url, chrome_session, work, viewer)
        code, body = http_json(f"{url}/wdhost/traces", headers=AUTH)
        assert code == 200 and len(body["value"]) == 2 * len(browsers), body
        # Part 4: the token, bad ids, unknown ones.
        assert http_json(f"{url}/wdhost/traces")[0] == 401
        assert http_json(f"{url}/wdhost/traces/{chrome_session}")[0] == 401
        code, body = http_json(f"{url}/wdhost/traces/..%2Fetc", headers=AUTH)
        assert code == 400 and body["value"]["error"] == "invalid argument", (code, body)
        code, body = http_json(f"{url}/wdhost/traces/nosuchsession", headers=AUTH)
        assert code == 404, (code, body)
        code, body = http_json(f"{url}/wdhost/traces/{chrome_session}?format=xml", headers=AUTH)
        assert code == 400, code
        log("routes: 401 without the token, 400 for a bad id or format, 404 for an unknown one")
        # The status page lists them and opens one in the viewer (with its strict policy).
        code, state = http_json(f"{url}/ui/state", headers=AUTH)
        listed = {t["sessionId"]: t for t in state["traces"]}
        assert code == 200 and listed[chrome_session]["commands"] >= 9, state["traces"]
        assert listed[chrome_session]["failed"] and not listed[chrome_session]["running"]
        request = urllib.request.Request(f"{url}/ui/traces/{chrome_session}", headers=AUTH)
        with urllib.request.urlopen(request, timeout=30) as answer:
            policy = answer.headers["Content-Security-Policy"]
            assert answer.status == 200 and "default-src 'none'" in policy, policy
            assert b'id="trace-data"' in answer.read()
        request = urllib.request.Request(f"{url}/ui/traces/{chrome_session}?download=1", headers=AUTH)
        with urllib.request.urlopen(request, timeout=30) as answer:
            disposition = answer.headers["Content-Disposition"]
            assert disposition == f'attachment; filename="trace-{chrome_session}.html"', disposition
        assert http(f"{url}/ui/traces/{chrome_session}")[0] == 401
        log("status page: listed with its commands and outcome, opened in the viewer")
    finally:
        assert stop_wdhost(host) == 0


def redaction_and_rules(binary, pages, work):
    """Part 3."""
    host, url = start_wdhost(binary, ["--plugin", "chrome", "--warm-browsers", "0", "--max-sessions", "4",
                                      "--auth-token", TOKEN, "--trace", "on-failure",
                                      "--traces-dir", f"{work}/traces3"],
                             log=os.path.join(work, "rules.log"))
    clients = []
    try:
        client = client_for(url, "chrome", {"mode": "on", "redact": True})
        clients.append(client)
        client.get(pages + "/form")
        client.find_element(By.ID, "name").send_keys(NAME)
        client.execute_script("window.kept = arguments[0]; return 1", "script-argument-secret")
        session = client.session_id
        client.quit()
        text = json.dumps(trace_of(url, session))
        assert NAME not in text and "script-argument-secret" not in text, "redact kept typed text"
        log("redact: typed text and script arguments left out")

        def session_saying(event_type):
            client = client_for(url, "chrome")
            clients.append(client)
            client.get(pages + "/form")
            http_json(f"{url}/session/{client.session_id}/se/event", "POST",
                      {"eventType": event_type, "payload": {}}, headers=AUTH)
            client.quit()
            return client.session_id

        passed_id = session_saying("test:passed")
        failed_id = session_saying("test:failed")
        assert trace_of(url, failed_id)["outcome"] == "failed"
        # Listed while its session runs, then gone once its trace completed and was left out.
        wait_for(lambda: http_json(f"{url}/wdhost/traces/{passed_id}", headers=AUTH)[0] == 404, 10,
                 "the passed session's trace to be left out")
        log("on-failure: the passed session left no trace, the failed one did")

        # The sessions API: sessions.create with trace answers where it will be.
        api = f"{url}/api/v1?key={TOKEN}"
        code, made = http_json(api, "POST", {"cmd": "sessions.create", "session": "trace.api-1",
                                             "browser": [{"name": "chrome"}], "trace": True})
        assert code == 200 and made["traceUrl"].endswith("/wdhost/traces/trace.api-1"), made
        http_json(api, "POST", {"cmd": "request.get", "session": "trace.api-1", "url": pages + "/form"},
                  timeout=60)
        http_json(api, "POST", {"cmd": "sessions.destroy", "session": "trace.api-1"})
        # request.get drives the browser with commands of its own (chromedriver's CDP bridge).
        commands = trace_of(url, "trace.api-1")["commands"]
        assert any(c["path"] == "/goog/cdp/execute" for c in commands), commands
        log(f"sessions.create with trace: {len(commands)} commands traced")

        crashed = client_for(url, "chrome")
        clients.append(crashed)
        crashed.get(pages + "/form")
        crashed.find_element(By.ID, "name").send_keys("before the crash")
        browsers = [p for p in descendants_of(host.pid) if "chromium" in cmdline(p)
                    and "--type=" not in cmdline(p)]
        assert browsers, "no browser to kill"
        for pid in browsers:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass  # a browser of a session that ended before: gone already
        try:
            crashed.title
        except WebDriverException:
            pass
        trace = trace_of(url, crashed.session_id)
        names = [c["name"] for c in trace["commands"]]
        assert names[:3] == ["Navigate To", "Find Element", "Element Send Keys"], names
        assert trace["endedBy"] == "crashed", trace["endedBy"]
        log(f"crash: the trace is readable up to it ({len(names)} commands, ended by "
            f"{trace['endedBy']}: {trace['endReason'][:80]})")
    finally:
        quit_all(*clients)
        assert stop_wdhost(host) == 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--wdhost", required=True)
    parser.add_argument("--only", choices=["backends", "rules"])
    parser.add_argument("--browsers", default="chrome,firefox,MiniBrowser",
                        help="the backends part 1 runs on, comma-separated")
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Pages)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    pages = f"http://127.0.0.1:{server.server_address[1]}"
    viewer = None
    try:
        with tempfile.TemporaryDirectory(prefix="wdhost-trace-") as work:
            if args.only in (None, "backends"):
                viewer = viewer_for(work)
                backends(args.wdhost, pages, work, viewer, args.browsers.split(","))
                quit_all(viewer)
                viewer = None
            if args.only in (None, "rules"):
                redaction_and_rules(args.wdhost, pages, work)
    finally:
        quit_all(viewer)
        server.shutdown()
    log("passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
