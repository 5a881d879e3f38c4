#!/usr/bin/env python3
"""lintian on both packages: no error, no warning. The info tags it still shows are printed;
docs/packaging.md says why each is left.

Usage: package_lintian_test.py --debs DIR
"""
import argparse
import sys

from package_support import deb, expect, need, run


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--debs", required=True)
    args = parser.parse_args()
    packages = [deb(args.debs, "wdhost"), deb(args.debs, "wdhost-sdk-dev")]
    # --fail-on makes an error or a warning its exit status, which run() fails on.
    out = run([need("lintian"), "--fail-on", "error,warning", "--display-info", *packages],
              timeout=600)
    print(out)
    expect(not [line for line in out.splitlines() if line[:2] in ("E:", "W:")],
           "lintian finds no error or warning")
    return 0


if __name__ == "__main__":
    sys.exit(main())
