#!/usr/bin/env python3
"""A real web page as the attacker: nothing it sends creates, reads or ends anything.

Starts the real wdhost with the chrome plugin and no token (its default), opens a session with
Selenium's Python client, and loads into that session's own Chromium a page served from another
port of 127.0.0.1 (so: another origin, on the very machine the host trusts). The page tries
every way a page has to reach the host: no-cors fetch POSTs of New Session (plain and
text/plain), sendBeacon, a form posted into a hidden frame, a CORS read of /status and
/ui/state, an image GET of a screenshot, websockets to the session's CDP and BiDi
endpoints, the live view's, and reading or deleting the session's trace (the host traces every
session here). Then, as DNS rebinding would, the browser reaches the host under a foreign name
(Chromium's --host-resolver-rules maps it to 127.0.0.1) and is refused. The host must have
created nothing and answered nothing readable; the session must still be the only one.
"""
import argparse
import http.server
import json
import os
import sys
import tempfile
import threading

from selenium import webdriver

from e2e_support import free_port, http_json, start_wdhost, stop_wdhost, wait_for

ATTACK = """<!doctype html><title>attacking</title><body><script>
const host = 'http://127.0.0.1:%(port)d', ws = 'ws://127.0.0.1:%(port)d';
const session = '%(session)s';
const body = JSON.stringify({capabilities: {alwaysMatch: {browserName: 'chrome',
  'goog:chromeOptions': {args: ['--headless=new']}}}});
const results = {};
const note = (key, value) => { results[key] = value; };
async function attempt(key, run) {
  try { note(key, await run()); } catch (e) { note(key, 'error: ' + e.message); }
}
function socket(url) {
  return new Promise((resolve) => {
    let opened = false;
    const s = new WebSocket(url);
    s.onopen = () => { opened = true; s.send('{"id":1,"method":"Browser.getVersion"}'); };
    s.onmessage = (m) => resolve('read: ' + String(m.data).slice(0, 80));
    s.onerror = () => resolve(opened ? 'opened, then error' : 'refused');
    s.onclose = () => resolve(opened ? 'opened, then closed' : 'refused');
    setTimeout(() => resolve(opened ? 'opened' : 'no answer'), 8000);
  });
}
(async () => {
  await attempt('noCors', async () => (await fetch(host + '/session',
    {method: 'POST', mode: 'no-cors', body})).type);
  await attempt('noCorsTextPlain', async () => (await fetch(host + '/session',
    {method: 'POST', mode: 'no-cors', headers: {'Content-Type': 'text/plain'}, body})).type);
  await attempt('beacon', async () => navigator.sendBeacon(host + '/session', body));
  await attempt('corsStatus', async () => (await (await fetch(host + '/status')).text()));
  await attempt('corsUiState', async () => (await (await fetch(host + '/ui/state')).text()));
  await attempt('drain', async () => (await fetch(host + '/wdhost/drain',
    {method: 'POST', mode: 'no-cors', body: '{}'})).type);
  await attempt('endSession', async () => (await fetch(host + '/ui/sessions/' + session + '/end',
    {method: 'POST', mode: 'no-cors', body: '{}'})).type);
  await attempt('image', () => new Promise((resolve) => {
    const img = new Image();
    img.onload = () => resolve('loaded ' + img.width + 'x' + img.height);
    img.onerror = () => resolve('refused');
    img.src = host + '/session/' + session + '/screenshot';
  }));
  await attempt('form', () => new Promise((resolve) => {
    const frame = document.createElement('iframe');
    frame.name = 'sink';
    document.body.append(frame);
    const form = document.createElement('form');
    form.method = 'POST';
    form.enctype = 'text/plain';
    form.action = host + '/session';
    form.target = 'sink';
    const field = document.createElement('input');
    field.name = body.slice(0, -2);
    field.value = '}}';
    form.append(field);
    document.body.append(form);
    frame.onload = () => resolve('submitted');
    form.submit();
    setTimeout(() => resolve('submitted, no load'), 5000);
  }));
  await attempt('cdp', () => socket(ws + '/session/' + session + '/se/cdp'));
  await attempt('bidi', () => socket(ws + '/session/' + session + '/se/bidi'));
  await attempt('liveView', () => socket(ws + '/ui/sessions/' + session + '/live'));
  await attempt('liveLinkSocket', () => socket(ws + '/live/socket'));
  await attempt('liveLink', async () => (await fetch(host + '/wdhost/sessions/' + session +
    '/live-link', {method: 'POST', mode: 'no-cors', body: '{"control":true}'})).type);
  await attempt('uiLiveLink', async () => (await fetch(host + '/ui/sessions/' + session +
    '/live-link', {method: 'POST', mode: 'no-cors', body: '{"control":true}'})).type);
  await attempt('corsTraces', async () => (await (await fetch(host + '/wdhost/traces')).text()));
  await attempt('corsTrace', async () => (await (await fetch(host + '/wdhost/traces/' + session))
    .text()));
  await attempt('deleteTrace', async () => (await fetch(host + '/wdhost/traces/' + session,
    {method: 'DELETE', mode: 'no-cors'})).type);
  window.results = results;
  document.title = 'done';
})();
</script></body>"""


