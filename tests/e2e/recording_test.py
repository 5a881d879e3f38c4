#!/usr/bin/env python3
"""Session video end to end: Selenium's own Python client asks for se:recordVideo on a real
headless Chromium through the real host, shows a red page then a blue one (served on 127.0.0.1),
and quits; the host lists the recording as finished, serves it with Range requests, and Debian's
ffprobe finds an H.264, yuv420p video that goes from red to blue. No ffmpeg outlives its session,
a recording still running when the host is stopped is finished too, and the recordings are
behind the request gate and the token like every route. With --record on-failure a video goes
only when its client said the session passed (Grid's session event) and deleted it; a failure
said, an abnormal end (idle timeout) or nothing said keeps it; and the directory is held to --recordings-max-age and --recordings-max-bytes. A WebKit session on
the safari plugin's private Xvfb is recorded from that display, and so is a firefox session on
its own Xvfb (firefox.display=xvfb). Each recorded session has a
log beside its video: the host's command log (with a failed command's W3C error), its page's
console (chrome) and its driver's output, served live, under Selenoid's /video and /logs paths
too, and kept or deleted with the video; the vendors' Execute Script status conventions
(BrowserStack, Sauce Labs, LambdaTest) are answered by the host and count as the session's
outcome.
"""
import argparse
import http.server
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException
from selenium.webdriver.common.by import By

from e2e_support import (RawWebSocket, cmdline, descendants_of, http_json, start_wdhost,
                         stop_wdhost, wait_for)

PAGES = {"/red": "<title>red</title><body style='margin:0;background:#f00'></body>",
         "/blue": "<title>blue</title><body style='margin:0;background:#00f'></body>"}


class Pages(http.server.BaseHTTPRequestHandler):
    """The two pages the session shows."""

    def do_GET(self):  # noqa: N802 (the standard library's name)
        page = PAGES.get(self.path)
        body = (page or "not found").encode()
        self.send_response(200 if page else 404)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def request(url, method="GET", headers=None, data=None):
    """(status, headers, body) of one request; HTTP errors are answers too."""
    req = urllib.request.Request(url, method=method, headers=headers or {}, data=data)
    try:
        with urllib.request.urlopen(req, timeout=30) as answer:
            return answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def ffmpeg_under(root):
    """Pids below `root` that run ffmpeg (the encoder or its guard)."""
    return {pid for pid in descendants_of(root) if "/ffmpeg" in cmdline(pid)}


def probe(path):
    """What ffprobe says of the video stream and the file."""
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-count_frames",
                          "-show_entries",
                          "stream=codec_name,pix_fmt,width,height,nb_read_frames:format=duration",
                          "-of", "json", path], check=True, capture_output=True, timeout=60)
    data = json.loads(out.stdout)
    return data["streams"][0], float(data["format"]["duration"])


def colours(path):
    """Each frame's average colour near the page's top left corner (inside the page on both
    Chromium's headless screen and MiniBrowser's window on its Xvfb), 'red', 'blue' or 'other',
    in order."""
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", path, "-vf",
                          "crop=200:200:100:100,scale=1:1", "-f",
                          "rawvideo", "-pix_fmt", "rgb24", "-"], check=True,
                         capture_output=True, timeout=60).stdout
    named = []
    for i in range(0, len(raw) - 2, 3):
        r, g, b = raw[i], raw[i + 1], raw[i + 2]
        named.append("red" if r > 180 and g < 80 and b < 80 else
                     "blue" if b > 180 and r < 80 and g < 80 else "other")
    return named


def recorded_session(url, pages, name):
    """A recorded session that shows red, then blue, and quits; its wdhost:recording."""
    options = webdriver.ChromeOptions()
    options.set_capability("se:recordVideo", True)
    options.set_capability("se:name", name)
    driver = webdriver.Remote(url, options=options)
    began = time.monotonic()
    try:
        recording = driver.capabilities.get("wdhost:recording")
        assert recording and recording["file"].startswith(name.replace(" ", "_") + "_"), \
            driver.capabilities
        assert "se:recordVideo" not in driver.capabilities, "the host's capability was forwarded"
        driver.get(pages + "/red")
        assert driver.title == "red"
        # Not served while it is being made; its log is, as far as it goes.
        status, _, _ = request(url + "/wdhost/recordings/" + recording["file"])
        assert status != 200, f"a recording in progress was served ({status})"
        status, _, text = request(recording["log"])
        assert status == 200 and b"began" in text, (status, text[:300])
        driver.execute_script("console.log('written by the page', 42)")
        try:
            driver.find_element(By.ID, "not-on-the-page")
            raise AssertionError("found an element that is not there")
        except NoSuchElementException:
            pass
        time.sleep(2)
        driver.get(pages + "/blue")
        assert driver.title == "blue"
        time.sleep(2)
    finally:
        driver.quit()
    recording["sessionSeconds"] = time.monotonic() - began
    return recording


def listed(url, file):
    """The entry of `file` in /wdhost/recordings once it is no longer recording, else None."""
    code, body = http_json(url + "/wdhost/recordings")
    assert code == 200, (code, body)
    for entry in body["value"]:
        if entry["file"] == file and entry["state"] != "recording":
            return entry
    return None


