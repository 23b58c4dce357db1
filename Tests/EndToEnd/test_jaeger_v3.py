"""What the tracers sent, where operators look (issue 26): OpenTelemetry's Python SDK sends a span
with an exception event, a link, typed attributes and resource attributes; Jaeger's v1 API (what
Grafana and Jaeger UI's trace view read) and v3 API (Jaeger UI's lists and search since 2.15/2.19)
answer with all of it, in the shapes Jaeger's own query service writes (docs/api.md cites them)."""

import json
import os
import time
import urllib.parse

import pytest
from opentelemetry import trace as otel_trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.trace import Link, SpanContext, SpanKind, Status, StatusCode, TraceFlags

from harness import Daemon, ddtrace_line, free_port, request, wait_for

LINKED_TRACE, LINKED_SPAN = 0x0AF7651916CD43DD8448EB211C80319C, 0xB7AD6B7169203331
BIG = 9007199254740993  # 2^53 + 1: a float would make it ...992


@pytest.fixture(scope="module")
def sent():
    port = free_port()
    d = Daemon()
    with open(os.path.join(d.config, "tracejoin.yaml"), "w") as f:
        f.write("state_dir: ../state\n"
                f'intake: {{ socket: ../run/intake.sock, tcp: ["127.0.0.1:{port}"] }}\n'
                "query: { socket: ../run/query.sock }\n")
    d.start()
    provider = TracerProvider(resource=Resource.create({"service.name": "shop api", "host.name": "node-1", "k8s.pod.name": "web-1"}))
    provider.add_span_processor(SimpleSpanProcessor(OTLPSpanExporter(endpoint=f"http://127.0.0.1:{port}/v1/traces")))
    tracer = provider.get_tracer("test")
    linked = SpanContext(trace_id=LINKED_TRACE, span_id=LINKED_SPAN, is_remote=True, trace_flags=TraceFlags(1))
    with tracer.start_as_current_span("GET /orders", kind=SpanKind.SERVER,
                                      attributes={"http.status_code": 500, "cache.hit": True, "big": BIG, "ratio": 0.5}) as root:
        try:
            raise ValueError("boom")
        except ValueError as error:
            root.record_exception(error)
        root.set_status(Status(StatusCode.ERROR, "boom"))
        with tracer.start_as_current_span("SELECT orders", kind=SpanKind.CLIENT, links=[Link(linked, {"why": "batch"})]) as child:
            trace_id, root_id, child_id = root.get_span_context().trace_id, root.get_span_context().span_id, child.get_span_context().span_id
    provider.force_flush()
    trace_hex = f"{trace_id:032x}"
    # A line of the root span, and a trace of lines only.
    d.append("app.log", [ddtrace_line(trace_hex, str(root_id), "order failed", level="ERROR"),
                         ddtrace_line(4242, 7, "a line of a trace no tracer reported")])
    wait_for(lambda: request(d.query_socket, "GET", f"/v1/traces/{trace_hex}")[0] == 200
             and len(request(d.query_socket, "GET", f"/v1/traces/{trace_hex}")[1]["spans"]) >= 1
             and d.get("/v1/logs?trace_id=4242")["logs"], what="the spans and the lines")
    yield d, trace_hex, f"{root_id:016x}", f"{child_id:016x}"
    provider.shutdown()
    d.cleanup()


def get(d, path):
    return request(d.query_socket, "GET", path)


def v1_trace(d, text):
    status, body = get(d, f"/api/traces/{text}")
    assert status == 200, body
    return body["data"][0]


