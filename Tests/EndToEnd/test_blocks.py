"""The index's compressed column blocks (issue 10) against the real daemon: damaged and truncated
segment files, the one-time conversion of a v8 index (with a kill -9 in the middle), a huge trace
kept bounded in the trace document and in memory, and retention.max_bytes bounding the state
directory on disk.

As everywhere in these tests: the real binary, real files, conditions polled with deadlines,
processes stopped by pid. `-s` shows the figures the tests print (sizes, timings, memory).
"""

import base64
import os
import signal
import sqlite3
import subprocess
import threading
import time

from harness import BENCH_BIN, BIN, Daemon, ddtrace_line, request, rss_kib, wait_for


# Helpers.

def state_dir(d):
    return os.path.join(d.root, "state")


def catalog(d):
    """The index database, opened read-only (the daemon may be running: WAL readers coexist)."""
    return sqlite3.connect(f"file:{os.path.join(state_dir(d), 'index.db')}?mode=ro", uri=True, timeout=10)


def sealed_blocks(d):
    """The sealed blocks in segment files, oldest first, as dicts of their catalog columns."""
    db = catalog(d)
    try:
        db.row_factory = sqlite3.Row
        rows = db.execute("SELECT id, first_id, last_id, records, segment, offset, stored_bytes FROM blocks "
                          "WHERE sealed = 1 AND segment IS NOT NULL ORDER BY id").fetchall()
        return [dict(r) for r in rows]
    finally:
        db.close()


def segment_path(d, segment):
    return os.path.join(state_dir(d), "blocks", f"{segment:08d}.tjs")


def page_all(d, query="", limit=1000):
    """Every entry of /v1/logs (newest first), following `next_cursor` to the end."""
    entries, cursor = [], None
    while True:
        url = f"/v1/logs?limit={limit}" + (f"&{query}" if query else "") + (f"&cursor={cursor}" if cursor else "")
        page = d.get(url)
        entries.extend(page["logs"])
        cursor = page["next_cursor"]
        if not cursor:
            return entries


def newest_id(d):
    logs = d.get("/v1/logs?limit=1")["logs"]
    return int(logs[0]["id"]) if logs else 0


def damaged(d):
    return d.get("/v1/stats")["index"]["damaged_blocks"]


def spawn(d):
    """Starts the daemon like Daemon.start, without waiting for its sockets (an index being
    converted answers only once the conversion is done)."""
    d.stderr = open(d.stderr_path, "ab")
    d.proc = subprocess.Popen([BIN, "serve", "--config", d.config, "--log-level", "debug"],
                              stdout=d.stderr, stderr=subprocess.STDOUT)


def tree_bytes(root):
    """Bytes of every file under `root` (what max_bytes bounds)."""
    total = 0
    for directory, _, files in os.walk(root):
        for name in files:
            try:
                total += os.stat(os.path.join(directory, name)).st_size
            except FileNotFoundError:
                pass  # deleted by retention while walking
    return total


def trace_low(t):
    """The trace low half debug-make-v8-index gives trace t (0-based), in decimal."""
    return ((t + 1) * 0x9E3779B97F4A7C15 % 2**64) | 1


