#!/usr/bin/env python3
"""The systemd unit the wdhost package ships, checked offline (systemd need not be PID 1):
`systemd-analyze verify` passes (ExecStart pointed at the unpacked binary, its man page found
in the unpacked root), `systemd-analyze security --offline` rates it at most MAX_EXPOSURE, and
what the service's design rests on holds: the tokens come from credentials and never from the
command line, stopping drains within TimeoutStopSec, the sysusers.d user is the unit's User=.

Usage: service_unit_test.py --debs DIR
"""
import argparse
import os
import re
import sys

from package_support import (UNIT, deb, expect, need, run, temp_dir, unit_command, unit_lines,
                             unpack)

# systemd-analyze's exposure of the unit (0 safest, 10 worst); 2.6 when this was written.
MAX_EXPOSURE = 3.0


def verify(root, tmp):
    """systemd-analyze verify on the unit, with ExecStart at the unpacked wdhost."""
    unit = os.path.join(tmp, "wdhost.service")
    with open(os.path.join(root, UNIT)) as f:
        text = f.read().replace("/usr/bin/wdhost", os.path.join(root, "usr/bin/wdhost"))
    with open(unit, "w") as f:
        f.write(text)
    env = dict(os.environ, MANPATH=os.path.join(root, "usr/share/man"))
    out = run([need("systemd-analyze"), "verify", unit], env=env, cwd=tmp)
    expect(out.strip() == "", f"systemd-analyze verify passes without a word: {out!r}")


def security(root, tmp):
    """The offline exposure score, at most MAX_EXPOSURE."""
    out = run(["systemd-analyze", "security", "--offline=true", os.path.join(root, UNIT)],
              cwd=tmp, check=False)
    score = re.search(r"Overall exposure level for wdhost\.service: ([0-9.]+)", out)
    expect(score is not None, f"systemd-analyze security rates the unit:\n{out[-800:]}")
    print(out.splitlines()[-1])
    expect(float(score.group(1)) <= MAX_EXPOSURE,
           f"exposure {score.group(1)} is at most {MAX_EXPOSURE}")


def design(root):
    """Tokens from credentials; a drain on stop that TimeoutStopSec outlasts; the user."""
    credentials = "/run/credentials/wdhost.service"
    argv = unit_command(root, "ExecStart", {"CREDENTIALS_DIRECTORY": credentials})
    for option in ("--auth-token", "--operator-token"):
        expect(option not in argv, f"no {option} on the command line")
    loaded = dict(line.split(":", 1) for line in unit_lines(root, "LoadCredential"))
    for name in ("auth-token", "operator-token"):
        expect(f"{credentials}/{name}" in argv and loaded.get(name) == f"/etc/wdhost/{name}",
               f"--{name}-file reads the credential {name}, loaded from /etc/wdhost/{name}")
    drain = int(argv[argv.index("--drain-timeout") + 1])
    stop_timeout = int(unit_lines(root, "TimeoutStopSec")[0].rstrip("s"))
    expect(stop_timeout > drain, f"TimeoutStopSec {stop_timeout} exceeds --drain-timeout {drain}")
    stop = unit_command(root, "ExecStop", {"MAINPID": "4242"})
    expect("kill -USR1" in " ".join(stop) and stop[-1] == "4242",
           f"ExecStop sends the main process SIGUSR1 (a drain) and waits: {stop}")
    expect(not unit_lines(root, "KillSignal"), "KillSignal stays SIGTERM (for a drain's timeout)")
    with open(os.path.join(root, "usr/lib/sysusers.d/wdhost.conf")) as f:
        users = [line.split() for line in f if line.startswith("u ")]
    expect(users and users[0][1] == unit_lines(root, "User")[0],
           f"sysusers.d makes the unit's user: {users}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--debs", required=True)
    args = parser.parse_args()
    with temp_dir("wdhost-unit-") as tmp:
        root = os.path.join(tmp, "root")
        unpack(deb(args.debs, "wdhost"), root)
        verify(root, tmp)
        security(root, tmp)
        design(root)
    return 0


if __name__ == "__main__":
    sys.exit(main())
