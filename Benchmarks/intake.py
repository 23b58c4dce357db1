#!/usr/bin/env python3
"""Span intake throughput: starts the release daemon on a temporary config and runs
`tracejoin bench-intake --socket` against it (decoders alone, then socket → index).

    python3 Benchmarks/intake.py [extra bench-intake options]
"""

import subprocess
import sys

from benchdaemon import BenchDaemon


def main():
    d = BenchDaemon("tj-intake-").start()
    try:
        subprocess.run([d.bin, "bench-intake", "--socket", d.intake, *sys.argv[1:]], check=True)
    finally:
        d.stop()


if __name__ == "__main__":
    main()
