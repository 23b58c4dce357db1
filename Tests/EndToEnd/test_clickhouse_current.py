"""The current ClickHouse schema (Map, DateTime64, LowCardinality, and the views in the shape of
OpenTelemetry's ClickHouse exporter that Grafana's ClickHouse data source reads), tested on chDB
(PyPI `chdb`: an in-process ClickHouse of today's version), since Debian's server is 18.16.

The rows are real: two daemons export a trace to two clickhouse-server 18.16 processes (as in
test_fleet.py), and the rows are copied from there into chDB's current-schema tables. The fleet
service's own queries are real too: the service logs each statement it sends (at debug level),
and each is run again on chDB, against the same rows, and must give the same answer.
"""

import json
import os
import tempfile
import urllib.request

import pytest

from harness import request, wait_for
from test_export_clickhouse import TRACE
from test_fleet import START_US, FleetService, fleet  # noqa: F401 (the fixture)

try:
    import chdb.session as chdb_session
except ImportError:
    if os.environ.get("CI"):
        raise  # CI installs chdb (Tests/EndToEnd/requirements.txt): the current schema must be tested there
    pytest.skip("chdb is not installed (pip install -r Tests/EndToEnd/requirements.txt)", allow_module_level=True)


def statements(svc, flavor, database="tracejoin"):
    out = svc.cli("export", "init", "--clickhouse", "http://127.0.0.1:1", "--database", database, "--print", "--schema", flavor)
    assert out.returncode == 0, out.stderr
    return [s.strip() for s in out.stdout.split(";\n\n") if s.strip()]


def http_rows(ch, sql):
    """JSONEachRow rows of `sql` (which ends in FORMAT JSONEachRow) on a clickhouse-server."""
    with urllib.request.urlopen(urllib.request.Request(ch.url + "/?database=tracejoin", data=sql.encode()), timeout=30) as resp:
        return [json.loads(line) for line in resp.read().decode().splitlines() if line.strip()]


def chdb_rows(sess, sql):
    text = sess.query(sql).bytes().decode()
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def canonical(rows):
    return sorted(json.dumps(r, sort_keys=True) for r in rows)