def settled(url, file):
    """True once `file` is no longer being recorded (finished, failed, or not kept)."""
    code, body = http_json(url + "/wdhost/recordings")
    assert code == 200, (code, body)
    return all(e["state"] != "recording" for e in body["value"] if e["file"] == file)


def check_video(path):
    stream, duration = probe(path)
    assert stream["codec_name"] == "h264", stream
    assert stream["pix_fmt"] == "yuv420p", stream
    assert duration > 0, duration
    assert int(stream["nb_read_frames"]) > 15, stream
    named = colours(path)
    assert "red" in named and "blue" in named, named
    first_red, last_blue = named.index("red"), len(named) - 1 - named[::-1].index("blue")
    assert first_red < last_blue, named
    # Blue until the session ended: the last frames may show the browser closing.
    assert last_blue >= len(named) - 5, named[-10:]
    return stream, duration, len(named)


def test_record_serve_and_clean(binary, pages, work):
    videos = os.path.join(work, "videos")
    host, url = start_wdhost(binary, ["--plugin", "chrome", "--warm-browsers", "0",
                                      "--recordings-dir", videos], log=os.path.join(work, "a.log"))
    try:
        recording = recorded_session(url, pages, "red then blue")
        file = recording["file"]
        assert recording["video"] == url + "/wdhost/recordings/" + file, recording
        entry = wait_for(lambda: listed(url, file), 60, "the recording to finish")
        assert entry["state"] == "finished", entry
        assert entry["endedBy"] == "deleted" and entry["outcome"] == "unknown", entry
        assert entry["browser"] == "chrome" and entry["size"] > 0, entry
        assert entry["log"] == recording["logFile"] and entry["logSize"] > 0, entry

        # The log: the page's console, the failed command's W3C error, every command, the end.
        status, headers, text = request(recording["log"])
        assert status == 200 and headers["Content-Type"].startswith("text/plain"), headers
        log = text.decode()
        assert "console log: written by the page 42" in log, log
        assert "POST /element 404 no such element: " in log, log
        assert "POST /url 200" in log and "GET /title 200" in log, log
        assert "session ended: it was deleted" in log, log
        assert len(log.encode()) == entry["logSize"], (len(log), entry)
        # Selenoid's paths to the same files, by name or by session id.
        session_id = entry["sessionId"]
        for path in (f"/logs/{session_id}", f"/logs/{session_id}.log", f"/logs/{entry['log']}"):
            status, _, same = request(url + path)
            assert status == 200 and same == text, (path, status)
        status, _, listing = request(url + "/video/")
        assert status == 200 and file in json.loads(listing), listing
        status, _, _ = request(url + "/video/" + entry["log"])
        assert status == 400, status  # a log is not under /video
        # Its ffmpeg ended with it: the entry says finished only once ffmpeg was reaped.
        assert not ffmpeg_under(host.pid), "an ffmpeg outlived its session"

        size = entry["size"]
        status, headers, body = request(url + "/wdhost/recordings/" + file,
                                        headers={"Range": "bytes=0-99"})
        assert status == 206, status
        assert headers["Content-Range"] == f"bytes 0-99/{size}", headers["Content-Range"]
        assert len(body) == 100
        status, headers, body = request(url + "/wdhost/recordings/" + file,
                                        headers={"Range": f"bytes=-{size // 2}"})
        assert status == 206 and len(body) == size // 2, (status, len(body))
        status, headers, _ = request(url + "/wdhost/recordings/" + file,
                                     headers={"Range": f"bytes={size}-"})
        assert status == 416 and headers["Content-Range"] == f"bytes */{size}", status
        status, headers, whole = request(url + "/wdhost/recordings/" + file)
        assert status == 200 and len(whole) == size and headers["Accept-Ranges"] == "bytes"
        fetched = os.path.join(work, "fetched.mp4")
        with open(fetched, "wb") as f:
            f.write(whole)
        stream, duration, frames = check_video(fetched)
        # As long as the session (from New Session's answer to Delete Session's), within 1 s.
        assert abs(duration - recording["sessionSeconds"]) <= 1.0, (duration, recording)
        print(f"recorded: {stream['codec_name']} {stream['pix_fmt']} {stream['width']}x"
              f"{stream['height']}, {duration:.2f} s, {frames} frames, the session "
              f"{recording['sessionSeconds']:.2f} s")

        status, _, whole_again = request(f"{url}/video/{session_id}.mp4")
        assert status == 200 and whole_again == whole, status
        status, _, _ = request(url + "/wdhost/recordings/" + file, method="DELETE")
        assert status == 200, status
        assert not os.path.exists(os.path.join(videos, file))
        assert not os.path.exists(os.path.join(videos, entry["log"])), "its log outlived it"
        status, _, _ = request(url + "/wdhost/recordings/" + file)
        assert status == 404, status
    finally:
        code = stop_wdhost(host)
    assert code == 0, f"wdhost exited with {code}"
    assert not descendants_of(host.pid), "processes outlived the host"


