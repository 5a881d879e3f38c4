"""What the Python end-to-end tests share: free ports, bounded waits, and plain HTTP."""
import json
import socket
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
