"""Jaeger's query API (what Jaeger UI and Grafana's Jaeger data source call), field by field
against Jaeger's JSON model (model/json/model.go in Jaeger's source)."""

import json
import time
import urllib.parse

from harness import ddtrace_line, request, wait_for

NOW_NS = time.time_ns() - 60 * 1_000_000_000
TRACE_HI, TRACE_LO = 0x6B060B9000000000, 0x638337CABFD009FF
TRACE_HEX = f"{TRACE_HI:016x}{TRACE_LO:016x}"
SPANS = [
    {"trace_id": str(TRACE_LO), "span_id": "11", "service": "checkout", "name": "flask.request", "resource": "POST /checkout",
     "type": "web", "start": NOW_NS, "duration": 48_000_000, "meta": {"_dd.p.tid": f"{TRACE_HI:016x}", "http.method": "POST"}},
    {"trace_id": str(TRACE_LO), "span_id": "12", "parent_id": "11", "service": "checkout-db", "name": "postgres.query",
     "resource": "SELECT 1", "start": NOW_NS + 2_000_000, "duration": 9_000_000},
    {"trace_id": str(TRACE_LO), "span_id": "13", "parent_id": "11", "service": "payments", "name": "requests.request",
     "resource": "POST /v1/charges", "start": NOW_NS + 12_000_000, "duration": 30_000_000, "error": 1},
    # Another trace of checkout, short, 64-bit.
    {"trace_id": "777", "span_id": "1", "service": "checkout", "name": "flask.request", "resource": "GET /health",
     "start": NOW_NS + 1_000_000_000, "duration": 1_000_000},
]


def api(daemon, path):
    status, body = request(daemon.query_socket, "GET", path)
    return status, body


def seed(daemon):
    status, _ = daemon.post_spans(SPANS)
    assert status == 200
    daemon.append("app.log", [
        ddtrace_line(TRACE_HEX, "11", "order 1001 received", ts="2026-11-24 22:11:28,925"),
        ddtrace_line(TRACE_HEX, "13", "charge failed", level="ERROR", ts="2026-11-24 22:11:28,960"),
        ddtrace_line(TRACE_HEX, "99", "a line of a span nobody reported"),
    ])
    wait_for(lambda: len(daemon.logs_of(TRACE_HEX)) == 3, what="the trace's three lines")


