#!/usr/bin/env python3
"""The fleet service's trace lookup over two shards (Debian's clickhouse-server 18.16, two
processes started here on loopback ports with temporary data paths, stopped by pid).

Each shard gets LINES/2 lines and SPANS/2 spans in the exporter's tables, as one host exported
them (web-1 on shard 1, web-2 on shard 2): every trace crosses both hosts, 20 lines and 2 spans
on each. The rows are generated inside ClickHouse (`INSERT … SELECT … FROM numbers(N)`), so the
load takes seconds, not an export of 10M lines. Then the release `tracejoin serve` with a
`fleet:` section looks up QUERIES random traces, `GET /v1/traces/{id}` on its query socket, one
after another: p50, p99, max. Then it asks for the newest 1,000 lines of one host
(`/v1/logs?host=web-1&limit=1000`), QUERIES/20 times, beside the same page in one query with
`FINAL` straight to one shard (what the service sent before its search took two steps).

Reference, same run: the same trace's three queries (spans, line count, lines) sent straight to
one shard over HTTP, one after another, by this script: what ClickHouse itself takes for one
shard's half of a trace. The fleet's figure includes both shards (queried at once), the merge,
the tree and the JSON document.

    python3 Benchmarks/fleet.py [--lines 10000000] [--spans 1000000] [--queries 1000]
"""

import argparse
import os
import random
import shutil
import signal
import subprocess
import tempfile
import sys
import time
import urllib.parse
import urllib.request

from benchdaemon import RELEASE_BIN, request, wait_for

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "Tests", "EndToEnd"))
from clickhouse import ClickHouse  # noqa: E402

FIRST_TRACE = 4611686018427387904
LINES_PER_TRACE_PER_HOST = 20
PAGE = 1000