def test_v1_keeps_events_links_resources_and_types(sent):
    d, trace_hex, root_id, child_id = sent
    t = v1_trace(d, trace_hex)
    spans = {s["spanID"]: s for s in t["spans"]}
    root, child = spans[root_id], spans[child_id]
    # Resource attributes are the process's tags (Grafana's trace-to-logs maps host.name, k8s.pod.name).
    process = t["processes"][root["processID"]]
    assert process["serviceName"] == "shop api"
    ptags = {kv["key"]: kv for kv in process["tags"]}
    assert ptags["host.name"] == {"key": "host.name", "type": "string", "value": "node-1"}
    assert ptags["k8s.pod.name"]["value"] == "web-1"
    assert not any(kv["key"].startswith("resource.host") for kv in root["tags"])
    # Typed as sent: a bool, an int beyond 2^53 exact (a string, as Jaeger writes it), a float.
    tags = {kv["key"]: kv for kv in root["tags"]}
    assert tags["cache.hit"] == {"key": "cache.hit", "type": "bool", "value": True}
    assert tags["big"] == {"key": "big", "type": "int64", "value": str(BIG)}
    assert tags["http.status_code"] == {"key": "http.status_code", "type": "int64", "value": 500}
    assert tags["ratio"] == {"key": "ratio", "type": "float64", "value": 0.5}
    assert tags["span.kind"]["value"] == "server" and tags["error"]["value"] is True
    # The exception event is a span log (event, type, message, stack), beside the joined line.
    events = [{f["key"]: f["value"] for f in log["fields"]} for log in root["logs"]]
    exception = next(e for e in events if e.get("event") == "exception")
    assert exception["exception.type"] == "ValueError" and exception["exception.message"] == "boom"
    assert "Traceback" in exception["exception.stacktrace"]
    assert any(e.get("message") == "order failed" for e in events)
    # The link is a FOLLOWS_FROM reference beside the CHILD_OF parent; always arrays.
    assert child["references"] == [
        {"refType": "CHILD_OF", "traceID": trace_hex, "spanID": root_id},
        {"refType": "FOLLOWS_FROM", "traceID": f"{LINKED_TRACE:032x}", "spanID": f"{LINKED_SPAN:016x}"},
    ]
    assert root["references"] == [] and child["logs"] == []


def test_v1_ids_as_users_paste_them_and_search_by_id(sent):
    d, trace_hex, _, _ = sent
    # Leading zeros dropped (as Grafana shows them), upper case.
    assert v1_trace(d, trace_hex.lstrip("0").upper())["traceID"] == trace_hex
    # By ID without a service (Jaeger UI's compare view), unknown IDs reported, not fatal.
    status, body = get(d, f"/api/traces?traceID={trace_hex}&traceID=ffff")
    assert status == 200 and [t["traceID"] for t in body["data"]] == [trace_hex]
    assert body["errors"][0]["code"] == 404
    # A trace of lines only: one span stands for them, carrying every line as a log.
    lines_only = v1_trace(d, "4242")
    assert len(lines_only["spans"]) == 1
    assert any(f["value"] == "a line of a trace no tracer reported" for l in lines_only["spans"][0]["logs"] for f in l["fields"])
    assert lines_only["warnings"]


def test_v1_search_by_typed_tags_kind_and_encoded_names(sent):
    d, trace_hex, _, _ = sent
    now = time.time_ns() // 1000

    def search(**params):
        params.setdefault("service", "shop api")
        params.setdefault("start", now - 3600 * 1_000_000)
        params.setdefault("end", now + 60 * 1_000_000)
        status, body = get(d, "/api/traces?" + urllib.parse.urlencode(params))
        assert status == 200, body
        return [t["traceID"] for t in body["data"]]
    assert search(tags=json.dumps({"http.status_code": "500"})) == [trace_hex]
    assert search(tags=json.dumps({"http.status_code": "404"})) == []
    assert search(tags=json.dumps({"cache.hit": "true"})) == [trace_hex]
    assert search(tag="error:true") == [trace_hex]
    assert search(spanKind="client") == [trace_hex]
    # A service name with a space: percent-decoded in the path.
    status, body = get(d, "/api/services/shop%20api/operations")
    assert status == 200 and body["data"] == ["GET /orders", "SELECT orders"]
    status, body = get(d, "/api/operations?service=shop%20api&spanKind=server")
    assert body["data"] == [{"name": "GET /orders", "spanKind": "server"}]


