#!/usr/bin/env python3
"""Span intake throughput: starts the release daemon on a temporary config (the intake socket
and an OTLP/gRPC listener) and runs `tracejoin-bench bench-intake` against it: Datadog v0.5/v0.4
payloads and OTLP requests, each decoded alone, then end to end into the index — Datadog and
OTLP/HTTP through the intake socket, OTLP/gRPC through the gRPC listener, in the same run. Given
the daemon's pid, each end-to-end line has below it the daemon's CPU µs per span
(/proc/PID/stat); then the bytes on disk per span of the same payloads stored as blocks (a new
store) and as schema v11's rows (a scratch table), each settled by a checkpoint.

    python3 Benchmarks/intake.py [extra bench-intake options]
"""

import os
import subprocess
import sys

from benchdaemon import BenchDaemon
from harness import free_port


def main():
    port = free_port()
    d = BenchDaemon("tj-intake-")
    with open(os.path.join(d.config, "tracejoin.yaml"), "w") as f:
        f.write("state_dir: ../state\n"
                f'intake: {{ socket: ../run/intake.sock, grpc: ["127.0.0.1:{port}"] }}\n'
                "query: { socket: ../run/query.sock }\n")
    d.start()
    try:
        subprocess.run([os.path.join(os.path.dirname(d.bin), "tracejoin-bench"), "bench-intake", "--socket", d.intake, "--grpc", f"127.0.0.1:{port}",
                        "--daemon-pid", str(d.proc.pid), *sys.argv[1:]], check=True)
    finally:
        d.stop()


if __name__ == "__main__":
    main()
