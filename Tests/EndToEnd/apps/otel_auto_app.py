"""A service with no exporter code of its own, run under `opentelemetry-instrument` (the
zero-code path of opentelemetry-distro), for the end-to-end tests.

Everything about export comes from the environment the test sets, as an operator would set it:
the exporters are left at their default protocol (OTLP/gRPC), OTEL_PYTHON_LOG_CORRELATION puts
the IDs on every `logging` record, and OTEL_LOGS_EXPORTER=otlp sends the same records as OTLP
logs. The app writes its log lines to LOG_FILE in OpenTelemetry's logging format and the IDs
the SDK reports at log time to TRUTH_FILE.

    opentelemetry-instrument python otel_auto_app.py LOG_FILE TRUTH_FILE REQUESTS
"""

import json
import logging
import sys

from opentelemetry import metrics, trace

log_file, truth_file, requests = sys.argv[1], sys.argv[2], int(sys.argv[3])

# The format OTEL_PYTHON_LOG_CORRELATION gives stderr (shared/clients.md §4f), into a file.
FORMAT = ("%(asctime)s %(levelname)s [%(name)s] [%(filename)s:%(lineno)d] [trace_id=%(otelTraceID)s "
          "span_id=%(otelSpanID)s resource.service.name=%(otelServiceName)s trace_sampled=%(otelTraceSampled)s] - %(message)s")
handler = logging.FileHandler(log_file)
handler.setFormatter(logging.Formatter(FORMAT))
log = logging.getLogger("e2e.auto")
log.addHandler(handler)
log.setLevel(logging.INFO)

tracer = trace.get_tracer("e2e.auto")
# A metric too: an app at its defaults exports metrics to the same endpoint.
orders = metrics.get_meter("e2e.auto").create_counter("orders")
truth = []


def info(message, level=logging.INFO):
    log.log(level, message)
    ctx = trace.get_current_span().get_span_context()
    truth.append({"message": message, "trace_id": str(ctx.trace_id) if ctx.is_valid else "0",
                  "span_id": str(ctx.span_id) if ctx.is_valid else "0"})


info("auto service starting")
for i in range(requests):
    with tracer.start_as_current_span(f"GET /order/{i}", kind=trace.SpanKind.SERVER):
        info(f"auto request {i} received")
        with tracer.start_as_current_span("db.query"):
            info(f"auto request {i} query <b>&amp;</b>")
        info(f"auto request {i} slow", logging.WARNING)
        orders.add(1)

# Flush every pipeline before exit, as the SDK's atexit hooks would, so the test need not wait.
trace.get_tracer_provider().force_flush()
from opentelemetry import _logs  # noqa: E402
_logs.get_logger_provider().force_flush()
metrics.get_meter_provider().force_flush()
with open(truth_file, "w") as f:
    json.dump(truth, f)