def test_shutdown_finishes_the_file(binary, pages, work):
    videos = os.path.join(work, "videos-shutdown")
    host, url = start_wdhost(binary, ["--plugin", "chrome", "--warm-browsers", "0",
                                      "--recordings-dir", videos], log=os.path.join(work, "b.log"))
    try:
        options = webdriver.ChromeOptions()
        options.set_capability("wdhost:recording", {"video": True, "fps": 10})
        driver = webdriver.Remote(url, options=options)
        file = driver.capabilities["wdhost:recording"]["file"]
        driver.get(pages + "/red")
        time.sleep(1)
        driver.get(pages + "/blue")
        time.sleep(1)
        # ffmpeg starts with the first frame, which a loaded machine may paint late.
        wait_for(lambda: ffmpeg_under(host.pid), 60, "ffmpeg to record the session")
    finally:
        code = stop_wdhost(host)
    assert code == 0, f"wdhost exited with {code}"
    assert not descendants_of(host.pid), "processes outlived the host"
    log = file[:-4] + ".log"
    assert sorted(os.listdir(videos)) == sorted([file, log]), os.listdir(videos)
    with open(os.path.join(videos, log)) as f:
        text = f.read()
    assert "the host shut down" in text and "recorded" in text, text
    stream, duration = probe(os.path.join(videos, file))
    assert stream["codec_name"] == "h264" and duration > 0, (stream, duration)


def test_follows_the_window(binary, pages, work):
    """A chrome recording follows the window its client switches to: red in the first tab, blue
    in a new one, and the video ends blue."""
    videos = os.path.join(work, "videos-window")
    host, url = start_wdhost(binary, ["--plugin", "chrome", "--warm-browsers", "0",
                                      "--recordings-dir", videos], log=os.path.join(work, "p.log"))
    try:
        options = webdriver.ChromeOptions()
        options.set_capability("se:recordVideo", True)
        driver = webdriver.Remote(url, options=options)
        try:
            recording = driver.capabilities["wdhost:recording"]
            driver.get(pages + "/red")
            time.sleep(2)
            driver.switch_to.new_window("tab")
            driver.get(pages + "/blue")
            assert driver.title == "blue"
            time.sleep(2)
        finally:
            driver.quit()
        wait_for(lambda: listed(url, recording["file"]), 60, "the recording to finish")
        check_video(os.path.join(videos, recording["file"]))
    finally:
        code = stop_wdhost(host)
    assert code == 0, f"wdhost exited with {code}"


def test_session_outlives_its_recording(binary, pages, work):
    """ffmpeg killed mid-session: the session goes on, its log says the recording failed, the
    listing says failed, and no broken file is served."""
    videos = os.path.join(work, "videos-ffmpeg-killed")
    host, url = start_wdhost(binary, ["--plugin", "chrome", "--warm-browsers", "0",
                                      "--recordings-dir", videos], log=os.path.join(work, "n.log"))
    try:
        options = webdriver.ChromeOptions()
        options.set_capability("se:recordVideo", True)
        driver = webdriver.Remote(url, options=options)
        try:
            recording = driver.capabilities["wdhost:recording"]
            driver.get(pages + "/red")
            encoders = wait_for(lambda: ffmpeg_under(host.pid), 60, "ffmpeg to record")
            for pid in encoders:
                os.kill(pid, signal.SIGKILL)
            entry = wait_for(lambda: listed(url, recording["file"]), 30, "the recording to fail")
            assert entry["state"] == "failed" and entry["error"], entry
            driver.get(pages + "/blue")  # the session goes on
            assert driver.title == "blue"
            status, _, body = request(recording["video"])  # never a broken file
            assert status != 200 and b"failed" in body, (status, body[:300])
        finally:
            driver.quit()
        status, _, text = request(recording["log"])
        assert status == 200 and b"the recording failed" in text, text
        assert text.count(b"the recording failed") == 1, text
        assert b"GET /title 200" in text.split(b"the recording failed")[1], text
        assert not [f for f in os.listdir(videos) if f.endswith((".part", ".mp4"))], \
            os.listdir(videos)
    finally:
        code = stop_wdhost(host)
    assert code == 0, f"wdhost exited with {code}"


RAINBOW = ("data:text/html,<body style='margin:0'><h1 id=t></h1><script>let n=0;function f(){n++;"
           "document.body.style.background='hsl('+(n*7%25360)+',90%25,50%25)';"
           "document.getElementById('t').textContent=Math.random();requestAnimationFrame(f)}f()"
           "</script></body>")


