"""The real ddtrace and OpenTelemetry clients against the real daemon.

A small app of the project's (apps/ddtrace_app.py, apps/otel_app.py) logs inside nested spans
and records the IDs its tracer reports at log time; the test then asks the query API where each
line landed. Truth comes from the tracer, never from the text the daemon parsed.
"""

import json
import os
import subprocess
import sys

import pytest

from harness import Daemon, free_port, walk, wait_for

APPS = os.path.join(os.path.dirname(__file__), "apps")

DDTRACE_RULES = r"""
source: stdlib
paths: ["logs/app.log"]
multiline: { start: '^%{TIMESTAMP_ISO8601} ' }
patterns:
  DDIDS: 'dd\.trace_id=%{TRACEID:trace_id} dd\.span_id=%{SPANID:span_id}'
rules:
  - name: python-ddtrace
    grok: '%{TIMESTAMP_ISO8601:timestamp} %{LOGLEVEL:level} \[%{DATA:logger}\] \[%{DATA:code_file}:%{INT:code_line}\] \[.*?%{DDIDS}\] - %{GREEDYDATA:message}'
    ids: { trace: auto, span: decimal }
"""

JSON_RULES = r"""
source: structlog
paths: ["logs/app.json"]
rules:
  - name: structlog
    json: { trace_id: dd.trace_id, span_id: dd.span_id, message: event, level: level }
    ids: { trace: auto, span: decimal }
"""


def run_app(d, script, env, *args):
    out = subprocess.run([sys.executable, os.path.join(APPS, script), *args], capture_output=True, text=True,
                         timeout=120, env={**os.environ, **env}, cwd=d.root)
    assert out.returncode == 0, out.stdout + out.stderr
    return out


def located(d, truth):
    """{(message, span_id): [(span the line sits under, trace_id)]} for every in-span truth entry."""
    found = {}
    for t in truth:
        if t["span_id"] == "0":
            continue
        status, doc = d.trace(t["trace_id"])
        if status != 200:
            continue
        for span in walk(doc["spans"]):
            for line in span["logs"]:
                if line["message"].split("\n")[0] == t["message"]:
                    found.setdefault((t["message"], t["span_id"]), []).append((span["span_id_dd"], doc["trace_id"]))
    return found


def check_every_line_joined(d, truth, minimum=6):
    in_span = [t for t in truth if t["span_id"] != "0"]
    assert len(in_span) >= minimum

    def all_there():
        found = located(d, truth)
        return found if len(found) == len(in_span) else None
    found = wait_for(all_there, timeout=30, what="every in-span line joined to its span")
    for t in in_span:
        places = found[(t["message"], t["span_id"])]
        # Exactly once, under exactly the span the tracer was in when the line was logged.
        assert [p[0] for p in places] == [t["span_id"]], (t, places)
        assert int(places[0][1], 16) & ((1 << 64) - 1) == int(t["trace_id"]) & ((1 << 64) - 1)
    return found


@pytest.mark.parametrize("api,wide", [("v0.5", True), ("v0.4", True), ("v0.5", False), ("v0.4", False)],
                         ids=["v0.5-128bit", "v0.4-128bit", "v0.5-64bit", "v0.4-64bit"])
def test_ddtrace_logs_join_their_spans(api, wide):
    d = Daemon(rules=DDTRACE_RULES)
    d.write_rules("json.yaml", JSON_RULES)
    try:
        d.start()
        env = {
            "DD_TRACE_AGENT_URL": f"unix://{d.intake_socket}",
            "DD_TRACE_API_VERSION": api,
            "DD_TRACE_128_BIT_TRACEID_GENERATION_ENABLED": "true" if wide else "false",
            "DD_SERVICE": "e2e", "DD_ENV": "test",
        }
        truth_file = os.path.join(d.root, "truth.json")
        run_app(d, "ddtrace_app.py", env, os.path.join(d.logs, "app.log"), os.path.join(d.logs, "app.json"), truth_file, "3")
        truth = json.load(open(truth_file))
        found = check_every_line_joined(d, truth)
        traces = {p[0][1] for p in found.values()}
        assert len(traces) == 3
        # 128-bit IDs keep their high half end to end; 64-bit ones have none.
        assert all(len(t) == (32 if wide else 16) for t in traces), traces
        # The traceback of log.exception is part of its record, under the error handler's span.
        status, doc = d.trace(truth[1]["trace_id"])
        failed = [l for s in walk(doc["spans"]) for l in s["logs"] if l["message"].startswith("request 0 failed")]
        assert len(failed) == 1 and "Traceback (most recent call last):" in failed[0]["message"]
        assert "ValueError: boom 0" in failed[0]["message"]
        # Spans came by the API asked for, with Datadog's fields.
        spans = list(walk(doc["spans"]))
        assert {s["protocol"] for s in spans} == {f"datadog-{api}"}
        assert {s["name"] for s in spans} == {"web.request", "db.query", "db.fetch", "template.render", "error.handler"}
        assert [s for s in spans if s["name"] == "template.render"][0]["error"] is True
    finally:
        d.cleanup()


OTEL_RULES = r"""
source: otel
paths: ["logs/otel.log"]
rules:
  - name: python-otel
    grok: '%{TIMESTAMP_ISO8601:timestamp} %{LOGLEVEL:level} \[%{DATA:logger}\] \[%{DATA:code_file}:%{INT:code_line}\] \[trace_id=%{TRACEID:trace_id} span_id=%{SPANID:span_id} .*?\] - %{GREEDYDATA:message}'
    ids: { trace: hex, span: hex }
"""


def test_opentelemetry_logs_join_their_spans_over_otlp_http():
    port = free_port()
    d = Daemon(rules=OTEL_RULES, extra_yaml=f'intake: {{ socket: ../run/intake.sock, tcp: ["127.0.0.1:{port}"] }}\n')
    # The extra intake line replaces the harness's; drop the first.
    with open(os.path.join(d.config, "tracejoin.yaml")) as f:
        lines = [l for l in f.read().splitlines() if not l.startswith("intake: { socket: ../run/intake.sock }")]
    with open(os.path.join(d.config, "tracejoin.yaml"), "w") as f:
        f.write("\n".join(lines) + "\n")
    try:
        d.start()
        truth_file = os.path.join(d.root, "otel-truth.json")
        run_app(d, "otel_app.py", {}, f"http://127.0.0.1:{port}/v1/traces", os.path.join(d.logs, "otel.log"), truth_file, "2")
        truth = json.load(open(truth_file))
        found = check_every_line_joined(d, truth)
        traces = {p[0][1] for p in found.values()}
        assert len(traces) == 2 and all(len(t) == 32 for t in traces)
        status, doc = d.trace(truth[1]["trace_id"])
        spans = list(walk(doc["spans"]))
        assert {s["protocol"] for s in spans} == {"otlp"}
        assert {s["service"] for s in spans} == {"e2e-otel"}
        assert [s for s in spans if s["name"] == "render"][0]["error"] is True
        assert [s for s in spans if s["name"] == "db.query"][0]["metrics"]["db.rows"] == 3
        assert doc["spans"][0]["meta"]["span.kind"] == "server"
    finally:
        d.cleanup()
