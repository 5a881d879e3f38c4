#!/usr/bin/env python3
"""What the two packages hold and declare: each file a user or author relies on, the conffile,
the relationships (Depends from the libraries wdhost links, the browsers recommended or
suggested), and the bash completion answering from the installed wdhost's own --help.

Usage: package_contents_test.py --debs DIR
"""
import argparse
import os
import subprocess
import sys

from package_support import deb, expect, need, run, temp_dir, unpack

WDHOST_FILES = [
    "usr/bin/wdhost", "usr/bin/wdhost-guard", "usr/bin/wdhost-plugin-check",
    "usr/bin/wdhost-plugin-host",
    "usr/lib/wdhost/plugins/chrome.so", "usr/lib/wdhost/plugins/firefox.so",
    "usr/lib/wdhost/plugins/safari.so", "etc/wdhost/wdhost.conf",
    "lib/systemd/system/wdhost.service", "usr/lib/sysusers.d/wdhost.conf",
    "usr/share/man/man1/wdhost.1.gz", "usr/share/man/man1/wdhost-guard.1.gz",
    "usr/share/man/man1/wdhost-plugin-host.1.gz",
    "usr/share/man/man1/wdhost-plugin-check.1.gz",
    "usr/share/bash-completion/completions/wdhost",
    "usr/share/bash-completion/completions/wdhost-plugin-check",
    "usr/share/doc/wdhost/copyright", "usr/share/doc/wdhost/changelog.gz",
    "usr/share/doc/wdhost/README.Debian"]
SDK_FILES = [
    "usr/include/wdhost/plugin.h", "usr/include/wdhost/plugin.hpp",
    "usr/lib/cmake/wdhost-sdk/wdhost-sdk-config.cmake",
    "usr/lib/cmake/wdhost-sdk/wdhost-sdk-config-version.cmake",
    "usr/share/pkgconfig/wdhost-sdk.pc", "usr/share/wdhost/wdhost-plugin.exports",
    "usr/share/doc/wdhost-sdk-dev/examples/minimal/CMakeLists.txt",
    "usr/share/doc/wdhost-sdk-dev/examples/minimal/example_plugin.cpp",
    "usr/share/doc/wdhost-sdk-dev/copyright", "usr/share/doc/wdhost-sdk-dev/changelog.gz"]


def field(package, name):
    return run([need("dpkg-deb"), "--field", package, name]).strip()


def check_control(wdhost, sdk):
    depends = field(wdhost, "Depends")
    for library in ("libpoconet80", "libprometheus-cpp-core1.0", "libboost-program-options1.74.0",
                    "libssl3", "libstdc++6", "systemd | systemd-standalone-sysusers"):
        expect(library in depends, f"wdhost depends on {library}")
    expect("chromium" not in depends and "firefox" not in depends,
           "no browser is a hard dependency")
    expect("chromium-driver" in field(wdhost, "Recommends") and
           "firefox-esr" in field(wdhost, "Recommends"), "wdhost recommends Chromium and Firefox")
    for suggested in ("webkit2gtk-driver", "xvfb"):
        expect(suggested in field(wdhost, "Suggests"), f"wdhost suggests {suggested}")
    expect(field(sdk, "Architecture") == "all" and field(sdk, "Depends") == "",
           "wdhost-sdk-dev is architecture-independent and needs nothing")
    with temp_dir("wdhost-control-") as control:
        run(["dpkg-deb", "--control", wdhost, control])
        with open(os.path.join(control, "conffiles")) as f:
            expect(f.read().split() == ["/etc/wdhost/wdhost.conf"],
                   "/etc/wdhost/wdhost.conf is the conffile")


def check_files(root, files):
    for path in files:
        expect(os.path.exists(os.path.join(root, path)), f"the package ships /{path}")


def check_completion(root):
    """Completing `wdhost --auth-t` lists the token options of the installed wdhost's --help;
    `--log-level d` and `--plugin ` their values."""
    if not os.path.exists("/usr/share/bash-completion/bash_completion"):
        sys.exit("FAILED: bash-completion is not installed (tools/install-deps test installs it)")
    wdhost = os.path.join(root, "usr/bin/wdhost")
    script = f"""
        source /usr/share/bash-completion/bash_completion
        source {root}/usr/share/bash-completion/completions/wdhost
        complete_line() {{
          COMP_LINE="$1"; COMP_POINT=${{#COMP_LINE}}; read -ra COMP_WORDS <<< "$COMP_LINE"
          [[ "$COMP_LINE" == *" " ]] && COMP_WORDS+=("")
          COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1)); COMPREPLY=()
          _wdhost "${{COMP_WORDS[0]}}" "${{COMP_WORDS[COMP_CWORD]}}" "${{COMP_WORDS[COMP_CWORD-1]}}"
          echo "${{COMPREPLY[*]}}"
        }}
        complete_line "{wdhost} --auth-t"
        complete_line "{wdhost} --log-level d"
        complete_line "{wdhost} --plugin "
    """
    out = subprocess.run(["bash", "-c", script], stdout=subprocess.PIPE, text=True,
                         timeout=60).stdout.splitlines()
    expect(out == ["--auth-token --auth-token-file", "debug", "chrome firefox safari"],
           f"bash completes wdhost's options (from its --help) and their values: {out}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--debs", required=True)
    args = parser.parse_args()
    wdhost, sdk = deb(args.debs, "wdhost"), deb(args.debs, "wdhost-sdk-dev")
    check_control(wdhost, sdk)
    with temp_dir("wdhost-contents-") as tmp:
        unpack(wdhost, os.path.join(tmp, "wdhost"))
        unpack(sdk, os.path.join(tmp, "sdk"))
        check_files(os.path.join(tmp, "wdhost"), WDHOST_FILES)
        check_files(os.path.join(tmp, "sdk"), SDK_FILES)
        check_completion(os.path.join(tmp, "wdhost"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
