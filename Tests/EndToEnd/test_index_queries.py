"""The index's query side and retention against the running daemon."""

import errno
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time

import pytest

from harness import Daemon, ddtrace_line, request, wait_for


def test_log_search_with_cursor_and_recent_traces(daemon):
    daemon.post_spans([{"trace_id": "501", "span_id": "1", "service": "web", "name": "GET /a", "start": 1764000000000000000,
                        "duration": 5, "error": 1},
                       {"trace_id": "502", "span_id": "1", "service": "db", "name": "SELECT", "start": 1764000001000000000,
                        "duration": 5}])
    daemon.append("app.log", [ddtrace_line("501", "1", f"web line {i}") for i in range(5)]
                  + [ddtrace_line("502", "1", "db slow", level="WARNING")])
    wait_for(lambda: len(daemon.get("/v1/logs?limit=1000")["logs"]) == 6, what="six lines")
    page = daemon.get("/v1/logs?q=web&limit=2")
    assert [e["log"]["message"] for e in page["logs"]] == ["web line 4", "web line 3"]
    page2 = daemon.get(f"/v1/logs?q=web&limit=2&cursor={page['next_cursor']}")
    assert [e["log"]["message"] for e in page2["logs"]] == ["web line 2", "web line 1"]
    assert daemon.get("/v1/logs?level=warning")["logs"][0]["log"]["message"] == "db slow"
    assert [e["log"]["message"] for e in daemon.get("/v1/logs?service=db")["logs"]] == ["db slow"]
    assert len(daemon.get("/v1/logs?trace_id=501")["logs"]) == 5
    assert daemon.get("/v1/logs?since=10m")["logs"] and daemon.get("/v1/logs?until=2000-01-01T00:00:00Z")["logs"] == []
    status, body = request(daemon.query_socket, "GET", "/v1/logs?since=yesterday")
    assert status == 400 and "not a time" in body["detail"]
    status, body = request(daemon.query_socket, "GET", "/v1/logs?limit=0")
    assert status == 400
    traces = daemon.get("/v1/traces")["traces"]
    assert [t["trace_id_dd"] for t in traces] == ["502", "501"]
    assert traces[1]["errors"] == 1 and traces[1]["logs"] == 5 and traces[1]["root"] == "GET /a"
    assert [t["trace_id_dd"] for t in daemon.get("/v1/traces?error=true")["traces"]] == ["501"]
    assert [t["trace_id_dd"] for t in daemon.get("/v1/traces?service=db")["traces"]] == ["502"]
    # The CLI over the same routes.
    out = daemon.cli("query", "logs", "--grep", "web", "--limit", "2", "--config", daemon.config)
    assert out.returncode == 0 and "web line 4" in out.stdout and "web line 3" in out.stdout
    out = daemon.cli("query", "recent", "--errors", "--config", daemon.config)
    assert out.returncode == 0 and "GET /a" in out.stdout and "✗ 1 error" in out.stdout
    out = daemon.cli("query", "logs", "--since", "soon", "--config", daemon.config)
    assert out.returncode == 1 and "not a time" in out.stderr


def test_retention_by_age_deletes_what_is_due():
    d = Daemon(extra_yaml="retention: { max_age: 2s, interval: 1s }\n")
    try:
        d.start()
        d.append("app.log", [ddtrace_line("601", "1", f"old {i}") for i in range(20)])
        wait_for(lambda: len(d.logs_of("601")) == 20, what="lines indexed")
        # After two seconds they are due, and retention takes them out.
        stats = wait_for(lambda: (lambda r: r if r["deleted_logs"] == 20 else None)(d.get("/v1/stats")["retention"]),
                         timeout=20, what="retention")
        assert stats["max_age_seconds"] == 2 and stats["used_bytes"] > 0
        assert d.trace("601")[0] == 404
        d.append("app.log", [ddtrace_line("602", "1", "fresh")])
        wait_for(lambda: len(d.logs_of("602")) == 1, what="a fresh line")
    finally:
        d.cleanup()