def test_disk_full(binary, work):
    """The recordings directory on a 1 MiB tmpfs (a mount namespace of the test's own, where
    the system allows one): a video that fills it fails, its half-written file goes, the session
    goes on, and its log, written again once the space came back, says the recording failed."""
    videos = os.path.join(work, "videos-full")
    os.makedirs(videos)
    probe_mount = subprocess.run(["unshare", "-rm", "sh", "-c",
                                  f"mount -t tmpfs -o size=64k tmpfs '{videos}'"],
                                 capture_output=True, timeout=30)
    if probe_mount.returncode != 0:
        print("disk full: skipped, this system gives no mount namespace to an unprivileged user "
              f"({probe_mount.stderr.decode().strip()[:200]})")
        return
    log = os.path.join(work, "o.log")
    with open(log, "wb") as stderr:
        host = subprocess.Popen(
            ["unshare", "-rm", "sh", "-c",
             f"mount -t tmpfs -o size=1m tmpfs '{videos}' && exec '{binary}' --port 0 "
             f"--plugin chrome --warm-browsers 0 --recordings-dir '{videos}'"],
            stdout=subprocess.PIPE, stderr=stderr, stdin=subprocess.DEVNULL,
            start_new_session=True)
    line = host.stdout.readline().decode()
    try:
        assert "listening on http://127.0.0.1:" in line, line
        url = "http://127.0.0.1:" + line.rsplit(":", 1)[1].strip()
        options = webdriver.ChromeOptions()
        options.set_capability("se:recordVideo", True)
        driver = webdriver.Remote(url, options=options)
        try:
            recording = driver.capabilities["wdhost:recording"]
            driver.get(RAINBOW)  # a few hundred KiB a second: the 1 MiB fills within seconds
            entry = wait_for(lambda: listed(url, recording["file"]), 90, "the disk to fill")
            assert entry["state"] == "failed", entry
            driver.get("data:text/html,<title>still here</title>")
            assert driver.title == "still here"
        finally:
            driver.quit()
        status, _, text = request(recording["log"])
        assert status == 200 and b"the recording failed" in text, text[-2000:]
        assert b"GET /title 200" in text, text[-2000:]
        status, _, _ = request(recording["video"])
        assert status != 200, status
        print(f"disk full: the recording failed ({entry['error'][:100]}), the session went on")
    finally:
        code = stop_wdhost(host)
    assert code == 0, f"wdhost exited with {code}"


def group_gone(pgid):
    """True once no process of group `pgid` is left."""
    try:
        os.killpg(pgid, 0)
        return False
    except ProcessLookupError:
        return True


def test_host_killed_mid_recording(binary, pages, work):
    """SIGKILL to the host mid-recording: its guards end ffmpeg and the browser, and the next
    host started on the same directory keeps the video up to where it stopped (ffmpeg writes
    fragments), says so in the session's log, and leaves nothing half-written."""
    videos = os.path.join(work, "videos-killed")
    host, url = start_wdhost(binary, ["--plugin", "chrome", "--warm-browsers", "0",
                                      "--recordings-dir", videos], log=os.path.join(work, "k.log"))
    killed = False
    try:
        options = webdriver.ChromeOptions()
        options.set_capability("wdhost:recording", {"video": True, "name": "killed"})
        driver = webdriver.Remote(url, options=options)
        recording = driver.capabilities["wdhost:recording"]
        driver.get(pages + "/red")
        wait_for(lambda: ffmpeg_under(host.pid), 60, "ffmpeg to record the session")
        time.sleep(5)  # two whole fragments (a keyframe every 2 s)
        host.kill()
        host.wait(10)
        killed = True
        wait_for(lambda: group_gone(host.pid), 30, "the killed host's processes to end")
    finally:
        if not killed:
            stop_wdhost(host)
        elif not group_gone(host.pid):
            os.killpg(host.pid, signal.SIGKILL)
    file, log = recording["file"], recording["logFile"]
    assert os.listdir(videos) and file + ".part" in os.listdir(videos), os.listdir(videos)
    host, url = start_wdhost(binary, ["--plugin", "chrome", "--warm-browsers", "0",
                                      "--recordings-dir", videos], log=os.path.join(work, "l.log"))
    try:
        assert sorted(os.listdir(videos)) == sorted([file, log]), os.listdir(videos)
        stream, duration = probe(os.path.join(videos, file))
        assert stream["codec_name"] == "h264" and duration >= 2, (stream, duration)
        assert "red" in colours(os.path.join(videos, file))
        status, _, text = request(url + "/wdhost/recordings/" + log)
        assert status == 200 and b"its video was kept up to where it stopped" in text, text
        status, _, body = request(url + "/wdhost/recordings/" + file)
        assert status == 200 and body[4:8] == b"ftyp", status
        print(f"kept after SIGKILL: {duration:.2f} s of video")
    finally:
        code = stop_wdhost(host)
    assert code == 0, f"wdhost exited with {code}"


