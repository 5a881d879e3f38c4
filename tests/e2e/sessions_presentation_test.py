#!/usr/bin/env python3
"""End to end: each sessions-API session presents the operating system and device it asked for,
coherently, in real headless Chromium and Firefox.

For chrome (windows, macos, linux, android, and no choice) and firefox (windows, macos, linux,
android), wdhost's sessions.create starts the session; request.get then loads a local page
(127.0.0.1, an OS-picked port) that reports what the page can read: user agent, navigator.platform,
userAgentData and its high-entropy values, maxTouchPoints, screen, window and viewport sizes,
devicePixelRatio, languages. The page server records the request headers the browser sent
(User-Agent, Accept-Language, Sec-CH-UA-*). Everything is checked property by property against
the device asked for, and the reply's fingerprint against what the page read. iOS and a mobile
desktop OS are refused with 400 saying what to ask for instead.
"""
import argparse
import http.server
import json
import sys
import threading

from e2e_support import http_json, start_wdhost, stop_wdhost

# What each device must show (the host keeps its own table; this is the test's reading of the
# same real devices).
DEVICES = {
    "windows": dict(ua="Windows NT 10.0; Win64; x64", platform="Win32", hint="Windows",
                    screen=(1920, 1080), dpr=1, touch=0, mobile=False),
    "macos": dict(ua="Macintosh; Intel Mac OS X", platform="MacIntel", hint="macOS",
                  screen=(1512, 982), dpr=2, touch=0, mobile=False),
    "linux": dict(ua="X11; Linux x86_64", platform="Linux x86_64", hint="Linux",
                  screen=(1920, 1080), dpr=1, touch=0, mobile=False),
    "android": dict(ua="Android", platform="Linux armv81", hint="Android",
                    screen=(360, 780), dpr=3, touch=5, mobile=True),
}

PROBE = """
const done = arguments[arguments.length - 1];
const d = navigator.userAgentData;
const out = {ua: navigator.userAgent, platform: navigator.platform, touch: navigator.maxTouchPoints,
  screen: [screen.width, screen.height], outer: [outerWidth, outerHeight],
  inner: [innerWidth, innerHeight], dpr: devicePixelRatio, languages: navigator.languages,
  uad: d ? {brands: d.brands.map(b => b.brand), mobile: d.mobile, platform: d.platform} : null};
if (!d) { done(out); } else {
  d.getHighEntropyValues(['platformVersion', 'model', 'architecture', 'fullVersionList'])
    .then(h => { out.high = h; done(out); });
}
"""

HEADERS = []  # the request headers of every page load, in order


