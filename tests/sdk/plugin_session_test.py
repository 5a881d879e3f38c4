#!/usr/bin/env python3
"""The SDK as a plugin author meets it, driven by ctest (tests/sdk.cmake).

Modes:
  --plugin SO               a plugin built in this tree
  --example SRC --build B   installs B's "sdk" component into a temp prefix, then builds the
                            example at SRC out of tree against it (CMake find_package, or with
                            --pkg-config the compiler directly); --libcxx builds it with
                            clang++ -stdlib=libc++ and checks it really links libc++
  --search-path             the plugin search path: WDHOST_PLUGIN_PATH, user dir, dedup log
Then (except --search-path) the plugin must pass wdhost-plugin-check and run a session through
wdhost over HTTP: create, navigate, read back, an unknown command, delete.
Every wait is bounded; temp dirs and processes are removed also on failure.
"""
import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

TIMEOUT = 120


def run(cmd, **kwargs):
    print("+", " ".join(cmd), flush=True)
    done = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=kwargs.pop("timeout", TIMEOUT), **kwargs)
    if done.returncode != 0:
        sys.exit(f"FAILED ({done.returncode}): {' '.join(cmd)}\n{done.stdout}")
    return done.stdout


def build_example(args, tmp):
    prefix = os.path.join(tmp, "prefix")
    run(["cmake", "--install", args.build, "--prefix", prefix, "--component", "sdk"])
    for path in ["include/wdhost/plugin.h", "include/wdhost/plugin.hpp",
                 "share/pkgconfig/wdhost-sdk.pc", "share/wdhost/wdhost-plugin.exports"]:
        if not os.path.exists(os.path.join(prefix, path)):
            sys.exit(f"FAILED: the install lacks {path}")
    cxx = "clang++" if args.libcxx else os.environ.get("CXX", "c++")
    flags = ["-stdlib=libc++"] if args.libcxx else []
    source = os.path.join(args.example, "example_plugin.cpp")
    if args.pkg_config:
        env = dict(os.environ, PKG_CONFIG_PATH=os.path.join(prefix, "share", "pkgconfig"))
        def pc(*what):
            return run(["pkg-config", *what, "wdhost-sdk"], env=env).split()
        plugins = os.path.join(tmp, "plugins")
        os.makedirs(plugins)
        so = os.path.join(plugins, "example.so")
        run([cxx, *flags, "-std=c++17", "-fPIC", "-Wall", "-Wextra", "-Werror", *pc("--cflags"),
             *pc("--variable=plugin_cflags"), "-shared", source, *pc("--variable=plugin_ldflags"),
             "-o", so])
    else:
        build = os.path.join(tmp, "build")
        run(["cmake", "-S", args.example, "-B", build, f"-DCMAKE_PREFIX_PATH={prefix}",
             "-DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF", f"-DCMAKE_CXX_COMPILER={cxx}",
             f"-DCMAKE_CXX_FLAGS={' '.join(flags)}"])
        with open(os.path.join(build, "CMakeCache.txt")) as cache:
            found = [l for l in cache if l.startswith("wdhost-sdk_DIR:")]
        if not found or prefix not in found[0]:
            sys.exit(f"FAILED: find_package(wdhost-sdk) did not use the temp prefix: {found}")
        run(["cmake", "--build", build], timeout=300)
        so = os.path.join(build, "plugins", "example.so")
    needed = run(["readelf", "-d", so])
    if args.libcxx and ("libc++.so" not in needed or "libstdc++" in needed):
        sys.exit(f"FAILED: {so} does not link libc++ alone:\n{needed}")
    return so


class Host:
    """wdhost on a port the OS picks; stopped (SIGTERM, then SIGKILL) in stop()."""

    def __init__(self, wdhost, plugin_dir, name):
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            [wdhost, "--port", "0", "--plugin-dir", plugin_dir, "--plugin", name],
            stdout=subprocess.PIPE, stderr=self.log, text=True)
        deadline = time.monotonic() + 30
        line = ""
        import select
        while time.monotonic() < deadline and not line:
            ready, _, _ = select.select([self.process.stdout], [], [], 1)
            if ready:
                line = self.process.stdout.readline()
                if not line:
                    break
        prefix = "wdhost listening on http://127.0.0.1:"
        if not line.startswith(prefix):
            self.stop()
            sys.exit(f"FAILED: wdhost did not start: {line!r}\n{self.logs()}")
        self.base = "http://127.0.0.1:" + line[len(prefix):].strip()

    def request(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=30) as answer:
                return answer.status, json.loads(answer.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    def logs(self):
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)
        return self.process.returncode


