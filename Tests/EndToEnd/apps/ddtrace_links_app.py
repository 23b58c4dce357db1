"""A span with a link and a span event, sent by the real ddtrace to the agent URL in the
environment (DD_TRACE_AGENT_URL=unix:///…/intake.sock); prints the IDs as JSON.

    python ddtrace_links_app.py
"""

import json

from ddtrace import tracer
from ddtrace.trace import Context

LINKED = Context(trace_id=0x0AF7651916CD43DD8448EB211C80319C, span_id=0xB7AD6B7169203331)

with tracer.trace("batch.process", service="worker", resource="process batch") as span:
    span.link_span(LINKED, {"link.kind": "batched_from"})
    span._add_event("retry", {"attempt": 2, "reason": "timeout"})
    ids = {"trace_id": span.trace_id, "span_id": span.span_id}
tracer.flush()
tracer.shutdown()
print(json.dumps(ids))
