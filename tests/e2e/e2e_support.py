"""What the Python end-to-end tests share: free ports, bounded waits, plain HTTP, /proc, and
wdhost."""
import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request


def free_port():
    """A port the OS picks for 127.0.0.1, released for the process about to bind it."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(check, timeout, what):
    """Polls `check` until it returns a true value (returned) or `timeout` seconds pass (fails)."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.2)


def proc_file(pid, name):
    """The bytes of /proc/<pid>/<name>, or None once the process is gone: it may end at any
    moment, also while its file is read (ENOENT, ESRCH: both OSError)."""
    try:
        with open(f"/proc/{pid}/{name}", "rb") as f:
            return f.read()
    except OSError:
        return None


def pids():
    """Every pid in /proc now (some may be gone by the time they are read)."""
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def cmdline(pid):
    """The command line of `pid` with spaces for NULs, or "" once it is gone."""
    text = proc_file(pid, "cmdline")
    return "" if text is None else text.replace(b"\0", b" ").decode(errors="replace")


def live_parents():
    """{pid: parent pid} of every process alive and not a zombie, read from /proc; those that
    end meanwhile are left out."""
    parents = {}
    for pid in pids():
        text = proc_file(pid, "stat")
        if not text:
            continue
        fields = text[text.rfind(b")") + 2:].split()
        if len(fields) >= 2 and fields[0] != b"Z":
            parents[pid] = int(fields[1])
    return parents


def descendants_of(root):
    """Pids of the live descendants of `root`."""
    parents = live_parents()
    found, frontier = set(), {root}
    for _ in range(64):
        frontier = {p for p, pp in parents.items() if pp in frontier} - found
        if not frontier:
            break
        found |= frontier
    return found


def http(url, method="GET", body=None, timeout=30):
    """(HTTP status, body bytes) of one request with a JSON `body`; status 0 when none came."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except OSError:
        return 0, b""


def http_json(url, method="GET", body=None, timeout=10):
    """(HTTP status, the body parsed as JSON or None); status 0 when nothing answered."""
    code, text = http(url, method, body, timeout)
    try:
        return code, json.loads(text or b"null")
    except ValueError:
        return code, None


def start_wdhost(binary, args, env=None, log=None):
    """Starts `binary --port 0 ...args` in its own process group, its log (stderr) written to the
    file `log` when given; (process, its base URL)."""
    with open(log, "wb") if log else open(os.devnull, "wb") as stderr:
        process = subprocess.Popen([binary, "--port", "0", *args], stdout=subprocess.PIPE,
                                   stderr=stderr, stdin=subprocess.DEVNULL,
                                   start_new_session=True, env=env)
    line = process.stdout.readline().decode()
    if "listening on http://127.0.0.1:" not in line:
        stop_wdhost(process)
        raise AssertionError(f"wdhost did not start: {line!r}")
    return process, "http://127.0.0.1:" + line.rsplit(":", 1)[1].strip()


def stop_wdhost(process):
    """SIGTERM to the group, SIGKILL after 60 s; returns the exit code."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
    try:
        return process.wait(60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        return process.wait(10)
