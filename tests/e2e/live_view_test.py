#!/usr/bin/env python3
"""End to end: watching sessions live, taking control, and hand-off links.

1. For chrome, firefox and WebKit sessions driven by Selenium's Python client: the status page,
   open in a real headless Chromium (a second client of the same host), shows the session's live
   view over the host's websocket; the picture turns from red to blue when the client navigates
   (pixels compared); the person takes control, clicks the input on the picture and types; the
   client reads the typed value back through WebDriver.
2. Hand-off links (chrome): made with the client token; a view-only link shows the picture to a
   browser with no token and refuses control; a control link lets a person type; only one person
   holds control at a time; revoked and expired links, and links of an ended session, are
   refused (open viewers are closed); the link page reaches neither another session nor the
   host's API; the websocket follows the request gate's Origin rules.
3. A viewer that never reads for 30 s while the page animates: the host's memory stays flat and
   the client's commands are as fast as before.
4. The host behind a reverse proxy below /wdhost (--public-url): login, the live view and a
   hand-off link work through it.
5. Watching alone lets a session expire after its idle timeout; a person's input keeps it alive.

Every process started here is stopped at the end, also on failure.
"""
import argparse
import http.server
import json
import os
import socket
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse

from selenium import webdriver
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By

from e2e_support import (RawWebSocket, descendants_of, http_json, proc_file, start_wdhost,
                         stop_wdhost, wait_for)
from selenium_support import CHROME_ARGS, quit_all, token_connection
from selenium_support import client_for as selenium_client

TOKEN = "live-view-s3cret"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def log(message):
    print(f"[live_view] {message}", flush=True)


class Pages(http.server.BaseHTTPRequestHandler):
    """/red and /blue: a page of that colour with a text input over its top 40 %; /animated: a
    page repainting every frame."""

    def do_GET(self):
        colour = self.path.strip("/")
        if colour == "animated":
            body = ("<title>animated</title><body style='margin:0'><canvas id=c></canvas><script>"
                    "const c=document.getElementById('c');c.width=innerWidth;c.height=innerHeight;"
                    "const g=c.getContext('2d');let n=0;(function f(){n++;"
                    "g.fillStyle=`rgb(${n*7%255},${n*13%255},${n*3%255})`;"
                    "g.fillRect(0,0,c.width,c.height);requestAnimationFrame(f)})()</script>")
        else:
            body = (f"<title>{colour}</title><body style='margin:0;height:100vh;background:{colour}'>"
                    "<input id=t autocomplete=off style='position:absolute;left:0;top:0;"
                    "width:100%;height:40vh;font-size:30px;border:0;background:white'>")
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def client_for(url, browser):
    """A Selenium client session of `browser` ("chrome", "firefox", "MiniBrowser")."""
    return selenium_client(url, TOKEN, browser)


def viewer_for(url):
    """Headless Chromium for a person, through the same host."""
    options = webdriver.ChromeOptions()
    for arg in CHROME_ARGS + ["--window-size=1200,1100"]:
        options.add_argument(arg)
    driver = webdriver.Remote(command_executor=token_connection(url, TOKEN), options=options)
    driver.set_script_timeout(20)
    return driver


def picture_colour(viewer, selector):
    """(r, g, b) of the live picture at 50 % across, 80 % down (below the input), or None."""
    return viewer.execute_async_script(
        """
        const [selector, done] = arguments;
        const img = document.querySelector(selector);
        if (!img || img.hidden || !img.complete || !img.naturalWidth) { done(null); return; }
        const c = document.createElement('canvas');
        c.width = img.naturalWidth; c.height = img.naturalHeight;
        const g = c.getContext('2d');
        g.drawImage(img, 0, 0);
        const p = g.getImageData(Math.floor(c.width / 2), Math.floor(c.height * 0.8), 1, 1).data;
        done([p[0], p[1], p[2]]);
        """, selector)


def is_colour(rgb, name):
    if not rgb:
        return False
    r, g, b = rgb
    return (r > 180 and g < 60 and b < 60) if name == "red" else (b > 180 and r < 60 and g < 60)