def test_sigterm_drains_lines_written_just_before(daemon):
    daemon.append("app.log", [ddtrace_line("701", "1", f"line {i}") for i in range(300)])
    # SIGTERM right away: whatever was read is committed with its offsets, the rest is read
    # after the restart: every line is there once.
    assert daemon.stop(signal.SIGTERM) == 0
    daemon.start()
    logs = wait_for(lambda: (lambda l: l if len(l) == 300 else None)(daemon.logs_of("701")), what="300 lines")
    assert sorted(int(l["message"].split()[1]) for l in logs) == list(range(300))


def test_span_unmatched_follow_and_status(daemon):
    import threading

    daemon.post_spans([{"trace_id": "801", "span_id": "18446744073709551615", "service": "web", "name": "root"}])
    daemon.append("app.log", [ddtrace_line("801", "18446744073709551615", "in the span"),
                              ddtrace_line("802", "5", "no span ever came")])
    wait_for(lambda: len(daemon.get("/v1/logs")["logs"]) == 2, what="two lines")
    span = daemon.get("/v1/spans/18446744073709551615")
    assert span["trace_id_dd"] == "801" and span["span"]["logs"][0]["message"] == "in the span"
    assert daemon.get("/v1/spans/ffffffffffffffff/logs")["logs"][0]["message"] == "in the span"
    status, body = request(daemon.query_socket, "GET", "/v1/spans/123")
    assert status == 404 and body["error"] == "span not found"
    # Unmatched, with no grace: the line of trace 802 only.
    groups = daemon.get("/v1/logs/unmatched?grace=0s")["groups"]
    assert [(g["source"], g["rule"], g["lines"], g["traces"]) for g in groups] == [("app", "python-ddtrace", 1, 1)]
    assert groups[0]["samples"][0]["log"]["message"] == "no span ever came"
    # With the default 30 s grace, nothing is old enough yet.
    assert daemon.get("/v1/logs/unmatched")["groups"] == []

    # Follow: receives exactly the lines stored after it starts, filtered. The response's head
    # arrives once the stream's starting point is fixed: then the lines are written.
    from harness import UnixHTTPConnection
    conn = UnixHTTPConnection(daemon.query_socket, timeout=30)
    conn.request("GET", "/v1/follow?level=ERROR")
    resp = conn.getresponse()
    assert resp.status == 200 and resp.getheader("content-type") == "application/x-ndjson"
    got = []

    def read_stream():
        try:
            for line in iter(resp.readline, b""):
                if line.strip():
                    got.append(json.loads(line))
        except (OSError, ValueError):
            pass  # the test closed the connection
    reader = threading.Thread(target=read_stream, daemon=True)
    reader.start()
    try:
        daemon.append("app.log", [ddtrace_line("803", "1", "followed error", level="ERROR"),
                                  ddtrace_line("803", "1", "not an error"),
                                  ddtrace_line("803", "1", "second error", level="ERROR")])
        wait_for(lambda: len(got) >= 2, what="two followed lines")
        # A marker written after everything else: when it arrives, all before it were seen.
        daemon.append("app.log", [ddtrace_line("803", "1", "not an error either"), ddtrace_line("803", "1", "marker", level="ERROR")])
        wait_for(lambda: any(e["log"]["message"] == "marker" for e in got), what="the marker")
        assert [e["log"]["message"] for e in got] == ["followed error", "second error", "marker"]
    finally:
        # Shutting the socket down ends the reader's blocked readline; closing alone would not.
        import socket
        conn.sock.shutdown(socket.SHUT_RDWR)
        reader.join(timeout=10)
        conn.close()
    out = daemon.cli("query", "unmatched", "--grace", "0s", "--config", daemon.config)
    assert out.returncode == 0 and "app/python-ddtrace: " in out.stdout
    out = daemon.cli("query", "span", "18446744073709551615", "--config", daemon.config)
    assert out.returncode == 0 and "in the span" in out.stdout
    out = daemon.cli("status", "--config", daemon.config)
    assert out.returncode == 0 and "daemon: running" in out.stdout and "app.yaml" in out.stdout and "[live]" in out.stdout


