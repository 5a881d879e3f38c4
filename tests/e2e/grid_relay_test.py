#!/usr/bin/env python3
"""End to end: wdhost as Selenium Grid 4 relay nodes, against the real Grid.

Starts two wdhost hosts (--max-sessions 2, chrome), a Grid hub, and two Grid relay nodes whose
configs come from `wdhost --grid-relay-config`, all on 127.0.0.1 with ports the OS picks. The
nodes address each host by a name (wdhost-a.grid.test, resolved to 127.0.0.1 by a hosts file
given to Grid's JVM), as a deployment does: each host allows its name with --allowed-hosts and
refuses any other, and the node config names it with --public-url. Then,
through the Grid router only, with Selenium's Python client: both nodes are UP; four sessions
spread over both hosts and reach their browsers; a fifth queues in Grid and starts when one
ends; a download is fetched through Grid's /se/files and an upload through /se/file;
WebdriverIO's BiDi and selenium-webdriver's CDP work (tests/clients/grid_clients.test.mjs);
draining one host moves new sessions to the other and the drained host exits 0 once its last
session ends; with that host back, killing the other leaves it serving. Every process is
stopped at the end, also on failure, and no browser of the hosts is left.
"""
import argparse
import base64
import http.client
import http.server
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import zipfile

from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.file_detector import LocalFileDetector

from e2e_support import RawWebSocket, cmdline, free_port, http_json, pids, proc_file, wait_for

CHROME_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
DOWNLOAD_TEXT = "quarterly figures from the grid test\n"


def log(message):
    print(f"[grid] {message}", flush=True)


class Processes:
    """Every process the test starts, each in its own process group, stopped by stop_all()."""

    def __init__(self, log_dir):
        self.log_dir = log_dir
        self.running = {}

    def start(self, name, argv, **kwargs):
        out = open(os.path.join(self.log_dir, f"{name}.log"), "wb")
        process = subprocess.Popen(argv, stdout=kwargs.pop("stdout", out), stderr=out,
                                   stdin=subprocess.DEVNULL, start_new_session=True, **kwargs)
        self.running[name] = process
        return process

    def stop(self, name, sig=signal.SIGTERM, timeout=20):
        process = self.running.pop(name, None)
        if process is None or process.poll() is not None:
            return None if process is None else process.returncode
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            pass
        try:
            return process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            return process.wait(10)

    def stop_all(self):
        for name in list(self.running):
            self.stop(name)

    def log_of(self, name):
        try:
            with open(os.path.join(self.log_dir, f"{name}.log"), errors="replace") as f:
                return f.read()[-4000:]
        except OSError:
            return ""


class Host:
    """One wdhost and the Grid relay node in front of it."""

    def __init__(self, name, wdhost, processes):
        self.name, self.wdhost, self.processes = name, wdhost, processes
        self.port = None
        self.process = None

    def hostname(self):
        """The name the relay node reaches this host by."""
        return f"wdhost-{self.name}.grid.test"

    def start(self, port=0):
        # The marker reaches the browsers only when passed on (they get an allowlisted env).
        argv = [self.wdhost, "--port", str(port), "--max-sessions", "2", "--plugin", "chrome",
                "--warm-drivers", "0", "--drain-timeout", "120",
                "--allowed-hosts", self.hostname(), "--pass-env", "WDHOST_GRID_TEST"]
        self.process = self.processes.start(f"wdhost-{self.name}", argv, stdout=subprocess.PIPE)
        line = self.process.stdout.readline().decode()
        if "listening on http://127.0.0.1:" not in line:
            raise AssertionError(f"wdhost {self.name} did not start: {line!r}\n"
                                 + self.processes.log_of(f"wdhost-{self.name}"))
        self.port = int(line.rsplit(":", 1)[1])
        log(f"wdhost {self.name} listens on {self.port}")

    def url(self, path=""):
        return f"http://127.0.0.1:{self.port}{path}"

    def status(self):
        return http_json(self.url("/status"))

    def sessions(self):
        code, body = self.status()
        return body["value"]["sessions"] if body else -1