def test_log_followed_live(binary, pages, work):
    """ws://host/logs/{session} (Selenoid's): every line of a session's log as it is written,
    from the first, then a close frame once the session ended and the log is whole."""
    videos = os.path.join(work, "videos-follow")
    host, url = start_wdhost(binary, ["--plugin", "chrome", "--warm-browsers", "0",
                                      "--recordings-dir", videos], log=os.path.join(work, "m.log"))
    try:
        options = webdriver.ChromeOptions()
        options.set_capability("selenoid:options", {"enableLog": True})
        driver = webdriver.Remote(url, options=options)
        lines = []
        try:
            assert "video" not in driver.capabilities["wdhost:recording"], "a video was recorded"
            follower = RawWebSocket(url, f"/logs/{driver.session_id}")
            assert follower.status == 101 and follower.accepted, follower.status
            opcode, text = follower.frame()
            assert opcode == 1 and b"began" in text, (opcode, text)
            driver.get(pages + "/red")
            driver.execute_script("console.log('live from the page')")
            while not any("console log: live from the page" in line for line in lines):
                opcode, text = follower.frame()
                assert opcode == 1, (opcode, text)
                lines.append(text.decode())
            assert any("POST /url 200" in line for line in lines), lines
        finally:
            driver.quit()
        # The rest of the log, then the close: 1000 once the log is whole.
        while True:
            opcode, text = follower.frame()
            if opcode == 8:
                assert int.from_bytes(text[:2], "big") == 1000, text
                break
            lines.append(text.decode())
        assert any("session ended: it was deleted" in line for line in lines), lines
        follower.close()
        # A second follower after the end gets the whole log at once, then the close.
        late = RawWebSocket(url, f"/logs/{driver.session_id}")
        frames = []
        while True:
            opcode, text = late.frame()
            if opcode == 8:
                break
            frames.append(text.decode())
        assert "began" in frames[0] and any("POST /url 200" in f for f in frames), frames
        late.close()
        # Unknown sessions and names the host never makes are refused before any upgrade.
        for path in ("/logs/no-such-session", "/logs/..%2Fx", "/logs/a.mp4"):
            refused = RawWebSocket(url, path)
            assert refused.status in (400, 404), (path, refused.status)
            refused.sock.close()
    finally:
        code = stop_wdhost(host)
    assert code == 0, f"wdhost exited with {code}"


