"""Zipkin v2 JSON on the intake, sent by the real OpenTelemetry Zipkin exporter (PyPI)."""

import json
import os
import subprocess
import sys
import urllib.request

from harness import Daemon, wait_for
from test_query_tcp import free_port

APP = r"""
import sys
from opentelemetry import trace
from opentelemetry.exporter.zipkin.json import ZipkinExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.trace import SpanKind, Status, StatusCode

exporter = ZipkinExporter(endpoint=sys.argv[1])
provider = TracerProvider(resource=Resource.create({"service.name": "zipkin-app"}))
provider.add_span_processor(SimpleSpanProcessor(exporter))
tracer = provider.get_tracer("e2e")
with tracer.start_as_current_span("checkout", kind=SpanKind.SERVER) as root:
    root.set_attribute("http.method", "POST")
    with tracer.start_as_current_span("charge", kind=SpanKind.CLIENT) as child:
        child.set_status(Status(StatusCode.ERROR, "card declined"))
    ctx = root.get_span_context()
    print(format(ctx.trace_id, "032x"), format(ctx.span_id, "016x"), format(child.get_span_context().span_id, "016x"))
provider.shutdown()
"""


def test_the_opentelemetry_zipkin_exporter_reaches_the_index():
    port = free_port()
    d = Daemon()
    try:
        with open(os.path.join(d.config, "tracejoin.yaml"), "w") as f:
            f.write(f'state_dir: ../state\nintake: {{ socket: ../run/intake.sock, tcp: ["127.0.0.1:{port}"] }}\n'
                    "query: { socket: ../run/query.sock }\n")
        d.start()
        out = subprocess.run([sys.executable, "-c", APP, f"http://127.0.0.1:{port}/api/v2/spans"],
                             capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        trace_hex, root_hex, child_hex = out.stdout.split()[:3]
        # The exporter logs a failure for any answer but 2xx.
        assert "Failed" not in out.stderr, out.stderr
        wait_for(lambda: d.trace(trace_hex)[0] == 200 and d.trace(trace_hex)[1]["span_count"] == 2, what="both spans stored")
        doc = d.trace(trace_hex)[1]
        root = doc["spans"][0]
        assert doc["trace_id"] == trace_hex
        assert root["span_id"] == root_hex and root["service"] == "zipkin-app" and root["name"] == "checkout"
        assert root["protocol"] == "zipkin" and root["meta"]["http.method"] == "POST" and root["meta"]["span.kind"] == "server"
        child = root["children"][0]
        assert child["span_id"] == child_hex and child["error"] is True and child["meta"]["span.kind"] == "client"

        # Bad input: 400 naming the span and the field.
        request = urllib.request.Request(f"http://127.0.0.1:{port}/api/v2/spans", method="POST",
                                         data=json.dumps([{"traceId": "abc", "id": "0000000000000001"}]).encode(),
                                         headers={"Content-Type": "application/json"})
        try:
            urllib.request.urlopen(request, timeout=10)
            raise AssertionError("a bad span was accepted")
        except urllib.error.HTTPError as error:
            assert error.code == 400
            body = json.loads(error.read())
            assert "span 0: traceId" in body["detail"], body
    finally:
        d.cleanup()