def status_as(port, host_header):
    """The HTTP status of GET /status on 127.0.0.1:port sent with `host_header` as Host."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", "/status", headers={"Host": host_header})
        return connection.getresponse().status
    finally:
        connection.close()


def grid_nodes(hub_url):
    """{relay URL: availability} of the nodes the hub knows."""
    code, body = http_json(f"{hub_url}/status")
    if code != 200 or not body:
        return {}
    nodes = {}
    for node in body["value"].get("nodes", []):
        nodes[node.get("uri")] = node.get("availability")
    return nodes


def availability(hub_url, node_port):
    for uri, state in grid_nodes(hub_url).items():
        if uri and uri.endswith(f":{node_port}"):
            return state
    return None


def chrome_options(downloads=False):
    options = webdriver.ChromeOptions()
    for arg in CHROME_ARGS:
        options.add_argument(arg)
    if downloads:
        options.set_capability("se:downloadsEnabled", True)
    return options


def new_chrome(hub_url, downloads=False):
    return webdriver.Remote(command_executor=hub_url, options=chrome_options(downloads))


def add_file_commands(driver):
    """Grid's managed-file commands (this Selenium client predates their helpers)."""
    commands = driver.command_executor._commands
    commands["wdhostTestListFiles"] = ("GET", "/session/$sessionId/se/files")
    commands["wdhostTestGetFile"] = ("POST", "/session/$sessionId/se/files")
    commands["wdhostTestDeleteFiles"] = ("DELETE", "/session/$sessionId/se/files")


class Site(http.server.BaseHTTPRequestHandler):
    """The test pages: a title, a download link, a file input."""

    def do_GET(self):
        if self.path == "/report.txt":
            body, kind = DOWNLOAD_TEXT.encode(), "application/octet-stream"
            extra = {"Content-Disposition": "attachment; filename=report.txt"}
        else:
            body = (b"<title>grid page</title><a id='d' href='/report.txt'>get</a>"
                    b"<input type='file' id='f'>")
            kind, extra = "text/html", {}
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for key, value in extra.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def queued_in_grid(hub):
    """How many New Session requests wait in Grid's queue (its GraphQL API), or -1."""
    code, body = http_json(f"{hub}/graphql", "POST",
                           {"query": "{ sessionsInfo { sessionQueueRequests } }"})
    try:
        return len(body["data"]["sessionsInfo"]["sessionQueueRequests"])
    except (TypeError, KeyError):
        return -1


def check_spread_and_queue(hub, hosts, site):
    log("four sessions over two hosts, commands, a fifth that queues")
    drivers = []
    try:
        for _ in range(4):
            drivers.append(new_chrome(hub))
        counts = sorted(host.sessions() for host in hosts)
        assert counts == [2, 2], f"sessions per host {counts}, not spread 2 + 2"
        for driver in drivers:
            driver.get(site)
            assert driver.title == "grid page", driver.title
        result = {}

        def fifth():
            try:
                result["driver"] = new_chrome(hub)
            except Exception as error:  # reported below
                result["error"] = error

        waiter = threading.Thread(target=fifth)
        waiter.start()
        # Grid says it holds the request in its queue (so it was neither started nor refused).
        wait_for(lambda: queued_in_grid(hub) == 1 or not waiter.is_alive(), 60,
                 "the fifth New Session to queue in Grid")
        assert waiter.is_alive(), f"the fifth New Session did not queue: {result}"
        drivers.pop(0).quit()
        waiter.join(120)
        assert not waiter.is_alive() and "driver" in result, f"the fifth never started: {result}"
        drivers.append(result["driver"])
        drivers[-1].get(site)
        assert drivers[-1].title == "grid page"
    finally:
        for driver in drivers:
            driver.quit()
    wait_for(lambda: all(host.sessions() == 0 for host in hosts), 30, "every session to end")


def check_files(hub, site, tmp):
    log("a download through /se/files, an upload through /se/file")
    driver = new_chrome(hub, downloads=True)
    try:
        assert driver.capabilities.get("se:downloadsEnabled") is True, driver.capabilities
        add_file_commands(driver)
        driver.get(site)
        driver.find_element(By.ID, "d").click()
        names = wait_for(lambda: driver.execute("wdhostTestListFiles")["value"]["names"], 30,
                         "the download to be listed")
        assert names == ["report.txt"], names
        value = driver.execute("wdhostTestGetFile", {"name": "report.txt"})["value"]
        archive = zipfile.ZipFile(io.BytesIO(base64.b64decode(value["contents"])))
        assert archive.read("report.txt").decode() == DOWNLOAD_TEXT
        driver.execute("wdhostTestDeleteFiles")
        assert driver.execute("wdhostTestListFiles")["value"]["names"] == []

        local = os.path.join(tmp, "upload-me.txt")
        with open(local, "w") as f:
            f.write("uploaded through the grid")
        driver.file_detector = LocalFileDetector()
        driver.find_element(By.ID, "f").send_keys(local)
        text = driver.execute_async_script(
            "const done = arguments[0]; const file = document.getElementById('f').files[0];"
            "file.text().then(t => done(file.name + ':' + t));")
        assert text == "upload-me.txt:uploaded through the grid", text
    finally:
        driver.quit()


