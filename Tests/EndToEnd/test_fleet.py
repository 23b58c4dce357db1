"""The fleet service (`tracejoin serve` with a `fleet:` section) over real clickhouse-server
processes (Debian's 18.16, started by the tests on loopback ports, stopped by pid): two daemons
export to two shards, and the fleet service serves the query API, the Jaeger routes (Grafana's
Jaeger data source reads those) and the web view, in a real browser, from both shards; a shard
that is down or does not answer costs only its part, and says so.
"""

import os
import socket

import pytest

from clickhouse import ClickHouse
from harness import Daemon, free_port, request, walk, wait_for
from test_export_clickhouse import EXPECTED, LINKED_TRACE, TRACE, caught_up, exporting_daemon, one_trace_on_two_hosts, tree
from test_query_tcp import get, listening

START_US = 1764000000000000  # the test trace's first span, in Jaeger's microseconds


class FleetService(Daemon):
    """`tracejoin serve` on a config directory with a `fleet:` section and no rule files: it has
    a query socket and a query TCP port (no token: `auth: none`), and no intake."""

    def __init__(self, shards, timeout="5s", extra=""):
        self.port = free_port()
        urls = ", ".join(f'"{url}"' for url in shards)
        super().__init__(rules=None, extra_yaml="")
        with open(os.path.join(self.config, "tracejoin.yaml"), "w") as f:
            f.write("state_dir: ../state\n"
                    f'query: {{ socket: ../run/query.sock, tcp: ["127.0.0.1:{self.port}"], auth: none }}\n'
                    f"fleet: {{ shards: [{urls}], database: tracejoin, timeout: {timeout} }}\n" + extra)

    def _ready(self):
        if self.proc.poll() is not None:
            raise AssertionError(f"fleet service exited with {self.proc.returncode}:\n{self.log()}")
        return os.path.exists(self.query_socket) and request(self.query_socket, "GET", "/healthz")[0] == 200 and listening(self.port)

    def http(self, path):
        """(status, headers, body) over the TCP listener."""
        return get(self.port, path)


class Fleet:
    """Two shards, a daemon exporting to each (hosts web-1 and web-2), one trace across them."""

    def __init__(self):
        self.shards = [ClickHouse().start(), ClickHouse().start()]
        self.daemons = [exporting_daemon(self.shards[0].url, "web-1"), exporting_daemon(self.shards[1].url, "web-2")]
        for d in self.daemons:
            d.start()
        one_trace_on_two_hosts(*self.daemons)
        for d in self.daemons:
            caught_up(d, 2, 2)
        # The daemons' work is done: the fleet reads ClickHouse only.
        for d in self.daemons:
            d.stop()

    def cleanup(self):
        for d in self.daemons:
            d.cleanup()
        for ch in self.shards:
            ch.cleanup()


@pytest.fixture
def fleet():
    f = Fleet()
    try:
        yield f
    finally:
        f.cleanup()


