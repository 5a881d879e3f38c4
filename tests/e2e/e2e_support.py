"""What the Python end-to-end tests share: free ports, bounded waits, plain HTTP, /proc,
wdhost, and a raw websocket client."""
import base64
import hashlib
import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
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


def http(url, method="GET", body=None, timeout=30, headers=None):
    """(HTTP status, body bytes) of one request with a JSON `body` and `headers`; status 0 when
    none came."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method,
                                     headers={"Content-Type": "application/json",
                                              **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except OSError:
        return 0, b""


def http_json(url, method="GET", body=None, timeout=10, headers=None):
    """(HTTP status, the body parsed as JSON or None); status 0 when nothing answered."""
    code, text = http(url, method, body, timeout, headers)
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


class RawWebSocket:
    """A minimal RFC 6455 client for the websockets the host serves itself (a session's log, the
    live view): the upgrade, masked text frames out, the server's unmasked frames read one by
    one (Debian's Python has no websocket client)."""

    def __init__(self, url, path, headers=None):
        parts = urllib.parse.urlsplit(url)
        self.sock = socket.create_connection((parts.hostname, parts.port), timeout=30)
        key = base64.b64encode(os.urandom(16)).decode()
        headers = {"Host": parts.netloc, **(headers or {})}
        extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.sock.sendall((f"GET {path} HTTP/1.1\r\n"
                           f"Upgrade: websocket\r\nConnection: Upgrade\r\n"
                           f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                           f"{extra}\r\n").encode())
        self.buffer = b""
        while b"\r\n\r\n" not in self.buffer:
            chunk = self.sock.recv(4096)
            if not chunk:
                break
            self.buffer += chunk
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        self.status = int(head.split(b" ", 2)[1]) if head else 0
        expected = base64.b64encode(hashlib.sha1(
            (key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest()).decode()
        self.accepted = f"Sec-WebSocket-Accept: {expected}".encode() in head

    def _read(self, n):
        while len(self.buffer) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("the host closed the connection")
            self.buffer += chunk
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def frame(self):
        """(opcode, payload) of the next frame."""
        first, second = self._read(2)
        length = second & 0x7F
        if length == 126:
            length = int.from_bytes(self._read(2), "big")
        elif length == 127:
            length = int.from_bytes(self._read(8), "big")
        assert not second & 0x80, "the server masked a frame"
        return first & 0x0F, self._read(length)

    def send_text(self, text):
        """Sends `text` as one masked text frame."""
        payload = text.encode()
        mask = os.urandom(4)
        if len(payload) < 126:
            head = bytes([0x81, 0x80 | len(payload)])
        else:
            head = bytes([0x81, 0x80 | 126]) + len(payload).to_bytes(2, "big")
        self.sock.sendall(head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

    def close(self):
        """Sends a masked close frame (1000), as a client does."""
        mask = os.urandom(4)
        payload = (1000).to_bytes(2, "big")
        self.sock.sendall(bytes([0x88, 0x80 | len(payload)]) + mask +
                          bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))
        self.sock.close()
