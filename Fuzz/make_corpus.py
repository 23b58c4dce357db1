#!/usr/bin/env python3
"""Builds the seed corpus of every fuzz target under Fuzz/corpus/<target>/ (committed).

Payloads are real captures: the end-to-end tests' apps (apps/ddtrace_app.py with the real
ddtrace, v0.4 and v0.5; apps/otel_app.py with the OpenTelemetry SDK's OTLP/HTTP exporter;
apps/otel_auto_app.py under opentelemetry-instrument, for OTLP logs; OpenTelemetry's Zipkin
exporter) send to a capturing HTTP server here, which keeps each body. The other targets get the
project's own inputs: the example rule files and tracejoin.yaml, the grok expressions in them,
IDs in every form, a block written by the index's encoder, query strings.

    python3 Fuzz/make_corpus.py   # needs Tests/EndToEnd/requirements.txt and a debug build
"""

import hashlib
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading

ROOT = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(ROOT)
APPS = os.path.join(REPO, "Tests", "EndToEnd", "apps")
CORPUS = os.path.join(ROOT, "corpus")
ROUTES = {"/v0.4/traces": "datadog-v04", "/v0.5/traces": "datadog-v05", "/v1/traces": "otlp-protobuf",
          "/v1/logs": "otlp-logs-protobuf", "/api/v2/spans": "zipkin"}


def keep(target, data):
    directory = os.path.join(CORPUS, target)
    os.makedirs(directory, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(directory, name), "wb") as f:
        f.write(data)


