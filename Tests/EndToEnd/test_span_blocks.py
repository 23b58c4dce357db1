"""Spans in compressed blocks (schema v12, issue 29) against the real daemon: a kill -9 in the
middle of span intake loses no acknowledged span and repeats none; a tracer's retry replaces
its first copy; a damaged span block is reported and skipped; an index written by schema v11
(one row per span) is converted on open, and a kill -9 in the middle of the conversion loses
nothing.

As everywhere in these tests: the real binary, real files, conditions polled with deadlines,
processes stopped by pid.
"""

import json
import os
import signal
import sqlite3
import threading
import time

from harness import Daemon, wait_for, walk
from test_blocks import catalog, spawn, state_dir


def spans_of(d, trace):
    """The span IDs of a trace, in the order the document lists them (depth first)."""
    status, doc = d.trace(trace)
    if status == 404:
        return []
    assert status == 200, (status, doc)
    return [s["span_id_dd"] for s in walk(doc["spans"])]


def request_spans(n, size, traces=7):
    """Request n's spans: `size` spans over `traces` traces, span IDs unique across requests."""
    return [{"trace_id": str(9000 + (n * size + i) % traces), "span_id": str(n * size + i + 1),
             "service": f"svc{i % 3}", "name": f"op{i % 5}", "start": 1_700_000_000_000_000_000 + n * 1000 + i,
             "duration": 1000 + i, "meta": {"http.method": "GET", "n": str(n)}}
            for i in range(size)]


def test_a_kill_9_during_span_intake_loses_no_acknowledged_span_and_repeats_none():
    d = Daemon(rules=None)
    try:
        d.start()
        acknowledged, sent = set(), set()
        stop = threading.Event()

        def post():
            n = 0
            while not stop.is_set():
                # 1 to 97 spans a request: tails fill and seal into blocks of 1,024 all along.
                batch = request_spans(n, n * 37 % 97 + 1)
                sent.update(s["span_id"] for s in batch)
                try:
                    status, _ = d.post_spans(batch)
                except OSError:
                    return
                if status != 200:
                    return
                acknowledged.update(s["span_id"] for s in batch)
                n += 1

        poster = threading.Thread(target=post)
        poster.start()
        wait_for(lambda: len(acknowledged) > 12_000 or not poster.is_alive(), timeout=120,
                 what="12,000 spans acknowledged")
        assert d.stop(signal.SIGKILL) == -signal.SIGKILL
        stop.set()
        poster.join(timeout=30)
        print(f"\nkilled with {len(acknowledged)} spans acknowledged, {len(sent)} sent")

        db = catalog(d)
        try:
            sealed = db.execute("SELECT count(*) FROM span_blocks WHERE sealed = 1").fetchone()[0]
        finally:
            db.close()
        assert sealed >= 2, "the run sealed span blocks before the kill"

        d.start()
        stored = []
        for t in range(7):
            stored += spans_of(d, str(9000 + t))
        assert len(stored) == len(set(stored)), "no span is stored twice"
        assert acknowledged <= set(stored), f"{len(acknowledged - set(stored))} acknowledged spans lost"
        assert set(stored) <= sent

        # A tracer's retry of acknowledged requests replaces the first copies.
        for n in range(3):
            assert d.post_spans(request_spans(n, n * 37 % 97 + 1))[0] == 200
        again = []
        for t in range(7):
            again += spans_of(d, str(9000 + t))
        assert sorted(again) == sorted(stored)
    finally:
        d.cleanup()


