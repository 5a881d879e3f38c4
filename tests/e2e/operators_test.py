#!/usr/bin/env python3
"""End to end: what an operator sees of wdhost.

1. /metrics passes `promtool check metrics` idle, with sessions running, and with a queue; a real
   Prometheus (Debian's, on 127.0.0.1 with an OS-picked port and a temporary data dir) scrapes the
   host and its HTTP API answers wdhost_sessions with the right value while a session is open.
2. --log-format json: every line the host wrote parses with `python3 -m json.tool`, and session
   lines carry the session id.
3. The status page in a real headless Chromium driven through wdhost itself with Selenium's Python
   client: it lists another client's session with its browser and age, its live view changes
   after that client navigates, and its end button ends the session (the client's next command
   gets `invalid session id`). With --auth-token the page shows the login form and no data until
   the token is given. A screenshot of the page is saved (--screenshot).

Hosts with the fake plugin serve parts 1 and 2 (no browser is needed to count sessions); part 3
uses real Chromium. Every process started here is stopped at the end, also on failure.
"""
import argparse
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import urllib.error
import urllib.parse
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import InvalidSessionIdException, WebDriverException
from selenium.webdriver.common.by import By

from e2e_support import free_port, http, wait_for

FAKE = {"capabilities": {"alwaysMatch": {"browserName": "fake"}}}
CHROME_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
               "--window-size=1100,1300"]


def log(message):
    print(f"[operators] {message}", flush=True)


class Host:
    """A wdhost process on a port the OS picks."""

    def __init__(self, wdhost, args, log_path):
        self.log_path = log_path
        self.log_file = open(log_path, "wb")
        self.process = subprocess.Popen([wdhost, "--port", "0"] + args, stdout=subprocess.PIPE,
                                        stderr=self.log_file, stdin=subprocess.DEVNULL,
                                        start_new_session=True)
        line = self.process.stdout.readline().decode()
        if "listening on http://127.0.0.1:" not in line:
            self.stop()
            raise AssertionError(f"wdhost did not start: {line!r}")
        self.port = int(line.rsplit(":", 1)[1])
        self.url = f"http://127.0.0.1:{self.port}"

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        self.log_file.close()
        return self.process.returncode


def promtool_check(promtool, text, state):
    result = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True,
                            timeout=60)
    assert result.returncode == 0, (f"promtool check metrics failed {state}:\n"
                                    f"{result.stdout.decode()}{result.stderr.decode()}")
    log(f"promtool check metrics passed {state}")


def metric_value(text, name, labels):
    """The value of `name{labels}` in Prometheus text, or None."""
    want = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    for line in text.splitlines():
        if line.startswith("#") or " " not in line:
            continue
        series, value = line.rsplit(" ", 1)
        if "{" in series:
            metric, rest = series.split("{", 1)
            got = ",".join(sorted(rest.rstrip("}").split(",")))
        else:
            metric, got = series, ""
        if metric == name and got == want:
            return float(value)
    return None