def test_v3_services_operations_traces_and_summaries(sent):
    d, trace_hex, root_id, child_id = sent
    status, body = get(d, "/api/v3/services")
    assert status == 200 and "shop api" in body["services"]
    status, body = get(d, "/api/v3/operations?service=shop%20api&spanKind=client")
    assert body == {"operations": [{"name": "SELECT orders", "spanKind": "client"}]}
    # A trace as OTLP/JSON: hex IDs, times and ints as decimal strings, kind and status as numbers.
    status, body = get(d, f"/api/v3/traces/{trace_hex}")
    assert status == 200, body
    rs = body["result"]["resourceSpans"]
    resource = {a["key"]: a["value"] for a in rs[0]["resource"]["attributes"]}
    assert resource["service.name"] == {"stringValue": "shop api"} and resource["host.name"] == {"stringValue": "node-1"}
    spans = {s["spanId"]: s for r in rs for ss in r["scopeSpans"] for s in ss["spans"]}
    root, child = spans[root_id], spans[child_id]
    assert root["traceId"] == trace_hex and root["kind"] == 2 and child["kind"] == 3 and child["parentSpanId"] == root_id
    assert isinstance(root["startTimeUnixNano"], str) and int(root["endTimeUnixNano"]) > int(root["startTimeUnixNano"])
    attrs = {a["key"]: a["value"] for a in root["attributes"]}
    assert attrs["big"] == {"intValue": str(BIG)} and attrs["cache.hit"] == {"boolValue": True}
    assert attrs["http.status_code"] == {"intValue": "500"} and attrs["ratio"] == {"doubleValue": 0.5}
    assert root["status"] == {"code": 2, "message": "boom"}
    assert root["events"][0]["name"] == "exception" and isinstance(root["events"][0]["timeUnixNano"], str)
    assert child["links"][0]["traceId"] == f"{LINKED_TRACE:032x}" and child["links"][0]["spanId"] == f"{LINKED_SPAN:016x}"
    # Search, with the parameters Jaeger UI 2.19 sends (camelCase, ISO times to the millisecond).
    now = time.time()
    iso = lambda t: time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(t))
    q = {"query.serviceName": "shop api", "query.startTimeMin": iso(now - 3600), "query.startTimeMax": iso(now + 60),
         "query.attributes": json.dumps({"http.status_code": "500"}), "query.searchDepth": "20"}
    status, body = get(d, "/api/v3/traces?" + urllib.parse.urlencode(q))
    assert status == 200, body
    assert {s["traceId"] for r in body["result"]["resourceSpans"] for ss in r["scopeSpans"] for s in ss["spans"]} == {trace_hex}
    status, body = get(d, "/api/v3/trace-summaries?" + urllib.parse.urlencode(q))
    assert status == 200
    [summary] = body["summaries"]
    assert summary["traceId"] == trace_hex and summary["rootServiceName"] == "shop api" and summary["rootOperationName"] == "GET /orders"
    assert summary["spanCount"] == 2 and summary["errorSpanCount"] == 1 and "orphanSpanCount" not in summary
    assert summary["services"] == [{"name": "shop api", "spanCount": 2, "errorSpanCount": 1}]
    assert isinstance(summary["minStartTimeUnixNano"], str)
    # Snake_case aliases (before 2.19), and Jaeger's answers to nothing found and to bad input.
    old = {"query.service_name": "shop api", "query.start_time_min": iso(now - 3600), "query.start_time_max": iso(now + 60)}
    assert get(d, "/api/v3/trace-summaries?" + urllib.parse.urlencode(old))[1]["summaries"][0]["traceId"] == trace_hex
    status, body = get(d, "/api/v3/traces?" + urllib.parse.urlencode({**q, "query.serviceName": "nobody"}))
    assert status == 404 and body == {"error": {"httpCode": 404, "message": "No traces found"}}
    assert get(d, "/api/v3/trace-summaries?" + urllib.parse.urlencode({**q, "query.serviceName": "nobody"})) == (200, {"summaries": []})
    status, body = get(d, "/api/v3/traces?query.serviceName=x")
    assert status == 400 and body["error"]["httpCode"] == 400
    status, body = get(d, "/api/v3/traces/xyz")
    assert status == 400 and "trace_id" in body["error"]["message"]