def expect(condition, what, host=None):
    if not condition:
        sys.exit(f"FAILED: {what}" + (f"\n--- wdhost log\n{host.logs()}" if host else ""))
    print("ok:", what, flush=True)


def run_session(args, so):
    host = Host(args.wdhost, os.path.dirname(so), args.browser)
    try:
        status, reply = host.request(
            "POST", "/session", {"capabilities": {"alwaysMatch": {"browserName": args.browser}}})
        expect(status == 200 and reply["value"]["capabilities"]["browserName"] == args.browser,
               f"New Session on {args.browser}: {status} {reply}", host)
        session = "/session/" + reply["value"]["sessionId"]
        status, reply = host.request("POST", session + "/url", {"url": "https://example.org/"})
        expect(status == 200 and reply["value"] is None, f"navigate: {status} {reply}", host)
        status, reply = host.request("GET", session + "/url")
        expect(status == 200 and reply["value"] == "https://example.org/",
               f"read the URL back: {status} {reply}", host)
        status, reply = host.request("GET", session + "/title")
        expect(status == 200 and isinstance(reply["value"], str), f"title: {reply}", host)
        status, reply = host.request("GET", session + "/no-such-command")
        expect(status == 404 and reply["value"]["error"] == "unknown command",
               f"unknown command: {status} {reply}", host)
        status, reply = host.request("DELETE", session)
        expect(status == 200, f"Delete Session: {status} {reply}", host)
        status, reply = host.request("GET", session + "/url")
        expect(status == 404 and reply["value"]["error"] == "invalid session id",
               f"the session is gone: {status}", host)
    finally:
        code = host.stop()
    expect(code == 0, f"wdhost stopped with exit code {code}")


def search_path(args, tmp):
    # One plugin in three places: the first WDHOST_PLUGIN_PATH entry must win, the others
    # be skipped with a line naming the winner; the user dir is searched after the env path.
    dirs = [os.path.join(tmp, d) for d in ("first", "second", "xdg/wdhost/plugins")]
    for d in dirs:
        os.makedirs(d)
        shutil.copy(args.plugin, os.path.join(d, "fake.so"))
    env = dict(os.environ, WDHOST_PLUGIN_PATH=f"{dirs[0]}::{dirs[1]}",
               XDG_DATA_HOME=os.path.join(tmp, "xdg"))
    out = subprocess.run([args.wdhost, "--list-plugins", "--plugin", "fake"], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                         timeout=TIMEOUT).stdout
    print(out)
    winner = os.path.join(dirs[0], "fake.so")
    expect(f"from {winner}" in out, "the first WDHOST_PLUGIN_PATH entry wins")
    for loser in dirs[1:]:
        expect(f"skipped {os.path.join(loser, 'fake.so')} (fake): the same plugin was already "
               f"found at {winner}, which wins" in out, f"the copy in {loser} is skipped")
    # --plugin-dir replaces the default path.
    out = subprocess.run([args.wdhost, "--list-plugins", "--plugin-dir", dirs[1]], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                         timeout=TIMEOUT).stdout
    expect(f"from {os.path.join(dirs[1], 'fake.so')}" in out and dirs[0] not in out,
           "--plugin-dir replaces the default search path")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--wdhost", required=True)
    parser.add_argument("--checker")
    parser.add_argument("--browser", default="example")
    parser.add_argument("--plugin")
    parser.add_argument("--example")
    parser.add_argument("--build")
    parser.add_argument("--pkg-config", action="store_true")
    parser.add_argument("--libcxx", action="store_true")
    parser.add_argument("--search-path", action="store_true")
    args = parser.parse_args()
    if args.libcxx and shutil.which("clang++") is None:
        print("clang++ is not installed (tools/install-deps test)")
        return 77
    tmp = tempfile.mkdtemp(prefix="wdhost-sdk-test-")
    try:
        if args.search_path:
            search_path(args, tmp)
            return 0
        so = build_example(args, tmp) if args.example else args.plugin
        print(run([args.checker, so], timeout=600))
        run_session(args, so)
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