def test_prometheus_metrics_and_json_logs():
    import re
    d = Daemon(extra_yaml="log: { format: json, level: info }\n")
    try:
        d.start()
        d.append("app.log", [ddtrace_line("901", "1", "a"), ddtrace_line("0", "0", "outside"), "garbage"])
        wait_for(lambda: d.get("/v1/stats")["sources"].get("app", {}).get("lines_unmatched") == 1, what="counters")
        status, text = request(d.query_socket, "GET", "/metrics")
        assert status == 200

        def metric(name, **labels):
            for line in text.splitlines():
                if line.startswith(name + "{") and all(f'{k}="{v}"' in line for k, v in labels.items()):
                    return float(line.rsplit(" ", 1)[1])
            return None
        assert metric("tracejoin_rule_lines_total", source="app", rule="python-ddtrace", outcome="matched") == 2
        assert metric("tracejoin_rule_lines_total", source="app", rule="python-ddtrace", outcome="with_trace") == 1
        assert metric("tracejoin_lines_unmatched_total", source="app") == 1
        assert metric("tracejoin_file_lines_total", source="app") == 3
        assert metric("tracejoin_rule_files", status="ok") == 1
        assert re.search(r"^# TYPE tracejoin_file_lag_bytes gauge$", text, re.M)
        # The daemon's own log: one JSON object a line.
        lines = [l for l in d.log().splitlines() if l.startswith("{")]
        assert lines and all(json.loads(l)["level"] for l in lines)
        assert any(json.loads(l)["msg"] == "index open" for l in lines)
    finally:
        d.cleanup()


def test_drain_is_bounded_by_drain_timeout_even_with_a_stalled_client():
    d = Daemon(extra_yaml="drain_timeout: 2s\n")
    stalled = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        d.start()
        d.append("app.log", [ddtrace_line("801", "1", f"line {i}") for i in range(50)])
        wait_for(lambda: len(d.logs_of("801")) == 50, what="lines indexed")
        # A client that sends half a request and then nothing: the server would wait for it.
        stalled.connect(d.intake_socket)
        stalled.sendall(b"POST /v1/spans HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson\r\n"
                        b"Content-Length: 1000\r\n\r\n{\"trace_id\": ")
        # SIGTERM only once the daemon is in that request (its debug line for it), not before it
        # has even read the head: on a busy machine that can take a moment.
        wait_for(lambda: "hb.request.path=/v1/spans" in d.log(), what="the daemon to begin the stalled request")
        started = time.monotonic()
        os.kill(d.proc.pid, signal.SIGTERM)
        code = d.proc.wait(timeout=15)
        elapsed = time.monotonic() - started
        d.proc = None
        d.stderr.close()
        assert code == 0, d.log()
        assert elapsed < 2 + 1.5, f"took {elapsed:.1f}s to stop with drain_timeout 2s"
        assert "drain cut short" in d.log()
        # Nothing was lost: the lines are all there after a restart.
        d.start()
        assert len(d.logs_of("801")) == 50
    finally:
        stalled.close()
        d.cleanup()


def test_untraced_lines_are_stored_only_when_the_source_asks():
    plain = "rules:\n  - name: plain\n    grok: '%{TIMESTAMP_ISO8601:timestamp} %{LOGLEVEL:level} %{GREEDYDATA:message}'\n"
    for keep in (False, True):
        d = Daemon(rules="source: app\npaths: [\"logs/*.log\"]\n" + ("keep_untraced: true\n" if keep else "") + plain)
        try:
            d.start()
            d.append("app.log", ["2026-11-24 22:11:28,925 INFO service starting",
                                 "2026-11-24 22:11:29,000 WARNING cache cold"])
            stats = wait_for(lambda: (lambda r: r if r["without_trace"] == 2 else None)(
                d.get("/v1/stats")["sources"]["app"]["rules"]["plain"]), what="lines counted")
            assert stats["matched"] == 2 and stats["with_trace"] == 0
            if keep:
                page = wait_for(lambda: (lambda p: p if len(p["logs"]) == 2 else None)(d.get("/v1/logs?source=app")),
                                what="untraced lines stored")
                assert {l["log"]["message"] for l in page["logs"]} == {"service starting", "cache cold"}
                assert all(l.get("trace_id") is None for l in page["logs"])
                assert [l["log"]["message"] for l in d.get("/v1/logs?level=warning")["logs"]] == ["cache cold"]
                # Untraced lines are not "unmatched": no span could ever claim them.
                assert d.get("/v1/logs/unmatched?grace=0s")["groups"] == []
            else:
                assert d.get("/v1/logs?source=app")["logs"] == []
        finally:
            d.cleanup()