class Capture(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        body = json.dumps({"version": "capture", "endpoints": ["/v0.4/traces", "/v0.5/traces"]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_PUT(self):
        self.do_POST()

    def do_POST(self):
        data = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        target = ROUTES.get(self.path.split("?")[0])
        if target and data:
            keep(target, data)
        body = b'{"rate_by_service":{}}' if self.path.startswith("/v0.") else b""
        self.send_response(200 if self.path.startswith("/v") else 202)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def main():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Capture)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    work = tempfile.mkdtemp(prefix="tj-corpus-")
    try:
        env = {**os.environ}
        for version in ("v0.4", "v0.5"):
            subprocess.run([sys.executable, os.path.join(APPS, "ddtrace_app.py"), f"{work}/a.log", f"{work}/a.json", f"{work}/t.json", "3"],
                           env={**env, "DD_TRACE_AGENT_URL": url, "DD_TRACE_API_VERSION": version, "DD_INSTRUMENTATION_TELEMETRY_ENABLED": "false"},
                           check=True, capture_output=True, timeout=120)
        subprocess.run([sys.executable, os.path.join(APPS, "otel_app.py"), f"{url}/v1/traces", f"{work}/o.log", f"{work}/t.json", "3"],
                       check=True, capture_output=True, timeout=120)
        subprocess.run(["opentelemetry-instrument", sys.executable, os.path.join(APPS, "otel_auto_app.py"), f"{work}/p.log", f"{work}/t.json", "2"],
                       env={**env, "OTEL_SERVICE_NAME": "corpus", "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf", "OTEL_EXPORTER_OTLP_ENDPOINT": url,
                            "OTEL_LOGS_EXPORTER": "otlp", "OTEL_PYTHON_LOGGING_AUTO_INSTRUMENTATION_ENABLED": "true", "OTEL_METRICS_EXPORTER": "none"},
                       check=True, capture_output=True, timeout=120)
        zipkin = ("import sys\nfrom opentelemetry import trace\nfrom opentelemetry.sdk.trace import TracerProvider\n"
                  "from opentelemetry.sdk.trace.export import SimpleSpanProcessor\nfrom opentelemetry.sdk.resources import Resource\n"
                  "from opentelemetry.exporter.zipkin.json import ZipkinExporter\n"
                  "p = TracerProvider(resource=Resource.create({'service.name': 'corpus'}))\n"
                  "p.add_span_processor(SimpleSpanProcessor(ZipkinExporter(endpoint=sys.argv[1])))\n"
                  "t = p.get_tracer('c')\n"
                  "with t.start_as_current_span('GET /', kind=trace.SpanKind.SERVER) as s:\n"
                  "    s.set_attribute('http.status_code', 500)\n"
                  "    with t.start_as_current_span('db'):\n        pass\np.shutdown()\n")
        subprocess.run([sys.executable, "-c", zipkin, f"{url}/api/v2/spans"], check=True, capture_output=True, timeout=60)
    finally:
        server.shutdown()
        shutil.rmtree(work, ignore_errors=True)

    # OTLP/JSON: the specification's example shapes (no Python exporter writes JSON).
    keep("otlp-json", json.dumps({"resourceSpans": [{"resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "checkout"}}]},
        "scopeSpans": [{"spans": [{"traceId": "5b8efff798038103d269b633813fc60c", "spanId": "eee19b7ec3c1b174", "parentSpanId": "eee19b7ec3c1b173",
        "name": "GET /", "kind": 2, "startTimeUnixNano": "1544712660000000000", "endTimeUnixNano": "1544712661000000000",
        "attributes": [{"key": "http.status_code", "value": {"intValue": "500"}}], "status": {"code": "STATUS_CODE_ERROR", "message": "x"}}]}]}]}).encode())
    keep("otlp-logs-json", json.dumps({"resourceLogs": [{"resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "checkout"}}]},
        "scopeLogs": [{"logRecords": [{"timeUnixNano": "1544712660300000000", "severityNumber": "SEVERITY_NUMBER_WARN", "severityText": "WARN",
        "traceId": "5b8efff798038103d269b633813fc60c", "spanId": "eee19b7ec3c1b174", "body": {"kvlistValue": {"values": [
        {"key": "a", "value": {"arrayValue": {"values": [{"intValue": 1}, {"doubleValue": 2.5}, {"bytesValue": "AQI="}]}}}]}}}]}]}]}).encode())
    keep("ndjson", b'{"trace_id":"4611686018427387999","span_id":"1","service":"web","name":"GET /","start":1764000000000000000,"duration":5}\n'
                   b'{"trace_id":"5b8efff798038103d269b633813fc60c","span_id":"eee19b7ec3c1b174","parent_id":"1","error":true,"meta":{"k":"v"},"metrics":{"m":1.5}}\n')
    keep("json-rule", b'{"event":"paid","level":"info","dd":{"trace_id":"123","span_id":"4"},"n":[1,{"x":null}],"ok":true,"f":-1.5e3}')
    for name in sorted(os.listdir(os.path.join(REPO, "config", "rules.d"))):
        text = open(os.path.join(REPO, "config", "rules.d", name), "rb").read()
        keep("rule-file", text)
        for line in text.decode().splitlines():
            if "grok:" in line:
                keep("grok", line.split("grok:", 1)[1].strip().strip("'").encode() + b"\n2026-12-01 10:00:00,123 INFO [x] - hello")
    keep("daemon-config", open(os.path.join(REPO, "config", "tracejoin.yaml"), "rb").read())
    for pattern in ("yyyy-MM-dd'T'HH:mm:ss.SSSZ", "dd/MMM/yyyy:HH:mm:ss Z", "EEE MMM d HH:mm:ss yyyy", "HH:mm:ss,SSS"):
        keep("java-date", pattern.encode())
    for token in ("4611686018427387999", "5b8efff798038103d269b633813fc60c", "eee19b7ec3c1b174", "18446744073709551615", "0", "-"):
        keep("ids", token.encode())
    keep("query-params", b"trace_id=5b8efff798038103d269b633813fc60c&since=15m&until=2026-11-29T04:00:00Z&limit=10&q=a%20b+c")
    # Field text for the Datadog filters that parse it by hand (docs/grok.md's examples).
    for text in ('key1=value1,key2="quoted value" <k>=<v> {a}={b}', '{name => "John", "job" => {"title" => "CTO", "n" => [1, 2]}}',
                 '<book category="CHILDREN"><title lang="en">Harry Potter</title><title>x</title></book>',
                 'https://user:pw@example.com:8443/a/b?x=1&y=%2F#frag', 'John,"Doe, Jr.",42', '[1,2,3]', '2026-12-06T10:00:00.123+01:00',
                 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36'):
        keep("filters", text.encode())
    block = os.path.join(tempfile.gettempdir(), "tj-seed-block")
    subprocess.run([os.path.join(REPO, ".build", "debug", "tracejoin-fuzz"), "seed-block", block], check=True)
    keep("log-block", open(block, "rb").read())
    os.remove(block)
    subprocess.run([os.path.join(REPO, ".build", "debug", "tracejoin-fuzz"), "seed-span-block", block], check=True)
    keep("span-block", open(block, "rb").read())
    os.remove(block)
    subprocess.run([os.path.join(REPO, ".build", "debug", "tracejoin-fuzz"), "seed-trace-groups", block], check=True)
    keep("trace-groups", open(block, "rb").read())
    os.remove(block)
    for target in sorted(os.listdir(CORPUS)):
        print(f"{target}: {len(os.listdir(os.path.join(CORPUS, target)))} seeds")


if __name__ == "__main__":
    main()