def check_metrics(args, tmp):
    log("metrics: promtool in every state, then a real Prometheus")
    host = Host(args.wdhost, ["--plugin-dir", args.fixtures, "--plugin", "fake",
                              "--max-sessions", "1", "--log-format", "json"],
                os.path.join(tmp, "metrics-host.log"))
    prometheus = None
    queued = None
    try:
        code, idle = http(host.url + "/metrics")
        assert code == 200, code
        promtool_check(args.promtool, idle, "idle")
        code, created = http(host.url + "/session", "POST", FAKE)
        assert code == 200, created
        session = json.loads(created)["value"]["sessionId"]
        code, running = http(host.url + "/metrics")
        promtool_check(args.promtool, running, "with a session running")
        text = running.decode()
        assert metric_value(text, "wdhost_sessions", {"plugin": "fake", "state": "active"}) == 1
        assert metric_value(text, "wdhost_sessions_created_total", {"plugin": "fake"}) == 1

        result = {}
        queued = threading.Thread(target=lambda: result.update(
            answer=http(host.url + "/session", "POST", FAKE, timeout=120)))
        queued.start()
        wait_for(lambda: metric_value(http(host.url + "/metrics")[1].decode(),
                                      "wdhost_queue_length", {}) == 1, 20, "a queued request")
        code, with_queue = http(host.url + "/metrics")
        promtool_check(args.promtool, with_queue, "with a request queued")

        # A real Prometheus scrapes the host; its API answers wdhost_sessions.
        prom_port = free_port()
        config = os.path.join(tmp, "prometheus.yml")
        with open(config, "w") as f:
            f.write("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
                    "scrape_configs:\n  - job_name: wdhost\n    static_configs:\n"
                    f"      - targets: ['127.0.0.1:{host.port}']\n")
        prometheus = subprocess.Popen(
            [args.prometheus, f"--config.file={config}",
             f"--storage.tsdb.path={os.path.join(tmp, 'tsdb')}",
             f"--web.listen-address=127.0.0.1:{prom_port}"],
            stdout=subprocess.DEVNULL, stderr=open(os.path.join(tmp, "prometheus.log"), "wb"),
            stdin=subprocess.DEVNULL, start_new_session=True)
        query = (f"http://127.0.0.1:{prom_port}/api/v1/query?query="
                 + urllib.parse.quote('wdhost_sessions{plugin="fake",state="active"}'))

        def scraped():
            code, body = http(query, timeout=5)
            if code != 200:
                return None
            results = json.loads(body)["data"]["result"]
            return results[0]["value"][1] if results else None

        value = wait_for(scraped, 60, "Prometheus to scrape wdhost_sessions")
        assert value == "1", f"Prometheus says wdhost_sessions is {value}, not 1"
        log(f"Prometheus scraped wdhost_sessions{{plugin=fake,state=active}} = {value}")

        assert http(host.url + f"/session/{session}", "DELETE")[0] == 200
        queued.join(30)
        answer = result.get("answer")
        assert answer and answer[0] == 200, answer
        code, after = http(host.url + "/metrics")
        text = after.decode()
        assert metric_value(text, "wdhost_sessions_closed_total",
                            {"plugin": "fake", "reason": "deleted"}) == 1, text
        assert metric_value(text, "wdhost_queue_length", {}) == 0
    finally:
        if prometheus is not None:
            os.killpg(prometheus.pid, signal.SIGTERM)
            try:
                prometheus.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(prometheus.pid, signal.SIGKILL)
                prometheus.wait(10)
        code = host.stop()
        if queued is not None:
            queued.join(30)
    assert code == 0, f"the metrics host exited {code}"
    return host.log_path


def check_json_logs(log_path):
    log("json logs: every line parses with python3 -m json.tool")
    with open(log_path) as f:
        lines = [line for line in f.read().splitlines() if line.strip()]
    assert len(lines) >= 5, lines
    with_session = 0
    for line in lines:
        result = subprocess.run([sys.executable, "-m", "json.tool"], input=line.encode(),
                                capture_output=True, timeout=30)
        assert result.returncode == 0, f"not JSON: {line!r}"
        entry = json.loads(line)
        for key in ("time", "level", "component", "message"):
            assert key in entry, f"{key} missing in {line}"
        if entry["component"] == "session":
            assert entry.get("session"), f"a session line without its id: {line}"
            with_session += 1
    assert with_session >= 2, "no session lines with ids"
    log(f"{len(lines)} JSON log lines parsed, {with_session} session lines with ids")


def chrome(url, record=False):
    options = webdriver.ChromeOptions()
    for arg in CHROME_ARGS:
        options.add_argument(arg)
    if record:
        options.set_capability("se:recordVideo", True)
    return webdriver.Remote(command_executor=url, options=options)


def live_view_digest(viewer, session_id):
    """A digest of the live view's current frame, read in the page; None before one shows."""
    data = viewer.execute_async_script(
        """
        const [id, done] = arguments;
        const img = document.querySelector(`.session[data-session-id="${id}"] img.live-view`);
        if (!img || !img.complete || !img.naturalWidth) { done(null); return; }
        const canvas = document.createElement('canvas');
        canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
        canvas.getContext('2d').drawImage(img, 0, 0);
        done(canvas.toDataURL('image/png'));
        """, session_id)
    return hashlib.sha256(data.encode()).hexdigest() if data else None


def page(color, word):
    return f"data:text/html,<body style='margin:0;background:{color}'><h1>{word}</h1></body>"