def login(viewer, url):
    viewer.get(url + "/ui")
    form = wait_for(lambda: [f for f in viewer.find_elements(By.ID, "token") if f.is_displayed()],
                    20, "the login form")[0]
    form.send_keys(TOKEN)
    viewer.find_element(By.CSS_SELECTOR, "#login button").click()


def typed_value(client):
    return client.execute_script("return document.getElementById('t').value")


def control_and_type(viewer, panel, client, text):
    """Takes control in `panel` (a CSS selector of the live row), clicks the input on the picture
    and types `text`; waits for the client to read it back."""
    viewer.find_element(By.CSS_SELECTOR, f"{panel} button.live-take").click()
    img = viewer.find_element(By.CSS_SELECTOR, f"{panel} img.live-view")
    wait_for(lambda: "in-control" in img.get_attribute("class"), 20, "control to be held")
    holder = viewer.find_element(By.CSS_SELECTOR, f"{panel} .live-holder").text
    assert holder.startswith("You hold control"), holder
    # The session's row says so too (from /ui/state, refreshed every 2 s).
    row = panel.replace(" .live-row", "")
    wait_for(lambda: "1 watching · the operator at 127.0.0.1:" in viewer.find_element(
        By.CSS_SELECTOR, f"{row} .live-watch").text, 20, "the row to show who holds control")
    # The input covers the top 40 % of the page: click at 20 % down, from the picture's centre.
    height = img.size["height"]
    ActionChains(viewer).move_to_element_with_offset(img, 0, -int(height * 0.3)).click().perform()
    ActionChains(viewer).send_keys(text).perform()
    wait_for(lambda: typed_value(client) == text, 30,
             f"the client to read back {text!r} (it reads {typed_value(client)!r})")
    viewer.find_element(By.CSS_SELECTOR, f"{panel} button.live-release").click()
    wait_for(lambda: "Nobody holds control" in viewer.find_element(
        By.CSS_SELECTOR, f"{panel} .live-holder").text, 20, "control to be released")


def watch_and_control(binary, pages, work, browser, plugin_args):
    """Part 1 for one backend."""
    log(f"{browser}: the live view follows the client, and a person types into its page")
    host, url = start_wdhost(binary, plugin_args + ["--warm-browsers", "0", "--max-sessions", "4", "--auth-token",
                                                    TOKEN], log=os.path.join(work, f"{browser}.log"))
    client = viewer = None
    try:
        client = client_for(url, browser)
        client.get(pages + "/red")
        viewer = viewer_for(url)
        login(viewer, url)
        row = f'.session[data-session-id="{client.session_id}"]'
        wait_for(lambda: viewer.find_elements(By.CSS_SELECTOR, row), 20, "the session's row")
        viewer.find_element(By.CSS_SELECTOR, f"{row} button.live-toggle").click()
        picture = f"{row} img.live-view"
        wait_for(lambda: is_colour(picture_colour(viewer, picture), "red"), 30,
                 "a red picture of the client's page")
        started = time.monotonic()
        client.get(pages + "/blue")
        wait_for(lambda: is_colour(picture_colour(viewer, picture), "blue"), 30,
                 "the picture to turn blue after the client navigated")
        log(f"{browser}: the picture turned blue {time.monotonic() - started:.2f} s after "
            "the client navigated")
        # Pictures keep coming while nothing changes only where the backend sends them; count
        # what arrives over 3 s of an animated page for the docs.
        control_and_type(viewer, f"{row} .live-row", client, "hello live")
        log(f"{browser}: a click and typing on the picture reached the page")
        frames = int(viewer.find_element(By.CSS_SELECTOR, picture).get_attribute("data-frames"))
        client.get(pages + "/animated")
        time.sleep(3)
        count = int(viewer.find_element(By.CSS_SELECTOR, picture).get_attribute(
            "data-frames")) - frames
        log(f"{browser}: {count / 3:.1f} pictures a second of an animated page")
        assert count >= 3, f"only {count} pictures in 3 s of an animated page"
    finally:
        quit_all(viewer, client)
        code = stop_wdhost(host)
    assert code == 0, f"wdhost exited with {code}"
    assert not descendants_of(host.pid), "processes outlived the host"


