"""The ClickHouse exporter against real clickhouse-server processes (Debian's 18.16, started by
the tests on loopback ports with temporary data paths, stopped by pid): two hosts' daemons
joining one trace, two shards behind a Distributed table, and exactly-once delivery through
`kill -9` of the daemon and of ClickHouse.
"""

import json
import os
import signal

from clickhouse import ClickHouse
from harness import Daemon, ddtrace_line, walk, wait_for


TRACE = "4611686018427387999"  # decimal, as ddtrace logs it


def exporting_daemon(ch_url, host, extra="", max_wait="100ms", max_rows=1000, compression="auto"):
    return Daemon(extra_yaml=(
        f"export: {{ clickhouse: {{ url: \"{ch_url}\", database: tracejoin, host: {host}, compression: {compression}, "
        f"batch: {{ max_rows: {max_rows}, max_wait: {max_wait} }} }} }}\n" + extra))


def export_status(d):
    return d.get("/v1/stats")["export"][0]


def caught_up(d, logs, spans):
    def check():
        e = export_status(d)
        return e if (e["exported_logs"] >= logs and e["exported_spans"] >= spans and e["lag_rows"] == 0) else None
    return wait_for(check, timeout=30, what=f"the exporter to send {logs} lines and {spans} spans")


LINKED_TRACE = "6b060b9000000000638337cabfd009ff"


def one_trace_on_two_hosts(a, b):
    """Spans 1 → 2 on host A, 3 → 4 (3 a child of 2) on host B; each host logs in its own spans."""
    a.post_spans([{"trace_id": TRACE, "span_id": "1", "service": "web", "name": "GET /checkout", "start": 1764000000000000000, "duration": 9000000},
                  {"trace_id": TRACE, "span_id": "2", "parent_id": "1", "service": "web", "name": "call payments", "start": 1764000000001000000, "duration": 7000000}])
    # Span 3 links to the batch that queued it; span 4 records its exception as an event: both
    # travel to ClickHouse in `details`.
    b.post_spans([{"trace_id": TRACE, "span_id": "3", "parent_id": "2", "service": "payments", "name": "POST /charge", "start": 1764000000002000000, "duration": 5000000,
                   "links": [{"trace_id": LINKED_TRACE, "span_id": "ce3a6d2cb615fac0", "attributes": {"link.kind": "follows"}}]},
                  {"trace_id": TRACE, "span_id": "4", "parent_id": "3", "service": "payments", "name": "db.query", "start": 1764000000003000000, "duration": 1000000, "error": True,
                   "events": [{"time": 1764000000003500000, "name": "exception", "attributes": {"exception.type": "CardDeclined", "attempt": 2}}]}])
    a.append("app.log", [ddtrace_line(TRACE, "1", "checkout <started>"), ddtrace_line(TRACE, "2", "calling payments")])
    b.append("app.log", [ddtrace_line(TRACE, "3", "charging card"), ddtrace_line(TRACE, "4", "card declined", level="ERROR")])


def both_hosts_exported(a, b):
    """Starts both daemons, sends them the trace, and waits until both exported their half."""
    a.start()
    b.start()
    one_trace_on_two_hosts(a, b)
    caught_up(a, 2, 2)
    caught_up(b, 2, 2)


def tree(doc):
    """{span: (host, [messages])} of a trace document."""
    return {s["span_id_dd"]: (s["meta"].get("tracejoin.host"), [l["message"] for l in s["logs"]]) for s in walk(doc["spans"])}


EXPECTED = {"1": ("web-1", ["checkout <started>"]), "2": ("web-1", ["calling payments"]),
            "3": ("web-2", ["charging card"]), "4": ("web-2", ["card declined"])}