def check_js_clients(node, clients_dir, hub):
    log("WebdriverIO BiDi and selenium-webdriver CDP through the Grid router")
    env = dict(os.environ, GRID_URL=hub)
    result = subprocess.run([node, "--test", "--test-concurrency=1", "grid_clients.test.mjs"],
                            cwd=clients_dir, env=env, capture_output=True, text=True, timeout=400)
    print(result.stdout[-3000:], result.stderr[-2000:], flush=True)
    assert result.returncode == 0, "the JavaScript clients failed through Grid"
    assert "# pass 2" in result.stdout, "not both JavaScript client tests ran"


def check_live_view(hub, hosts):
    """wdhost:liveView through Grid: the link comes back unchanged, on the relay node's own
    public address, and opens the session's live view there. Grid's own UI watches sessions by
    VNC (se:vnc, after se:vncLocalAddress), which this host does not speak: it sets neither."""
    log("a live view link through Grid")
    options = chrome_options()
    options.set_capability("wdhost:liveView", True)
    driver = webdriver.Remote(command_executor=hub, options=options)
    try:
        caps = driver.capabilities
        link = urllib.parse.urlsplit(caps["wdhost:liveViewUrl"])
        assert "se:vnc" not in caps and "se:vncLocalAddress" not in caps, caps
        host = next(h for h in hosts if link.netloc == f"{h.hostname()}:{h.port}")
        assert link.path == "/live" and len(link.fragment) == 64, caps["wdhost:liveViewUrl"]
        viewer = RawWebSocket(f"http://127.0.0.1:{host.port}", "/live/socket",
                              {"Host": link.netloc})
        assert viewer.status == 101, viewer.status
        viewer.send_text(json.dumps({"type": "hello", "link": link.fragment}))
        opcode, payload = viewer.frame()
        hello = json.loads(payload)
        assert opcode == 1 and hello["type"] == "hello", (opcode, payload[:200])
        assert hello["session"] == driver.session_id, (hello, driver.session_id)
        viewer.close()
        log(f"the link opened session {hello['session']} on host {host.name} through Grid")
    finally:
        driver.quit()
    wait_for(lambda: all(host.sessions() == 0 for host in hosts), 30, "every session to end")


def check_drain(hub, hosts, node_ports, site):
    log("draining one host moves new sessions to the other")
    first = new_chrome(hub)
    others = []
    try:
        drained = next(host for host in hosts if host.sessions() == 1)
        other = next(host for host in hosts if host is not drained)
        code, body = http_json(drained.url("/wdhost/drain"), "POST")
        assert code == 200 and body["value"]["draining"], (code, body)
        code, body = drained.status()
        assert code == 503 and body["value"]["ready"] is False, (code, body)
        wait_for(lambda: availability(hub, node_ports[drained.name]) == "DOWN", 60,
                 "Grid to mark the draining host's node DOWN")
        for _ in range(2):
            others.append(new_chrome(hub))
        assert other.sessions() == 2, f"new sessions did not all go to {other.name}"
        first.get(site)  # the drained host still serves its running session
        assert first.title == "grid page"
    finally:
        for driver in others:
            driver.quit()
        first.quit()
    code = drained.process.wait(30)
    assert code == 0, f"the drained host exited {code}"
    drained.processes.running.pop(f"wdhost-{drained.name}", None)
    log(f"wdhost {drained.name} drained and exited 0")
    return drained, other


def check_kill(hub, back, killed, node_ports, site):
    log("with the drained host back, killing the other leaves it serving")
    back.start(back.port)
    wait_for(lambda: availability(hub, node_ports[back.name]) == "UP", 60,
             "Grid to see the restarted host's node UP")
    killed.processes.stop(f"wdhost-{killed.name}", signal.SIGKILL)
    wait_for(lambda: availability(hub, node_ports[killed.name]) == "DOWN", 60,
             "Grid to mark the killed host's node DOWN")
    driver = new_chrome(hub)
    try:
        assert back.sessions() == 1, "the new session is not on the host left"
        driver.get(site)
        assert driver.title == "grid page"
    finally:
        driver.quit()