def link_socket(url, secret, origin=None):
    """A raw viewer of a hand-off link: the upgrade, the hello; (socket, first server message)."""
    headers = {"Origin": origin} if origin else {}
    ws = RawWebSocket(url, "/live/socket", headers)
    assert ws.status == 101, ws.status
    ws.send_text(json.dumps({"type": "hello", "link": secret}))
    return ws


def next_text(ws, kind=None):
    """The next text message of `ws` (of type `kind` when given), skipping pictures; raises on
    a close frame with its code and reason."""
    for _ in range(500):
        opcode, payload = ws.frame()
        if opcode == 8:
            code = int.from_bytes(payload[:2], "big") if len(payload) >= 2 else 0
            raise ConnectionAbortedError(code, payload[2:].decode(errors="replace"))
        if opcode == 1:
            message = json.loads(payload)
            if kind is None or message.get("type") == kind:
                return message
    raise AssertionError(f"no {kind or 'text'} message")


def closed_with(ws):
    """The (code, reason) the server closed `ws` with (pictures and text skipped)."""
    try:
        next_text(ws, "never")
    except ConnectionAbortedError as closed:
        return closed.args
    except (EOFError, OSError):
        return (0, "")
    raise AssertionError("the viewer was not closed")


def make_link_at(url, public, session, body):
    """A link to `session` made through the API at `url`; its URL must start with `public`."""
    code, answer = http_json(url + f"/wdhost/sessions/{session}/live-link", "POST", body,
                             headers=AUTH)
    assert code == 200, (code, answer)
    link = answer["value"]
    parts = urllib.parse.urlsplit(link["url"])
    assert link["url"].startswith(public + "/live#"), link["url"]
    assert len(parts.fragment) == 64, link["url"]
    return link, parts.fragment, link["url"]


def make_link(url, session, body):
    return make_link_at(url, url, session, body)