class Site(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        HEADERS.append({k.lower(): v for k, v in self.headers.items()})
        body = (b"<!doctype html><meta name=viewport content='width=device-width'>"
                b"<title>probe</title><p>probe</p>")
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Accept-CH", "Sec-CH-UA-Platform-Version, Sec-CH-UA-Model")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def log(message):
    print(f"[presentation] {message}", flush=True)


def api(host, body, timeout=120):
    return http_json(host + "/api/v1", "POST", body, timeout)


def check_session(host, site, browser, os_name):
    asked = {"cmd": "sessions.create", "browser": [{"name": browser}]}
    if os_name:
        asked["operatingSystem"] = [os_name]
    code, created = api(host, asked)
    assert code == 200, f"{browser}/{os_name}: {code} {created}"
    session = created["session"]
    try:
        HEADERS.clear()
        code, got = api(host, {"cmd": "request.get", "session": session, "url": site,
                               "browserActions": [{"type": "execute_js", "code": "1"}]})
        assert code == 200, f"{browser}/{os_name}: request.get {code} {got}"
        assert HEADERS, "the page was not loaded"
        sent = HEADERS[-1]
        status, answer = http_json(f"{host}/session/{session}/execute/async", "POST",
                                   {"script": PROBE, "args": []}, 30)
        assert status == 200, answer
        seen = answer["value"]
    finally:
        api(host, {"cmd": "sessions.destroy", "session": session})

    device = DEVICES[os_name or "linux"]
    what = f"{browser}/{os_name or 'default'}"
    problems = []

    def expect(name, actual, wanted):
        if actual != wanted:
            problems.append(f"{name}: {actual!r}, wanted {wanted!r}")

    expect("ua marks the os", device["ua"] in seen["ua"], True)
    expect("no headless marker", "Headless" in seen["ua"], False)
    expect("Mobile in ua", "Mobile" in seen["ua"], device["mobile"])
    expect("User-Agent header", sent.get("user-agent"), seen["ua"])
    expect("navigator.platform", seen["platform"], device["platform"])
    expect("maxTouchPoints", seen["touch"], device["touch"])
    expect("screen", tuple(seen["screen"]), device["screen"])
    expect("devicePixelRatio", round(seen["dpr"], 2), device["dpr"])
    expect("window fits the screen", seen["outer"][0] <= device["screen"][0] and
           seen["outer"][1] <= device["screen"][1], True)
    expect("viewport fits the window", seen["inner"][0] <= seen["outer"][0] and
           seen["inner"][1] <= seen["outer"][1], True)
    if device["mobile"]:
        expect("a phone's viewport is its screen width", seen["inner"][0], device["screen"][0])
    expect("languages", seen["languages"], ["en-US", "en"])
    expect("Accept-Language", sent.get("accept-language", "").startswith("en-US,en"), True)
    if browser == "chrome":
        uad = seen["uad"] or {}
        expect("userAgentData.platform", uad.get("platform"), device["hint"])
        expect("userAgentData.mobile", uad.get("mobile"), device["mobile"])
        expect("no headless brand", any("Headless" in b for b in uad.get("brands", [])), False)
        expect("platformVersion given", bool((seen.get("high") or {}).get("platformVersion")), True)
        if device["mobile"]:
            expect("model", (seen.get("high") or {}).get("model"), "SM-S911B")
        expect("Sec-CH-UA-Platform", sent.get("sec-ch-ua-platform"), f'"{device["hint"]}"')
        expect("Sec-CH-UA-Mobile", sent.get("sec-ch-ua-mobile"), "?1" if device["mobile"] else "?0")
    else:
        expect("no userAgentData in Firefox", seen["uad"], None)
    fingerprint = created.get("fingerprint", {})
    expect("fingerprint userAgent is the page's", fingerprint.get("userAgent"), seen["ua"])
    expect("fingerprint platform is the page's", fingerprint.get("platform"), seen["platform"])
    expect("fingerprint screen is the page's",
           (fingerprint.get("screen", {}).get("width"), fingerprint.get("screen", {}).get("height")),
           tuple(seen["screen"]))
    assert not problems, f"{what} is not coherent:\n  " + "\n  ".join(problems)
    log(f"{what}: coherent ({seen['ua']}; {seen['screen'][0]}x{seen['screen'][1]} "
        f"@{seen['dpr']:g}, window {seen['outer'][0]}x{seen['outer'][1]})")


def check_refusals(host):
    for asked, says in [({"browser": [{"name": "chrome"}], "operatingSystem": ["ios"]}, "WebKit"),
                        ({"browser": [{"name": "firefox"}], "operatingSystem": ["ios"]}, "WebKit"),
                        ({"device": ["mobile"], "operatingSystem": ["windows"]}, "android"),
                        ({"browser": [{"name": "chrome"}], "operatingSystem": ["beos"]},
                         "not one of")]:
        code, answer = api(host, dict(asked, cmd="sessions.create"))
        assert code == 400 and says in answer.get("error", ""), f"{asked}: {code} {answer}"
    log("refusals: 400 with what to ask for instead")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--wdhost", required=True)
    args = parser.parse_args()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Site)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    site = f"http://127.0.0.1:{server.server_address[1]}/probe"
    # The page is on this machine: the sessions API reaches it only through this exception.
    process, host = start_wdhost(args.wdhost, ["--plugin", "chrome", "--plugin", "firefox",
                                                "--warm-browsers", "0", "--allow-target",
                                                f"127.0.0.1:{server.server_address[1]}"])
    try:
        check_refusals(host)
        for browser, systems in [("chrome", ["windows", "macos", "linux", "android", None]),
                                 ("firefox", ["windows", "macos", "linux", "android"])]:
            for os_name in systems:
                check_session(host, site, browser, os_name)
    finally:
        code = stop_wdhost(process)
        server.shutdown()
    assert code == 0, f"wdhost exited {code}"
    log("passed")


if __name__ == "__main__":
    sys.exit(main())