def test_disk_full_pauses_ingest_and_resumes_when_space_returns():
    """A real full disk: the state directory is a small tmpfs, filled up by a ballast file."""
    d = Daemon()
    state = os.path.join(d.root, "state")
    os.makedirs(state)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", state], capture_output=True, text=True)
    if mounted.returncode != 0:
        d.cleanup()
        pytest.skip(f"cannot mount a tmpfs to fill (needs root): {mounted.stderr.strip()}")
    ballast = os.path.join(state, "ballast")
    try:
        d.start()
        d.append("app.log", [ddtrace_line("901", "1", f"before {i}") for i in range(100)])
        wait_for(lambda: len(d.logs_of("901")) == 100, what="lines indexed before the disk fills")
        with open(ballast, "wb") as f:
            try:
                while True:
                    f.write(b"\0" * 65536)
                    f.flush()
            except OSError as error:
                assert error.errno == errno.ENOSPC
        # Enough lines that the write-ahead log must grow: the commit fails and ingest pauses.
        d.append("app.log", [ddtrace_line("902", "1", f"during {i} " + "x" * 200) for i in range(3000)])
        ingest = wait_for(lambda: (lambda i: i if i["paused"] else None)(d.get("/v1/stats")["ingest"]), what="ingest paused")
        assert "disk full" in ingest["reason"] and ingest["since"]
        assert "ingest paused" in d.log()
        status, body = d.post_spans([{"trace_id": "902", "span_id": "1", "service": "web", "name": "req", "start": 1, "duration": 1}])
        assert status == 503 and "disk full" in body["detail"], (status, body)
        out = d.cli("status", "--config", d.config)
        assert out.returncode == 0 and "INGEST PAUSED" in out.stdout, out
        # The daemon stays up and keeps answering queries on what it has.
        assert len(d.logs_of("901")) == 100
        # Space returns: the held batch is committed and reading goes on; no line is lost or doubled.
        os.unlink(ballast)
        wait_for(lambda: not d.get("/v1/stats")["ingest"]["paused"], timeout=20, what="ingest resumed")
        assert d.post_spans([{"trace_id": "902", "span_id": "1", "service": "web", "name": "req", "start": 1, "duration": 1}])[0] == 200
        logs = wait_for(lambda: (lambda l: l if len(l) == 3000 else None)(d.logs_of("902")), timeout=20, what="3000 lines")
        assert sorted(int(l["message"].split()[1]) for l in logs) == list(range(3000))
        assert d.get("/v1/stats")["ingest"]["pauses"] == 1
        assert d.stop() == 0
        check = sqlite3.connect(os.path.join(state, "index.db"))
        assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        check.close()
    finally:
        d.stop()
        subprocess.run(["umount", "-l", state])
        d.cleanup()


def test_cli_requests_survive_a_busy_machine(daemon):
    """The CLI wrote a request head and its end separately; on a busy machine the daemon had
    answered a GET and closed before the second write, and the CLI failed with 'I/O on closed
    channel' (17 of 300 `tracejoin status` runs). Both cores are kept busy here."""
    burners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(2)]
    try:
        failures = []
        for _ in range(200):
            out = daemon.cli("status", "--config", daemon.config)
            if out.returncode != 0:
                failures.append(out.stderr.strip())
        assert failures == [], failures[:3]
    finally:
        for p in burners:
            os.kill(p.pid, signal.SIGKILL)
            p.wait()
