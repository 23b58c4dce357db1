"""Times as the app meant them (docs/grok.md, "Times"): one span and three lines under it, each
writing its time the way its kind of app does, on a host in a zone without daylight saving
(Asia/Tokyo) and one in summer time (Europe/Berlin in July):
- Python's logging `asctime`: local time, no zone;
- Apache's access log: `HTTPDATE`, local time with its offset;
- a JSON logger: epoch milliseconds.
Every line must land at the instant it says, in the trace document, Jaeger's span logs and a
`/v1/logs?by=time` search, with no skew mark.
"""

import datetime
import json
import zoneinfo

import pytest

from harness import Daemon, request, wait_for

RULES = r"""
source: scene
paths: ["logs/*.log"]
rules:
  - name: structlog
    json: { trace_id: dd.trace_id, span_id: dd.span_id, message: event, timestamp: ts }
  - name: python
    grok: '^%{TIMESTAMP_ISO8601:timestamp} %{LOGLEVEL:level} \[dd.trace_id=%{TRACEID:trace_id} dd.span_id=%{SPANID:span_id}\] - %{GREEDYDATA:message}$'
    ids: { trace: auto, span: decimal }
  - name: apache
    grok: '^%{IPORHOST:clientip} - - \[%{HTTPDATE:timestamp}\] "%{WORD:verb} %{NOTSPACE:request} HTTP/%{NUMBER:httpversion}" %{NUMBER:response} %{NUMBER:bytes} trace=%{TRACEID:trace_id} span=%{SPANID:span_id}$'
    ids: { trace: auto, span: decimal }
"""

TRACE, SPAN = 4242424242, 7


@pytest.mark.parametrize("zone, instant", [
    ("Asia/Tokyo", datetime.datetime(2026, 12, 6, 6, 35, 2, tzinfo=datetime.timezone.utc)),
    ("Europe/Berlin", datetime.datetime(2026, 7, 15, 6, 35, 2, tzinfo=datetime.timezone.utc)),
])
def test_three_lines_land_at_the_times_they_say(zone, instant):
    tz = zoneinfo.ZoneInfo(zone)
    start_ns = int(instant.timestamp()) * 1_000_000_000
    want = []   # (message, ns)
    d = Daemon(rules=RULES)
    try:
        d.start(env={"TZ": zone})
        status, reply = d.post_spans([{"trace_id": str(TRACE), "span_id": str(SPAN), "service": "web", "name": "GET /",
                                       "start": start_ns, "duration": 5_000_000_000}])
        assert status == 200, reply
        # 1 s in: Python's asctime, local wall time with milliseconds after a comma, no zone.
        t1 = instant + datetime.timedelta(seconds=1, milliseconds=123)
        local = t1.astimezone(tz)
        python = f"{local:%Y-%m-%d %H:%M:%S},{local.microsecond // 1000:03d} INFO [dd.trace_id={TRACE} dd.span_id={SPAN}] - from python"
        want.append(("from python", int(t1.timestamp() * 1000) * 1_000_000))
        # 2 s in: Apache's access log, local time with its offset.
        t2 = instant + datetime.timedelta(seconds=2)
        apache = f'10.0.0.1 - - [{t2.astimezone(tz):%d/%b/%Y:%H:%M:%S %z}] "GET /cart HTTP/1.1" 200 512 trace={TRACE} span={SPAN}'
        want.append((None, int(t2.timestamp()) * 1_000_000_000))
        # 3 s in: a JSON logger's epoch milliseconds.
        t3_ms = int(instant.timestamp()) * 1000 + 3456
        structlog = json.dumps({"event": "from json", "ts": t3_ms, "dd.trace_id": str(TRACE), "dd.span_id": str(SPAN)})
        want.append(("from json", t3_ms * 1_000_000))
        d.append("app.log", [python, apache, structlog])

        doc = wait_for(lambda: (lambda r: r[1] if r[0] == 200 and len(r[1]["spans"][0]["logs"]) == 3 else None)(d.trace(str(TRACE))),
                       what="three lines under the span")
        logs = doc["spans"][0]["logs"]
        # Ordered by their own times, each at the instant it says, none marked as skewed.
        assert [int(l["time_ns"]) for l in logs] == [ns for _, ns in want], logs
        assert [l["message"] for l in logs][::2] == ["from python", "from json"]
        assert all("skew_ns" not in l for l in logs), logs

        # Jaeger's span logs: microseconds, inside the span.
        status, jaeger = request(d.query_socket, "GET", f"/api/traces/{TRACE:016x}")
        assert status == 200, jaeger
        span = jaeger["data"][0]["spans"][0]
        assert sorted(l["timestamp"] for l in span["logs"]) == [ns // 1000 for _, ns in want]
        assert all(span["startTime"] <= l["timestamp"] <= span["startTime"] + span["duration"] for l in span["logs"])

        # A search by the lines' own times finds them; by ingest time (now) the same window is empty.
        since = instant.strftime("%Y-%m-%dT%H:%M:%SZ")
        until = (instant + datetime.timedelta(seconds=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
        by_time = d.get(f"/v1/logs?by=time&since={since}&until={until}")["logs"]
        assert len(by_time) == 3, by_time
        assert d.get(f"/v1/logs?since={since}&until={until}")["logs"] == []
        assert request(d.query_socket, "GET", "/v1/logs?by=when")[0] == 400
    finally:
        d.cleanup()


def test_a_line_far_from_its_span_is_marked():
    d = Daemon(rules=RULES)
    try:
        d.start(env={"TZ": "Asia/Tokyo"})
        start = datetime.datetime(2026, 12, 6, 6, 35, 2, tzinfo=datetime.timezone.utc)
        d.post_spans([{"trace_id": str(TRACE), "span_id": str(SPAN), "service": "web", "name": "GET /",
                       "start": int(start.timestamp()) * 1_000_000_000, "duration": 1_000_000_000}])
        # Written as UTC by an app that said nothing of its zone: read as Tokyo time, 9 h early.
        line = f"{start:%Y-%m-%d %H:%M:%S},000 INFO [dd.trace_id={TRACE} dd.span_id={SPAN}] - zone mismatch"
        d.append("app.log", [line])
        doc = wait_for(lambda: (lambda r: r[1] if r[0] == 200 and r[1]["spans"][0]["logs"] else None)(d.trace(str(TRACE))),
                       what="the line under its span")
        log = doc["spans"][0]["logs"][0]
        assert int(log["skew_ns"]) == -9 * 3600 * 1_000_000_000, log
        page = d.get(f"/trace/{TRACE}")
        assert "before its span" in page
    finally:
        d.cleanup()