def hand_off_links(binary, pages, work):
    """Part 2."""
    log("chrome: hand-off links")
    host, url = start_wdhost(binary, ["--plugin", "chrome", "--warm-browsers", "0", "--max-sessions", "4",
                                      "--auth-token", TOKEN], log=os.path.join(work, "links.log"))
    client = other = guest = None
    try:
        client = client_for(url, "chrome")
        client.get(pages + "/red")
        other = client_for(url, "chrome")
        session = client.session_id

        # Without the token, no link; a page's request is refused by the gate.
        code, _ = http_json(url + f"/wdhost/sessions/{session}/live-link", "POST", {})
        assert code == 401, code
        code, _ = http_json(url + f"/wdhost/sessions/{session}/live-link", "POST", {},
                            headers={**AUTH, "Origin": "http://evil.example"})
        assert code == 403, code
        for bad in ({"expiresIn": 0}, {"expiresIn": 86401}, {"control": "yes"}):
            code, answer = http_json(url + f"/wdhost/sessions/{session}/live-link", "POST", bad,
                                     headers=AUTH)
            assert code == 400 and answer["value"]["error"] == "invalid argument", (bad, answer)
        code, answer = http_json(url + "/wdhost/sessions/nope/live-link", "POST", {}, headers=AUTH)
        assert code == 404 and answer["value"]["error"] == "invalid session id", answer

        view, view_secret, view_url = make_link(url, session, {"control": False})
        assert view["control"] is False and 890 <= view["expiresIn"] <= 900, view
        control, control_secret, control_url = make_link(url, session,
                                                         {"control": True, "expiresIn": 600})
        code, listed = http_json(url + f"/wdhost/sessions/{session}/live-link", headers=AUTH)
        assert code == 200 and {l["id"] for l in listed["value"]} == {view["id"], control["id"]}
        assert view_secret not in json.dumps(listed), "a listing shows a secret"

        # A browser with no token and no login opens the view-only link: it sees the page.
        guest = viewer_for(url)  # its own session is only its browser; the page has no cookie
        guest.get(view_url)
        picture = "#link-view img.live-view"
        wait_for(lambda: is_colour(picture_colour(guest, picture), "red"), 30,
                 "the guest to see the red page (it sees "
                 f"{picture_colour(guest, picture)}: "
                 f"{guest.find_element(By.ID, 'link-view').text!r})")
        take = guest.find_element(By.CSS_SELECTOR, "#link-view button.live-take")
        assert not take.is_displayed(), "a view-only link offers control"
        # The link page reaches nothing else: not the host's state, another session's picture
        # or live view, nor WebDriver.
        reached = guest.execute_async_script(
            """
            const [other, session, done] = arguments;
            (async () => {
              const out = {};
              for (const [k, path] of [['state', '/ui/state'],
                  ['shot', `/ui/sessions/${other}/screenshot`], ['url', `/session/${session}/url`],
                  ['links', `/wdhost/sessions/${session}/live-link`]])
                out[k] = (await fetch(path)).status;
              const ws = new WebSocket(`ws://${location.host}/ui/sessions/${other}/live`);
              out.ws = await new Promise((r) => {
                ws.onopen = () => r('open');
                ws.onerror = () => r('refused');
              });
              done(out);
            })();
            """, other.session_id, session)
        assert reached == {"state": 401, "shot": 401, "url": 401, "links": 401, "ws": "refused"}, \
            reached
        log(f"a view-only link shows the page and reaches nothing else: {reached}")

        # Raw viewers: a view-only one cannot take control; a control one can, and types.
        watcher = link_socket(url, view_secret)
        hello = next_text(watcher, "hello")
        assert hello["session"] == session and hello["control"] is False, hello
        watcher.send_text(json.dumps({"type": "take"}))
        assert "watch only" in next_text(watcher, "error")["message"]
        person = link_socket(url, control_secret)
        assert next_text(person, "hello")["control"] is True
        person.send_text(json.dumps({"type": "click", "x": 0.5, "y": 0.2}))
        assert "take control" in next_text(person, "error")["message"]
        person.send_text(json.dumps({"type": "take", "name": "helper"}))
        state = next_text(person, "control")
        while not state["you"]:
            state = next_text(person, "control")
        # Only one person holds control: a second control viewer is told who has it.
        second = link_socket(url, control_secret)
        next_text(second, "hello")
        second.send_text(json.dumps({"type": "take"}))
        assert "helper holds control" in next_text(second, "error")["message"]
        assert next_text(watcher, "control")["by"] == "helper"
        # Bad input is refused with a reason, and nothing happens.
        for bad in ({"type": "key", "key": "F13"}, {"type": "text", "text": "\u0007"},
                    {"type": "text", "text": "x" * 300}, {"type": "click", "x": "left"},
                    {"type": "launch"}):
            person.send_text(json.dumps(bad))
            assert next_text(person, "error")["message"], bad
        person.send_text(json.dumps({"type": "click", "x": 0.5, "y": 0.2}))
        person.send_text(json.dumps({"type": "text", "text": "from a guest"}))
        wait_for(lambda: typed_value(client) == "from a guest", 30, "the guest's typing")
        person.send_text(json.dumps({"type": "key", "key": "Backspace"}))
        wait_for(lambda: typed_value(client) == "from a gues", 30, "the guest's Backspace")
        log("a control link lets one person type; others are told who holds control")

        # Revoked: open viewers close (1008), the secret opens nothing any more.
        code, _ = http_json(url + f"/wdhost/sessions/{session}/live-link/{control['id']}",
                            "DELETE", headers=AUTH)
        assert code == 200
        assert closed_with(person)[0] == 1008
        assert closed_with(second)[0] == 1008
        again = link_socket(url, control_secret)
        code, reason = closed_with(again)
        assert code == 1008 and "revoked" in reason, (code, reason)
        # Expired.
        _, short_secret, _ = make_link(url, session, {"expiresIn": 1})
        time.sleep(1.5)
        code, reason = closed_with(link_socket(url, short_secret))
        assert code == 1008 and "expired" in reason, (code, reason)
        # A made-up secret and a link page of another origin.
        code, _ = closed_with(link_socket(url, "0" * 64))
        assert code == 1008
        refused = RawWebSocket(url, "/live/socket", {"Origin": "http://evil.example"})
        assert refused.status == 403, refused.status
        refused.sock.close()
        # The status page's websocket takes the token or the login, and no page of another site.
        refused = RawWebSocket(url, f"/ui/sessions/{session}/live")
        assert refused.status in (400, 401), refused.status
        refused.sock.close()
        refused = RawWebSocket(url, f"/ui/sessions/{session}/live",
                               {**AUTH, "Origin": "http://evil.example"})
        assert refused.status == 403, refused.status
        refused.sock.close()
        log("revoked, expired, unknown and cross-site links are refused")

        # New Session asks for a link with wdhost:liveView; sessions.create with liveView.
        options = webdriver.ChromeOptions()
        for arg in CHROME_ARGS:
            options.add_argument(arg)
        options.set_capability("wdhost:liveView", {"control": True, "expiresIn": 300})
        asked = webdriver.Remote(command_executor=token_connection(url, TOKEN), options=options)
        try:
            link_url = asked.capabilities["wdhost:liveViewUrl"]
            parts = urllib.parse.urlsplit(link_url)
            assert f"{parts.scheme}://{parts.netloc}{parts.path}" == url + "/live", link_url
            viewer = link_socket(url, parts.fragment)
            hello = next_text(viewer, "hello")
            assert hello["session"] == asked.session_id and hello["control"] is True, hello
            viewer.close()
        finally:
            asked.quit()
        for bad in ("yes", {"control": 1}, {"expiresIn": 0}, {"colour": "red"}):
            code, answer = http_json(url + "/session", "POST", {"capabilities": {"alwaysMatch": {
                "browserName": "chrome", "wdhost:liveView": bad}}}, headers=AUTH)
            assert code == 400 and "wdhost:liveView" in answer["value"]["message"], (bad, answer)
        code, made = http_json(url + f"/api/v1?key={TOKEN}", "POST", {
            "cmd": "sessions.create", "browser": [{"name": "chrome"}], "liveView": True},
            timeout=120)
        assert code == 200 and made["liveViewUrl"].startswith(url + "/live#"), made
        viewer = link_socket(url, urllib.parse.urlsplit(made["liveViewUrl"]).fragment)
        assert next_text(viewer, "hello")["control"] is False
        viewer.close()
        code, _ = http_json(url + f"/api/v1?key={TOKEN}", "POST",
                            {"cmd": "sessions.destroy", "session": made["session"]})
        assert code == 200
        log("wdhost:liveView and sessions.create's liveView answer a working link")

        # The session ends: its viewers close (1000), its links die with it.
        client.quit()
        client = None
        code, reason = closed_with(watcher)
        assert code == 1000 and "session ended" in reason, (code, reason)
        code, reason = closed_with(link_socket(url, view_secret))
        assert code == 1008, (code, reason)
        log("the session's end closes its viewers and its links")
    finally:
        quit_all(guest, other, client)
        code = stop_wdhost(host)
    assert code == 0, f"wdhost exited with {code}"
    assert not descendants_of(host.pid), "processes outlived the host"