def test_grafana_and_jaeger_ui_requests_with_the_token_as_they_send_it(sent):
    """The requests Grafana's Jaeger data source (v1, `pkg/tsdb/jaeger`, `responseTransform.ts`)
    and Jaeger UI (v3 lists and summaries, v1 trace view) make, over a TCP listener with a token:
    Basic auth (Grafana's option: any user, the token as password) and a Bearer header (Grafana's
    custom HTTP header). Every field their transforms read is there and of the right type."""
    import base64
    import http.client
    src, trace_hex, _, _ = sent
    port = free_port()
    d = Daemon(root=None)
    with open(os.path.join(d.config, "tracejoin.yaml"), "w") as f:
        f.write(f'state_dir: ../state\nintake: {{ socket: ../run/intake.sock }}\nquery: {{ socket: ../run/query.sock, tcp: ["127.0.0.1:{port}"] }}\n')
    try:
        d.start()
        token = open(os.path.join(d.root, "state", "query.token")).read().strip()
        status, _ = d.post_spans([{"trace_id": "5151", "span_id": "1", "service": "grafana-app", "name": "op", "start": time.time_ns(),
                                   "duration": 1000}])
        assert status == 200

        def call(path, headers):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            try:
                conn.request("GET", path, headers=headers)
                resp = conn.getresponse()
                return resp.status, json.loads(resp.read() or b"null")
            finally:
                conn.close()
        basic = {"Authorization": "Basic " + base64.b64encode(f"grafana:{token}".encode()).decode()}
        bearer = {"Authorization": f"Bearer {token}"}
        wrong = {"Authorization": "Basic " + base64.b64encode(b"grafana:wrong").decode()}
        assert call("/api/services", wrong)[0] == 401
        for headers in (basic, bearer):
            status, body = call("/api/services", headers)
            assert status == 200 and "grafana-app" in body["data"]
        # Grafana's search, then its trace query; its transform maps over logs and references.
        now = time.time_ns() // 1000
        status, body = call(f"/api/traces?service=grafana-app&limit=20&start={now - 3600_000_000}&end={now + 60_000_000}&lookback=1h", basic)
        assert status == 200 and [t["traceID"] for t in body["data"]] == [f"{5151:016x}"]
        status, body = call(f"/api/traces/{5151:x}", basic)  # "1413": leading zeros dropped, as Grafana shows IDs
        assert status == 200
        t = body["data"][0]
        for s in t["spans"]:
            assert isinstance(s["logs"], list) and isinstance(s["references"], list) and isinstance(s["tags"], list)
            assert s["processID"] in t["processes"] and isinstance(t["processes"][s["processID"]]["tags"], list)
            assert isinstance(s["startTime"], int) and isinstance(s["duration"], int)
        # Jaeger UI ≥ 2.15 lists, ≥ 2.19 search.
        assert call("/api/v3/services", bearer)[1]["services"] == ["grafana-app"]
        assert call("/api/v3/operations?service=grafana-app", bearer)[1] == {"operations": [{"name": "op", "spanKind": "internal"}]}
    finally:
        d.cleanup()


def test_the_web_view_shows_attributes_events_and_links(sent):
    d, trace_hex, root_id, child_id = sent
    status, page = get(d, f"/trace/{trace_hex}")
    assert status == 200 and f'data-src="/trace/{trace_hex}/span/{root_id}?start=' in page
    # A span's detail, as its row fetches it when opened.
    status, page = get(d, f"/trace/{trace_hex}/span/{root_id}")
    assert status == 200
    assert 'class="fields attributes"' in page and "<th>resource.host.name</th>" not in page
    assert '<span class="event-name">exception</span>' in page and "ValueError" in page and 'class="stack"' in page
    assert f'href="/trace/{LINKED_TRACE:032x}"' in get(d, f"/trace/{trace_hex}/span/{child_id}")[1]
    assert "<th>host.name</th><td>node-1</td>" in page
    assert "<th>big</th><td>9007199254740993</td><td class=\"type\">int</td>" in page


