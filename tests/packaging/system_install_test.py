#!/usr/bin/env python3
"""Installs both packages on this machine as a user would (`apt-get install ./...deb`), checks
what the installation made, starts the service's own command line as its user (the credentials,
state and runtime directories made as systemd would, since systemd need not be PID 1 here), runs
a Chrome session through it with the installed token, stops it with the unit's ExecStop while
the session runs (a drain), and purges the packages. Afterwards the machine is as it was: the
same packages installed, no wdhost user, unit, token, enablement or state left.

Run by `tools/test --packages`, as root. Usage: system_install_test.py --debs DIR
"""
import argparse
import glob
import os
import pwd
import shutil
import subprocess
import sys

from package_support import deb, expect, fail, need, run, temp_dir, unit_command
from installed_host_test import drive, start, stop

TRACES = ["/etc/wdhost", "/var/lib/wdhost", "/run/wdhost", "/lib/systemd/system/wdhost.service",
          "/usr/lib/sysusers.d/wdhost.conf", "/usr/bin/wdhost", "/usr/lib/wdhost",
          "/usr/include/wdhost", "/etc/systemd/system/wdhost.service",
          "/etc/systemd/system/multi-user.target.wants/wdhost.service",
          "/var/lib/systemd/deb-systemd-helper-enabled/wdhost.service.dsh-also",
          "/var/lib/systemd/deb-systemd-helper-enabled/multi-user.target.wants/wdhost.service",
          "/var/lib/systemd/deb-systemd-helper-masked/wdhost.service"]


def installed_packages():
    return set(run(["dpkg-query", "-W", "-f", "${Package}:${Architecture}\n"]).split())


def user_exists(name):
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def snapshot():
    """What installing could change: packages, the user, and each trace of the service."""
    return {"packages": installed_packages(), "user": user_exists("wdhost"),
            "traces": sorted(path for path in TRACES if os.path.lexists(path))}


def check_installation():
    """The user, the tokens, the enablement, the unit as installed, the man page."""
    expect(user_exists("wdhost"), "postinst made the wdhost user (sysusers.d)")
    for name in ("auth-token", "operator-token"):
        mode = os.stat(f"/etc/wdhost/{name}").st_mode & 0o777
        expect(mode == 0o600, f"postinst made /etc/wdhost/{name}, readable by root only")
    expect(os.path.islink("/etc/systemd/system/multi-user.target.wants/wdhost.service"),
           "the service is enabled")
    out = run(["systemd-analyze", "verify", "/lib/systemd/system/wdhost.service"], cwd="/")
    expect(out.strip() == "", f"systemd-analyze verify passes on the installed unit: {out!r}")
    run(["man", "-w", "wdhost"])
    run(["man", "-w", "wdhost-plugin-check"])


def service_environment(tmp):
    """What systemd would give wdhost.service: its credentials (copies of the token files,
    readable by the service's user alone), its state and runtime directories, a private /tmp,
    its variables; the client token."""
    user = pwd.getpwnam("wdhost")
    credentials = os.path.join(tmp, "credentials")
    os.makedirs(credentials)
    for name in ("auth-token", "operator-token"):
        shutil.copy(f"/etc/wdhost/{name}", credentials)
    for path in (credentials, *glob.glob(credentials + "/*")):
        os.chown(path, user.pw_uid, user.pw_gid)
    os.chmod(tmp, 0o711)
    for directory in ("/var/lib/wdhost", "/run/wdhost"):
        os.makedirs(directory, mode=0o700, exist_ok=True)
        os.chown(directory, user.pw_uid, user.pw_gid)
    # PrivateTmp=: a /tmp of the service's own, gone with the temp dir.
    private_tmp = os.path.join(tmp, "tmp")
    os.makedirs(private_tmp)
    os.chmod(private_tmp, 0o1777)
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/var/lib/wdhost",
           "XDG_RUNTIME_DIR": "/run/wdhost", "LANG": "C.UTF-8", "USER": "wdhost",
           "LOGNAME": "wdhost", "CREDENTIALS_DIRECTORY": credentials, "TMPDIR": private_tmp}
    with open("/etc/wdhost/auth-token") as f:
        return credentials, env, f.readline().strip()


def as_service_user(argv):
    """argv run as the service's user and group, without new privileges (setpriv)."""
    return [need("setpriv"), "--reuid=wdhost", "--regid=wdhost", "--init-groups",
            "--no-new-privs", "--", *argv]


def run_service():
    with temp_dir("wdhost-service-") as tmp, open(os.path.join(tmp, "wdhost.log"), "w+") as log:
        credentials, env, token = service_environment(tmp)
        argv = unit_command("/", "ExecStart", {"CREDENTIALS_DIRECTORY": credentials})
        os.chdir("/var/lib/wdhost")
        host, base = start(as_service_user(argv), env, log)
        try:
            owner = os.stat(f"/proc/{host.pid}").st_uid
            expect(owner == pwd.getpwnam("wdhost").pw_uid, "the host runs as the wdhost user")
            stop_argv = as_service_user(unit_command("/", "ExecStop",
                                                     {"MAINPID": str(host.pid)}))
            drive(base, token, stop_argv, host)
        finally:
            stop(host)
            os.chdir("/")
            log.seek(0)
            print("--- wdhost log (tail)\n" + "".join(log.readlines()[-30:]))


def restore(before):
    """Purges what was installed, then removes what the packages leave by design (the user)."""
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    names = [p for p in ("wdhost", "wdhost-sdk-dev")
             if subprocess.run(["dpkg-query", "-W", p], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL).returncode == 0]
    if names:
        run(["apt-get", "purge", "-y", *names], env=env, check=False)
    pulled = sorted(installed_packages() - before["packages"])
    if pulled:
        run(["apt-get", "purge", "-y", *pulled], env=env, check=False)
    shutil.rmtree("/run/wdhost", ignore_errors=True)
    if not before["user"] and user_exists("wdhost"):
        run(["userdel", "wdhost"], check=False)
        run(["groupdel", "wdhost"], check=False)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--debs", required=True)
    args = parser.parse_args()
    if os.geteuid() != 0:
        fail("installs packages: run as root (tools/test --packages uses sudo)")
    before = snapshot()
    if before["traces"] or before["user"]:
        fail(f"wdhost is installed or left traces already; remove them first: {before}")
    packages = [os.path.abspath(deb(args.debs, n)) for n in ("wdhost", "wdhost-sdk-dev")]
    try:
        run(["apt-get", "install", "-y", *packages],
            env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"), timeout=900)
        check_installation()
        run_service()
        run(["apt-get", "purge", "-y", "wdhost", "wdhost-sdk-dev"],
            env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
        expect(not os.path.exists("/etc/wdhost") and not os.path.exists("/var/lib/wdhost"),
               "purging removed the tokens, the config and the state")
    finally:
        restore(before)
    after = snapshot()
    changed = {"packages added": sorted(after["packages"] - before["packages"]),
               "packages removed": sorted(before["packages"] - after["packages"]),
               "user": (before["user"], after["user"]), "traces": after["traces"]}
    expect(after == before, f"the machine is as it was ({len(after['packages'])} packages, "
           f"no wdhost user, no trace of the service): {changed}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
