"""Tailing against the real daemon: kill -9 at random instants amid rotations, multiline, stats."""

import os
import random
import shutil
import signal
import threading
import time

from harness import Daemon, request, wait_for

SEQ_RULES = r"""
source: seq
paths: ["logs/app.log*"]
rotate_wait: 1s
rules:
  - name: seq
    grok: 'seq=%{INT:seq} trace=%{TRACEID:trace_id} span=%{SPANID:span_id}'
"""


class Writer(threading.Thread):
    """Writes numbered lines to logs/app.log, rotating by rename and by copytruncate."""

    def __init__(self, logs, total, seed, pace=None, stretches=12):
        super().__init__(daemon=True)
        self.logs, self.total, self.rng = logs, total, random.Random(seed)
        self.rotations = {"rename": 0, "copytruncate": 0}
        self.error = None
        # With `pace` (a semaphore), the writer takes a token before each of `stretches` stretches
        # of lines, so the test's events (kills) fall amid the writing however slow the machine.
        self.pace, self.stretch = pace, max(1, total // stretches)

    def path(self, name="app.log"):
        return os.path.join(self.logs, name)

    def run(self):
        try:
            f = open(self.path(), "a")
            n = 0
            rotated = 0
            next_pause = self.stretch
            while n < self.total:
                if self.pace is not None and n >= next_pause:
                    next_pause += self.stretch
                    if not self.pace.acquire(timeout=120):
                        raise TimeoutError(f"no event came to let line {n} be written")
                f.write(f"seq={n} trace=9999 span=1\n")
                f.flush()
                n += 1
                if n % 250 == 0:
                    rotated += 1
                    if rotated % 2:
                        # logrotate's default: rename, the writer keeps its handle for a moment…
                        os.rename(self.path(), self.path(f"app.log.{rotated}"))
                        for _ in range(5):
                            if n < self.total:
                                f.write(f"seq={n} trace=9999 span=1\n")
                                n += 1
                        f.flush()
                        f.close()
                        # …then reopens the path (Python's RotatingFileHandler does the same).
                        f = open(self.path(), "a")
                        self.rotations["rename"] += 1
                    else:
                        # copytruncate: the writer keeps its handle; copy, then truncate in place.
                        f.flush()
                        shutil.copyfile(self.path(), self.path(f"app.log.{rotated}"))
                        os.truncate(self.path(), 0)
                        f.seek(0)
                        self.rotations["copytruncate"] += 1
                if n % 25 == 0:
                    time.sleep(0.02)
            f.close()
        except Exception as e:  # reported by the test
            self.error = e


def seqs(d):
    status, doc = d.trace("9999")
    if status != 200:
        return []
    return [int(l["fields"]["seq"]) for l in doc["unmatched_logs"]]


def test_kill_9_amid_rotations_loses_and_repeats_nothing():
    total = 6000
    d = Daemon(rules=SEQ_RULES)
    rng = random.Random(20261129)
    try:
        d.start()
        # The writer waits for a kill before each twelfth of its lines: at least 11 kills fall
        # amid its writing and rotating, on a machine however busy.
        pace = threading.Semaphore(0)
        writer = Writer(d.logs, total, seed=7, pace=pace)
        writer.start()
        kills = amid = 0
        while writer.is_alive() or kills < 4:
            time.sleep(rng.uniform(0.1, 0.6))
            # kill -9 at an arbitrary instant, then start again on the same state.
            amid += writer.is_alive()
            assert d.stop(signal.SIGKILL) == -signal.SIGKILL
            kills += 1
            d.start()
            pace.release()
        writer.join()
        assert writer.error is None, writer.error
        assert writer.rotations["rename"] >= 3 and writer.rotations["copytruncate"] >= 3
        got = wait_for(lambda: (lambda s: s if len(set(s)) == total else None)(seqs(d)), timeout=60,
                       what=f"all {total} lines")
        dupes = sorted({s for s in got if got.count(s) > 1})
        assert dupes == [], f"lines stored twice: {dupes[:10]}"
        assert sorted(got) == list(range(total))
        files = d.get("/v1/stats")["files"]
        assert all(f["bytes_lost"] == 0 for f in files), files
        assert amid >= 11, f"{amid} of {kills} kills came while the writer was writing"
    finally:
        d.cleanup()


MULTILINE_RULES = r"""
source: py
paths: ["logs/*.log"]
multiline: { start: '^%{TIMESTAMP_ISO8601} ', timeout: 500ms }
rules:
  - name: ddtrace
    grok: '%{TIMESTAMP_ISO8601:timestamp} %{LOGLEVEL:level} \[.*dd\.trace_id=%{TRACEID:trace_id} dd\.span_id=%{SPANID:span_id}\] - %{GREEDYDATA:message}'
    ids: { trace: auto, span: decimal }
"""


def test_traceback_lands_under_the_span_that_logged_it():
    d = Daemon(rules=MULTILINE_RULES)
    try:
        d.start()
        d.post_spans([{"trace_id": "31337", "span_id": "42", "name": "handler"}])
        d.append("app.log", [
            "2026-11-24 22:11:28,940 ERROR [dd.trace_id=31337 dd.span_id=42] - request failed",
            "Traceback (most recent call last):",
            '  File "/app/rc_common.py", line 149, in handle',
            '    raise ValueError("boom")',
            "    ^^^^^^^^^^^^^^^^^^^^^^^^",
            "ValueError: boom",
            "2026-11-24 22:11:29,001 INFO [dd.trace_id=31337 dd.span_id=42] - next request",
        ])
        logs = wait_for(lambda: (lambda l: l if len(l) == 2 else None)(d.trace("31337")[1]["spans"][0]["logs"]),
                        what="both records (the second after the multiline timeout)")
        assert logs[0]["message"].startswith("request failed\nTraceback (most recent call last):")
        assert logs[0]["message"].endswith("ValueError: boom")
        assert logs[0]["raw"].count("\n") == 5
        assert logs[1]["message"] == "next request"
    finally:
        d.cleanup()


def test_file_states_in_stats(daemon):
    daemon.append("app.log", ["2026-11-24 22:11:28,925 INFO [a] [b.py:1] [dd.trace_id=5 dd.span_id=6] - x"] * 3)
    stats = wait_for(lambda: (lambda f: f if f and f[0]["lines_read"] == 3 else None)(daemon.get("/v1/stats")["files"]),
                     what="the file's stats")
    f = stats[0]
    assert f["path"].endswith("/logs/app.log") and f["source"] == "app" and f["state"] == "live"
    assert f["offset"] == f["size"] > 0 and f["lag_bytes"] == 0 and f["bytes_lost"] == 0
    assert int(f["inode"]) == os.stat(os.path.join(daemon.logs, "app.log")).st_ino
    assert len(f["fingerprint"]) == 16 and f["fingerprint_bytes"] == f["size"]
    # Rename it away: it is still read to its end, and then shown as renamed.
    os.rename(os.path.join(daemon.logs, "app.log"), os.path.join(daemon.logs, "app.log.1"))
    daemon.append("app.log", ["2026-11-24 22:11:28,925 INFO [a] [b.py:1] [dd.trace_id=5 dd.span_id=6] - y"])
    wait_for(lambda: len(daemon.get("/v1/stats")["files"]) == 1 and
             daemon.get("/v1/stats")["files"][0]["lines_read"] == 1, what="the new file")


def test_total_tail_lag_is_in_stats_metrics_status_and_the_web_view(daemon):
    """`tail.lag_bytes`: every followed file's uncommitted bytes together, in each reader. A line
    still being written (no newline yet) is read but not committed: it is the lag."""
    line = "2026-11-24 22:11:28,925 INFO [a] [b.py:1] [dd.trace_id=5 dd.span_id=6] - whole\n"
    partial = "2026-11-24 22:11:29,001 INFO [a] [b.py:1] [dd.trace_id=5 dd.span_id=6] - half writ"
    with open(os.path.join(daemon.logs, "app.log"), "a") as f:
        f.write(line + partial)
    stats = wait_for(lambda: (lambda s: s if s["files"] and s["files"][0]["lines_read"] == 1
                              and s["files"][0]["lag_bytes"] == len(partial) else None)(daemon.get("/v1/stats")),
                     what="the partial line counted as lag")
    assert stats["tail"]["lag_bytes"] == len(partial), stats["tail"]
    status, metrics = request(daemon.query_socket, "GET", "/metrics")
    assert status == 200 and f"\ntracejoin_tail_lag_bytes {len(partial)}.0\n" in metrics, metrics
    out = daemon.cli("status", "--config", daemon.config)
    assert out.returncode == 0 and f"tail lag: {len(partial)} B" in out.stdout, out.stdout
    status, page = request(daemon.query_socket, "GET", "/status")
    assert status == 200 and "tail lag" in page and f"{len(partial)} B" in page, page