def numbered_lines(start, count):
    """Lines `line {i}`, 100 to a trace (traces 4000, 4001, …), span i + 1."""
    return [ddtrace_line(str(4000 + i // 100), str(i + 1), f"line {i}") for i in range(start, start + count)]


def ingest_sealed(d, total):
    """Writes `total` numbered lines and waits until all are indexed; returns the sealed blocks."""
    d.append("app.log", numbered_lines(0, total))
    wait_for(lambda: newest_id(d) == total, timeout=40, interval=0.2, what=f"{total} lines indexed")
    blocks = sealed_blocks(d)
    assert len(blocks) >= 3 and len({b["segment"] for b in blocks[:3]}) == 1, blocks
    # Ids are given in arrival order from 1: line i has id i + 1.
    assert [(b["first_id"], b["last_id"]) for b in blocks[:2]] == [(1, blocks[0]["records"]),
                                                                   (blocks[0]["records"] + 1, blocks[0]["records"] + blocks[1]["records"])]
    return blocks


# 1. A bit flip in a sealed block.

def flip_a_byte_in_the_second_block(d, total):
    """Ingests `total` lines, stops the daemon, flips a byte in the middle of the second sealed
    block, starts it again; returns that block's catalog entry."""
    d.start()
    blocks = ingest_sealed(d, total)
    victim = blocks[1]
    print(f"\nsealed blocks (id, records, offset, stored_bytes): "
          f"{[(b['id'], b['records'], b['offset'], b['stored_bytes']) for b in blocks]}")
    assert d.stop() == 0
    where = victim["offset"] + victim["stored_bytes"] // 2
    with open(segment_path(d, victim["segment"]), "r+b") as f:
        f.seek(where)
        byte = f.read(1)
        f.seek(where)
        f.write(bytes([byte[0] ^ 0x5A]))
    d.start()
    return victim


def test_a_flipped_byte_loses_only_its_block():
    d = Daemon()
    total = 4 * 4096 + 300
    try:
        victim = flip_a_byte_in_the_second_block(d, total)
        path = segment_path(d, victim["segment"])
        lost = set(range(victim["first_id"], victim["last_id"] + 1))
        assert len(lost) == victim["records"]

        # Every line but the damaged block's, each once, from the blocks before and after it.
        entries = page_all(d)
        ids = [int(e["id"]) for e in entries]
        assert len(ids) == len(set(ids)) == total - victim["records"]
        assert set(ids) == set(range(1, total + 1)) - lost
        assert all(e["log"]["message"] == f"line {int(e['id']) - 1}" for e in entries)

        # Reported in /v1/stats with its file and offset, and logged once (a second pass does not log again).
        report = [b for b in damaged(d) if b["block"] == victim["id"]]
        assert len(report) == 1 and len(damaged(d)) == 1, damaged(d)
        assert os.path.realpath(report[0]["file"]) == os.path.realpath(path)
        assert report[0]["offset"] == victim["offset"] and report[0]["reason"] and report[0]["found"]
        assert len(page_all(d)) == total - victim["records"]
        logged = [l for l in d.log().splitlines() if "damaged block skipped" in l]
        assert len(logged) == 1, logged
        assert f"block={victim['id']}" in logged[0] and f"offset={victim['offset']}" in logged[0], logged[0]
        # …and counted in /metrics and shown by `tracejoin status`.
        status, metrics = request(d.query_socket, "GET", "/metrics")
        assert status == 200 and "\ntracejoin_index_damaged_blocks 1.0\n" in metrics, metrics
        out = d.cli("status", "--config", d.config)
        assert out.returncode == 0 and f"DAMAGED block {victim['id']}" in out.stdout, out.stdout

        # A trace lookup skips the damaged block too: a trace wholly inside it is not found, the
        # trace holding its first line keeps its lines before the block.
        inside = 4000 + (victim["first_id"] - 1) // 100 + 1
        assert victim["first_id"] <= (inside - 4000) * 100 + 1 and (inside - 4000) * 100 + 100 <= victim["last_id"]
        assert d.trace(str(inside))[0] == 404
        straddling = 4000 + (victim["first_id"] - 1) // 100
        lo = (straddling - 4000) * 100
        readable = [f"line {i}" for i in range(lo, lo + 100) if i + 1 not in lost]
        assert 0 < len(readable) < 100, "the trace straddles the block's start"
        status, doc = d.trace(str(straddling))
        assert status == 200 and [l["message"] for l in doc["unmatched_logs"]] == readable
        after = 4000 + (victim["last_id"] + 99) // 100 + 1  # a trace wholly after it
        assert sorted(l["message"] for l in d.logs_of(str(after))) == sorted(
            f"line {i}" for i in range((after - 4000) * 100, (after - 4000) * 100 + 100))

        # Ingest goes on: new lines, enough to seal another block into the same segment.
        sealed_before = len(sealed_blocks(d))
        d.append("app.log", numbered_lines(total, 5000))
        wait_for(lambda: newest_id(d) == total + 5000, timeout=40, interval=0.2, what="lines after the restart")
        ids = [int(e["id"]) for e in page_all(d)]
        assert sorted(ids) == sorted(set(range(1, total + 5001)) - lost)
        assert len(sealed_blocks(d)) > sealed_before
    finally:
        d.cleanup()


def test_lines_of_a_damaged_block_are_not_reported_as_cut_by_the_limit():
    """A trace document's `logs_omitted` is documented as the lines beyond `?logs_limit=`, which
    `logs_more` pages; the lines of a damaged block are neither (no query can return them)."""
    d = Daemon()
    total = 3 * 4096 + 300
    try:
        victim = flip_a_byte_in_the_second_block(d, total)
        straddling = 4000 + (victim["first_id"] - 1) // 100
        lo = (straddling - 4000) * 100
        readable = [f"line {i}" for i in range(lo, lo + 100) if i + 1 < victim["first_id"]]
        assert 0 < len(readable) < 100, "the trace straddles the block's start"
        status, doc = d.trace(str(straddling))
        assert status == 200 and [l["message"] for l in doc["unmatched_logs"]] == readable
        print(f"trace {straddling}: {len(readable)} readable lines, 100 - {len(readable)} in damaged block {victim['id']}; "
              f"document: log_count={doc['log_count']} logs_omitted={doc['logs_omitted']} logs_more={doc.get('logs_more')}")
        # What logs_more would page: only the readable lines.
        assert len(page_all(d, f"trace_id={straddling}")) == len(readable)
        out = d.cli("query", "trace", str(straddling), "--socket", d.query_socket)
        assert out.returncode == 0, out.stderr
        assert doc["logs_omitted"] == 0 and "logs_more" not in doc, "damaged lines reported as cut by logs_limit"
        assert "cut: " not in out.stdout, out.stdout
    finally:
        d.cleanup()


# 2. A segment file cut short in its last block.

def test_a_truncated_segment_loses_only_its_last_block():
    d = Daemon()
    total = 4 * 4096 + 300
    try:
        d.start()
        blocks = ingest_sealed(d, total)
        assert d.stop() == 0
        last = blocks[-1]
        path = segment_path(d, last["segment"])
        assert os.path.getsize(path) == last["offset"] + last["stored_bytes"], "the last sealed block ends the file"
        os.truncate(path, last["offset"] + last["stored_bytes"] // 2)
        d.start()
        lost = set(range(last["first_id"], last["last_id"] + 1))

        entries = page_all(d)
        ids = [int(e["id"]) for e in entries]
        assert len(ids) == len(set(ids)) == total - last["records"]
        assert set(ids) == set(range(1, total + 1)) - lost
        report = [b for b in damaged(d) if b["block"] == last["id"]]
        assert len(report) == 1 and len(damaged(d)) == 1, damaged(d)
        assert os.path.realpath(report[0]["file"]) == os.path.realpath(path) and report[0]["offset"] == last["offset"]
        print(f"\nreported: {report[0]}")
        assert "damaged block skipped" in d.log()

        # Still up and ingesting: enough new lines to seal blocks, which go after the cut (the
        # file now ends inside the damaged block's place); they read back, and so after a restart.
        d.append("app.log", numbered_lines(total, 9000))
        wait_for(lambda: newest_id(d) == total + 9000, timeout=40, interval=0.2, what="lines after the restart")
        expected = set(range(1, total + 9001)) - lost
        assert sorted(int(e["id"]) for e in page_all(d)) == sorted(expected)
        new = [b for b in sealed_blocks(d) if b["id"] > last["id"]]
        assert new, "blocks were sealed after the restart"
        print(f"sealed after the restart (id, segment, offset, stored_bytes): "
              f"{[(b['id'], b['segment'], b['offset'], b['stored_bytes']) for b in new]}; "
              f"the damaged block spans {last['offset']}..{last['offset'] + last['stored_bytes']}")
        assert d.stop() == 0
        d.start()
        assert sorted(int(e["id"]) for e in page_all(d)) == sorted(expected)
        assert [b["block"] for b in damaged(d)] == [last["id"]]
        assert d.proc.poll() is None
    finally:
        d.cleanup()


# 3. The one-time conversion of a v8 index, killed in the middle.

def test_conversion_from_v8_survives_kill_9():
    # Debug build, per 100,000 rows: ~3.5 s to make, ~7.5 s to convert (~13,000 rows/s), ~12 s to
    # page through (more on a loaded machine). The kill comes with the first progress line, 2 s in.
    rows = 100_000
    d = Daemon()
    db_path = os.path.join(state_dir(d), "index.db")
    try:
        os.makedirs(state_dir(d))
        started = time.monotonic()
        made = subprocess.run([BENCH_BIN, "debug-make-v8-index", "--path", db_path, "--rows", str(rows)],
                              capture_output=True, text=True, timeout=60)
        assert made.returncode == 0, made.stderr
        print(f"\nv8 index of {rows} rows made in {time.monotonic() - started:.1f}s")

        spawn(d)
        wait_for(lambda: "msg=converting " in d.log() or d.proc.poll() is not None, timeout=30,
                 what="the first conversion progress line")
        assert d.proc.poll() is None, d.log()
        assert "this runs once" in d.log() and "conversion done" not in d.log()
        assert d.stop(signal.SIGKILL) == -signal.SIGKILL

        db = catalog(d)
        try:
            left = db.execute("SELECT count(*) FROM logs").fetchone()[0]
            blocks, in_blocks = db.execute("SELECT count(*), coalesce(sum(records), 0) FROM blocks").fetchone()
        finally:
            db.close()
        print(f"killed mid-conversion: {left} rows left, {blocks} blocks holding {in_blocks}")
        assert 0 < left < rows and blocks > 0
        assert left + in_blocks == rows, "a row is in a block or in logs, never both or neither"

        started = time.monotonic()
        spawn(d)
        wait_for(d._ready, timeout=60, interval=0.2, what="the daemon listening after the conversion")
        print(f"second start converted and listened in {time.monotonic() - started:.1f}s")
        log = d.log()
        assert log.count("this runs once") == 2 and f"rows={left}" in log and "conversion done" in log

        started = time.monotonic()
        entries = page_all(d)
        print(f"paged {len(entries)} lines in {time.monotonic() - started:.1f}s")
        ids = [int(e["id"]) for e in entries]
        assert len(ids) == rows and sorted(ids) == list(range(1, rows + 1))
        assert all(e["log"]["message"] == f"converted line {e['id']}" for e in entries[:: 997])

        db = catalog(d)
        try:
            tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            db.close()
        assert "logs" not in tables and "trace_segments" not in tables, tables

        # Traces converted before the kill (the first) and after it (the last), whole.
        for t in (0, 3, rows // 10 - 1):
            lines = d.logs_of(str(trace_low(t)))
            assert sorted(l["message"] for l in lines) == sorted(f"converted line {t * 10 + n}" for n in range(1, 11)), t
    finally:
        d.cleanup()


# 4. A trace of 300,000 lines: the document and the daemon's memory stay bounded.

# A short rule: the debug build parses these lines about 1.5 times as fast as the ddtrace format
# (300,000 lines: ~25 s instead of ~38 s); what is tested is the index and the document.
SHORT_RULES = r"""
source: app
paths: ["logs/*.log"]
rules:
  - name: short
    grok: 'n=%{INT:n} trace=%{TRACEID:trace_id} span=%{SPANID:span_id} %{GREEDYDATA:message}'
"""


def test_a_huge_trace_stays_bounded():
    lines = 300_000
    trace = "77777"
    d = Daemon(rules=SHORT_RULES)
    try:
        d.start()
        started = time.monotonic()
        step = 60_000
        for start in range(0, lines, step):
            with open(os.path.join(d.logs, "app.log"), "a") as f:
                f.write("".join(f"n={i} trace={trace} span={1 + i % 50} big {i}\n" for i in range(start, start + step)))

        def indexed():
            status, doc = request(d.query_socket, "GET", f"/v1/traces/{trace}?logs_limit=1")
            return status == 200 and doc["log_count"] == lines
        wait_for(indexed, timeout=120, interval=0.5, what=f"{lines} lines of one trace indexed")
        assert d.get(f"/v1/logs?trace_id={trace}&limit=1")["logs"][0]["log"]["message"] == f"big {lines - 1}"
        print(f"\n{lines} lines written and indexed in {time.monotonic() - started:.1f}s")

        before = rss_kib(d.proc.pid)
        started = time.monotonic()
        status, doc = request(d.query_socket, "GET", f"/v1/traces/{trace}")
        took = time.monotonic() - started
        after = rss_kib(d.proc.pid)
        print(f"GET /v1/traces/{trace}: {took:.2f}s; VmRSS {before} KiB before, {after} KiB after "
              f"({(after - before) / 1024:+.1f} MiB)")
        assert status == 200, doc
        assert doc["log_count"] == lines and doc["logs_omitted"] == lines - 10_000
        assert len(doc["unmatched_logs"]) == 10_000
        assert [l["message"] for l in doc["unmatched_logs"]] == [f"big {i}" for i in range(10_000)], "the oldest are kept"
        assert doc["logs_more"] and "trace_id=" in doc["logs_more"]
        assert (after - before) < 100 * 1024, f"VmRSS grew by {(after - before) / 1024:.1f} MiB"

        status, small = request(d.query_socket, "GET", f"/v1/traces/{trace}?logs_limit=20")
        assert status == 200 and len(small["unmatched_logs"]) == 20 and small["logs_omitted"] == lines - 20
        assert small["log_count"] == lines

        # logs_more pages the rest (its first page: the newest).
        more = d.get(doc["logs_more"])
        assert len(more["logs"]) == 1000 and more["logs"][0]["log"]["message"] == f"big {lines - 1}"

        out = subprocess.run([BIN, "query", "trace", trace, "--socket", d.query_socket],
                             capture_output=True, text=True, timeout=60, env={**os.environ, "NO_COLOR": "1"})
        assert out.returncode == 0, out.stderr
        cut = [l for l in out.stdout.splitlines() if l.startswith("cut: ")]
        assert cut and cut[0].startswith(f"cut: {lines - 10_000} more log lines"), cut
        out = subprocess.run([BIN, "query", "trace", trace, "--socket", d.query_socket, "--logs-limit", "5"],
                             capture_output=True, text=True, timeout=60, env={**os.environ, "NO_COLOR": "1"})
        assert out.returncode == 0 and f"cut: {lines - 5} more log lines" in out.stdout, out
        print(f"VmRSS at the end: {rss_kib(d.proc.pid)} KiB")
    finally:
        d.cleanup()


# 5. retention.max_bytes bounds everything under state_dir.

class DiskSampler(threading.Thread):
    """Measures the bytes under a directory every 50 ms, keeping the largest figure."""

    def __init__(self, root):
        super().__init__(daemon=True)
        self.root, self.peak, self.samples = root, 0, 0
        self.done = threading.Event()

    def run(self):
        while not self.done.wait(0.05):
            self.peak = max(self.peak, tree_bytes(self.root))
            self.samples += 1

    def stop(self):
        self.done.set()
        self.join(timeout=10)


def test_max_bytes_bounds_the_state_directory():
    max_bytes = 8 << 20
    slack = 2 << 20
    d = Daemon(rules=SHORT_RULES, extra_yaml="retention: { max_age: 72h, max_bytes: 8MiB, interval: 1s }\n")
    sampler = None
    try:
        d.start()
        sampler = DiskSampler(state_dir(d))
        sampler.start()
        # Random bytes in base64 hardly compress: ~41 MiB of lines make ~28 MiB of blocks, three
        # to four times max_bytes (in segment files of 1 MiB: max_bytes / 32, raised to the floor).
        per_write, writes = 10_000, 10
        total = per_write * writes
        started = time.monotonic()
        for w in range(writes):
            with open(os.path.join(d.logs, "app.log"), "a") as f:
                f.write("".join(f"n={i} trace={5000 + i // 100} span=1 {i} {base64.b64encode(os.urandom(300)).decode()}\n"
                                for i in range(w * per_write, (w + 1) * per_write)))
        raw = os.path.getsize(os.path.join(d.logs, "app.log"))

        def settled():
            stats = d.get("/v1/stats")
            return newest_id(d) == total and all(f["lag_bytes"] == 0 for f in stats["files"])
        wait_for(settled, timeout=120, interval=0.5, what=f"{total} lines ingested")
        took = time.monotonic() - started
        sampler.stop()

        used = tree_bytes(state_dir(d))
        segments = sorted(os.listdir(os.path.join(state_dir(d), "blocks")))
        written = int(segments[-1][:8])  # segment files made in all, of about 1 MiB each
        print(f"\n{raw / 2**20:.1f} MiB of lines ingested in {took:.1f}s; state_dir now {used / 2**20:.2f} MiB, "
              f"largest of {sampler.samples} samples during ingest {sampler.peak / 2**20:.2f} MiB "
              f"(max_bytes {max_bytes / 2**20:.0f} MiB); segment files {segments}")
        assert raw > 36 << 20
        assert written >= 20, f"only {written} segment files were written: not well over max_bytes"
        assert used <= max_bytes + slack, f"state_dir holds {used} bytes, max_bytes {max_bytes}"
        assert sampler.peak <= max_bytes + slack, f"state_dir reached {sampler.peak} bytes during ingest"
        assert segments[0] != "00000001.tjs", "the oldest segments were deleted"

        # The newest lines are all there, newest first; the oldest are gone.
        newest = d.get("/v1/logs?limit=1000")
        newest = newest["logs"] + d.get(f"/v1/logs?limit=1000&cursor={newest['next_cursor']}")["logs"]
        assert [int(e["log"]["message"].split()[0]) for e in newest] == list(range(total - 1, total - 2001, -1))
        assert d.get("/v1/logs?trace_id=5000&limit=1")["logs"] == []
        assert d.proc.poll() is None

        # /v1/stats counts what retention deleted: every line not in the index any more.
        db = catalog(d)
        try:
            kept = db.execute("SELECT coalesce(sum(records), 0) FROM blocks").fetchone()[0]
        finally:
            db.close()
        print(f"lines kept {kept}, deleted {total - kept}")
        # Retention's timer runs every second: a few rounds to catch up.
        seen = []

        def counted():
            seen.append(d.get("/v1/stats")["retention"])
            return seen[-1]["deleted_logs"] == total - kept
        try:
            wait_for(counted, timeout=5, interval=0.25, what="retention's count")
        except AssertionError:
            raise AssertionError(f"/v1/stats retention.deleted_logs is {seen[-1]['deleted_logs']}, but {total - kept} "
                                 f"lines were deleted (retention: {seen[-1]})") from None
        retention = seen[-1]
        assert retention["used_bytes"] <= max_bytes
    finally:
        if sampler:
            sampler.stop()
        d.cleanup()
