#!/usr/bin/env python3
"""ClickHouse export: throughput and lag, against a real clickhouse-server (Debian's 18.16,
started here on loopback ports with a temporary data path, stopped by pid).

1. Throughput with ingest running: LINES lines are appended to a tailed file while the release
   daemon exports to ClickHouse; the export rate is the lines divided by the time from the
   first line written until ClickHouse holds them all. Reference, same run: the same number of
   rows of the same shape POSTed straight to ClickHouse as gzipped JSONEachRow (ClickHouse's
   own insert ceiling on this machine), and the daemon's ingest alone (the same lines, no
   export). The ratio to each is printed.
2. Lag at a steady RATE lines/s for SECONDS: `lag_seconds` of /v1/stats (the age of the oldest
   row not yet acknowledged by ClickHouse, so an upper bound on every row's delay at that
   moment), sampled every 20 ms; p50, p99, max.

    python3 Benchmarks/export.py [--lines 1000000] [--rate 10000] [--seconds 20]
"""

import argparse
import gzip
import json
import os
import sys
import time
import urllib.parse
import urllib.request

from benchdaemon import BenchDaemon, request, wait_for

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "Tests", "EndToEnd"))
from clickhouse import ClickHouse  # noqa: E402

RULES = r"""
source: bench
paths: ["logs/*.log"]
rules:
  - name: ddtrace
    grok: '%{TIMESTAMP_ISO8601:timestamp} %{LOGLEVEL:level} \[%{DATA:logger}\] \[dd.trace_id=%{TRACEID:trace_id} dd.span_id=%{SPANID:span_id}\] - %{GREEDYDATA:message}'
"""


def line(i):
    return (f"2026-12-01 10:00:{i % 60:02d},{i % 1000:03d} INFO [shop.checkout] "
            f"[dd.trace_id={4611686018427387904 + i // 20} dd.span_id={1 + i % 20}] - order {i} priced at {i % 997}.99 EUR\n")


def stats(d):
    return request(d.query, "GET", "/v1/stats")[1]


def ch_count(ch, host):
    return int(ch.rows(f"SELECT toString(count()) AS n FROM tracejoin.logs WHERE host = '{host}'")[0]["n"])


def write_all(path, n, chunk=20000):
    with open(path, "a") as f:
        for start in range(0, n, chunk):
            f.write("".join(line(i) for i in range(start, min(n, start + chunk))))


def exporting(ch, host, max_wait="1s"):
    return (f'export: {{ clickhouse: {{ url: "{ch.url}", database: tracejoin, host: {host}, '
            f'batch: {{ max_rows: 50000, max_wait: {max_wait} }} }} }}\n')