def check_status_page(args, tmp):
    log("status page: another client's session, its live view, the end button")
    # The fake fixture runs isolated beside chrome, so that the page shows its helper.
    built = os.path.join(os.path.dirname(os.path.abspath(args.wdhost)), "..", "lib", "wdhost",
                         "plugins")
    host = Host(args.wdhost, ["--plugin-dir", built, "--plugin-dir", args.fixtures,
                              "--plugin", "chrome", "--plugin", "fake", "--isolate-plugin", "fake",
                              "--max-sessions", "3", "--warm-drivers", "0",
                              "--recordings-dir", os.path.join(tmp, "recordings")],
                os.path.join(tmp, "ui-host.log"))
    client = viewer = None
    try:
        client = chrome(host.url, record=True)
        client.get(page("rgb(200,30,30)", "first"))
        viewer = chrome(host.url)
        viewer.set_script_timeout(20)
        viewer.get(host.url + "/ui")
        row = wait_for(lambda: viewer.find_elements(
            By.CSS_SELECTOR, f'.session[data-session-id="{client.session_id}"]'), 20,
            "the client's session on the page")[0]
        text = row.text
        assert "chrome" in text, text
        assert client.capabilities["browserVersion"] in text, text
        assert "webdriver" in text, text
        assert "s" in row.find_element(By.CSS_SELECTOR, ".c-age").text, text
        row.find_element(By.CSS_SELECTOR, "button.live-toggle").click()
        first = wait_for(lambda: live_view_digest(viewer, client.session_id), 30,
                         "the first live view frame")
        client.get(page("rgb(30,30,200)", "second"))
        wait_for(lambda: (live_view_digest(viewer, client.session_id) or first) != first, 30,
                 "the live view to change after the client navigated")
        log("the live view changed after the client navigated")

        check_isolated_plugin_on_page(viewer, args.fixtures)
        if args.screenshot:
            os.makedirs(os.path.dirname(os.path.abspath(args.screenshot)), exist_ok=True)
            viewer.save_screenshot(args.screenshot)
            log(f"screenshot saved to {args.screenshot}")

        row.find_element(By.CSS_SELECTOR, "button.end-session").click()
        wait_for(lambda: viewer.switch_to.alert, 10, "the confirmation").accept()
        wait_for(lambda: not viewer.find_elements(
            By.CSS_SELECTOR, f'.session[data-session-id="{client.session_id}"]'), 20,
            "the session to leave the page")
        try:
            client.title
            raise AssertionError("the ended session still answers")
        except InvalidSessionIdException:
            log("the client's next command got invalid session id")
        recorded_id = client.session_id
        client = None

        # Its recording, listed once finished: the page plays the video and links the log.
        rec = wait_for(lambda: [r for r in viewer.find_elements(By.CSS_SELECTOR,
                                                                "#recording-table tbody")
                                if recorded_id[:8] in r.text and "finished" in r.text], 60,
                       "the ended session's recording on the page")[0]
        rec.find_element(By.CSS_SELECTOR, "button.live-toggle").click()
        size = wait_for(lambda: viewer.execute_script(
            "const v = document.querySelector('video.recording');"
            "return v && v.readyState >= 1 && v.videoWidth ? [v.videoWidth, v.duration] : null"),
            30, "the recording's video to load in the page")
        assert size[0] > 0 and size[1] > 1, size
        href = rec.find_element(By.LINK_TEXT, "Log").get_attribute("href")
        text = viewer.execute_async_script(
            "const done = arguments[1];"
            "fetch(arguments[0]).then(r => r.text()).then(done, e => done(String(e)))", href)
        assert "POST /url 200" in text and "the status page" in text, text[:500]
        log(f"the page played the recording ({size[0]} px wide, {size[1]:.1f} s) and read its log")
    finally:
        for driver in (client, viewer):
            if driver is not None:
                try:
                    driver.quit()
                except WebDriverException:
                    pass
        code = host.stop()
    assert code == 0, f"the status page host exited {code}"


def comm(pid):
    """Process `pid`'s command name ("" when it is gone)."""
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return ""


def plugin_item(viewer, name):
    """The text of plugin `name`'s entry in the page's plugin list ("" when absent). Read in one
    script: the page rebuilds the list whenever its state changes, which would leave an element
    found a moment before stale."""
    texts = viewer.execute_script(
        "return Array.from(document.querySelectorAll('#plugins > li'), li => li.innerText)")
    for text in texts or []:
        if text.split()[:1] == [name]:
            return text
    return ""


