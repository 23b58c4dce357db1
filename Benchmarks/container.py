#!/usr/bin/env python3
"""Ingest of container runtimes' log files against the same lines plain, in one run.

Writes the index benchmark's ddtrace workload (`tracejoin-bench debug-generate-logs`: traces of ~100
lines, one line in 50 an ERROR with a traceback) once, then the same lines wrapped as containerd
writes them (`<RFC3339Nano> stdout F <line>`, every line over 4 KiB split into `P` parts), and
ingests each with the release daemon and the same rule (plain: `format: plain`; wrapped:
`format: cri`), timing until the last line is queryable. Prints lines/s of each and the ratio
(issue 25's target: the wrapped file within 15% of the plain one).

    python3 Benchmarks/container.py [--lines 1000000]
"""

import argparse
import os
import subprocess
import time

from benchdaemon import RELEASE_BIN, BenchDaemon, cpu_seconds, request, wait_for
from harness import DDTRACE_RULES

T = "2026-12-06T19:31:21.123456789Z"


def rules(fmt):
    return DDTRACE_RULES.replace('paths: ["logs/*.log"]\n', f'paths: ["logs/*.log"]\nstart_at: beginning\nformat: {fmt}\n'
                                 "multiline: { start: '^%{TIMESTAMP_ISO8601} ' }\n")


def wrap(plain, wrapped, part=4096):
    with open(plain, "rb") as src, open(wrapped, "wb") as out:
        stamp = T.encode()
        for line in src:
            line = line.rstrip(b"\n")
            while len(line) > part:
                out.write(stamp + b" stdout P " + line[:part] + b"\n")
                line = line[part:]
            out.write(stamp + b" stdout F " + line + b"\n")


def ingest(binary, fmt, source, last_trace, last_message):
    d = BenchDaemon(f"tj-{fmt}-", rules=rules(fmt), extra_yaml="retention: { max_age: 30d, max_bytes: 100GiB }\n", bin=binary)
    try:
        os.link(source, os.path.join(d.logs, "app.log"))
        start = time.monotonic()
        d.start(wait=False)
        proc = d.proc

        def done():
            if not os.path.exists(d.query):
                return False
            status, body = request(d.query, "GET", f"/v1/logs?trace_id={last_trace}&limit=1000")
            return status == 200 and any(e["log"]["message"] == last_message for e in body["logs"])
        wait_for(done, timeout=3600, interval=0.05, what=f"the last line indexed ({fmt})")
        return time.monotonic() - start, cpu_seconds(proc.pid)
    finally:
        d.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--bin", default=RELEASE_BIN)
    args = ap.parse_args()
    work = BenchDaemon("tj-container-work-", rules=rules("plain"), bin=args.bin)
    try:
        plain = os.path.join(work.root, "plain.log")
        wrapped = os.path.join(work.root, "cri.log")
        subprocess.run([os.path.join(os.path.dirname(args.bin), "tracejoin-bench"), "debug-generate-logs", "--lines", str(args.lines), "--traces", str(max(1, args.lines // 100)),
                        "--output", plain], check=True, stdout=subprocess.DEVNULL)
        wrap(plain, wrapped)
        with open(plain, "rb") as f:
            f.seek(max(0, os.path.getsize(plain) - 64 * 1024))
            tail = f.read().decode("utf-8", "replace").splitlines()
        last = [l for l in tail if " dd.trace_id=" in l and "dd.trace_id=0 " not in l][-1]
        last_trace = last.split("dd.trace_id=")[1].split()[0]
        last_message = last.split("] - ", 1)[1]
        p_s, p_cpu = ingest(args.bin, "plain", plain, last_trace, last_message)
        c_s, c_cpu = ingest(args.bin, "cri", wrapped, last_trace, last_message)
        print(f"plain: {args.lines:,} lines ({os.path.getsize(plain) / 2**20:,.0f} MiB) in {p_s:.1f} s, {args.lines / p_s:,.0f} lines/s, "
              f"{p_cpu:.1f} CPU s")
        print(f"cri:   the same lines wrapped ({os.path.getsize(wrapped) / 2**20:,.0f} MiB) in {c_s:.1f} s, {args.lines / c_s:,.0f} lines/s, "
              f"{c_cpu:.1f} CPU s; wrapped / plain = {c_s / p_s:.2f}× the time (target ≤ 1.15×)")
    finally:
        work.stop()


if __name__ == "__main__":
    main()
