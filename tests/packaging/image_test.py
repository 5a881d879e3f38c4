#!/usr/bin/env python3
"""The container image tools/image built, run as an operator would: published on a port of the
OS's choosing on 127.0.0.1, listening beyond the container's loopback with a token; it runs as
the wdhost user, its health check passes, a Chrome session runs through it with Selenium's
client, and `podman stop` ends it (exit 0). Where no container can start on this machine, the
same image's root filesystem runs under bwrap instead (the host's network, wdhost as the wdhost
user), with the same session; the report says why podman could not.

Run by `tools/image --test` (root). Usage: image_test.py --image NAME --rootfs TAR [--runner bwrap]
Every wait is bounded; the container, the unpacked root and their processes are gone afterwards.
"""
import argparse
import os
import resource
import secrets
import signal
import subprocess
import sys
import tarfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
from e2e_support import wait_for  # noqa: E402
from installed_host_test import status  # noqa: E402
from package_support import expect, fail, need, run, temp_dir  # noqa: E402

from selenium import webdriver  # noqa: E402

PAGE = "data:text/html,<title>Contained</title><p>wdhost from its image</p>"


def session(base, token):
    """A Chrome session through the host at `base`, with the client token."""
    driver = webdriver.Remote(base.replace("http://", f"http://wdhost:{token}@"),
                              options=webdriver.ChromeOptions())
    try:
        expect(driver.capabilities["browserName"] == "chrome", "a Chrome session started")
        driver.get(PAGE)
        expect(driver.title == "Contained", "the page loaded in the image's Chromium")
    finally:
        driver.quit()


def podman_run():
    """podman run with runc (crun refuses hybrid cgroup hierarchies) and resource limits no
    higher than this process's own, which a runtime without CAP_SYS_RESOURCE cannot raise."""
    files = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    return [need("podman"), "--runtime", "runc", "run", "--ulimit", f"nofile={files}:{files}",
            "--ulimit", "nproc=4096:4096"]


def podman_can_run(image):
    """None when podman starts a container of `image` here, else what it said."""
    done = subprocess.run([*podman_run(), "--rm", "--entrypoint", "/bin/true", image],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=120)
    return None if done.returncode == 0 else done.stdout.strip()


def in_podman(image, token):
    name = "wdhost-image-test-" + secrets.token_hex(4)
    run([*podman_run(), "--detach", "--name", name, "--publish", "127.0.0.1::4444",
         "--shm-size", "1g", "--env", f"WDHOST_AUTH_TOKEN={token}", image, "--host", "0.0.0.0"],
        timeout=120)
    try:
        port = run(["podman", "port", name, "4444/tcp"]).strip().rsplit(":", 1)[1]
        base = f"http://127.0.0.1:{port}"
        wait_for(lambda: status(base, token)[0] == 200, 60, "/status of the container to answer")
        uid = run(["podman", "exec", name, "id", "-un"]).strip()
        expect(uid == "wdhost", f"the container runs as the wdhost user: {uid}")
        run(["podman", "healthcheck", "run", name])
        print("ok: the image's health check passes", flush=True)
        session(base, token)
        run(["podman", "stop", "--time", "60", name], timeout=120)
        code = run(["podman", "inspect", "--format", "{{.State.ExitCode}}", name]).strip()
        expect(code == "0", f"podman stop ends wdhost with exit 0: {code}")
    finally:
        subprocess.run(["podman", "rm", "--force", name], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=120)


def in_bwrap(rootfs_tar, token, tmp):
    root = os.path.join(tmp, "root")
    os.makedirs(root)
    with tarfile.open(rootfs_tar) as tar:
        tar.extractall(root, numeric_owner=True)
    argv = [need("bwrap"), "--bind", root, "/", "--proc", "/proc", "--dev", "/dev",
            "--perms", "1777", "--tmpfs", "/tmp", "--perms", "1777", "--tmpfs", "/dev/shm",
            "--tmpfs", "/run",
            "--unshare-pid", "--unshare-ipc", "--die-with-parent", "--clearenv",
            "--setenv", "PATH", "/usr/local/bin:/usr/bin:/bin", "--setenv", "LANG", "C.UTF-8",
            "--setenv", "HOME", "/var/lib/wdhost", "--setenv", "WDHOST_AUTH_TOKEN", token,
            "--chdir", "/var/lib/wdhost", "--",
            "/usr/bin/setpriv", "--reuid=wdhost", "--regid=wdhost", "--init-groups",
            "--no-new-privs", "--", "/usr/bin/wdhost", "--config", "/etc/wdhost/wdhost.conf",
            "--port", "0", "--warm-browsers", "0"]
    with open(os.path.join(tmp, "wdhost.log"), "w+") as log:
        host = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=log,
                                stdin=subprocess.DEVNULL, text=True, start_new_session=True)
        try:
            line = host.stdout.readline()
            prefix = "wdhost listening on http://127.0.0.1:"
            if not line.startswith(prefix):
                fail(f"the image's wdhost did not start under bwrap: {line!r}")
            base = "http://127.0.0.1:" + line[len(prefix):].strip()
            session(base, token)
        finally:
            if host.poll() is None:
                os.killpg(host.pid, signal.SIGTERM)
                try:
                    host.wait(60)
                except subprocess.TimeoutExpired:
                    os.killpg(host.pid, signal.SIGKILL)
                    host.wait(10)
            log.seek(0)
            print("--- wdhost log (tail)\n" + "".join(log.readlines()[-20:]))
        expect(host.returncode == 0, f"wdhost exited 0 on SIGTERM: {host.returncode}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--image", required=True)
    parser.add_argument("--rootfs", required=True)
    parser.add_argument("--runner", choices=("auto", "bwrap"), default="auto",
                        help="bwrap: the root filesystem under bwrap even where podman runs")
    args = parser.parse_args()
    token = secrets.token_urlsafe(24)
    why = "--runner bwrap" if args.runner == "bwrap" else podman_can_run(args.image)
    if why is None:
        in_podman(args.image, token)
    else:
        print(f"podman cannot start a container here, so the root filesystem runs under bwrap:"
              f"\n{why}", flush=True)
        with temp_dir("wdhost-image-") as tmp:
            in_bwrap(args.rootfs, token, tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
