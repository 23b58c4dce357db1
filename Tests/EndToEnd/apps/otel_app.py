"""A small service instrumented with the real OpenTelemetry SDK, for the end-to-end tests.

Logs in the format LoggingInstrumentor(set_logging_format=True) uses (shared/clients.md §4f)
inside nested spans, exports spans with the OTLP/HTTP protobuf exporter to ENDPOINT, and writes
the IDs the SDK reports at log time to TRUTH_FILE.

    python otel_app.py ENDPOINT LOG_FILE TRUTH_FILE REQUESTS
"""

import json
import logging
import sys

from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.logging import LoggingInstrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

endpoint, log_file, truth_file, requests = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])

provider = TracerProvider(resource=Resource.create({"service.name": "e2e-otel"}))
provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
trace.set_tracer_provider(provider)
tracer = trace.get_tracer("e2e")

LoggingInstrumentor().instrument(set_logging_format=False, inject_trace_context=True)
FORMAT = ("%(asctime)s %(levelname)s [%(name)s] [%(filename)s:%(lineno)d] [trace_id=%(otelTraceID)s "
          "span_id=%(otelSpanID)s resource.service.name=%(otelServiceName)s trace_sampled=%(otelTraceSampled)s] - %(message)s")
handler = logging.FileHandler(log_file)
handler.setFormatter(logging.Formatter(FORMAT))
log = logging.getLogger("e2e.otel")
log.addHandler(handler)
log.setLevel(logging.INFO)

truth = []


def info(message):
    log.info(message)
    ctx = trace.get_current_span().get_span_context()
    truth.append({"message": message, "trace_id": str(ctx.trace_id) if ctx.is_valid else "0",
                  "span_id": str(ctx.span_id) if ctx.is_valid else "0"})


info("otel service starting")
for i in range(requests):
    with tracer.start_as_current_span(f"GET /item/{i}", kind=trace.SpanKind.SERVER):
        info(f"otel request {i} received")
        with tracer.start_as_current_span("db.query") as span:
            span.set_attribute("db.rows", 3)
            info(f"otel request {i} query")
        try:
            with tracer.start_as_current_span("render"):
                raise ValueError(f"otel boom {i}")
        except ValueError:
            info(f"otel request {i} failed")
provider.shutdown()
with open(truth_file, "w") as f:
    json.dump(truth, f)