def test_gate_and_token(binary, work):
    videos = os.path.join(work, "videos-gate")
    os.makedirs(videos)
    secret = os.path.join(work, "secret.mp4")
    with open(secret, "wb") as f:
        f.write(b"not for clients")
    os.symlink(secret, os.path.join(videos, "link_1.mp4"))
    with open(os.path.join(videos, "old_1.mp4"), "wb") as f:
        f.write(b"an earlier host's video")
    host, url = start_wdhost(binary, ["--plugin", "chrome", "--warm-browsers", "0",
                                      "--recordings-dir", videos, "--auth-token", "s3cret"],
                             log=os.path.join(work, "c.log"))
    token = {"Authorization": "Bearer s3cret"}
    try:
        status, _, _ = request(url + "/wdhost/recordings")
        assert status == 401, f"no token: {status}"
        status, _, _ = request(url + "/wdhost/recordings/old_1.mp4")
        assert status == 401, f"no token: {status}"
        status, _, _ = request(url + "/wdhost/recordings/old_1.mp4", method="DELETE")
        assert status == 401, f"no token: {status}"
        status, _, body = request(url + "/wdhost/recordings", headers=token)
        assert status == 200, status
        files = [e["file"] for e in json.loads(body)["value"]]
        assert files == ["old_1.mp4"], files
        status, _, body = request(url + "/wdhost/recordings/old_1.mp4", headers=token)
        assert status == 200 and body == b"an earlier host's video", status
        # A web page's request, even with the token (a page cannot read the answer anyway).
        for origin in ({"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "cross-site"}):
            status, _, _ = request(url + "/wdhost/recordings/old_1.mp4", headers={**token, **origin})
            assert status == 403, f"{origin}: {status}"
            status, _, _ = request(url + "/wdhost/recordings/old_1.mp4", method="DELETE",
                                   headers={**token, **origin})
            assert status == 403, f"{origin}: {status}"
        status, _, _ = request(url + "/wdhost/recordings", headers={**token,
                                                                     "Origin": "http://evil.example"})
        assert status == 403, status
        assert os.path.exists(os.path.join(videos, "old_1.mp4")), "a refused DELETE deleted"
        # A page reached through a name of its own (DNS rebinding) is refused by its Host.
        status, _, _ = request(url + "/wdhost/recordings", headers={**token,
                                                                     "Host": "evil.example"})
        assert status == 403, f"foreign Host: {status}"
        # Grid's session event: bodies a page can send without a preflight are refused, and the
        # token is asked for before any body is read.
        event = url + "/session/0123/se/event"
        body = b'{"eventType":"test:passed"}'
        for kind in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data"):
            status, _, _ = request(event, "POST", {**token, "Content-Type": kind}, body)
            assert status == 415, f"{kind}: {status}"
        status, _, _ = request(event, "POST", {"Content-Type": "application/json"}, body)
        assert status == 401, f"event without the token: {status}"
        status, _, _ = request(event, "POST", {**token, "Content-Type": "application/json",
                                               "Origin": "https://evil.example"}, body)
        assert status == 403, f"event from a page: {status}"
        # Names the host never makes, and a link out of the directory.
        for name in ["..%2Fsecret.mp4", "%2e%2e%2fsecret.mp4", "link_1.mp4", "old_1.mp4.part",
                     "old_1.mp4%00", ".hidden.mp4", "a%2Fb.mp4", "secret.mp4"]:
            status, _, body = request(url + "/wdhost/recordings/" + name, headers=token)
            assert status in (400, 404), f"{name}: {status}"
            assert b"not for clients" not in body, name
        status, _, _ = request(url + "/wdhost/recordings/..%2Fsecret.mp4", method="DELETE",
                               headers=token)
        assert status in (400, 404), status
        assert os.path.exists(secret), "a DELETE reached outside the directory"
        # Selenoid's paths to the same files follow the same rules.
        for path in ("/video/old_1.mp4", "/video/", "/logs/", "/logs/old_1.log"):
            status, _, _ = request(url + path)
            assert status == 401, f"{path} without the token: {status}"
            status, _, _ = request(url + path, headers={**token, "Origin": "https://evil.example"})
            assert status == 403, f"{path} from a page: {status}"
            status, _, _ = request(url + path, headers={**token, "Host": "evil.example"})
            assert status == 403, f"{path} by a foreign Host: {status}"
        status, _, body = request(url + "/video/old_1.mp4", headers=token)
        assert status == 200 and body == b"an earlier host's video", status
        # Following a log live is a websocket: the token and the gate come before the upgrade.
        for headers, expected in (({}, 401), ({**token, "Origin": "https://evil.example"}, 403),
                                  ({**token, "Host": "evil.example"}, 403)):
            follower = RawWebSocket(url, "/logs/old_1", headers)
            assert follower.status == expected, (headers, follower.status)
            follower.sock.close()
        for name in ["..%2Fsecret.mp4", "link_1.mp4", "..%2F..%2Fsecret", "a%2Fb", "%2e%2e"]:
            for base in ("/video/", "/logs/"):
                status, _, body = request(url + base + name, headers=token)
                assert status in (400, 404), f"{base}{name}: {status}"
                assert b"not for clients" not in body, name
            status, _, _ = request(url + "/video/" + name, method="DELETE", headers=token)
            assert status in (400, 404), status
        assert os.path.exists(secret), "a DELETE reached outside the directory"
        # A session that asks for video where the host cannot give it is refused, not silent.
        asked = json.dumps({"capabilities": {"alwaysMatch": {
            "browserName": "chrome", "wdhost:recording": {"video": True, "fps": 99}}}}).encode()
        req = urllib.request.Request(url + "/session", data=asked, method="POST",
                                     headers={**token, "Content-Type": "application/json"})
        try:
            urllib.request.urlopen(req, timeout=60)
            raise AssertionError("fps 99 was accepted")
        except urllib.error.HTTPError as error:
            answer = json.loads(error.read())["value"]
            assert error.code == 400 and answer["error"] == "invalid argument", answer
            assert "wdhost:recording.fps" in answer["message"], answer
            assert "1 to 30" in answer["message"], answer
    finally:
        code = stop_wdhost(host)
    assert code == 0, f"wdhost exited with {code}"


def session_event(url, session_id, event_type):
    """Grid's POST /session/{id}/se/event, as Selenium's fireSessionEvent sends it."""
    body = json.dumps({"eventType": event_type, "payload": {"testName": "t"}}).encode()
    req = urllib.request.Request(f"{url}/session/{session_id}/se/event", data=body, method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as answer:
        return json.loads(answer.read())


def test_kept_on_failure_only(binary, pages, work):
    videos = os.path.join(work, "videos-on-failure")
    host, url = start_wdhost(binary, ["--plugin", "chrome", "--warm-browsers", "0",
                                      "--record", "on-failure", "--recordings-dir", videos],
                             log=os.path.join(work, "d.log"))
    try:
        files = {}
        # "said nothing": quit without an event, an outcome nobody knows (kept).
        # Through Grid's session event, or a vendor's Execute Script convention.
        vendor = {"sauce:job-result=failed": "failed",
                  'browserstack_executor: {"action": "setSessionStatus", '
                  '"arguments": {"status": "passed", "reason": "ok"}}': "passed",
                  "lambda-status=passed": "passed"}
        for mark in ("test:failed", "test:passed", *vendor, "said nothing", None):
            options = webdriver.ChromeOptions()  # asks for nothing: --record on-failure records
            if mark is None:
                options.set_capability("wdhost:sessionTimeout", 5)
            driver = webdriver.Remote(url, options=options)
            files[mark] = driver.capabilities["wdhost:recording"]["file"]
            driver.get(pages + "/red")
            # Something is recorded (ffmpeg starts with the first frame): the previous session's
            # recording finished before this session began.
            wait_for(lambda: ffmpeg_under(host.pid), 60, "the session's first frame")
            if mark is None:
                # Left alone: the host ends it after its idle timeout, an abnormal end.
                wait_for(lambda: listed(url, files[None]), 60, "the idle session's recording")
                continue
            if mark in vendor:
                # Answered by the host: the page never runs it (it is no JavaScript).
                assert driver.execute_script(mark) is None
            elif mark != "said nothing":
                answer = session_event(url, driver.session_id, mark)
                assert answer == {"value": {"success": True, "eventType": mark}}, answer
            driver.quit()
            wait_for(lambda: settled(url, files[mark]), 60, "the recording to finish")
        failed = wait_for(lambda: listed(url, files["test:failed"]), 60, "the failed recording")
        assert failed["state"] == "finished" and failed["outcome"] == "failed", failed
        assert failed["endedBy"] == "deleted", failed
        silent = listed(url, files["said nothing"])
        assert silent["state"] == "finished" and silent["outcome"] == "unknown", silent
        assert silent["endedBy"] == "deleted", silent
        idle = listed(url, files[None])
        assert idle["state"] == "finished" and idle["endedBy"] == "idle", idle
        assert idle["outcome"] == "unknown", idle
        for mark, outcome in vendor.items():
            if outcome == "failed":
                said = listed(url, files[mark])
                assert said["outcome"] == "failed", said
        # The passed ones finished before the idle one began: their videos and logs went then.
        passed = [files[m] for m in ("test:passed", *vendor) if vendor.get(m) != "failed"]
        kept = [files[m] for m in ("test:failed", "said nothing", None, *vendor)
                if vendor.get(m, "failed") == "failed"]
        code, body = http_json(url + "/wdhost/recordings")
        for file in passed:
            assert not os.path.exists(os.path.join(videos, file)), file
            assert file not in [e["file"] for e in body["value"]], body
        assert sorted(os.listdir(videos)) == sorted(
            kept + [f[:-4] + ".log" for f in kept]), os.listdir(videos)
        # /metrics counts them: two said failed (kept), three said passed (deleted).
        status, _, text = request(url + "/metrics")
        assert status == 200, status
        metrics = text.decode()
        for outcome, kept, count in (("failed", "true", 2), ("passed", "false", 3)):
            line = (f'wdhost_recordings_ended_total{{browser="chrome",kept="{kept}",'
                    f'outcome="{outcome}",state="finished"}} {count}')
            assert line in metrics, (line, [m for m in metrics.splitlines() if "record" in m])
        # A bad event is an error that says what to send.
        req = urllib.request.Request(f"{url}/session/nope/se/event", data=b'{"eventType":"x:y"}',
                                     method="POST", headers={"Content-Type": "application/json"})
        try:
            urllib.request.urlopen(req, timeout=30)
            raise AssertionError("an event for an unknown session was accepted")
        except urllib.error.HTTPError as error:
            assert error.code == 404, error.code
    finally:
        code = stop_wdhost(host)
    assert code == 0, f"wdhost exited with {code}"
    assert not descendants_of(host.pid), "processes outlived the host"


def test_directory_budget(binary, work):
    videos = os.path.join(work, "videos-budget")
    os.makedirs(videos)
    old, fresh = os.path.join(videos, "old_1.mp4"), os.path.join(videos, "fresh_1.mp4")
    for path in (old, fresh):
        with open(path, "wb") as f:
            f.write(b"x" * 1000)
    week_ago = time.time() - 7 * 86400
    os.utime(old, (week_ago, week_ago))
    host, url = start_wdhost(binary, ["--plugin", "chrome", "--warm-browsers", "0",
                                      "--recordings-dir", videos, "--recordings-max-age", "3600"],
                             log=os.path.join(work, "e.log"))
    try:
        wait_for(lambda: not os.path.exists(old), 30, "a recording past --recordings-max-age to go")
        assert os.path.exists(fresh), "a recording within the budget was deleted"
    finally:
        assert stop_wdhost(host) == 0
    host, url = start_wdhost(binary, ["--plugin", "chrome", "--warm-browsers", "0",
                                      "--recordings-dir", videos, "--recordings-max-bytes", "999"],
                             log=os.path.join(work, "f.log"))
    try:
        wait_for(lambda: not os.path.exists(fresh), 30, "recordings past --recordings-max-bytes")
    finally:
        assert stop_wdhost(host) == 0


def test_sessions_api_video(binary, pages, work):
    """The sessions API's sessions.create with video: true answers where the video will be."""
    videos = os.path.join(work, "videos-api")
    host, url = start_wdhost(binary, ["--plugin", "chrome", "--warm-browsers", "0",
                                      "--recordings-dir", videos], log=os.path.join(work, "h.log"))
    try:
        code, created = http_json(url + "/api/v1", "POST", {
            "cmd": "sessions.create", "browser": [{"name": "chrome"}], "video": True}, 120)
        assert code == 200, created
        session = created["session"]
        video = created["video"]
        assert video.startswith(url + "/wdhost/recordings/") and session in video, created
        code, _ = http_json(f"{url}/session/{session}/url", "POST", {"url": pages + "/red"}, 60)
        assert code == 200
        wait_for(lambda: ffmpeg_under(host.pid), 60, "the session's first frame")
        code, _ = http_json(url + "/api/v1", "POST", {"cmd": "sessions.destroy",
                                                      "session": session})
        assert code == 200
        file = video.rsplit("/", 1)[1]
        entry = wait_for(lambda: listed(url, file), 60, "the recording to finish")
        assert entry["state"] == "finished", entry
        status, _, body = request(video)
        assert status == 200 and body[4:8] == b"ftyp", (status, body[:16])
    finally:
        code = stop_wdhost(host)
    assert code == 0, f"wdhost exited with {code}"


def test_webkit_on_its_display(binary, pages, work):
    """MiniBrowser on the safari plugin's private Xvfb: recorded from its display (x11grab), the
    plugin telling the host where through the extension wdhost.display/1."""
    videos = os.path.join(work, "videos-webkit")
    host, url = start_wdhost(binary, ["--plugin", "safari", "--plugin-option",
                                      "safari.display=xvfb", "--warm-browsers", "0",
                                      "--recordings-dir", videos], log=os.path.join(work, "g.log"))
    try:
        code, body = http_json(url + "/session", "POST", {"capabilities": {"alwaysMatch": {
            "browserName": "MiniBrowser", "selenoid:options": {"enableVideo": True}}}},
            timeout=120)
        assert code == 200, body
        session = body["value"]["sessionId"]
        file = body["value"]["capabilities"]["wdhost:recording"]["file"]
        for colour in ("red", "blue"):
            code, _ = http_json(f"{url}/session/{session}/url", "POST",
                                {"url": f"{pages}/{colour}"}, timeout=60)
            assert code == 200
            time.sleep(2)
        assert ffmpeg_under(host.pid), "no ffmpeg records the display"
        code, _ = http_json(f"{url}/session/{session}", "DELETE")
        assert code == 200
        entry = wait_for(lambda: listed(url, file), 60, "the WebKit recording to finish")
        assert entry["state"] == "finished" and entry["browser"] == "safari", entry
        assert not ffmpeg_under(host.pid), "an ffmpeg outlived its session"
        status, _, text = request(url + "/wdhost/recordings/" + entry["log"])
        assert status == 200 and b"POST /url 200" in text, (status, text[:500])
        stream, duration, frames = check_video(os.path.join(videos, file))
        assert (stream["width"], stream["height"]) == (1280, 1024), stream
        print(f"recorded webkit: {stream['codec_name']} {stream['pix_fmt']} {stream['width']}x"
              f"{stream['height']}, {duration:.2f} s, {frames} frames")
    finally:
        code = stop_wdhost(host)
    assert code == 0, f"wdhost exited with {code}"
    assert not descendants_of(host.pid), "processes outlived the host"


def test_firefox_on_its_display(binary, pages, work):
    """Firefox on a private Xvfb of its session (--plugin-option firefox.display=xvfb): recorded
    from that display like WebKit, asked for by Selenium's client; the page's console reaches
    the session's log through Firefox's own output."""
    videos = os.path.join(work, "videos-firefox")
    host, url = start_wdhost(binary, ["--plugin", "firefox", "--plugin-option",
                                      "firefox.display=xvfb", "--warm-browsers", "0",
                                      "--recordings-dir", videos], log=os.path.join(work, "i.log"))
    try:
        options = webdriver.FirefoxOptions()
        options.set_capability("se:recordVideo", True)
        driver = webdriver.Remote(url, options=options)
        try:
            recording = driver.capabilities["wdhost:recording"]
            for colour in ("red", "blue"):
                driver.get(f"{pages}/{colour}")
                assert driver.title == colour
                driver.execute_script(f"console.log('firefox shows {colour}')")
                time.sleep(2)
            assert ffmpeg_under(host.pid), "no ffmpeg records the display"
        finally:
            driver.quit()
        entry = wait_for(lambda: listed(url, recording["file"]), 60, "the recording to finish")
        assert entry["state"] == "finished" and entry["browser"] == "firefox", entry
        assert not ffmpeg_under(host.pid), "an ffmpeg outlived its session"
        stream, duration, frames = check_video(os.path.join(videos, recording["file"]))
        assert (stream["width"], stream["height"]) == (1280, 1024), stream
        status, _, text = request(recording["log"])
        assert status == 200, status
        log = text.decode()
        assert 'console.log: "firefox shows blue"' in log and "POST /url 200" in log, log
        print(f"recorded firefox: {stream['codec_name']} {stream['pix_fmt']} {stream['width']}x"
              f"{stream['height']}, {duration:.2f} s, {frames} frames")
    finally:
        code = stop_wdhost(host)
    assert code == 0, f"wdhost exited with {code}"
    assert not descendants_of(host.pid), "processes outlived the host"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--wdhost", required=True)
    args = parser.parse_args()
    assert shutil.which("ffmpeg") and shutil.which("ffprobe"), "ffmpeg is not installed"
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Pages)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    pages = f"http://127.0.0.1:{server.server_address[1]}"
    work = tempfile.mkdtemp(prefix="wdhost-recording-test-")
    passed = 0
    try:
        for test in (lambda: test_record_serve_and_clean(args.wdhost, pages, work),
                     lambda: test_shutdown_finishes_the_file(args.wdhost, pages, work),
                     lambda: test_host_killed_mid_recording(args.wdhost, pages, work),
                     lambda: test_log_followed_live(args.wdhost, pages, work),
                     lambda: test_session_outlives_its_recording(args.wdhost, pages, work),
                     lambda: test_follows_the_window(args.wdhost, pages, work),
                     lambda: test_disk_full(args.wdhost, work),
                     lambda: test_gate_and_token(args.wdhost, work),
                     lambda: test_kept_on_failure_only(args.wdhost, pages, work),
                     lambda: test_directory_budget(args.wdhost, work),
                     lambda: test_sessions_api_video(args.wdhost, pages, work),
                     lambda: test_webkit_on_its_display(args.wdhost, pages, work),
                     lambda: test_firefox_on_its_display(args.wdhost, pages, work)):
            test()
            passed += 1
        print(f"recording: {passed} passed, 0 failed")
    finally:
        server.shutdown()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    try:
        main()
    except AssertionError as failure:
        print(f"FAILED: {failure}", file=sys.stderr)
        sys.exit(1)