def fleet_json(d, url, database="tracejoin"):
    out = d.cli("query", "trace", TRACE, "--clickhouse", url, "--database", database, "--json")
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_two_hosts_one_trace_the_fleet_query_shows_the_whole_tree():
    ch = ClickHouse().start()
    a = exporting_daemon(ch.url, "web-1")  # loopback: sent as it is
    b = exporting_daemon(ch.url, "web-2", compression="gzip")
    try:
        both_hosts_exported(a, b)
        # Each host alone has half the tree.
        assert len(list(walk(a.trace(TRACE)[1]["spans"]))) == 2
        doc = fleet_json(a, ch.url)
        assert tree(doc) == EXPECTED
        assert [s["span_id_dd"] for s in doc["spans"]] == ["1"]  # one root: the tree is whole
        assert doc["trace_id_dd"] == TRACE
        # The drawn tree: each span with its host, each line under it.
        out = a.cli("query", "trace", TRACE, "--clickhouse", ch.url)
        assert out.returncode == 0, out.stderr
        text = out.stdout
        assert "@web-1" in text and "@web-2" in text and "card declined" in text
        assert text.index("POST /charge") < text.index("charging card") < text.index("db.query") < text.index("card declined")
        # The fleet's log search, by host.
        out = a.cli("query", "logs", "--clickhouse", ch.url, "--trace", TRACE, "--host", "web-2")
        assert out.returncode == 0, out.stderr
        assert "charging card" in out.stdout and "card declined" in out.stdout and "checkout" not in out.stdout
        # IDs landed exact, in every form.
        rows = ch.rows("SELECT toString(trace_lo) AS lo, trace_lo_dd, trace_lo_hex, span_id_hex FROM tracejoin.spans FINAL WHERE span_id = 4")
        assert rows == [{"lo": TRACE, "trace_lo_dd": TRACE, "trace_lo_hex": "%016x" % int(TRACE), "span_id_hex": "0000000000000004"}]
        status = a.cli("status", "--config", a.config)
        assert "export to clickhouse" in status.stdout and "as host web-1: ok" in status.stdout, status.stdout
        metrics = a.get("/metrics")
        assert 'tracejoin_export_lag_rows{target="clickhouse"} 0' in metrics
    finally:
        a.cleanup()
        b.cleanup()
        ch.cleanup()


def test_two_shards_behind_a_distributed_table_give_the_same_tree():
    shard1 = ClickHouse().start()
    shard2 = ClickHouse()
    # The cluster `fleet`: shard 1, and shard 2 itself (its own port is known once constructed).
    shard2.shards = [("127.0.0.1", shard1.tcp_port), ("127.0.0.1", shard2.tcp_port)]
    shard2.start()
    a = exporting_daemon(shard1.url, "web-1")
    b = exporting_daemon(shard2.url, "web-2")
    try:
        both_hosts_exported(a, b)
        shard2.query("CREATE DATABASE fleet")
        for table in ("logs", "spans"):
            shard2.query(f"CREATE TABLE fleet.{table} AS tracejoin.{table} ENGINE = Distributed(fleet, tracejoin, {table})")
        # Each shard has one host's half; the Distributed tables have both.
        assert tree(fleet_json(a, shard1.url)).keys() == {"1", "2"}
        assert tree(fleet_json(a, shard2.url, "fleet")) == EXPECTED
    finally:
        a.cleanup()
        b.cleanup()
        shard2.cleanup()
        shard1.cleanup()


def exported_once(ch, host, expected_lines):
    rows = ch.rows(f"SELECT toString(count()) AS n, toString(uniqExact(id)) AS ids FROM tracejoin.logs FINAL WHERE host = '{host}'")
    return rows[0]["n"] == str(expected_lines) and rows[0]["ids"] == str(expected_lines)


def test_kill_9_of_the_daemon_and_of_clickhouse_mid_export_every_line_exactly_once():
    ch = ClickHouse().start()
    d = exporting_daemon(ch.url, "web-1", max_rows=500, max_wait="50ms")
    total = 0
    try:
        d.start()
        lines = [ddtrace_line(TRACE, str(1 + i % 7), f"line {i}") for i in range(20000)]
        d.append("app.log", lines)
        total += len(lines)
        # kill -9 while the exporter is part way through.
        wait_for(lambda: 0 < export_status(d)["exported_logs"] < total, timeout=30, interval=0.005, what="export under way")
        d.stop(signal.SIGKILL)
        d.start()
        # Every line stored again first: a lag of 0 before the tailer has read the rest of the
        # file again says nothing (a busy machine showed it: CI, 2026-12-06).
        wait_for(lambda: d.get(f"/v1/traces/{TRACE}?logs_limit=1")["log_count"] == total, timeout=60,
                 what="every line stored locally after the restart")
        caught_up(d, 0, 0)
        assert exported_once(ch, "web-1", total)
        # ClickHouse killed while batches flow; the daemon keeps ingesting and retries.
        more = [ddtrace_line(TRACE, "3", f"more {i}") for i in range(5000)]
        d.append("app.log", more[:2500])
        wait_for(lambda: export_status(d)["exported_logs"] > 0, what="export running")
        ch.kill()
        d.append("app.log", more[2500:])
        total += len(more)
        down = wait_for(lambda: (lambda e: e if e["state"] == "retrying" and e["lag_rows"] > 0 else None)(export_status(d)),
                        timeout=30, what="the exporter to see ClickHouse gone and lag grow")
        assert down["last_error"]
        # Local ingest went on meanwhile.
        wait_for(lambda: d.get(f"/v1/traces/{TRACE}?logs_limit=1")["log_count"] == total, timeout=30,
                 what="every line stored locally")
        ch.start()
        e = caught_up(d, 0, 0)
        assert e["state"] == "ok" and e["export_lost_logs"] == 0
        assert exported_once(ch, "web-1", total)
        messages = {r["message"] for r in ch.rows("SELECT message FROM tracejoin.logs FINAL")}
        assert messages == {f"line {i}" for i in range(20000)} | {f"more {i}" for i in range(5000)}
    finally:
        d.cleanup()
        ch.cleanup()


