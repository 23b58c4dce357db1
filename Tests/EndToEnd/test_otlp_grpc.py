"""OTLP over gRPC and OTLP logs, with real clients: an app under `opentelemetry-instrument`
left at its exporters' defaults (gRPC), and grpcio sending malformed messages.

Truth comes from the SDK (the IDs it reports at log time), never from what the daemon parsed.
"""

import json
import os
import subprocess
import sys

import grpc

from harness import Daemon, request, walk, wait_for
from test_real_clients import APPS, OTEL_RULES, free_port


def grpc_daemon(extra=""):
    grpc_port, http_port = free_port(), free_port()
    d = Daemon(rules=OTEL_RULES)
    with open(os.path.join(d.config, "tracejoin.yaml"), "w") as f:
        f.write("state_dir: ../state\n"
                f'intake: {{ socket: ../run/intake.sock, tcp: ["127.0.0.1:{http_port}"], grpc: ["127.0.0.1:{grpc_port}"]{extra} }}\n'
                "query: { socket: ../run/query.sock }\n")
    return d, grpc_port, http_port


def run_auto_app(d, port, requests=2):
    log_file = os.path.join(d.logs, "otel.log")
    truth_file = os.path.join(d.root, "truth.json")
    env = {**os.environ,
           "OTEL_SERVICE_NAME": "e2e-auto",
           # Only the port points at the test's listener; the protocol stays the default (gRPC).
           "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{port}",
           "OTEL_PYTHON_LOG_CORRELATION": "true",
           "OTEL_LOGS_EXPORTER": "otlp",
           "OTEL_PYTHON_LOGGING_AUTO_INSTRUMENTATION_ENABLED": "true",
           "OTEL_METRIC_EXPORT_INTERVAL": "500"}
    for key in ("OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_TRACES_EXPORTER"):
        env.pop(key, None)
    out = subprocess.run(["opentelemetry-instrument", sys.executable, os.path.join(APPS, "otel_auto_app.py"),
                          log_file, truth_file, str(requests)],
                         capture_output=True, text=True, timeout=120, env=env, cwd=d.root)
    assert out.returncode == 0, out.stdout + out.stderr
    return json.load(open(truth_file)), out.stdout + out.stderr


def test_zero_code_app_at_its_defaults_joins_file_and_otlp_lines_to_its_spans():
    d, grpc_port, _ = grpc_daemon()
    try:
        d.start()
        truth, output = run_auto_app(d, grpc_port)
        # The exporters (traces, logs and metrics, all gRPC) reported no failure.
        for bad in ("Failed to export", "Transient error", "StatusCode.", "Exception while exporting"):
            assert bad not in output, output
        in_span = [t for t in truth if t["span_id"] != "0"]
        assert len(in_span) == 6

        def placed():
            """{(message, source name): [span it sits under]} over every trace of the truth."""
            found = {}
            for trace_id in {t["trace_id"] for t in in_span}:
                status, doc = d.trace(trace_id)
                if status != 200:
                    return None
                for span in walk(doc["spans"]):
                    for line in span["logs"]:
                        found.setdefault((line["message"], line["source_name"]), []).append(
                            (span["span_id_dd"], doc["trace_id"], line))
            want = {(t["message"], s) for t in in_span for s in ("otel", "otlp")}
            return found if want <= set(found) else None
        found = wait_for(placed, timeout=30, what="every in-span line, from the file and from OTLP, under its span")
        for t in in_span:
            for source in ("otel", "otlp"):
                places = found[(t["message"], source)]
                # Exactly once from each, under exactly the span the SDK was in at log time.
                assert [p[0] for p in places] == [t["span_id"]], (t, source, places)
                assert int(places[0][1], 16) == int(t["trace_id"])
        # The OTLP copy reads as a line: level from the severity, the SDK's fields.
        _, _, slow = found[("auto request 0 slow", "otlp")][0]
        assert slow["level"] == "WARN" and slow["rule"] == "otlp" and slow["source"] == "otlp/grpc"
        assert slow["fields"]["service.name"] == "e2e-auto"
        # Spans came over gRPC with exact IDs.
        status, doc = d.trace(in_span[0]["trace_id"])
        spans = list(walk(doc["spans"]))
        assert {s["service"] for s in spans} == {"e2e-auto"}
        assert {s["protocol"] for s in spans} == {"otlp"}
        assert {int(s["span_id"], 16) for s in spans} >= {int(t["span_id"]) for t in in_span if t["trace_id"] == in_span[0]["trace_id"]}
        # Counted like a file source, and by protocol.
        stats = d.get("/v1/stats")
        rule = stats["sources"]["otlp"]["rules"]["otlp"]
        # (Outside any span: the app's first line, and whatever the SDK itself logs.)
        assert rule["with_trace"] == 6 and rule["without_trace"] >= 1
        assert rule["matched"] == rule["with_trace"] + rule["without_trace"]
        assert stats["intake"]["spans.otlp_grpc"] == 4
        assert stats["intake"]["log_records.otlp_grpc"] == rule["matched"]
        assert stats["intake"].get("metrics_dropped.otlp_grpc", 0) >= 1
        metrics = d.get("/metrics")
        assert 'tracejoin_intake_received_total{kind="spans",protocol="otlp_grpc"} 4' in metrics
        # Search and the web view treat them like any other line.
        page = d.get("/v1/logs?source=otlp&limit=100")
        assert len(page["logs"]) == 6 and {r["log"]["rule"] for r in page["logs"]} == {"otlp"}
    finally:
        d.cleanup()


