"""A small service instrumented with the real ddtrace, for the end-to-end tests.

It logs through stdlib logging in Datadog's documented format and through structlog as JSON,
inside nested spans, with an exception, and sends its spans to the agent URL in the
environment (DD_TRACE_AGENT_URL=unix:///…/intake.sock). The IDs the tracer reports at log time
are written to TRUTH_FILE as the ground truth: the test never derives truth from the text it
parses.

    python ddtrace_app.py LOG_FILE JSON_LOG_FILE TRUTH_FILE REQUESTS
"""

import json
import logging
import sys

import ddtrace
from ddtrace import tracer

ddtrace.patch(logging=True)

import structlog  # noqa: E402

log_file, json_file, truth_file, requests = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])

FORMAT = ("%(asctime)s %(levelname)s [%(name)s] [%(filename)s:%(lineno)d] "
          "[dd.service=%(dd.service)s dd.env=%(dd.env)s dd.version=%(dd.version)s "
          "dd.trace_id=%(dd.trace_id)s dd.span_id=%(dd.span_id)s] - %(message)s")
handler = logging.FileHandler(log_file)
handler.setFormatter(logging.Formatter(FORMAT))
log = logging.getLogger("e2e.app")
log.addHandler(handler)
log.setLevel(logging.INFO)


def add_ids(_, __, event):
    # tracer.get_log_correlation_context(): dd.trace_id in ddtrace's log form, dd.span_id decimal.
    ctx = tracer.get_log_correlation_context()
    event["dd.trace_id"] = ctx["dd.trace_id"]
    event["dd.span_id"] = ctx["dd.span_id"]
    return event


json_out = open(json_file, "a")
structlog.configure(processors=[add_ids, structlog.processors.add_log_level, structlog.processors.JSONRenderer()],
                    logger_factory=structlog.PrintLoggerFactory(json_out))
slog = structlog.get_logger()

truth = []


def record(kind, message):
    span = tracer.current_span()
    truth.append({"kind": kind, "message": message,
                  "trace_id": str(span.trace_id) if span else "0",
                  "span_id": str(span.span_id) if span else "0"})


def info(message):
    log.info(message)
    record("stdlib", message)


def jinfo(message):
    slog.info(message)
    json_out.flush()
    record("json", message)


info("service starting")
for i in range(requests):
    with tracer.trace("web.request", service="e2e-web", resource=f"GET /item/{i}"):
        info(f"request {i} received")
        jinfo(f"request {i} json")
        with tracer.trace("db.query", service="e2e-db", resource="SELECT 1"):
            info(f"request {i} query")
            with tracer.trace("db.fetch", service="e2e-db"):
                jinfo(f"request {i} fetch json")
        try:
            with tracer.trace("template.render", service="e2e-web"):
                raise ValueError(f"boom {i}")
        except ValueError:
            with tracer.trace("error.handler", service="e2e-web"):
                log.exception(f"request {i} failed")
                record("stdlib", f"request {i} failed")
        info(f"request {i} done")
info("service stopping")
tracer.flush()
tracer.shutdown()
with open(truth_file, "w") as f:
    json.dump(truth, f)