def test_rows_retention_deletes_before_export_are_counted_and_warned_about():
    # A target that refuses connections: nothing can be exported.
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"
    d = exporting_daemon(dead, "web-1", extra="retention: { max_age: 2s, interval: 1s }\n")
    try:
        d.start()
        d.append("app.log", [ddtrace_line(TRACE, "1", f"doomed {i}") for i in range(50)])
        d.post_spans([{"trace_id": TRACE, "span_id": "1", "name": "doomed"}])
        e = wait_for(lambda: (lambda e: e if e["export_lost_logs"] == 50 and e["export_lost_spans"] == 1 else None)(export_status(d)),
                     timeout=30, what="retention to count the unexported rows it deleted")
        assert e["state"] == "retrying" and e["exported_logs"] == 0
        assert "retention deleted rows the exporter had not sent yet" in d.log()
        assert 'tracejoin_export_lost_total{target="clickhouse",kind="logs"} 50' in d.get("/metrics")
    finally:
        d.cleanup()


def test_export_init_creates_the_tables_and_a_bad_config_is_named():
    ch = ClickHouse().start()
    d = Daemon()
    try:
        out = d.cli("export", "init", "--clickhouse", ch.url, "--database", "fleetdb")
        assert out.returncode == 0, out.stderr
        # 18.16: the legacy flavour, chosen by the server's version.
        assert "(legacy schema)" in out.stdout and "otel_traces" not in out.stdout, out.stdout
        tables = {r["name"] for r in ch.rows("SELECT name FROM system.tables WHERE database = 'fleetdb'")}
        assert tables == {"logs", "spans"}

        # Tables an earlier version made (spans without `details`) get the column, where a new
        # table has it, and their rows are kept; running init again changes nothing.
        ddl = d.cli("export", "init", "--clickhouse", ch.url, "--database", "olddb", "--print", "--schema", "legacy").stdout
        for statement in (x.strip() for x in ddl.split(";\n\n") if x.strip()):
            ch.query("\n".join(line for line in statement.splitlines() if not line.strip().startswith("details ")))
        ch.query("INSERT INTO olddb.spans (host, trace_lo, span_id, name, version) VALUES ('old', 7, 8, 'kept', 1)")
        assert "details" not in {r["name"] for r in ch.rows("SELECT name FROM system.columns WHERE database = 'olddb' AND table = 'spans'")}
        for _ in range(2):
            out = d.cli("export", "init", "--clickhouse", ch.url, "--database", "olddb")
            assert out.returncode == 0, out.stderr
            columns = [r["name"] for r in ch.rows("SELECT name FROM system.columns WHERE database = 'olddb' AND table = 'spans'")]
            assert columns[columns.index("protocol"):] == ["protocol", "details", "version"], columns
        assert ch.rows("SELECT name, details FROM olddb.spans") == [{"name": "kept", "details": ""}]
        with open(os.path.join(d.config, "tracejoin.yaml"), "a") as f:
            f.write('export: { clickhouse: { url: "http://127.0.0.1:1", password: hunter2 } }\n')
        out = d.cli("serve", "--config", d.config)
        assert out.returncode == 2
        assert "tracejoin.yaml" in out.stderr and "password_file" in out.stderr, out.stderr
    finally:
        d.cleanup()
        ch.cleanup()