def raw_call(port, method, payload, compression=None):
    """Sends `payload` bytes as they are to a unary method; returns (status code, details)."""
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        call = channel.unary_unary(method, request_serializer=None, response_deserializer=None)
        try:
            call(payload, timeout=10, compression=compression)
            return grpc.StatusCode.OK, ""
        except grpc.RpcError as e:
            return e.code(), e.details()


TRACES = "/opentelemetry.proto.collector.trace.v1.TraceService/Export"
LOGS = "/opentelemetry.proto.collector.logs.v1.LogsService/Export"
METRICS = "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export"


def span_bytes(trace_id=bytes(range(1, 17)), span_id=bytes(range(1, 9))):
    def field(number, data):
        return bytes([number << 3 | 2, len(data)]) + data
    span = field(1, trace_id) + field(2, span_id) + field(5, b"op")
    return field(1, field(2, field(2, span)))


def test_malformed_grpc_messages_get_the_right_status_and_nothing_is_stored():
    d, grpc_port, _ = grpc_daemon(", max_body: 4KiB")
    try:
        d.start()
        # A good message, then gzip: accepted.
        assert raw_call(grpc_port, TRACES, span_bytes()) == (grpc.StatusCode.OK, "")
        assert raw_call(grpc_port, TRACES, span_bytes(span_id=bytes(range(2, 10))), grpc.Compression.Gzip)[0] == grpc.StatusCode.OK
        # Cut short: INVALID_ARGUMENT naming the field and the byte.
        code, details = raw_call(grpc_port, TRACES, span_bytes()[:-5])
        assert code == grpc.StatusCode.INVALID_ARGUMENT, details
        assert "resource_spans[0]" in details and "at byte" in details, details
        # A trace ID of 3 bytes: the span and field named.
        code, details = raw_call(grpc_port, TRACES, span_bytes(trace_id=b"\x01\x02\x03"))
        assert (code, details) == (grpc.StatusCode.INVALID_ARGUMENT, "span 0: trace_id must be 16 bytes, got 3")
        code, details = raw_call(grpc_port, LOGS, b"\x0a\x05\x12")
        assert code == grpc.StatusCode.INVALID_ARGUMENT and "resource_logs[0] at byte 1" in details, details
        # Over max_body: RESOURCE_EXHAUSTED.
        huge = b"".join(span_bytes(span_id=bytes([9, 9, 9, 9, 9, 9, 9, i])) for i in range(1, 120))
        assert 4096 < len(huge) < 8192
        code, details = raw_call(grpc_port, TRACES, huge)
        assert code == grpc.StatusCode.RESOURCE_EXHAUSTED, details
        # Metrics are answered with success.
        assert raw_call(grpc_port, METRICS, b"")[0] == grpc.StatusCode.OK
        # Nothing of the refused messages was stored; the daemon is up.
        assert d.get("/v1/stats")["intake"]["spans.otlp_grpc"] == 2
        status, doc = d.trace("0102030405060708090a0b0c0d0e0f10")
        assert status == 200 and len(list(walk(doc["spans"]))) == 2
        assert d.proc.poll() is None
    finally:
        d.cleanup()


def test_otlp_http_logs_and_metrics_routes():
    d, _, http_port = grpc_daemon(", otlp_logs: { source: applogs, keep_untraced: true }")
    try:
        d.start()
        import urllib.request
        body = json.dumps({"resourceLogs": [{"resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "web"}}]},
                           "scopeLogs": [{"logRecords": [
                               {"timeUnixNano": "1764000000000000000", "severityText": "ERROR", "body": {"stringValue": "<script>x</script>"},
                                "traceId": "0102030405060708090a0b0c0d0e0f10", "spanId": "0102030405060708"},
                               {"severityNumber": 9, "body": {"stringValue": "no trace"}}]}]}]}).encode()

        def post(path, data, ctype="application/json"):
            req = urllib.request.Request(f"http://127.0.0.1:{http_port}{path}", data=data, headers={"Content-Type": ctype})
            try:
                with urllib.request.urlopen(req, timeout=10) as r:
                    return r.status, r.read()
            except urllib.error.HTTPError as e:
                return e.code, e.read()
        assert post("/v1/logs", body) == (200, b"{}")
        status, reply = post("/v1/logs", b'{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"traceId":"0102"}]}]}]}')
        assert status == 400 and b"log record 0: trace_id must be 16 bytes, got 2" in reply, reply
        status, reply = post("/v1/logs", b"\x0a\x05\x12", "application/x-protobuf")
        assert status == 400 and b"resource_logs[0] at byte 1" in reply, reply
        assert post("/v1/metrics", b"", "application/x-protobuf")[0] == 200
        page = wait_for(lambda: (lambda p: p if len(p["logs"]) == 2 else None)(d.get("/v1/logs?source=applogs")),
                        what="both records under the configured source")
        assert {r["log"]["message"] for r in page["logs"]} == {"<script>x</script>", "no trace"}, page
        stats = d.get("/v1/stats")
        assert stats["intake"]["log_records.otlp_http"] == 2 and stats["intake"]["metrics_dropped.otlp_http"] == 1
        assert stats["sources"]["applogs"]["rules"]["otlp"]["without_trace"] == 1
    finally:
        d.cleanup()


def test_a_grpc_listener_off_loopback_is_refused_without_allow_non_loopback():
    d = Daemon(rules=OTEL_RULES)
    with open(os.path.join(d.config, "tracejoin.yaml"), "w") as f:
        f.write("state_dir: ../state\nintake: { socket: ../run/intake.sock, grpc: [\"0.0.0.0:4317\"] }\nquery: { socket: ../run/query.sock }\n")
    try:
        out = d.cli("serve", "--config", d.config)
        assert out.returncode != 0
        assert "intake.grpc: 0.0.0.0:4317 is not a loopback address" in out.stderr, out.stderr
    finally:
        d.cleanup()