def load(ch, host, lines, spans):
    """`lines` lines and `spans` spans of `host` into the exporter's tables, in ClickHouse."""
    traces = lines // LINES_PER_TRACE_PER_HOST
    spans_per_trace = max(1, spans // traces)
    t0 = 1796637600000000000  # 2026-12-07 10:00 UTC
    ch.query(f"""
        INSERT INTO tracejoin.logs
        SELECT '{host}' AS host, number + 1 AS id, toDate('2026-12-07') AS date,
            toInt64({t0} + number * 1000) AS time_ns, toInt64({t0} + number * 1000) AS ingested_ns,
            '' AS trace_id, toUInt64(0) AS trace_hi, toUInt8(0) AS trace_hi_known,
            toUInt64({FIRST_TRACE} + intDiv(number, {LINES_PER_TRACE_PER_HOST})) AS trace_lo,
            lower(hex(trace_lo)) AS trace_lo_hex, toString(trace_lo) AS trace_lo_dd,
            toUInt64(1 + number % {spans_per_trace}) AS span_id, lower(hex(span_id)) AS span_id_hex,
            'checkout' AS service, 'INFO' AS level, concat('order ', toString(number), ' priced at ', toString(number % 997), '.99 EUR') AS message,
            concat('2026-12-07 10:00:00,000 INFO [shop.checkout] [dd.trace_id=', toString(trace_lo), ' dd.span_id=', toString(span_id), '] - ', message) AS raw,
            'bench' AS source, 'ddtrace' AS rule, '/var/log/app/app.log' AS file, '{{"logger":"shop.checkout"}}' AS fields, '' AS id_error,
            toUInt64(ingested_ns) AS version
        FROM numbers({lines})
        """)
    # Span ids differ by host: web-1's are 1…k, web-2's k+1…2k, each a child of the one before.
    offset = 0 if host.endswith("1") else spans_per_trace
    ch.query(f"""
        INSERT INTO tracejoin.spans
        SELECT '{host}' AS host, toDate('2026-12-07') AS date, '' AS trace_id, toUInt64(0) AS trace_hi, toUInt8(0) AS trace_hi_known,
            toUInt64({FIRST_TRACE} + intDiv(number, {spans_per_trace})) AS trace_lo, lower(hex(trace_lo)) AS trace_lo_hex,
            toString(trace_lo) AS trace_lo_dd, toUInt64({offset} + 1 + number % {spans_per_trace}) AS span_id, lower(hex(span_id)) AS span_id_hex,
            toUInt64(span_id - 1) AS parent_id, '{host.split("-")[0]}' AS service, concat('op ', toString(span_id)) AS name, 'GET /x' AS resource,
            'web' AS type, toInt64({t0} + number * 20000) AS start_ns, toInt64(5000000) AS duration_ns, toUInt8(0) AS error,
            '{{"http.method":"GET"}}' AS meta, '{{}}' AS metrics, 'datadog' AS protocol,
            '{{"e":[{{"t":1796637600001000000,"n":"cache miss","a":[["key","cart"]]}}]}}' AS details, toUInt64(start_ns) AS version
        FROM numbers({traces * spans_per_trace})
        """)
    return traces


def direct(ch, trace):
    """One shard's half of a trace, the three queries the fleet reader sends, straight to ClickHouse."""
    where = f"trace_lo = {trace}"
    for sql in (f"SELECT * FROM tracejoin.spans FINAL WHERE {where} ORDER BY start_ns, host FORMAT JSONEachRow",
                f"SELECT toString(count()) FROM tracejoin.logs FINAL WHERE {where} FORMAT JSONEachRow",
                f"SELECT * FROM tracejoin.logs FINAL WHERE {where} ORDER BY time_ns, host, id LIMIT 10000 FORMAT JSONEachRow"):
        with urllib.request.urlopen(urllib.request.Request(ch.url + "/", data=sql.encode()), timeout=30) as resp:
            resp.read()


def percentiles(samples):
    samples = sorted(samples)
    p = lambda q: samples[min(len(samples) - 1, int(q * len(samples)))] * 1000
    return f"p50 {p(0.5):.1f} ms, p99 {p(0.99):.1f} ms, max {samples[-1] * 1000:.1f} ms"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=10_000_000)
    ap.add_argument("--spans", type=int, default=1_000_000)
    ap.add_argument("--queries", type=int, default=1000)
    args = ap.parse_args()
    shards = [ClickHouse(), ClickHouse()]
    root = tempfile.mkdtemp(prefix="tj-fleet-", dir="/tmp")
    fleet = None
    try:
        for ch in shards:
            ch.start()
            subprocess.run([RELEASE_BIN, "export", "init", "--clickhouse", ch.url], check=True, capture_output=True)
        start = time.monotonic()
        traces = [load(ch, f"web-{i + 1}", args.lines // 2, args.spans // 2) for i, ch in enumerate(shards)][0]
        print(f"loaded {args.lines:,} lines and {args.spans:,} spans over 2 shards ({traces:,} traces, each on both) "
              f"in {time.monotonic() - start:.1f} s")

        config = os.path.join(root, "config")
        os.makedirs(config)
        with open(os.path.join(config, "tracejoin.yaml"), "w") as f:
            f.write("state_dir: ../state\nquery: { socket: ../run/query.sock }\n"
                    f'fleet: {{ shards: ["{shards[0].url}", "{shards[1].url}"], timeout: 10s }}\n')
        socket_path = os.path.join(root, "run", "query.sock")
        fleet = subprocess.Popen([RELEASE_BIN, "serve", "--config", config, "--log-level", "warning"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(lambda: os.path.exists(socket_path) and request(socket_path, "GET", "/healthz")[0] == 200, what="the fleet service")

        rng = random.Random(7)
        picks = [FIRST_TRACE + rng.randrange(traces) for _ in range(args.queries)]
        # Warm both the fleet and the reference the same way: one lookup each.
        status, doc = request(socket_path, "GET", f"/v1/traces/{picks[0]}")
        assert status == 200 and len(doc["spans"]) >= 1 and doc.get("partial") is None, doc
        direct(shards[0], picks[0])

        fleet_times, direct_times = [], []
        for trace in picks:
            t = time.monotonic()
            status, doc = request(socket_path, "GET", f"/v1/traces/{trace}")
            fleet_times.append(time.monotonic() - t)
            assert status == 200 and "partial" not in doc, doc
            t = time.monotonic()
            direct(shards[0], trace)
            direct_times.append(time.monotonic() - t)
        print(f"fleet trace lookup, 2 shards, {args.lines:,} lines: {percentiles(fleet_times)} ({args.queries} lookups; "
              f"each trace {2 * LINES_PER_TRACE_PER_HOST} lines and {2 * max(1, args.spans // 2 // traces)} spans)")
        print(f"  reference: one shard's three queries straight to ClickHouse: {percentiles(direct_times)} "
              f"(fleet p99 / reference p99 = {sorted(fleet_times)[int(0.99 * len(fleet_times))] / sorted(direct_times)[int(0.99 * len(direct_times))]:.2f})")

        # A page of the newest PAGE lines of one host: the search a log view opens with.
        page_times, page_direct = [], []
        sql = f"SELECT * FROM tracejoin.logs FINAL WHERE host = 'web-1' ORDER BY ingested_ns DESC, host DESC, id DESC LIMIT {PAGE} FORMAT JSONEachRow"
        for _ in range(max(10, args.queries // 20)):
            t = time.monotonic()
            status, doc = request(socket_path, "GET", f"/v1/logs?host=web-1&limit={PAGE}")
            page_times.append(time.monotonic() - t)
            assert status == 200 and len(doc["logs"]) == PAGE and "partial" not in doc, doc
            t = time.monotonic()
            with urllib.request.urlopen(urllib.request.Request(shards[0].url + "/", data=sql.encode()), timeout=30) as resp:
                resp.read()
            page_direct.append(time.monotonic() - t)
        print(f"fleet log page, {PAGE:,} lines of one host: {percentiles(page_times)} ({len(page_times)} pages)")
        print(f"  reference: the same page in one query with FINAL, straight to the shard: {percentiles(page_direct)} "
              f"(fleet p50 / reference p50 = {sorted(page_times)[len(page_times) // 2] / sorted(page_direct)[len(page_direct) // 2]:.2f})")
    finally:
        if fleet is not None:
            os.kill(fleet.pid, signal.SIGTERM)
            fleet.wait(timeout=30)
        shutil.rmtree(root, ignore_errors=True)
        for ch in shards:
            ch.cleanup()


if __name__ == "__main__":
    main()