def chromium_left():
    """Chromium or chromedriver processes of this run still running (marked in their env)."""
    left = []
    for name in pids():
        cmd = cmdline(name)
        environ = proc_file(name, "environ")
        if environ is None:
            continue  # it ended meanwhile
        marker = f"WDHOST_GRID_TEST={os.getpid()}".encode()
        if ("chromium" in cmd or "chromedriver" in cmd) and marker in environ:
            left.append(int(name))
    return left


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--wdhost", required=True)
    parser.add_argument("--jar", required=True, help="selenium-server-<version>.jar")
    parser.add_argument("--java", default="java")
    parser.add_argument("--node", default="node")
    parser.add_argument("--clients-dir", required=True, help="tests/clients, with node_modules")
    args = parser.parse_args()
    for path in (args.wdhost, args.jar):
        if not os.path.isfile(path):
            sys.exit(f"missing {path}: run tools/install-deps test")

    tmp = tempfile.mkdtemp(prefix="wdhost-grid-test-")
    processes = Processes(tmp)
    # Marks the browsers this run starts, to find any left behind.
    os.environ["WDHOST_GRID_TEST"] = str(os.getpid())
    site_server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Site)
    threading.Thread(target=site_server.serve_forever, daemon=True).start()
    site = f"http://127.0.0.1:{site_server.server_address[1]}/index.html"
    ok = False
    try:
        hosts = [Host("a", args.wdhost, processes), Host("b", args.wdhost, processes)]
        for host in hosts:
            host.start()
        # Each host answers to its own name and to no other (DNS rebinding).
        for host in hosts:
            assert status_as(host.port, f"{host.hostname()}:{host.port}") == 200
            assert status_as(host.port, f"elsewhere.grid.test:{host.port}") == 403
        hosts_file = os.path.join(tmp, "hosts")
        with open(hosts_file, "w") as f:
            f.write("127.0.0.1 localhost\n")
            for host in hosts:
                f.write(f"127.0.0.1 {host.hostname()}\n")
        hub_port, publish, subscribe = free_port(), free_port(), free_port()
        hub = f"http://127.0.0.1:{hub_port}"
        events = ["--publish-events", f"tcp://127.0.0.1:{publish}",
                  "--subscribe-events", f"tcp://127.0.0.1:{subscribe}"]
        java = [args.java, "-Xmx384m", "-XX:+UseSerialGC",
                f"-Djdk.net.hosts.file={hosts_file}", "-jar", args.jar]
        processes.start("hub", java + ["hub", "--host", "127.0.0.1", "--port", str(hub_port),
                                       "--healthcheck-interval", "2",
                                       "--session-request-timeout", "180",
                                       "--session-retry-interval", "500"] + events)
        node_ports = {}
        for host in hosts:
            config = subprocess.run(
                [args.wdhost, "--port", str(host.port), "--max-sessions", "2", "--plugin",
                 "chrome", "--public-url", f"http://{host.hostname()}:{host.port}",
                 "--grid-relay-config", "--log-level", "error"],
                capture_output=True, text=True, timeout=60, check=True).stdout
            assert f"http://{host.hostname()}:{host.port}" in config, config
            path = os.path.join(tmp, f"relay-{host.name}.toml")
            with open(path, "w") as f:
                f.write(config)
            node_ports[host.name] = free_port()
            processes.start(f"node-{host.name}", java + [
                "node", "--config", path, "--host", "127.0.0.1",
                "--port", str(node_ports[host.name]), "--grid-url", hub,
                "--heartbeat-period", "2", "--register-cycle", "1"] + events)
        wait_for(lambda: sorted(grid_nodes(hub).values()) == ["UP", "UP"], 120,
                 "both relay nodes to be UP in the hub")
        log("hub and both relay nodes are UP")

        check_spread_and_queue(hub, hosts, site)
        check_files(hub, site, tmp)
        check_js_clients(args.node, args.clients_dir, hub)
        check_live_view(hub, hosts)
        drained, other = check_drain(hub, hosts, node_ports, site)
        check_kill(hub, drained, other, node_ports, site)
        ok = True
    finally:
        processes.stop_all()
        site_server.shutdown()
        if not ok:
            for name in ("hub", "node-a", "node-b", "wdhost-a", "wdhost-b"):
                print(f"--- {name} log (tail) ---\n{processes.log_of(name)}", file=sys.stderr)
        shutil.rmtree(tmp, ignore_errors=True)
    wait_for(lambda: not chromium_left(), 15, "no browser of the test to be left")
    log("passed")


if __name__ == "__main__":
    main()
