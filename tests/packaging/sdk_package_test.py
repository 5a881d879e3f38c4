#!/usr/bin/env python3
"""The wdhost-sdk-dev package as a plugin author meets it, unpacked (`dpkg-deb -x`) into a temp
root beside the wdhost package: the example plugin it ships, built out of tree with
find_package(wdhost-sdk) finding the root's CMake package (and nothing else), checked by the
root's wdhost-plugin-check, and loaded by the root's wdhost; pkg-config finds the SDK there too.

Usage: sdk_package_test.py --debs DIR. Every command is bounded; the temp root goes afterwards.
"""
import argparse
import os
import sys

from package_support import deb, expect, need, run, temp_dir, unpack

EXAMPLE = "usr/share/doc/wdhost-sdk-dev/examples/minimal"


def build_example(root, build):
    """Configures and builds the shipped example against the root's SDK; the plugin's path."""
    run([need("cmake"), "-S", os.path.join(root, EXAMPLE), "-B", build,
         f"-DCMAKE_PREFIX_PATH={os.path.join(root, 'usr')}",
         "-DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF", "-DCMAKE_FIND_USE_SYSTEM_PACKAGE_REGISTRY=OFF"])
    with open(os.path.join(build, "CMakeCache.txt")) as cache:
        found = [line.strip() for line in cache if line.startswith("wdhost-sdk_DIR:")]
    expect(found and found[0].endswith(os.path.join(root, "usr/lib/cmake/wdhost-sdk")),
           f"find_package(wdhost-sdk) used the unpacked package: {found}")
    run(["cmake", "--build", build], timeout=600)
    plugin = os.path.join(build, "plugins", "example.so")
    expect(os.path.isfile(plugin), "the example plugin was built")
    return plugin


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--debs", required=True)
    args = parser.parse_args()
    with temp_dir("wdhost-sdk-package-") as tmp:
        root = os.path.join(tmp, "root")
        unpack(deb(args.debs, "wdhost-sdk-dev"), root)
        unpack(deb(args.debs, "wdhost"), root)
        plugin = build_example(root, os.path.join(tmp, "build"))

        report = run([os.path.join(root, "usr/bin/wdhost-plugin-check"), plugin], timeout=600)
        expect("0 failed" in report, "the installed wdhost-plugin-check passes the example")
        env = dict(os.environ, HOME=tmp, XDG_DATA_HOME=os.path.join(tmp, "share"))
        listing = run([os.path.join(root, "usr/bin/wdhost"), "--plugin-dir",
                       os.path.dirname(plugin), "--list-plugins"], env=env, timeout=120)
        expect(f"from {plugin}" in listing, "the installed wdhost loads the example")

        pc_env = dict(os.environ, PKG_CONFIG_PATH=os.path.join(root, "usr/share/pkgconfig"))
        cflags = run([need("pkg-config"), "--cflags", "wdhost-sdk"], env=pc_env).strip()
        expect(os.path.isfile(os.path.join(cflags[len("-I"):], "wdhost", "plugin.h")),
               f"pkg-config's wdhost-sdk points into the unpacked package: {cflags}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