class PrefixProxy:
    """A reverse proxy serving the host below /wdhost, as a site's nginx would: the path prefix
    is taken off each request (websocket upgrades too), bytes are copied both ways."""

    def __init__(self):
        """Listens on a port the OS picks (known before the host starts: --public-url)."""
        self.target_port = 0
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.open = []

    def start(self, target_port):
        """Proxies to the host at `target_port` from now on."""
        self.target_port = target_port
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            threading.Thread(target=self.serve, args=(client,), daemon=True).start()

    def serve(self, client):
        upstream = None
        try:
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            self.open += [client, upstream]
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = client.recv(65536)
                if not chunk:
                    return
                head += chunk
            line, rest = head.split(b"\r\n", 1)
            method, target, version = line.split(b" ", 2)
            if not target.startswith(b"/wdhost/") and target != b"/wdhost":
                client.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
                return
            target = target[len(b"/wdhost"):] or b"/"
            # One request per connection keeps the prefix rewrite simple.
            rest = rest.replace(b"Connection: keep-alive", b"Connection: close")
            upstream.sendall(b" ".join([method, target, version]) + b"\r\n" + rest)
            back = threading.Thread(target=self.copy, args=(upstream, client), daemon=True)
            back.start()
            self.copy(client, upstream)
            back.join()
        except OSError:
            pass
        finally:
            for s in (client, upstream):
                if s is not None:
                    s.close()

    @staticmethod
    def copy(source, sink):
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                sink.sendall(data)
        except OSError:
            pass
        try:
            sink.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    def close(self):
        self.server.close()
        for s in self.open:
            try:
                s.close()
            except OSError:
                pass