def test_the_current_schema_its_views_and_the_fleet_queries_run_on_todays_clickhouse(fleet):  # noqa: F811
    svc = FleetService([ch.url for ch in fleet.shards], extra="log: { format: json }\n")
    workdir = tempfile.mkdtemp(prefix="tj-chdb-", dir="/tmp")
    sess = chdb_session.Session(os.path.join(workdir, "chdb"))
    try:
        # The current schema, as `tracejoin export init --schema current` writes it.
        ddl = statements(svc, "current")
        assert any("CREATE OR REPLACE VIEW `tracejoin`.otel_traces" in s for s in ddl)
        for s in ddl:
            sess.query(s)
        types = {r["name"]: r["type"] for r in chdb_rows(sess, "SELECT name, type FROM system.columns WHERE database = 'tracejoin' AND table = 'logs' FORMAT JSONEachRow")}
        assert types["host"] == "LowCardinality(String)" and types["trace_lo"] == "UInt64" and types["raw"] == "String", types
        # The 18.16 schema's columns are the same, in the same order: one exporter for both.
        legacy = [s for s in statements(svc, "legacy") if ".logs (" in s][0]
        assert [line.split()[0] for line in legacy.splitlines()[1:] if line.startswith("    ") and "ENGINE" not in line] == list(types.keys())

        # A server upgraded from 18.16 (a database of its own: chDB runs one server a process):
        # its legacy tables stay, and the views go over them.
        for s in statements(svc, "legacy", "upgraded") + statements(svc, "current", "upgraded"):
            sess.query(s)
        assert chdb_rows(sess, "SELECT type FROM system.columns WHERE database = 'upgraded' AND table = 'logs' AND name = 'host' FORMAT JSONEachRow") == [{"type": "String"}]
        assert chdb_rows(sess, "SELECT TraceId, `Events.Name` FROM upgraded.otel_traces FORMAT JSONEachRow") == []
        assert chdb_rows(sess, "SELECT Body, LogAttributes FROM upgraded.otel_logs FORMAT JSONEachRow") == []

        # The exporter's rows, copied from both 18.16 shards.
        for i, ch in enumerate(fleet.shards):
            for table in ("logs", "spans"):
                path = os.path.join(workdir, f"{table}-{i}.tsv")
                with urllib.request.urlopen(urllib.request.Request(
                        ch.url + "/", data=f"SELECT * FROM tracejoin.{table} FORMAT TabSeparatedWithNames".encode()), timeout=30) as resp:
                    with open(path, "wb") as f:
                        f.write(resp.read())
                sess.query(f"INSERT INTO tracejoin.{table} SELECT * FROM file('{path}', 'TabSeparatedWithNames')")
        assert chdb_rows(sess, "SELECT toString(count()) AS n FROM tracejoin.logs FORMAT JSONEachRow") == [{"n": "4"}]
        # The upgraded server's views read its legacy tables as the current ones are read.
        for table in ("logs", "spans"):
            sess.query(f"INSERT INTO upgraded.{table} SELECT * FROM tracejoin.{table}")
        for view in ("otel_logs", "otel_traces"):
            rows = chdb_rows(sess, f"SELECT * FROM tracejoin.{view} FORMAT JSONEachRow")
            assert len(rows) == 4 and canonical(chdb_rows(sess, f"SELECT * FROM upgraded.{view} FORMAT JSONEachRow")) == canonical(rows)

        # Grafana's ClickHouse data source, OTel mode: a trace by TraceId from otel_traces, in the
        # columns its trace view reads.
        trace_hex = "%032x" % int(TRACE)  # a 64-bit Datadog trace: the low half padded with zeros
        spans = chdb_rows(sess, f"""
            SELECT TraceId AS traceID, SpanId AS spanID, ParentSpanId AS parentSpanID, ServiceName AS serviceName,
                SpanName AS operationName, toUnixTimestamp64Nano(Timestamp) AS startNs, Duration AS duration,
                ResourceAttributes['host.name'] AS host, StatusCode AS statusCode, SpanKind AS kind,
                arrayMap(key -> map('key', key, 'value', SpanAttributes[key]), mapKeys(SpanAttributes)) AS tags,
                arrayMap((name, ts, attributes) -> tuple(name, toString(toUnixTimestamp64Milli(ts)), mapKeys(attributes)),
                    `Events.Name`, `Events.Timestamp`, `Events.Attributes`) AS logs,
                arrayMap((traceId, spanId) -> map('traceID', traceId, 'spanID', spanId), `Links.TraceId`, `Links.SpanId`) AS references
            FROM tracejoin.otel_traces WHERE TraceId = '{trace_hex}' ORDER BY startNs FORMAT JSONEachRow""")
        assert [(s["spanID"], s["parentSpanID"], s["serviceName"], s["operationName"], s["host"]) for s in spans] == [
            ("0000000000000001", "", "web", "GET /checkout", "web-1"),
            ("0000000000000002", "0000000000000001", "web", "call payments", "web-1"),
            ("0000000000000003", "0000000000000002", "payments", "POST /charge", "web-2"),
            ("0000000000000004", "0000000000000003", "payments", "db.query", "web-2"),
        ]
        assert [s["statusCode"] for s in spans] == ["STATUS_CODE_UNSET"] * 3 + ["STATUS_CODE_ERROR"]
        assert int(spans[0]["startNs"]) == 1764000000000000000 and int(spans[0]["duration"]) == 9000000
        # Span 4's exception event and span 3's link, from the spans' `details`.
        assert [s["logs"] for s in spans] == [[], [], [], [["exception", "1764000000003", ["attempt", "exception.type"]]]], spans
        assert [s["references"] for s in spans] == [[], [], [{"traceID": "6b060b9000000000638337cabfd009ff", "spanID": "ce3a6d2cb615fac0"}], []]
        linked = chdb_rows(sess, f"""SELECT `Links.Attributes` AS a, `Events.Attributes` AS e FROM tracejoin.otel_traces
            WHERE TraceId = '{trace_hex}' AND SpanId IN ('0000000000000003', '0000000000000004') ORDER BY SpanId FORMAT JSONEachRow""")
        assert linked == [{"a": [{"link.kind": "follows"}], "e": []}, {"a": [], "e": [{"exception.type": "CardDeclined", "attempt": "2"}]}], linked
        # otel_logs: the lines, by trace, with severity and attributes.
        logs = chdb_rows(sess, f"""
            SELECT Body, SeverityText, SeverityNumber, SpanId, ServiceName, ResourceAttributes['host.name'] AS host, LogAttributes
            FROM tracejoin.otel_logs WHERE TraceId = '{trace_hex}' ORDER BY SpanId FORMAT JSONEachRow""")
        assert [(l["Body"], l["SeverityText"], l["SeverityNumber"], l["SpanId"], l["host"]) for l in logs] == [
            ("checkout <started>", "INFO", 9, "0000000000000001", "web-1"),
            ("calling payments", "INFO", 9, "0000000000000002", "web-1"),
            ("charging card", "INFO", 9, "0000000000000003", "web-2"),
            ("card declined", "ERROR", 17, "0000000000000004", "web-2"),
        ]
        # The fields the rule captured, numbers as their text; no service field was captured.
        assert logs[0]["LogAttributes"] == {"logger": "rc.app", "code_file": "rc_common.py", "code_line": "144"}, logs[0]
        assert logs[0]["ServiceName"] == ""

        # The fleet service's queries: what it sent the 18.16 shards, run again on chDB.
        svc.start()
        for path in (f"/v1/traces/{TRACE}", f"/v1/logs?trace_id={TRACE}", "/v1/logs?host=web-2&level=error",
                     f"/v1/logs/volume?trace_id={TRACE}", "/v1/traces?since=2025-11-01T00:00:00Z", f"/v1/spans/4",
                     "/api/services", "/api/operations?service=payments",
                     f"/api/traces?service=payments&start={START_US - 60_000_000}&end={START_US + 60_000_000}&tags=%7B%22error%22%3A%22true%22%7D",
                     f"/api/dependencies?endTs={START_US // 1000 + 60_000}&lookback=3600000"):
            status, body = request(svc.query_socket, "GET", path)
            assert status == 200, (path, body)
        sent = []

        def logged():
            sent.clear()
            with open(svc.stderr_path, encoding="utf-8", errors="replace") as f:
                for line in f:
                    if '"clickhouse query"' in line:
                        entry = json.loads(line)
                        sent.append(entry.get("sql") or entry.get("metadata", {}).get("sql"))
            return len(sent) >= 20
        wait_for(logged, what="the fleet service's queries in its log")
        distinct = list(dict.fromkeys(s for s in sent if s))
        assert any("FROM `tracejoin`.spans FINAL" in s for s in distinct) and any("visitParamExtractString" in s for s in distinct)
        compared = 0
        for sql in distinct:
            if sql.startswith("SELECT version()"):
                continue
            on_chdb = chdb_rows(sess, sql)
            on_shards = [row for ch in fleet.shards for row in http_rows(ch, sql)]
            # Rows the shards give one by one are the same rows on chDB; a count or a group is
            # summed across shards by the reader, so there only the answer's presence is compared.
            if any(word in sql for word in ("count()", "GROUP BY", "min(", "DISTINCT", "LIMIT 1 ")):
                assert bool(on_chdb) == bool(on_shards), sql
            else:
                assert canonical(on_chdb) == canonical(on_shards), sql
                compared += bool(on_shards)
        # Most of the queries return rows, and those rows were compared one by one.
        assert compared >= 8, (compared, len(distinct))
    finally:
        sess.close()
        svc.cleanup()
