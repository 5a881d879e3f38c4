"""What the package tests share: the built .debs, a temporary root to unpack them into, the
unit's own command lines, and bounded commands. Every temp dir is removed, also on failure."""
import contextlib
import glob
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

TIMEOUT = 300
UNIT = "lib/systemd/system/wdhost.service"


def fail(message):
    """Ends the test with FAILED: message (exit 1)."""
    sys.exit(f"FAILED: {message}")


def expect(condition, what):
    """Fails with `what` unless `condition`; prints ok: what otherwise."""
    if not condition:
        fail(what)
    print("ok:", what, flush=True)


def run(cmd, timeout=TIMEOUT, check=True, **kwargs):
    """Runs `cmd` (bounded), echoing it; its stdout+stderr, failing on a non-zero exit."""
    print("+", " ".join(cmd), flush=True)
    done = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=timeout, **kwargs)
    if check and done.returncode != 0:
        fail(f"exit {done.returncode}: {' '.join(cmd)}\n{done.stdout}")
    return done.stdout


def need(program):
    """The path of `program`, or a failure saying how to get it."""
    path = shutil.which(program)
    if path is None:
        fail(f"{program} is not installed (tools/install-deps test installs it)")
    return path


def deb(directory, name):
    """The one NAME_*.deb in `directory`."""
    found = glob.glob(os.path.join(directory, f"{name}_*.deb"))
    if len(found) != 1:
        fail(f"expected one {name}_*.deb in {directory}, found {found}")
    return found[0]


@contextlib.contextmanager
def temp_dir(prefix):
    """A fresh directory, removed afterwards whatever happens."""
    path = tempfile.mkdtemp(prefix=prefix)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def unpack(package, root):
    """Unpacks `package` into `root` as dpkg would place its files (no scripts run)."""
    run([need("dpkg-deb"), "-x", package, root])


def unit_lines(root, key):
    """Every value of KEY= in the unit under `root`, continuation lines joined."""
    with open(os.path.join(root, UNIT), encoding="utf-8") as f:
        text = re.sub(r"\\\n\s*", " ", f.read())
    return [line.split("=", 1)[1].strip() for line in text.splitlines()
            if line.startswith(key + "=")]


def unit_command(root, key, variables):
    """The unit's KEY= command line as argv: absolute paths the package ships are taken from
    `root`, and ${VAR}/$VAR from `variables` (as systemd would substitute them)."""
    values = unit_lines(root, key)
    if len(values) != 1:
        fail(f"the unit has {len(values)} {key}= lines, expected one")
    argv = []
    for word in shlex.split(values[0]):
        for name, value in variables.items():
            word = word.replace("${" + name + "}", value)
            if word == "$" + name:
                word = value
        if word.startswith("/") and os.path.exists(os.path.join(root, word[1:])):
            word = os.path.join(root, word[1:])
        argv.append(word)
    return argv