def check_isolated_plugin_on_page(viewer, fixtures):
    """The isolated plugin's helper on the page: running with its memory, then a crash."""
    text = wait_for(lambda: (lambda t: t if "helper running" in t else None)(
        plugin_item(viewer, "fake")), 20, "the isolated plugin's helper on the page")
    assert "isolated" in text and "0 crashes" in text and "MiB" in text, text
    assert "isolated" not in plugin_item(viewer, "chrome"), plugin_item(viewer, "chrome")
    helper = os.path.join(fixtures, "fake_plugin.so")
    found = subprocess.run(["pgrep", "-f", "wdhost-plugin-host --channel-fd 4 " + helper],
                           capture_output=True, text=True).stdout.split()
    # The helper itself, not the guard that started it (its command line names the helper too).
    pids = [pid for pid in found if comm(pid).startswith("wdhost-plugin")]
    assert len(pids) == 1, (found, [comm(pid) for pid in found])
    os.kill(int(pids[0]), signal.SIGKILL)
    text = wait_for(lambda: (lambda t: t if "1 crash" in t else None)(
        plugin_item(viewer, "fake")), 20, "the helper's crash on the page")
    assert "SIGKILL" in text and "not running" in text, text
    log(f"the page shows the isolated plugin's helper and its crash: {text!r}")


def check_login(args, tmp):
    log("status page with --auth-token: the login form and no data, then data after login")
    token = "operators-" + os.urandom(8).hex()
    host = Host(args.wdhost, ["--plugin", "chrome", "--max-sessions", "2", "--warm-drivers", "0",
                              "--auth-token", token], os.path.join(tmp, "login-host.log"))
    viewer = None
    try:
        assert http(host.url + "/ui/state")[0] == 401
        assert http(host.url + "/metrics")[0] == 401
        assert http(host.url + "/ui/recordings/x.mp4")[0] == 401
        parts = urllib.parse.urlsplit(host.url)
        authed = f"{parts.scheme}://wdhost:{token}@{parts.netloc}"
        viewer = chrome(authed)
        viewer.get(host.url + "/ui")
        form = wait_for(lambda: [f for f in viewer.find_elements(By.ID, "login")
                                 if f.is_displayed()], 20, "the login form")[0]
        dashboard = viewer.find_element(By.ID, "dashboard")
        assert not dashboard.is_displayed(), "data shows without the token"
        assert viewer.session_id not in viewer.page_source, "a session id shows without the token"
        form.find_element(By.ID, "token").send_keys(token)
        form.find_element(By.CSS_SELECTOR, "button, input[type=submit]").click()
        wait_for(lambda: viewer.find_element(By.ID, "dashboard").is_displayed(), 20,
                 "the data after logging in")
        wait_for(lambda: viewer.find_elements(
            By.CSS_SELECTOR, f'.session[data-session-id="{viewer.session_id}"]'), 20,
            "the viewer's own session listed after login")
        log("login form without the token, data after it")
        # Signing out ends this login: the page asks for the token again, also after a reload.
        viewer.find_element(By.ID, "logout").click()
        wait_for(lambda: [f for f in viewer.find_elements(By.ID, "login") if f.is_displayed()],
                 20, "the login form after signing out")
        viewer.get(host.url + "/ui")
        wait_for(lambda: [f for f in viewer.find_elements(By.ID, "login") if f.is_displayed()],
                 20, "the login form after signing out and reloading")
        assert not viewer.find_element(By.ID, "dashboard").is_displayed()
        log("signing out ends the login")
    finally:
        if viewer is not None:
            viewer.quit()
        code = host.stop()
    assert code == 0, f"the login host exited {code}"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--wdhost", required=True)
    parser.add_argument("--fixtures", required=True, help="the fixture plugins' directory")
    parser.add_argument("--promtool", default="/usr/bin/promtool")
    parser.add_argument("--prometheus", default="/usr/bin/prometheus")
    parser.add_argument("--screenshot", help="where to save a screenshot of the status page")
    args = parser.parse_args()
    for tool in (args.promtool, args.prometheus):
        if not os.access(tool, os.X_OK):
            sys.exit(f"missing {tool}: run tools/install-deps test (Debian's prometheus)")
    tmp = tempfile.mkdtemp(prefix="wdhost-operators-test-")
    try:
        log_path = check_metrics(args, tmp)
        check_json_logs(log_path)
        check_status_page(args, tmp)
        check_login(args, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    log("passed")


if __name__ == "__main__":
    main()