def test_services_operations_and_a_trace_in_jaegers_model(daemon):
    seed(daemon)
    status, body = api(daemon, "/api/services")
    assert status == 200
    assert body == {"data": ["checkout", "checkout-db", "payments"], "total": 3, "limit": 0, "offset": 0, "errors": None}
    status, body = api(daemon, "/api/services/checkout/operations")
    assert status == 200 and body["data"] == ["flask.request"]
    status, body = api(daemon, "/api/operations?service=payments")
    assert status == 200 and body["data"] == [{"name": "requests.request", "spanKind": ""}]

    status, body = api(daemon, f"/api/traces/{TRACE_HEX}")
    assert status == 200 and body["errors"] is None and body["total"] == 1
    trace = body["data"][0]
    assert set(trace) == {"traceID", "spans", "processes", "warnings"}
    assert trace["traceID"] == TRACE_HEX
    processes = trace["processes"]
    assert sorted(p["serviceName"] for p in processes.values()) == ["checkout", "checkout-db", "payments"]
    spans = {s["spanID"]: s for s in trace["spans"]}
    root, db, pay = spans[f"{11:016x}"], spans[f"{12:016x}"], spans[f"{13:016x}"]
    for s in trace["spans"]:
        assert set(s) <= {"traceID", "spanID", "flags", "operationName", "references", "startTime", "duration", "tags", "logs",
                          "processID", "warnings"}
        assert s["traceID"] == TRACE_HEX and s["processID"] in processes
    assert processes[root["processID"]]["serviceName"] == "checkout"
    assert root["operationName"] == "flask.request"
    # Always arrays, as Jaeger writes them (Grafana up to 12.0 maps over them).
    assert root["references"] == []
    assert db["references"] == [{"refType": "CHILD_OF", "traceID": TRACE_HEX, "spanID": f"{11:016x}"}]
    # Microseconds.
    assert root["startTime"] == NOW_NS // 1000 and root["duration"] == 48_000
    tags = {t["key"]: t for t in root["tags"]}
    assert tags["resource.name"] == {"key": "resource.name", "type": "string", "value": "POST /checkout"}
    assert tags["http.method"] == {"key": "http.method", "type": "string", "value": "POST"}
    assert tags["span.type"]["value"] == "web"
    pay_tags = {t["key"]: t for t in pay["tags"]}
    assert pay_tags["error"] == {"key": "error", "type": "bool", "value": True}
    # Each joined line is a span log: time in µs, message, level, source and rule, the rule's fields.
    # The root's own line, and the line of a span not in the trace, marked with the span it names.
    own = [l for l in root["logs"] if not any(f["key"] == "tracejoin.unmatched_span_id" for f in l["fields"])]
    orphans = [l for l in root["logs"] if l not in own]
    assert len(own) == 1 and len(orphans) == 1, root["logs"]
    assert any(f["key"] == "message" and "a line of a span nobody reported" in f["value"] for f in orphans[0]["fields"])
    log = own[0]
    assert log["timestamp"] == 1795558288925000  # 2026-11-24 22:11:28,925 (no zone: UTC)
    fields = {f["key"]: f for f in log["fields"]}
    assert fields["message"] == {"key": "message", "type": "string", "value": "order 1001 received"}
    assert fields["level"]["value"] == "INFO" and fields["source"]["value"] == "app" and fields["rule"]["value"] == "python-ddtrace"
    assert fields["logger"]["value"] == "rc.app"
    assert [f["value"] for f in pay["logs"][0]["fields"] if f["key"] == "message"] == ["charge failed"]
    assert db["logs"] == []
    # The line whose span is not in the trace is a warning of the trace.
    assert any("a line of a span nobody reported" in w for w in trace["warnings"]), trace["warnings"]

    # The 64-bit trace: 16 hex digits; also found by its decimal form's hex.
    status, body = api(daemon, f"/api/traces/{777:016x}")
    assert status == 200 and body["data"][0]["traceID"] == f"{777:016x}"


def test_search_and_dependencies(daemon):
    seed(daemon)
    def search(**params):
        status, body = api(daemon, "/api/traces?" + urllib.parse.urlencode(params))
        assert status == 200, body
        return [t["traceID"] for t in body["data"]]
    assert search(service="checkout") == [f"{777:016x}", TRACE_HEX]
    assert search(service="checkout", limit=1) == [f"{777:016x}"]
    assert search(service="checkout", minDuration="10ms") == [TRACE_HEX]
    assert search(service="checkout", maxDuration="2ms") == [f"{777:016x}"]
    assert search(service="checkout", operation="flask.request", tags=json.dumps({"http.method": "POST"})) == [TRACE_HEX]
    assert search(service="payments", tags=json.dumps({"error": "true"})) == [TRACE_HEX]
    assert search(service="checkout", start=(NOW_NS + 500_000_000) // 1000) == [f"{777:016x}"]
    assert search(service="nobody") == []

    status, body = api(daemon, "/api/traces?operation=x")
    assert status == 400 and body["data"] is None and body["errors"][0] == {"code": 400, "msg": "parameter 'service' is required"}
    status, body = api(daemon, "/api/traces?service=checkout&minDuration=fast")
    assert status == 400 and "minDuration" in body["errors"][0]["msg"]
    status, body = api(daemon, "/api/traces/" + "0" * 15 + "1")
    assert status == 404 and body["errors"] == [{"code": 404, "msg": "trace not found"}]
    status, body = api(daemon, "/api/traces/not-hex")
    assert status == 400

    status, body = api(daemon, f"/api/dependencies?endTs={(NOW_NS // 1_000_000) + 60_000}&lookback=3600000")
    assert status == 200
    links = sorted((d["parent"], d["child"], d["callCount"]) for d in body["data"])
    assert links == [("checkout", "checkout-db", 1), ("checkout", "payments", 1)]
