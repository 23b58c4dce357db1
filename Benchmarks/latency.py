#!/usr/bin/env python3
"""Write-to-queryable latency of the real daemon at a steady line rate.

Starts `tracejoin serve` (release build) on a temporary config and appends lines at RATE lines/s
for SECONDS seconds, each carrying the wall-clock time it was written. Two measurements:

- observed: ten times a second, a line is followed through the query API (`GET /v1/traces/ID`,
  polled without pause) until it answers: the latency a user sees;
- every line: afterwards, through `/v1/logs`, the time its batch's commit began (`ingested_at`)
  minus the time it was written.

Prints p50, p99 and max of each, and the rate actually written.

    python3 Benchmarks/latency.py [--rate 10000] [--seconds 10]
"""

import argparse
import os
import threading
import time

from benchdaemon import RELEASE_BIN, BenchDaemon, request, wait_for

RULES = r"""
source: bench
paths: ["logs/*.log"]
rules:
  - name: timed
    grok: '%{TIMESTAMP_ISO8601:timestamp} INFO sent=%{INT:sent} dd.trace_id=%{TRACEID:trace_id} dd.span_id=%{SPANID:span_id} - %{GREEDYDATA:message}'
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rate", type=int, default=10_000)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--bin", default=RELEASE_BIN)
    args = ap.parse_args()

    d = BenchDaemon("tj-lat-", rules=RULES, bin=args.bin)
    query = d.query
    try:
        d.start()
        samples = []
        observed = []
        done = threading.Event()

        def follow():
            # Follows each sampled line until the query API returns it.
            while not done.is_set() or samples:
                if not samples:
                    time.sleep(0.001)
                    continue
                trace, sent = samples[0]
                if request(query, "GET", f"/v1/traces/{trace}")[0] == 200:
                    observed.append((time.time_ns() - sent) / 1e6)
                    samples.pop(0)
        follower = threading.Thread(target=follow, daemon=True)
        follower.start()
        total = int(args.rate * args.seconds)
        tick = 0.01
        per_tick = max(1, int(args.rate * tick))
        start = time.monotonic()
        written = 0
        with open(os.path.join(d.logs, "app.log"), "a") as out:
            while written < total:
                lines = []
                now = time.time_ns()
                for _ in range(min(per_tick, total - written)):
                    written += 1
                    lines.append(f"2026-11-24T22:11:28.925Z INFO sent={now} dd.trace_id={written} dd.span_id=1 - line {written}\n")
                out.write("".join(lines))
                out.flush()
                if (written // per_tick) % 10 == 0:
                    samples.append((written, now))
                # Steady rate: sleep until this tick's slot.
                delay = start + (written / args.rate) - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
        elapsed = time.monotonic() - start
        done.set()
        follower.join(timeout=60)
        def everything():
            # Every stored line with its ingest time, through the query API (newest first).
            rows, cursor = [], None
            while True:
                _, body = request(query, "GET", "/v1/logs?limit=1000" + (f"&cursor={cursor}" if cursor else ""))
                page = body
                rows += page["logs"]
                cursor = page["next_cursor"]
                if not cursor:
                    return rows
        wait_for(lambda: len(everything()) >= total, timeout=120, what="every line indexed")

        def nanoseconds(rfc3339):
            # 2026-12-01T09:46:29.746471162Z: seconds through the standard library, digits by hand.
            whole, fraction = rfc3339.rstrip("Z").split(".")
            import calendar
            return calendar.timegm(time.strptime(whole, "%Y-%m-%dT%H:%M:%S")) * 1_000_000_000 + int(fraction.ljust(9, "0")[:9])
        latencies = sorted((nanoseconds(e["ingested_at"]) - int(e["log"]["fields"]["sent"])) / 1e6 for e in everything())

        def line(label, values):
            values = sorted(values)

            def pct(p):
                return values[min(len(values) - 1, int(p / 100 * len(values)))]
            return f"  {label:<44} p50 {pct(50):7.1f} ms   p99 {pct(99):7.1f} ms   max {values[-1]:7.1f} ms"
        print(f"write-to-queryable latency, {total} lines written at {total / elapsed:,.0f} lines/s for {elapsed:.1f} s"
              " (target: p99 < 250 ms at 10k lines/s):")
        print(line(f"observed through the query API ({len(observed)} lines)", observed))
        print(line(f"every line, to its batch's commit ({len(latencies)})", latencies))
    finally:
        d.stop()


if __name__ == "__main__":
    main()