class AttackPage(http.server.BaseHTTPRequestHandler):
    """Serves the attacking page at /; 404 elsewhere."""

    page = b""

    def do_GET(self):  # noqa: N802 (the base class's name)
        if self.path != "/":
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(self.page)))
        self.end_headers()
        self.wfile.write(self.page)

    def log_message(self, *args):
        pass


def status_of(base):
    code, body = http_json(base + "/status")
    assert code == 200, f"/status answered {code}"
    return body["value"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--wdhost", required=True)
    args = parser.parse_args()
    logs = tempfile.TemporaryDirectory(prefix="wdh-page-attack-")
    log_path = os.path.join(logs.name, "wdhost.log")
    host, base = start_wdhost(args.wdhost, ["--plugin", "chrome", "--warm-browsers", "0",
                                            "--max-sessions", "3", "--trace", "on",
                                            "--traces-dir", os.path.join(logs.name, "traces")],
                             log=log_path)
    port = int(base.rsplit(":", 1)[1])
    server = None
    driver = None
    try:
        options = webdriver.ChromeOptions()
        # What DNS rebinding would do, without DNS: this name leads to 127.0.0.1.
        options.add_argument("--host-resolver-rules=MAP rebound.test 127.0.0.1")
        options.set_capability("webSocketUrl", True)
        driver = webdriver.Remote(base, options=options)
        session = driver.session_id
        before = status_of(base)
        assert before["sessions"] == 1, before

        AttackPage.page = (ATTACK % {"port": port, "session": session}).encode()
        server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), AttackPage)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        driver.get(f"http://127.0.0.1:{server.server_address[1]}/")
        wait_for(lambda: driver.title == "done", 60, "the attacking page to finish")
        results = driver.execute_script("return window.results")
        print("what the page got:", json.dumps(results, indent=1))

        # Nothing was created, queued, drained or ended. The page does not wait for its beacon
        # (nor, at worst, for its form): wait until the host has turned away all four of its New
        # Sessions, so that none can still be on its way when the slots are counted.
        def refused_new_sessions():
            with open(log_path, errors="replace") as f:
                return f.read().count("refused POST /session:")
        wait_for(lambda: refused_new_sessions() >= 4, 60,
                 "the host to refuse the page's four New Sessions")
        after = status_of(base)
        assert after["sessions"] == 1 and after["queued"] == 0, after
        assert not after["draining"], after
        assert driver.title == "done", "the session no longer answers"
        # Nothing was read.
        for key in ("corsStatus", "corsUiState", "corsTraces", "corsTrace"):
            assert results[key].startswith("error"), (key, results[key])
        assert results["image"] == "refused", results["image"]
        for key in ("cdp", "bidi", "liveView", "liveLinkSocket"):
            assert results[key] in ("refused", "no answer"), (key, results[key])
        # The session's trace is still there (the page could not delete it).
        code, trace = http_json(f"{base}/wdhost/traces/{session}")
        assert code == 200 and trace["value"]["commands"], code
        # No hand-off link was made for the page.
        code, links = http_json(f"{base}/wdhost/sessions/{session}/live-link")
        assert code == 200 and links["value"] == [], (code, links)

        # Rebinding: the same host under a name it was not given answers nothing but a refusal.
        driver.get(f"http://rebound.test:{port}/status")
        text = driver.find_element("tag name", "body").text
        assert "does not name this host" in text and '"ready"' not in text, text
        driver.get(f"http://rebound.test:{port}/ui/state")
        text = driver.find_element("tag name", "body").text
        assert "does not name this host" in text and "sessions" not in text, text
        assert status_of(base)["sessions"] == 1
        print("page attack: 1 passed, 0 failed")
    finally:
        if driver is not None:
            driver.quit()
        if server is not None:
            server.shutdown()
        code = stop_wdhost(host)
        logs.cleanup()
    assert code == 0, f"wdhost exited with {code}"


if __name__ == "__main__":
    try:
        main()
    except AssertionError as failure:
        print(f"FAILED: {failure}", file=sys.stderr)
        sys.exit(1)
