#!/usr/bin/env python3
"""End to end with Selenium's own Python client, unchanged, as a user would drive wdhost.

Starts the real wdhost binary on a port the OS picks, runs a Chrome session through
webdriver.Remote, and checks that no chromedriver or Chromium of the host is left after quit.
"""
import argparse
import signal
import subprocess
import sys
import time

from selenium import webdriver
from selenium.webdriver.common.by import By

from e2e_support import cmdline, descendants_of

PAGE = ("data:text/html,<title>Hello</title>"
        "<button id='b' onclick=\"document.title='clicked'\">press</button>")


def browsers_under(root):
    """Pids of the live Chromium processes below `root` (an idle warm chromedriver may stay)."""
    return {pid for pid in descendants_of(root) if "/usr/lib/chromium/" in cmdline(pid)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--wdhost", required=True)
    args = parser.parse_args()

    host = subprocess.Popen([args.wdhost, "--host", "127.0.0.1", "--port", "0", "--plugin", "chrome",
                             "--warm-browsers", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = host.stdout.readline()
        assert "listening on" in line, f"wdhost did not start: {line!r} {host.stderr.read()}"
        url = line.strip().split()[-1]

        driver = webdriver.Remote(url, options=webdriver.ChromeOptions())
        try:
            assert driver.capabilities["browserName"] == "chrome", driver.capabilities
            assert driver.capabilities["platformName"] == "linux", driver.capabilities
            driver.get(PAGE)
            assert driver.title == "Hello", driver.title
            driver.find_element(By.ID, "b").click()
            assert driver.title == "clicked", driver.title
            assert driver.execute_script("return arguments[0] * 2", 21) == 42
            png = driver.get_screenshot_as_png()
            assert png[:8] == b"\x89PNG\r\n\x1a\n", png[:8]
            assert browsers_under(host.pid), "no browser process under the host during the session"
        finally:
            driver.quit()

        deadline = time.monotonic() + 10
        while browsers_under(host.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        left = browsers_under(host.pid)
        assert not left, f"processes left after quit: {left}"
        print("selenium client: 1 passed, 0 failed")
    finally:
        host.send_signal(signal.SIGTERM)
        try:
            code = host.wait(timeout=30)
        except subprocess.TimeoutExpired:
            host.kill()
            host.wait()
            raise
    assert code == 0, f"wdhost exited with {code}"
    assert not descendants_of(host.pid), "processes outlived the host"


if __name__ == "__main__":
    try:
        main()
    except AssertionError as failure:
        print(f"FAILED: {failure}", file=sys.stderr)
        sys.exit(1)