def test_the_fleet_service_serves_one_trace_from_two_shards_to_the_api_jaeger_and_the_browser(fleet):
    svc = FleetService([ch.url for ch in fleet.shards])
    try:
        svc.start()
        # The query API: the whole tree, each span and line marked by host.
        status, doc = request(svc.query_socket, "GET", f"/v1/traces/{TRACE}")
        assert status == 200, doc
        assert tree(doc) == EXPECTED
        assert [s["span_id_dd"] for s in doc["spans"]] == ["1"]
        assert "partial" not in doc
        hosts = {l["message"]: l["fields"]["host"] for s in walk(doc["spans"]) for l in s["logs"]}
        assert hosts == {"checkout <started>": "web-1", "calling payments": "web-1", "charging card": "web-2", "card declined": "web-2"}

        # Search over all hosts, and by host; pages walk every line once, across hosts.
        status, page = request(svc.query_socket, "GET", f"/v1/logs?trace_id={TRACE}")
        assert status == 200 and len(page["logs"]) == 4, page
        status, page = request(svc.query_socket, "GET", f"/v1/logs?trace_id={TRACE}&host=web-2")
        assert sorted(l["log"]["message"] for l in page["logs"]) == ["card declined", "charging card"]
        # Lines joined to a span of a service, and a text search with a level.
        status, page = request(svc.query_socket, "GET", "/v1/logs?service=payments")
        assert status == 200 and sorted(l["log"]["message"] for l in page["logs"]) == ["card declined", "charging card"], page
        status, page = request(svc.query_socket, "GET", "/v1/logs?q=card&level=error")
        assert status == 200 and [l["log"]["message"] for l in page["logs"]] == ["card declined"], page
        # A daemon's numeric cursor means nothing to the fleet: refused, not ignored.
        status, body = request(svc.query_socket, "GET", "/v1/logs?cursor=12")
        assert status == 400 and "cursor" in body["detail"], body
        seen, cursor = [], None
        for _ in range(10):
            status, page = request(svc.query_socket, "GET", f"/v1/logs?trace_id={TRACE}&limit=1" + (f"&cursor={cursor}" if cursor else ""))
            assert status == 200, page
            seen += [l["log"]["message"] for l in page["logs"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert sorted(seen) == sorted(m for _, (_, ms) in EXPECTED.items() for m in ms), seen
        status, volume = request(svc.query_socket, "GET", f"/v1/logs/volume?trace_id={TRACE}")
        assert status == 200 and volume["total"] == 4, volume
        assert sum(bucket[volume["levels"].index("error")] for bucket in volume["counts"]) == 1
        status, traces = request(svc.query_socket, "GET", "/v1/traces?since=2025-11-01T00:00:00Z")
        assert status == 200, traces
        [entry] = [t for t in traces["traces"] if t["trace_id_dd"] == TRACE]
        assert entry["spans"] == 4 and entry["errors"] == 1 and entry["logs"] == 4 and entry["services"] == ["payments", "web"], entry
        # What the daemon does not serve from the fleet is refused with a reason, not an empty answer.
        status, body = request(svc.query_socket, "GET", "/v1/logs/unmatched")
        assert status == 501 and body["error"] == "not implemented" and "a trace's spans may be on any shard" in body["detail"], body

        # Every page and document of the daemon answers from the fleet too; what is not served
        # says so, as a page.
        for path in ("/", "/logs", "/logs?host=web-2", "/status", "/rules", "/v1/stats", "/metrics", "/v1/rules", f"/trace/{TRACE}/logs"):
            status, _, body = svc.http(path)
            assert status == 200, (path, body)
        # Its own state: each shard up, with the version its probe at start read (18.16 here).
        shards = wait_for(lambda: (lambda st: st if all(sh.get("version") for sh in st) else None)(svc.http("/v1/stats")[2]["shards"]),
                          what="both shards probed")
        assert [(sh["url"], sh["state"], sh["failures"]) for sh in shards] == [(ch.url, "up", 0) for ch in fleet.shards], shards
        assert all(sh["version"].startswith("18.16") and sh["last_success"] for sh in shards), shards
        _, headers, metrics = svc.http("/metrics")
        for ch in fleet.shards:
            assert f'tracejoin_fleet_shard_up_bool{{shard="{ch.url}"}} 1' in metrics, metrics
        assert "tracejoin_fleet_shards_up 2" in metrics and "tracejoin_file_lag_bytes" not in metrics
        _, _, html = svc.http("/status")
        assert html.count('data-state="up"') == 2 and "Followed files" not in html, html
        # A fleet has no unmatched lines or rules of its own: its navigation leaves them out.
        assert 'href="/unmatched"' not in html and 'href="/rules"' not in html and 'href="/status"' in html
        out = svc.cli("status", "--config", svc.config)
        assert out.returncode == 0 and "fleet service: running" in out.stdout, out.stderr
        assert all(f"up   {ch.url} (ClickHouse 18.16" in out.stdout for ch in fleet.shards), out.stdout
        status, _, body = svc.http("/unmatched")
        assert status == 501 and "Not served here" in body and "a trace&#39;s spans may be on any shard" in body, body
        status, _, body = svc.http("/logs?host=web-2")
        assert "card declined" in body and "checkout &lt;started&gt;" not in body

        # Jaeger's API (Grafana's Jaeger data source and Jaeger UI read it): both hosts' spans
        # in one trace, each process tagged with its host; services and the links across hosts.
        status, headers, body = svc.http(f"/api/traces/{TRACE}")
        assert status == 200, body
        [trace] = body["data"]
        assert len(trace["spans"]) == 4
        process_hosts = {p["serviceName"]: {t["value"] for t in p["tags"] if t["key"] == "hostname"} for p in trace["processes"].values()}
        assert process_hosts == {"web": {"web-1"}, "payments": {"web-2"}}, trace["processes"]
        span_logs = {s["operationName"]: [f["value"] for l in s["logs"] for f in l["fields"] if f["key"] == "message"] for s in trace["spans"]}
        assert span_logs["db.query"] == ["card declined"], span_logs
        # The span's event and link came through ClickHouse (`spans.details`) as the tracer sent them.
        by_name = {s["operationName"]: s for s in trace["spans"]}
        events = [{f["key"]: f["value"] for f in l["fields"]} for l in by_name["db.query"]["logs"] if l["fields"][0]["value"] == "exception"]
        assert events == [{"event": "exception", "exception.type": "CardDeclined", "attempt": 2}], by_name["db.query"]["logs"]
        assert [l["timestamp"] for l in by_name["db.query"]["logs"] if l["fields"][0]["value"] == "exception"] == [1764000000003500]
        assert {"refType": "FOLLOWS_FROM", "traceID": LINKED_TRACE, "spanID": "ce3a6d2cb615fac0"} in by_name["POST /charge"]["references"], by_name["POST /charge"]
        status, _, body = svc.http("/api/services")
        assert status == 200 and body["data"] == ["payments", "web"], body
        status, _, body = svc.http(f"/api/traces?service=payments&start={START_US - 60_000_000}&end={START_US + 60_000_000}&limit=20")
        assert status == 200 and len(body["data"]) == 1 and len(body["data"][0]["spans"]) == 4, body
        status, _, body = svc.http(f"/api/dependencies?endTs={START_US // 1000 + 60_000}&lookback=3600000")
        assert status == 200, body
        assert sorted((d["parent"], d["child"], d["callCount"]) for d in body["data"]) == [("web", "payments", 1)], body

        # The web view in a real browser: the waterfall with both hosts' spans and lines.
        from test_web_view import browser, shot
        b = browser()
        try:
            b.get(f"http://127.0.0.1:{svc.port}/trace/{TRACE}")
            wait_for(lambda: "card declined" in b.page_source, what="the fleet's trace page")
            from selenium.webdriver.common.by import By
            marks = sorted({e.text for e in b.find_elements(By.CSS_SELECTOR, "a.host")})
            assert marks == ["@web-1", "@web-2"], marks
            assert not b.find_elements(By.ID, "partial")
            # The failed span's detail shows its exception event, read from ClickHouse.
            row = b.find_element(By.CSS_SELECTOR, f'.waterfall .span[data-span-id="{4:016x}"]')
            row.click()
            detail = b.find_element(By.CSS_SELECTOR, f'.span-detail[data-for="{4:016x}"]')
            wait_for(lambda: detail.find_elements(By.CSS_SELECTOR, ".span-event"), what="the span's event in its detail")
            assert "exception" in detail.text and "CardDeclined" in detail.text, detail.text
            shot(b, "fleet-trace.png")
        finally:
            b.quit()
    finally:
        svc.cleanup()


def test_a_shard_down_or_silent_gives_a_partial_answer_that_says_so(fleet):
    # A third "shard" that accepts connections and never answers.
    silent = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)
    silent_url = f"http://127.0.0.1:{silent.getsockname()[1]}"
    svc = FleetService([ch.url for ch in fleet.shards] + [silent_url], timeout="1s")
    try:
        svc.start()
        status, headers, doc = svc.http(f"/v1/traces/{TRACE}")
        assert status == 200, doc
        assert tree(doc) == EXPECTED  # both real shards answered
        assert headers["tracejoin-partial"] == "1"
        assert doc["partial"] == [f"shard {silent_url} left out: ClickHouse at {silent_url} did not answer within 1 s"], doc["partial"]

        # Shard 2 stops: its host's half is missing, and the answer says which shard and why.
        fleet.shards[1].stop()
        status, headers, doc = svc.http(f"/v1/traces/{TRACE}")
        assert status == 200, doc
        assert {k: v for k, v in tree(doc).items()} == {"1": EXPECTED["1"], "2": EXPECTED["2"]}
        assert headers["tracejoin-partial"] == "2"
        assert any(note.startswith(f"shard {fleet.shards[1].url} left out: cannot reach ClickHouse") for note in doc["partial"]), doc["partial"]
        status, headers, body = svc.http("/api/services")
        assert status == 200 and body["data"] == ["web"] and headers["tracejoin-partial"] == "2", body
        # The web view says it too.
        status, headers, html = svc.http(f"/trace/{TRACE}")
        assert status == 200 and 'id="partial"' in html and "Partial result" in html and fleet.shards[1].url in html

        # Its status says which shard is down and why, and that the silent one timed out.
        _, _, stats = svc.http("/v1/stats")
        by_url = {sh["url"]: sh for sh in stats["shards"]}
        assert by_url[fleet.shards[0].url]["state"] == "up", stats["shards"]
        assert by_url[fleet.shards[1].url]["state"] == "down" and "cannot reach ClickHouse" in by_url[fleet.shards[1].url]["last_error"], stats
        assert by_url[silent_url]["state"] == "down" and by_url[silent_url]["timeouts"] >= 1, stats["shards"]
        _, _, metrics = svc.http("/metrics")
        assert f'tracejoin_fleet_shard_up_bool{{shard="{fleet.shards[1].url}"}} 0' in metrics and "tracejoin_fleet_shards_up 1" in metrics
        _, _, html = svc.http("/status")
        assert html.count('data-state="down"') == 2 and "cannot reach ClickHouse" in html, html
        out = svc.cli("status", "--config", svc.config)
        assert f"DOWN {fleet.shards[1].url}" in out.stdout and "last error: cannot reach ClickHouse" in out.stdout, out.stdout

        # No shard answers: a 503 that names each, not an empty trace.
        fleet.shards[0].stop()
        status, headers, body = svc.http(f"/v1/traces/{TRACE}")
        assert status == 503, body
        assert body["error"] == "service unavailable", body
        assert "no shard of the fleet answered" in body["detail"] and fleet.shards[0].url in body["detail"] and silent_url in body["detail"]
    finally:
        svc.cleanup()
        silent.close()


def test_a_fleet_service_with_rule_files_is_refused_and_names_them():
    svc = FleetService(["http://127.0.0.1:1"])
    try:
        svc.write_rules("app.yaml", "source: x\n")
        out = svc.cli("serve", "--config", svc.config)
        assert out.returncode == 2, out.stderr
        assert os.path.join(svc.config, "rules.d", "app.yaml") in out.stderr and "a fleet service tails nothing" in out.stderr, out.stderr
    finally:
        svc.cleanup()


def test_a_shard_whose_tables_an_earlier_exporter_made_is_read_as_they_are():
    """A shard not upgraded yet: its `spans` has no `details` (added later). The fleet's probe
    sees that, and its spans are read with no details rather than the shard failing."""
    ch = ClickHouse().start()
    svc = FleetService([ch.url])
    try:
        ddl = svc.cli("export", "init", "--clickhouse", ch.url, "--database", "tracejoin", "--print", "--schema", "legacy").stdout
        for statement in (x.strip() for x in ddl.split(";\n\n") if x.strip()):
            ch.query("\n".join(line for line in statement.splitlines() if not line.strip().startswith("details ")))
        ch.query("INSERT INTO tracejoin.spans (host, date, trace_lo, trace_lo_hex, trace_lo_dd, span_id, span_id_hex, service, name, "
                 "start_ns, duration_ns, protocol, version) VALUES ('old-host', '2025-11-24', 77, '000000000000004d', '77', 5, "
                 "'0000000000000005', 'legacy', 'GET /', 1764000000000000000, 1000, 'ndjson', 1)")
        assert "details" not in {r["name"] for r in ch.rows("SELECT name FROM system.columns WHERE database = 'tracejoin' AND table = 'spans'")}
        # The CLI looks at the tables first too.
        out = svc.cli("query", "trace", "77", "--clickhouse", ch.url, "--json")
        assert out.returncode == 0 and '"GET /"' in out.stdout, out.stderr
        svc.start()
        wait_for(lambda: svc.http("/v1/stats")[2]["shards"][0].get("version"), what="the shard probed")
        status, headers, doc = svc.http("/v1/traces/77")
        assert status == 200 and "tracejoin-partial" not in headers, doc
        assert [(s["name"], s["meta"]["tracejoin.host"]) for s in walk(doc["spans"])] == [("GET /", "old-host")], doc
        status, _, body = svc.http("/api/traces/000000000000004d")
        assert status == 200 and body["data"][0]["spans"][0]["operationName"] == "GET /", body
    finally:
        svc.cleanup()
        ch.cleanup()


def test_copies_a_merge_has_not_collapsed_are_searched_once(fleet):
    """A batch sent again (after a crash) is a second copy of its rows until ClickHouse merges
    them. The search reads keys without FINAL, so it removes the copies itself; with more copies
    than its slack it asks again, exactly."""
    ch = fleet.shards[1]
    ch.query("SYSTEM STOP MERGES")  # keep the copies apart for the test
    for _ in range(5):
        ch.query("INSERT INTO tracejoin.logs SELECT * FROM tracejoin.logs")
    assert ch.query("SELECT count() FROM tracejoin.logs WHERE host = 'web-2'").strip() == "64"  # 2 lines, 32 copies each
    svc = FleetService([c.url for c in fleet.shards])
    try:
        svc.start()
        status, page = request(svc.query_socket, "GET", f"/v1/logs?trace_id={TRACE}")
        assert status == 200 and sorted(l["log"]["message"] for l in page["logs"]) == sorted(
            ["checkout <started>", "calling payments", "charging card", "card declined"]), page
        # 18 keys asked (2 and a slack of 16), all copies of the newest line: asked again, exactly.
        status, page = request(svc.query_socket, "GET", "/v1/logs?host=web-2&limit=2")
        assert status == 200 and [l["log"]["message"] for l in page["logs"]] == ["card declined", "charging card"], page
        # Page by page, each line once.
        seen, cursor = [], None
        for _ in range(10):
            status, page = request(svc.query_socket, "GET", f"/v1/logs?trace_id={TRACE}&limit=1" + (f"&cursor={cursor}" if cursor else ""))
            assert status == 200, page
            seen += [l["log"]["message"] for l in page["logs"]]
            cursor = page.get("next_cursor")
            if not cursor:
                break
        assert sorted(seen) == sorted(["checkout <started>", "calling payments", "charging card", "card declined"]), seen
        status, doc = svc.http(f"/v1/traces/{TRACE}")[0:3:2]
        assert status == 200 and tree(doc) == EXPECTED
    finally:
        ch.query("SYSTEM START MERGES")
        svc.cleanup()