def throughput(ch, lines):
    # Reference 1: ClickHouse's own insert of the same number of rows of the exporter's shape.
    ch.query("CREATE DATABASE IF NOT EXISTS ref")
    ch.query("CREATE TABLE IF NOT EXISTS ref.logs AS tracejoin.logs")
    rows = [json.dumps({"host": "ref", "id": i, "date": "2026-12-01", "time_ns": 1764583200000000000 + i, "ingested_ns": 1764583200000000000 + i,
                        "trace_id": "", "trace_hi": 0, "trace_hi_known": 0, "trace_lo": 4611686018427387904 + i // 20,
                        "trace_lo_hex": "%016x" % (4611686018427387904 + i // 20), "trace_lo_dd": str(4611686018427387904 + i // 20),
                        "span_id": 1 + i % 20, "span_id_hex": "%016x" % (1 + i % 20), "service": "", "level": "INFO",
                        "message": f"order {i} priced at {i % 997}.99 EUR", "raw": line(i)[:-1], "source": "bench", "rule": "ddtrace",
                        "file": "/tmp/x/logs/app.log", "fields": '{"logger":"shop.checkout"}', "id_error": "", "version": i}) for i in range(lines)]
    bodies = [gzip.compress(("\n".join(rows[s:s + 50000]) + "\n").encode(), 1) for s in range(0, lines, 50000)]
    del rows
    start = time.monotonic()
    for body in bodies:
        req = urllib.request.Request(ch.url + "/?query=" + urllib.parse.quote("INSERT INTO ref.logs FORMAT JSONEachRow"), data=body,
                                     headers={"Content-Encoding": "gzip"})
        urllib.request.urlopen(req, timeout=120).read()
    reference = lines / (time.monotonic() - start)

    # Reference 2: the daemon's ingest alone, no export.
    d = BenchDaemon("tj-exp-", rules=RULES).start()
    try:
        start = time.monotonic()
        write_all(os.path.join(d.logs, "app.log"), lines)
        wait_for(lambda: stats(d)["sources"]["bench"]["rules"]["ddtrace"]["with_trace"] == lines, timeout=300, interval=0.05, what="ingest")
        ingest = lines / (time.monotonic() - start)
    finally:
        d.stop()

    # Tracejoin: ingest and export together.
    d = BenchDaemon("tj-exp-", rules=RULES, extra_yaml=exporting(ch, "bench-1")).start()
    try:
        wait_for(lambda: stats(d)["export"][0]["state"] == "ok", timeout=30, what="exporter ready")
        start = time.monotonic()
        write_all(os.path.join(d.logs, "app.log"), lines)
        wait_for(lambda: stats(d)["export"][0]["exported_logs"] >= lines, timeout=600, interval=0.05, what="export")
        exported = lines / (time.monotonic() - start)
        assert ch_count(ch, "bench-1") >= lines
    finally:
        d.stop()
    print(f"export, {lines} lines, ingest running: {exported:,.0f} lines/s")
    print(f"  reference: ClickHouse's own gzip JSONEachRow insert of the same rows {reference:,.0f} rows/s (ratio {exported / reference:.2f})")
    print(f"  reference: the daemon's ingest alone {ingest:,.0f} lines/s (ratio {exported / ingest:.2f})")


def lag(ch, rate, seconds):
    d = BenchDaemon("tj-exp-", rules=RULES, extra_yaml=exporting(ch, "bench-2")).start()
    try:
        wait_for(lambda: stats(d)["export"][0]["state"] == "ok", timeout=30, what="exporter ready")
        path = os.path.join(d.logs, "app.log")
        samples = []
        start = time.monotonic()
        written = 0
        next_sample = start
        with open(path, "a") as f:
            while time.monotonic() - start < seconds:
                due = int((time.monotonic() - start) * rate)
                if due > written:
                    f.write("".join(line(i) for i in range(written, due)))
                    f.flush()
                    written = due
                if time.monotonic() >= next_sample:
                    samples.append(stats(d)["export"][0]["lag_seconds"])
                    next_sample += 0.02
                time.sleep(0.002)
        samples.sort()
        p = lambda q: samples[min(len(samples) - 1, int(q * len(samples)))]
        print(f"lag at {written / seconds:,.0f} lines/s for {seconds:.0f} s ({len(samples)} samples of lag_seconds): "
              f"p50 {p(0.5):.2f} s, p99 {p(0.99):.2f} s, max {samples[-1]:.2f} s")
    finally:
        d.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--rate", type=int, default=10_000)
    ap.add_argument("--seconds", type=float, default=20)
    args = ap.parse_args()
    ch = ClickHouse().start()
    try:
        ch.query("CREATE DATABASE IF NOT EXISTS tracejoin")
        from_daemon = BenchDaemon("tj-exp-init-")
        import subprocess
        subprocess.run([from_daemon.bin, "export", "init", "--clickhouse", ch.url], check=True, capture_output=True)
        from_daemon.stop()
        throughput(ch, args.lines)
        lag(ch, args.rate, args.seconds)
    finally:
        ch.cleanup()


if __name__ == "__main__":
    main()