def test_ddtrace_links_and_events_reach_jaeger(tmp_path):
    """The real ddtrace's span link (v0.4 `span_links`, or `_dd.span_links` in meta) and span
    event (`events` in meta, ddtrace's default) become a FOLLOWS_FROM reference and a span log."""
    import subprocess
    import sys
    d = Daemon()
    try:
        d.start()
        app = os.path.join(os.path.dirname(__file__), "apps", "ddtrace_links_app.py")
        out = subprocess.run([sys.executable, app], capture_output=True, text=True, timeout=60,
                             env={**os.environ, "DD_TRACE_AGENT_URL": f"unix://{d.intake_socket}", "DD_TRACE_STARTUP_LOGS": "false",
                                  "DD_INSTRUMENTATION_TELEMETRY_ENABLED": "false", "DD_REMOTE_CONFIGURATION_ENABLED": "false"})
        assert out.returncode == 0, out.stderr[-2000:]
        ids = json.loads(out.stdout.strip().splitlines()[-1])
        trace_hex = f"{ids['trace_id']:032x}" if ids["trace_id"] >= 1 << 64 else f"{ids['trace_id']:016x}"
        wait_for(lambda: get(d, f"/api/traces/{trace_hex}")[0] == 200, what="the ddtrace span")
        [span] = v1_trace(d, trace_hex)["spans"]
        follows = [r for r in span["references"] if r["refType"] == "FOLLOWS_FROM"]
        assert follows == [{"refType": "FOLLOWS_FROM", "traceID": f"{LINKED_TRACE:032x}", "spanID": f"{LINKED_SPAN:016x}"}], span["references"]
        events = [{f["key"]: f["value"] for f in log["fields"]} for log in span["logs"]]
        assert any(e.get("event") == "retry" and e.get("reason") == "timeout" for e in events), events
        assert not any(t["key"] in ("events", "_dd.span_links") for t in span["tags"])
    finally:
        d.cleanup()


def test_bytes_attributes_are_binary_in_v1_and_bytes_in_v3(sent):
    """OTLP's `bytesValue` (the Python SDK turns bytes into text, so the export is written by
    hand): Jaeger v1 writes type `binary` with the base64, as Go's encoding/json writes []byte,
    and v3 gives `bytesValue` back; on the span, its resource and its events alike."""
    import base64
    d, _, _, _ = sent
    raw = bytes([0, 1, 0xFE, 0xFF])
    b64 = base64.b64encode(raw).decode()
    now = time.time_ns()
    payload = {"resourceSpans": [{
        "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "bytes-app"}},
                                    {"key": "build.digest", "value": {"bytesValue": b64}}]},
        "scopeSpans": [{"spans": [{
            "traceId": "00000000000000000000000000b17e5b", "spanId": "00000000000000b1", "name": "op", "kind": 1,
            "startTimeUnixNano": str(now), "endTimeUnixNano": str(now + 1000),
            "attributes": [{"key": "payload", "value": {"bytesValue": b64}}, {"key": "text", "value": {"stringValue": b64}}],
            "events": [{"timeUnixNano": str(now), "name": "frame", "attributes": [{"key": "data", "value": {"bytesValue": b64}}]}]}]}]}]}
    status, body = request(d.intake_socket, "POST", "/v1/traces", json.dumps(payload).encode(), {"Content-Type": "application/json"})
    assert status == 200, body
    wait_for(lambda: get(d, "/api/traces/b17e5b")[0] == 200, what="the span with bytes")
    t = v1_trace(d, "b17e5b")
    [span] = t["spans"]
    tags = {kv["key"]: kv for kv in span["tags"]}
    assert tags["payload"] == {"key": "payload", "type": "binary", "value": b64}
    assert tags["text"] == {"key": "text", "type": "string", "value": b64}
    ptags = {kv["key"]: kv for kv in t["processes"][span["processID"]]["tags"]}
    assert ptags["build.digest"] == {"key": "build.digest", "type": "binary", "value": b64}
    [event] = span["logs"]
    assert {"key": "data", "type": "binary", "value": b64} in event["fields"]
    status, body = get(d, "/api/v3/traces/b17e5b")
    assert status == 200, body
    [rs] = body["result"]["resourceSpans"]
    assert {"key": "build.digest", "value": {"bytesValue": b64}} in rs["resource"]["attributes"]
    [s] = rs["scopeSpans"][0]["spans"]
    attrs = {a["key"]: a["value"] for a in s["attributes"]}
    assert attrs["payload"] == {"bytesValue": b64} and attrs["text"] == {"stringValue": b64}
    assert {"key": "data", "value": {"bytesValue": b64}} in s["events"][0]["attributes"]
