#!/usr/bin/env python3
"""The release daemon ingesting a large log file end to end: time and peak memory.

Writes the index benchmark's ddtrace workload (`tracejoin debug-generate-logs`: traces of ~100
lines, one line in 50 an ERROR with a traceback folded by `multiline`) to a file, starts
`tracejoin serve` on a temporary config that tails it from the beginning, and waits until the
last line is queryable. Samples the daemon's resident memory (VmRSS) every 50 ms and reads its
peak (VmHWM) at the end; prints lines/s, CPU seconds per million lines, the state directory's
size against the file's, and the peak.

    python3 Benchmarks/ingest.py [--lines 10000000]
"""

import argparse
import os
import subprocess
import time

from benchdaemon import RELEASE_BIN, BenchDaemon, request, wait_for
from harness import DDTRACE_RULES

# The end-to-end tests' ddtrace rule, read from the start, tracebacks folded into their record.
RULES = DDTRACE_RULES.replace('paths: ["logs/*.log"]\n', 'paths: ["logs/*.log"]\nstart_at: beginning\n'
                              "multiline: { start: '^%{TIMESTAMP_ISO8601} ' }\n")


def status_kib(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tree_bytes(root):
    return sum(os.path.getsize(os.path.join(d, f)) for d, _, files in os.walk(root) for f in files)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=10_000_000)
    ap.add_argument("--bin", default=RELEASE_BIN)
    args = ap.parse_args()

    d = BenchDaemon("tj-ingest-", rules=RULES, extra_yaml="retention: { max_age: 30d, max_bytes: 100GiB }\n", bin=args.bin)
    try:
        path = os.path.join(d.logs, "app.log")
        subprocess.run([args.bin, "debug-generate-logs", "--lines", str(args.lines), "--traces", str(max(1, args.lines // 100)),
                        "--output", path], check=True, stdout=subprocess.DEVNULL)
        size = os.path.getsize(path)
        # The last record in the file: its trace tells when everything is in.
        with open(path, "rb") as f:
            f.seek(max(0, size - 64 * 1024))
            tail = f.read().decode("utf-8", "replace").splitlines()
        last = [l for l in tail if " dd.trace_id=" in l and "dd.trace_id=0 " not in l][-1]
        last_trace = last.split("dd.trace_id=")[1].split()[0]
        last_message = last.split("] - ", 1)[1]

        query = d.query
        start = time.monotonic()
        d.start(wait=False)
        proc = d.proc
        peak_sampled = 0

        def done():
            nonlocal peak_sampled
            peak_sampled = max(peak_sampled, status_kib(proc.pid, "VmRSS"))
            if not os.path.exists(query):
                return False
            status, body = request(query, "GET", f"/v1/logs?trace_id={last_trace}&limit=1000")
            return status == 200 and any(e["log"]["message"] == last_message for e in body["logs"])
        wait_for(done, timeout=3600, interval=0.05, what="the last line indexed")
        elapsed = time.monotonic() - start
        cpu = cpu_seconds(proc.pid)
        peak = status_kib(proc.pid, "VmHWM")
        state = tree_bytes(d.state)
        print(f"daemon ingest of {args.lines:,} lines ({size / 2**20:,.0f} MiB) until the last is queryable: {elapsed:.1f} s, "
              f"{args.lines / elapsed:,.0f} lines/s, {cpu / args.lines * 1e6:.1f} CPU s per million lines")
        print(f"  peak RSS of the daemon: {peak / 1024:,.0f} MiB (target < 300 MiB); "
              f"state directory {state / 2**20:,.1f} MiB = {state / size:.3f}× the file")
    finally:
        d.stop()

if __name__ == "__main__":
    main()