def behind_proxy(binary, pages, work):
    """Part 4: the host behind a reverse proxy at /wdhost, told so with --public-url."""
    log("chrome: the live view and a link through a reverse proxy below /wdhost")
    proxy = PrefixProxy()
    public = f"http://127.0.0.1:{proxy.port}/wdhost"
    try:
        host, url = start_wdhost(binary, ["--plugin", "chrome", "--warm-browsers", "0",
                                          "--max-sessions", "4", "--auth-token", TOKEN,
                                          "--public-url", public],
                                 log=os.path.join(work, "proxy.log"))
    except BaseException:
        proxy.close()
        raise
    client = viewer = None
    try:
        proxy.start(int(url.rsplit(":", 1)[1]))
        client = client_for(url, "chrome")
        client.get(pages + "/red")
        viewer = viewer_for(url)
        viewer.get(public + "/ui")
        form = wait_for(lambda: [f for f in viewer.find_elements(By.ID, "token")
                                 if f.is_displayed()], 20, "the login form through the proxy")[0]
        form.send_keys(TOKEN)
        viewer.find_element(By.CSS_SELECTOR, "#login button").click()
        row = f'.session[data-session-id="{client.session_id}"]'
        wait_for(lambda: viewer.find_elements(By.CSS_SELECTOR, row), 20,
                 "the session's row through the proxy")
        viewer.find_element(By.CSS_SELECTOR, f"{row} button.live-toggle").click()
        wait_for(lambda: is_colour(picture_colour(viewer, f"{row} img.live-view"), "red"), 30,
                 "the live view through the proxy")
        _, _, link = make_link_at(url, public, client.session_id, {"control": False})
        viewer.get(link)
        wait_for(lambda: is_colour(picture_colour(viewer, "#link-view img.live-view"), "red"), 30,
                 "a hand-off link's view through the proxy")
        log("the status page, its live view and a hand-off link work below /wdhost")
    finally:
        quit_all(viewer, client)
        proxy.close()
        code = stop_wdhost(host)
    assert code == 0, f"wdhost exited with {code}"


def idle_timeout(binary, pages, work):
    """Part 5: watching alone lets a session expire; a person acting in it keeps it alive."""
    log("chrome: watching does not keep a session alive, a person's input does")
    host, url = start_wdhost(binary, ["--plugin", "chrome", "--warm-browsers", "0",
                                      "--max-sessions", "4", "--auth-token", TOKEN],
                             log=os.path.join(work, "idle.log"))

    def session_with_timeout():
        code, made = http_json(url + "/session", "POST", {"capabilities": {"alwaysMatch": {
            "browserName": "chrome", "wdhost:sessionTimeout": 4}}}, timeout=120, headers=AUTH)
        assert code == 200, made
        session = made["value"]["sessionId"]
        code, _ = http_json(f"{url}/session/{session}/url", "POST", {"url": pages + "/red"},
                            timeout=60, headers=AUTH)
        assert code == 200
        return session

    def alive(session):
        return http_json(f"{url}/session/{session}/title", headers=AUTH)[0] == 200

    try:
        watched = session_with_timeout()
        viewer = RawWebSocket(url, f"/ui/sessions/{watched}/live", AUTH)
        assert viewer.status == 101, viewer.status
        assert next_text(viewer, "hello")["session"] == watched
        code, reason = closed_with(viewer)  # reads pictures until the session ends
        assert code == 1000 and "session ended" in reason, (code, reason)
        assert not alive(watched), "a watched session outlived its idle timeout"
        log("a watched session with no commands expired; its viewer was told")

        helped = session_with_timeout()
        _, secret, _ = make_link(url, helped, {"control": True})
        person = link_socket(url, secret)
        next_text(person, "hello")
        person.send_text(json.dumps({"type": "take"}))
        for _ in range(8):  # 8 s, twice the idle timeout, with no client command
            person.send_text(json.dumps({"type": "click", "x": 0.5, "y": 0.2}))
            time.sleep(1)
        assert alive(helped), "a person's input did not keep the session alive"
        person.close()
        log("a session a person acts in stayed alive past its idle timeout")
    finally:
        code = stop_wdhost(host)
    assert code == 0, f"wdhost exited with {code}"


