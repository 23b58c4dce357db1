#!/usr/bin/env python3
"""Span intake throughput: starts the release daemon on a temporary config and runs
`tracejoin bench-intake --socket` against it (decoders alone, then socket → index).

    python3 Benchmarks/intake.py [extra bench-intake options]
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "Tests", "EndToEnd"))
from harness import request, wait_for  # noqa: E402

BIN = os.path.join(os.path.dirname(__file__), "..", ".build", "release", "tracejoin")


def main():
    root = tempfile.mkdtemp(prefix="tj-intake-", dir="/tmp")
    config = os.path.join(root, "config")
    os.makedirs(os.path.join(config, "rules.d"))
    with open(os.path.join(config, "tracejoin.yaml"), "w") as f:
        f.write("state_dir: ../state\nintake: { socket: ../run/intake.sock }\nquery: { socket: ../run/query.sock }\n")
    intake = os.path.join(root, "run", "intake.sock")
    log = open(os.path.join(root, "daemon.log"), "wb")
    proc = subprocess.Popen([BIN, "serve", "--config", config, "--log-level", "warning"], stdout=log, stderr=log)
    try:
        wait_for(lambda: os.path.exists(intake) and request(intake, "GET", "/healthz")[0] == 200, what="daemon")
        subprocess.run([BIN, "bench-intake", "--socket", intake, *sys.argv[1:]], check=True)
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
        log.close()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
