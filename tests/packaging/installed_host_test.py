#!/usr/bin/env python3
"""The wdhost package as installed, without installing it: `dpkg-deb -x` into a temp root, then
the unit's own ExecStart from there (its --config read from the root's /etc, the tokens from a
credentials directory as systemd would hand them), plugins found by the installed layout.
A Chrome session through it with Selenium's Python client; then the unit's own ExecStop while
that session runs: the host drains (the session goes on, /status says 503) and exits 0 once the
session ends, and ExecStop returns then.

Usage: installed_host_test.py --debs DIR. Every wait is bounded; the host, its browsers and the
temp root are gone afterwards, also on failure.
"""
import argparse
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
from e2e_support import wait_for  # noqa: E402
from package_support import (deb, expect, fail, run, temp_dir, unit_command,  # noqa: E402
                             unpack)

from selenium import webdriver  # noqa: E402

PAGE = "data:text/html,<title>Installed</title><p>wdhost from its package</p>"


def status(base, token=None):
    """(HTTP status, body) of GET /status, with the client token when given; 0 if no answer."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        with urllib.request.urlopen(urllib.request.Request(base + "/status", headers=headers),
                                    timeout=30) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except OSError:
        return 0, b""


def environment(home):
    """The host's environment: a HOME of its own (no user plugin dir of this machine's user)
    and no WDHOST_* variable, so only the installed layout can supply plugins."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WDHOST_")}
    env.update(HOME=home, XDG_DATA_HOME=os.path.join(home, "share"))
    return env


def write_tokens(credentials):
    """Two tokens in a credentials directory, as LoadCredential= makes it; the client token."""
    os.makedirs(credentials, mode=0o700)
    for name, token in (("auth-token", "client-token-1234"), ("operator-token", "op-token-5678")):
        path = os.path.join(credentials, name)
        with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o400), "w") as f:
            f.write(token + "\n")
    return "client-token-1234"


def start(argv, env, log):
    """Starts the host with `argv` plus a port of the OS's choosing; (process, base URL)."""
    process = subprocess.Popen(argv + ["--port", "0", "--warm-browsers", "0"], env=env,
                               stdout=subprocess.PIPE, stderr=log, stdin=subprocess.DEVNULL,
                               text=True, start_new_session=True)
    line = process.stdout.readline()
    prefix = "wdhost listening on http://127.0.0.1:"
    if not line.startswith(prefix):
        stop(process)
        fail(f"the installed host did not start: {line!r}")
    return process, "http://127.0.0.1:" + line[len(prefix):].strip()


def stop(process):
    """SIGTERM to the host's group (it closes its sessions), SIGKILL after 60 s."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)
    return process.returncode


def check_layout(root, argv, env):
    """--list-plugins of the unit's command line: the three plugins, from the root's plugin dir."""
    listing = run(argv + ["--list-plugins"], env=env, timeout=120)
    plugin_dir = os.path.join(root, "usr", "bin", "..", "lib", "wdhost", "plugins")
    for name in ("chrome", "firefox", "safari"):
        expect(f"from {os.path.join(plugin_dir, name + '.so')}" in listing,
               f"the installed {name} plugin is found in {plugin_dir}")


def drive(base, token, stop_argv, host):
    """A Chrome session; the unit's ExecStop while it runs; the session ends; ExecStop returns."""
    driver = webdriver.Remote(base.replace("http://", f"http://wdhost:{token}@"),
                              options=webdriver.ChromeOptions())
    stopper = None
    try:
        expect(driver.capabilities["browserName"] == "chrome", "a Chrome session started")
        driver.get(PAGE)
        expect(driver.title == "Installed", "the page loaded in the installed host's Chromium")
        code, _ = status(base)
        expect(code == 401, f"a request without the token is refused (401): {code}")

        stopper = subprocess.Popen(stop_argv, stdin=subprocess.DEVNULL)
        wait_for(lambda: status(base, token)[0] == 503, 60,
                 "/status to answer 503 (draining) after the unit's ExecStop")
        expect(stopper.poll() is None, "ExecStop waits while a session runs")
        driver.get(PAGE.replace("Installed", "Draining"))
        expect(driver.title == "Draining", "the running session goes on during the drain")
    finally:
        driver.quit()
    # The host is reaped first, as systemd reaps its main process: ExecStop waits for the pid to
    # go, and a zombie's pid stays.
    try:
        expect(host.wait(120) == 0, "the host exited 0 after draining")
        expect(stopper.wait(60) == 0, "ExecStop returns once the host has exited")
    except subprocess.TimeoutExpired:
        stopper.kill()
        stopper.wait(10)
        fail("the host or ExecStop did not end within 120 s of the last session's end")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--debs", required=True)
    args = parser.parse_args()
    with temp_dir("wdhost-installed-") as tmp:
        root = os.path.join(tmp, "root")
        unpack(deb(args.debs, "wdhost"), root)
        env = environment(os.path.join(tmp, "home"))
        os.makedirs(env["HOME"])
        credentials = os.path.join(tmp, "credentials")
        token = write_tokens(credentials)
        argv = unit_command(root, "ExecStart", {"CREDENTIALS_DIRECTORY": credentials})
        expect(argv[0] == os.path.join(root, "usr/bin/wdhost") and
               os.path.join(root, "etc/wdhost/wdhost.conf") in argv,
               f"the unit's ExecStart runs the root's wdhost with its /etc config: {argv}")
        check_layout(root, argv, env)
        with open(os.path.join(tmp, "wdhost.log"), "w+") as log:
            host, base = start(argv, env, log)
            try:
                stop_argv = unit_command(root, "ExecStop", {"MAINPID": str(host.pid)})
                drive(base, token, stop_argv, host)
            finally:
                stop(host)
                log.seek(0)
                print("--- wdhost log (tail)\n" + "".join(log.readlines()[-30:]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