def rss(pid):
    for line in (proc_file(pid, "status") or b"").decode().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def command_ms(client, count=15):
    times = []
    for _ in range(count):
        started = time.perf_counter()
        client.title
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def stalled_viewer(binary, pages, work):
    """Part 3."""
    log("chrome: a viewer that never reads while the page animates")
    host, url = start_wdhost(binary, ["--plugin", "chrome", "--warm-browsers", "0", "--max-sessions", "4",
                                      "--auth-token", TOKEN], log=os.path.join(work, "stall.log"))
    client = None
    try:
        client = client_for(url, "chrome")
        client.get(pages + "/animated")
        before = command_ms(client)
        stalled = RawWebSocket(url, f"/ui/sessions/{client.session_id}/live", AUTH)
        assert stalled.status == 101, stalled.status
        time.sleep(3)
        start_rss = rss(host.pid)
        samples = []
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            samples.append(command_ms(client, 5))
            time.sleep(1)
        end_rss = rss(host.pid)
        during = statistics.median(samples)
        log(f"host RSS {start_rss / 1048576:.1f} -> {end_rss / 1048576:.1f} MiB over 30 s; "
            f"client command {before:.2f} ms before, {during:.2f} ms during")
        assert end_rss - start_rss < 16 * 1048576, "the host's memory grew under a stalled viewer"
        assert during < before * 3 + 20, "a stalled viewer slowed the client's commands"
        # The stalled viewer still gets the newest picture once it reads.
        stalled.sock.settimeout(30)
        opcode, _ = stalled.frame()
        assert opcode in (1, 2), opcode
        stalled.close()
    finally:
        quit_all(client)
        code = stop_wdhost(host)
    assert code == 0, f"wdhost exited with {code}"
    assert not descendants_of(host.pid), "processes outlived the host"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--wdhost", required=True)
    parser.add_argument("--only", choices=["chrome", "firefox", "webkit", "links", "stall",
                                           "proxy", "idle"])
    args = parser.parse_args()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Pages)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    pages = f"http://127.0.0.1:{server.server_address[1]}"
    parts = {
        "chrome": lambda w: watch_and_control(args.wdhost, pages, w, "chrome",
                                              ["--plugin", "chrome"]),
        "firefox": lambda w: watch_and_control(args.wdhost, pages, w, "firefox",
                                               ["--plugin", "firefox", "--plugin", "chrome"]),
        "webkit": lambda w: watch_and_control(args.wdhost, pages, w, "MiniBrowser",
                                              ["--plugin", "safari", "--plugin", "chrome",
                                               "--plugin-option", "safari.display=xvfb"]),
        "links": lambda w: hand_off_links(args.wdhost, pages, w),
        "stall": lambda w: stalled_viewer(args.wdhost, pages, w),
        "proxy": lambda w: behind_proxy(args.wdhost, pages, w),
        "idle": lambda w: idle_timeout(args.wdhost, pages, w),
    }
    try:
        with tempfile.TemporaryDirectory(prefix="wdhost-live-") as work:
            for name, part in parts.items():
                if args.only in (None, name):
                    part(work)
    finally:
        server.shutdown()
    log("passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
