#!/usr/bin/env python3
"""ClickHouse export: throughput and lag, against a real clickhouse-server (Debian's 18.16,
started here on loopback ports with a temporary data path, stopped by pid).

1. Throughput with ingest running: LINES lines are appended to a tailed file while the release
   daemon exports to ClickHouse; the export rate is the lines divided by the time from the
   first line written until ClickHouse has acknowledged them all. Beside it, the daemon's and
   ClickHouse's CPU seconds over that time (the machine has 2 cores: the three of them, the
   writer, the daemon and ClickHouse, share them). References, same run: the daemon's ingest
   alone (the same lines, no export), and ClickHouse's own insert of the very rows the daemon
   exported (read back as RowBinary in batches of 50,000 and POSTed again, uncompressed, one
   batch after another, into a table of the same shape). The ratio to each is printed.
2. Export alone: the same lines stored first (export pointed at a closed port), then the daemon
   restarted with ClickHouse reachable; the rate at which it drains that backlog.
3. Lag at a steady RATE lines/s for SECONDS: `lag_seconds` of /v1/stats (the age of the oldest
   row not yet acknowledged by ClickHouse, so an upper bound on every row's delay at that
   moment), sampled every 20 ms; p50, p99, max.

    python3 Benchmarks/export.py [--lines 1000000] [--rate 10000] [--seconds 20]
"""

import argparse
import os
import sys
import time
import urllib.parse
import urllib.request

from benchdaemon import BenchDaemon, cpu_seconds, request, wait_for

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "Tests", "EndToEnd"))
from clickhouse import ClickHouse  # noqa: E402
from harness import free_port  # noqa: E402

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


def reinsert_reference(ch, host, lines):
    """ClickHouse's own insert rate of the rows the daemon exported for `host`."""
    ch.query("CREATE DATABASE IF NOT EXISTS ref")
    ch.query("CREATE TABLE IF NOT EXISTS ref.logs AS tracejoin.logs")
    bodies = []
    for offset in range(0, lines, 50000):
        sql = f"SELECT * FROM tracejoin.logs WHERE host = '{host}' ORDER BY id LIMIT 50000 OFFSET {offset} FORMAT RowBinary"
        with urllib.request.urlopen(urllib.request.Request(ch.url + "/", data=sql.encode()), timeout=120) as resp:
            bodies.append(resp.read())
    ch0 = cpu_seconds(ch.proc.pid)
    start = time.monotonic()
    for body in bodies:
        req = urllib.request.Request(ch.url + "/?query=" + urllib.parse.quote("INSERT INTO ref.logs FORMAT RowBinary"), data=body)
        urllib.request.urlopen(req, timeout=120).read()
    took = time.monotonic() - start
    return lines / took, cpu_seconds(ch.proc.pid) - ch0


def throughput(ch, lines):
    # Reference: the daemon's ingest alone, no export.
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
        d0, ch0 = cpu_seconds(d.proc.pid), cpu_seconds(ch.proc.pid)
        start = time.monotonic()
        write_all(os.path.join(d.logs, "app.log"), lines)
        wait_for(lambda: stats(d)["export"][0]["exported_logs"] >= lines, timeout=600, interval=0.05, what="export")
        took = time.monotonic() - start
        exported = lines / took
        daemon_cpu, ch_cpu = cpu_seconds(d.proc.pid) - d0, cpu_seconds(ch.proc.pid) - ch0
        assert ch_count(ch, "bench-1") >= lines
    finally:
        d.stop()

    # Export alone: a backlog stored while ClickHouse could not be reached, then drained.
    closed = f"http://127.0.0.1:{free_port()}"
    d = BenchDaemon("tj-exp-", rules=RULES, extra_yaml=exporting(ch, "bench-3").replace(ch.url, closed)).start()
    try:
        write_all(os.path.join(d.logs, "app.log"), lines)
        wait_for(lambda: stats(d)["sources"]["bench"]["rules"]["ddtrace"]["with_trace"] == lines, timeout=300, interval=0.05, what="ingest")
        d.halt()
        path = os.path.join(d.config, "tracejoin.yaml")
        with open(path) as f:
            text = f.read()
        with open(path, "w") as f:
            f.write(text.replace(closed, ch.url))
        d.start()
        d0 = cpu_seconds(d.proc.pid)
        start = time.monotonic()
        wait_for(lambda: stats(d)["export"][0]["exported_logs"] >= lines, timeout=600, interval=0.05, what="export of the backlog")
        alone = lines / (time.monotonic() - start)
        alone_cpu = cpu_seconds(d.proc.pid) - d0
    finally:
        d.stop()

    reference, ref_cpu = reinsert_reference(ch, "bench-1", lines)
    print(f"export, {lines} lines, ingest running: {exported:,.0f} lines/s "
          f"(daemon {daemon_cpu:.1f} CPU s, ClickHouse {ch_cpu:.1f} CPU s, over {took:.2f} s on {os.cpu_count()} cores)")
    print(f"  reference: the daemon's ingest alone {ingest:,.0f} lines/s (ratio {exported / ingest:.2f})")
    print(f"  reference: ClickHouse's own RowBinary insert of the same rows {reference:,.0f} rows/s "
          f"({ref_cpu:.1f} CPU s; ratio {exported / reference:.2f})")
    print(f"export alone (a stored backlog drained): {alone:,.0f} lines/s, daemon {alone_cpu:.1f} CPU s "
          f"(ratio to ingest alone {alone / ingest:.2f})")


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