def test_a_damaged_span_block_is_reported_and_the_others_still_read():
    d = Daemon(rules=None)
    try:
        d.start()
        # Two requests of a block's 1,024 spans: each sealed as a block of its own (traces
        # 9000-9006, then 9100-9106).
        assert d.post_spans(request_spans(0, 1024))[0] == 200
        second = [dict(s, trace_id=str(int(s["trace_id"]) + 100)) for s in request_spans(1, 1024)]
        assert d.post_spans(second)[0] == 200
        db = catalog(d)
        try:
            blocks = db.execute("SELECT id, segment, offset, stored_bytes FROM span_blocks WHERE sealed = 1 ORDER BY id").fetchall()
        finally:
            db.close()
        assert len(blocks) == 2, blocks
        d.stop()
        _, segment, offset, size = blocks[0]
        path = os.path.join(state_dir(d), "blocks", f"{segment:08d}.tjs")
        with open(path, "r+b") as f:
            f.seek(offset + size // 2)
            byte = f.read(1)
            f.seek(offset + size // 2)
            f.write(bytes([byte[0] ^ 0xFF]))
        d.start()
        assert spans_of(d, "9000") == []
        assert sorted(spans_of(d, "9100")) == sorted(s["span_id"] for s in second if s["trace_id"] == "9100")
        stats = d.get("/v1/stats")
        damaged = stats["index"]["damaged_blocks"]
        assert [b.get("kind") for b in damaged] == ["spans"], damaged
        assert damaged[0]["block"] == blocks[0][0] and damaged[0]["offset"] == offset
        assert "damaged span block skipped" in d.log()
        assert d.proc.poll() is None
    finally:
        d.cleanup()


V11_SPANS = """
CREATE TABLE spans (
    id INTEGER PRIMARY KEY, trace_hi INTEGER, trace_lo INTEGER NOT NULL, span_id INTEGER NOT NULL, parent_id INTEGER,
    service TEXT NOT NULL, name TEXT NOT NULL, resource TEXT NOT NULL, type TEXT NOT NULL, start_ns INTEGER NOT NULL,
    duration_ns INTEGER NOT NULL, error INTEGER NOT NULL, meta TEXT, protocol TEXT NOT NULL, received_ns INTEGER NOT NULL,
    metrics TEXT, details TEXT);
CREATE UNIQUE INDEX spans_by_trace ON spans (trace_lo, span_id);
CREATE INDEX spans_by_time ON spans (received_ns);
CREATE INDEX spans_by_start ON spans (start_ns);
CREATE INDEX spans_by_service ON spans (service, start_ns);
CREATE INDEX spans_by_span_id ON spans (span_id);
"""


def make_v11_index(d, rows):
    """An index as schema v11 left it: made by the daemon, then taken back to v11 (its span
    blocks' tables dropped, the v12 migration forgotten) and filled with `rows` span rows, 10
    to a trace (trace t has low half 70000 + t), received in id order over the last minutes
    (recent, so retention's max_age keeps them)."""
    received = time.time_ns() - rows * 1000
    d.start()
    d.stop()
    db = sqlite3.connect(os.path.join(state_dir(d), "index.db"))
    try:
        db.executescript("DROP TABLE span_blocks; DROP TABLE span_block_traces; DROP TABLE span_operations;" + V11_SPANS)
        db.execute("DELETE FROM grdb_migrations WHERE identifier LIKE 'v12%'")
        db.executemany(
            "INSERT INTO spans VALUES (?, NULL, ?, ?, ?, ?, ?, 'res', '', ?, 1000, ?, ?, 'ndjson', ?, ?, NULL)",
            ((i + 1, 70000 + i // 10, i + 1, None if i % 10 == 0 else i - i % 10 + 1, f"svc{i % 3}", f"op{i % 7}",
              1_700_000_000_000_000_000 + i, 1 if i % 97 == 0 else 0, json.dumps({"n": str(i)}), received + i * 1000,
              json.dumps({"size": i * 0.5}))
             for i in range(rows)))
        db.commit()
    finally:
        db.close()


def test_conversion_from_v11_spans_survives_kill_9():
    rows = 200_000
    d = Daemon(rules=None)
    try:
        started = time.monotonic()
        make_v11_index(d, rows)
        print(f"\nv11 index of {rows} span rows made in {time.monotonic() - started:.1f}s")

        spawn(d)

        def converting():
            if d.proc.poll() is not None:
                return True
            db = catalog(d)
            try:
                return db.execute("SELECT count(*) FROM span_blocks").fetchone()[0] > 0
            except sqlite3.OperationalError:
                return False  # the migration has not made the table yet
            finally:
                db.close()
        wait_for(converting, timeout=60, interval=0.05, what="the first converted span block")
        assert d.proc.poll() is None, d.log()
        assert d.stop(signal.SIGKILL) == -signal.SIGKILL

        db = catalog(d)
        try:
            left = db.execute("SELECT count(*) FROM spans").fetchone()[0]
            blocks, in_blocks = db.execute("SELECT count(*), coalesce(sum(spans), 0) FROM span_blocks").fetchone()
        finally:
            db.close()
        print(f"killed mid-conversion: {left} rows left, {blocks} blocks holding {in_blocks}")
        assert 0 < left < rows and blocks > 0
        assert left + in_blocks == rows, "a span is in a block or in the table, never both or neither"

        spawn(d)
        wait_for(d._ready, timeout=120, interval=0.2, what="the daemon listening after the conversion")
        log = d.log()
        assert log.count("(schema v12); this runs once") == 2 and f"rows={left}" in log and "span conversion done" in log

        db = catalog(d)
        try:
            tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            total = db.execute("SELECT sum(spans) FROM span_blocks").fetchone()[0]
        finally:
            db.close()
        assert "spans" not in tables and total == rows

        # Traces converted before the kill (the first), after it (the last), whole, with their tags.
        for t in (0, 1, rows // 10 // 2, rows // 10 - 1):
            status, doc = d.trace(str(70000 + t))
            assert status == 200, doc
            root = doc["spans"]
            assert len(root) == 1 and root[0]["span_id_dd"] == str(t * 10 + 1)
            ids = spans_of(d, str(70000 + t))
            assert sorted(int(i) for i in ids) == list(range(t * 10 + 1, t * 10 + 11)), (t, ids)
        assert sorted(d.get("/api/services")["data"]) == ["svc0", "svc1", "svc2"]
    finally:
        d.cleanup()
