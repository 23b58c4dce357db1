"""Who may write into the intake (docs/intake.md, "Who may send"): programs, not web pages.

A page may POST to 127.0.0.1 without a CORS preflight only with a CORS-safelisted Content-Type
(text/plain, form data), and a browser always names the page in `Origin`. Every span route
refuses those types (415), and any request with an Origin not in `intake.allowed_origins` is
refused (403); in neither case is anything stored. Requests as tracers send them (the right
type, no Origin) are accepted, and so are those from a page that is listed.

Each refused request uses a trace ID of its own; the accepted ones are sent after it and waited
for, so once they are visible a refused one that had been stored would be visible too.
"""

import http.client
import json
import os
import struct

import pytest

from harness import Daemon, free_port, request, wait_for

START_NS = 1764000000000000000


def msgpack(value):
    """The few msgpack forms the Datadog payloads below need."""
    if isinstance(value, bool):
        return b"\xc3" if value else b"\xc2"
    if isinstance(value, int):
        assert value >= 0
        if value < 0x80:
            return bytes([value])
        for marker, fmt, limit in ((0xCC, ">B", 1 << 8), (0xCD, ">H", 1 << 16), (0xCE, ">I", 1 << 32), (0xCF, ">Q", 1 << 64)):
            if value < limit:
                return bytes([marker]) + struct.pack(fmt, value)
    if isinstance(value, float):
        return b"\xcb" + struct.pack(">d", value)
    if isinstance(value, str):
        data = value.encode()
        assert len(data) < 256
        return (bytes([0xA0 | len(data)]) if len(data) < 32 else bytes([0xD9, len(data)])) + data
    if isinstance(value, list):
        assert len(value) < 16
        return bytes([0x90 | len(value)]) + b"".join(msgpack(v) for v in value)
    if isinstance(value, dict):
        assert len(value) < 16
        return bytes([0x80 | len(value)]) + b"".join(msgpack(k) + msgpack(v) for k, v in value.items())
    raise TypeError(value)


def hex32(n):
    return f"{0x5e4d000000000000:016x}{n:016x}"


# Each route: its path, the Content-Type its clients send, a payload carrying trace `n`, and
# whether trace `n` is stored (polled through the query API).

def datadog_v04(n):
    span = {"trace_id": n, "span_id": 1, "name": "senders", "service": "senders", "resource": "r",
            "start": START_NS, "duration": 1000}
    return msgpack([[span]])


def datadog_v05(n):
    strings = ["", "senders", "n", "r"]
    return msgpack([strings, [[[1, 2, 3, n, 1, 0, START_NS, 1000, 0, {}, {}, 0]]]])


def otlp_traces(n):
    return json.dumps({"resourceSpans": [{
        "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "senders"}}]},
        "scopeSpans": [{"spans": [{"traceId": hex32(n), "spanId": "0000000000000001", "name": "senders",
                                   "startTimeUnixNano": str(START_NS), "endTimeUnixNano": str(START_NS + 1000)}]}]}]}).encode()


def otlp_logs(n):
    return json.dumps({"resourceLogs": [{
        "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "senders"}}]},
        "scopeLogs": [{"logRecords": [{"timeUnixNano": str(START_NS), "severityText": "INFO",
                                       "body": {"stringValue": f"record {n}"},
                                       "traceId": hex32(n), "spanId": "0000000000000001"}]}]}]}).encode()


def zipkin(n):
    return json.dumps([{"traceId": hex32(n), "id": "0000000000000001", "name": "senders",
                        "timestamp": START_NS // 1000, "duration": 1, "localEndpoint": {"serviceName": "senders"}}]).encode()


def ndjson(n):
    return (json.dumps({"trace_id": hex32(n), "span_id": "1", "service": "senders", "name": "senders",
                        "start": START_NS, "duration": 1000}) + "\n").encode()


def span_stored(d, trace_id):
    return d.trace(trace_id)[0] == 200


def log_stored(d, trace_id):
    return bool(d.get(f"/v1/logs?trace_id={trace_id}&limit=10")["logs"])


ROUTES = [
    # (path, Content-Type, payload, the ID to look for, stored?)
    ("/v0.4/traces", "application/msgpack", datadog_v04, str, span_stored),
    ("/v0.5/traces", "application/msgpack", datadog_v05, str, span_stored),
    ("/v1/traces", "application/json", otlp_traces, hex32, span_stored),
    ("/v1/logs", "application/json", otlp_logs, hex32, log_stored),
    ("/api/v2/spans", "application/json", zipkin, hex32, span_stored),
    ("/v1/spans", "application/x-ndjson", ndjson, hex32, span_stored),
]
ROUTE_IDS = [r[0] for r in ROUTES]

# What a web page may send without a preflight, as browsers write them.
SAFELISTED = ["text/plain;charset=UTF-8", "application/x-www-form-urlencoded",
              "multipart/form-data; boundary=----WebKitFormBoundaryx7MA4YWxkTrZu0gW"]


def post(port, path, body, ctype=None, origin=None, method="POST"):
    """One request to the intake's TCP listener: (status, JSON or text, headers)."""
    headers = {}
    if ctype is not None:
        headers["Content-Type"] = ctype
    if origin is not None:
        headers["Origin"] = origin
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        reply = json.loads(data) if "json" in resp.getheader("content-type", "") and data else data
        return resp.status, reply, resp
    finally:
        conn.close()


def intake_daemon(extra=""):
    """A daemon whose intake also listens on a loopback TCP port, as 127.0.0.1:4318 would."""
    port = free_port()
    d = Daemon()
    path = os.path.join(d.config, "tracejoin.yaml")
    with open(path) as f:
        lines = [line for line in f.read().splitlines() if not line.startswith("intake:")]
    lines.append(f'intake: {{ socket: ../run/intake.sock, tcp: ["127.0.0.1:{port}"]{extra} }}')
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return d, port


def expect_415(status, reply, accepted):
    assert status == 415, (status, reply)
    assert reply["error"] == "unsupported content type", reply
    assert accepted in reply["detail"], reply


def expect_403(status, reply, origin):
    assert status == 403, (status, reply)
    assert reply["error"] == "origin not allowed", reply
    assert origin in reply["detail"] and "intake.allowed_origins" in reply["detail"], reply


@pytest.fixture(scope="module")
def plain():
    """No intake.allowed_origins: every request with an Origin is refused."""
    d, port = intake_daemon()
    d.start()
    yield d, port
    d.cleanup()


@pytest.mark.parametrize("route", ROUTES, ids=ROUTE_IDS)
def test_a_web_pages_requests_are_refused_and_a_tracers_accepted(plain, route):
    d, port = plain
    index = ROUTE_IDS.index(route[0])
    path, ctype, payload, shown, stored = route
    base = 1000 + 100 * index
    refused = []
    # A simple request's types: 415 before the body is read, with or without parameters.
    for i, safelisted in enumerate(SAFELISTED):
        n = base + i
        expect_415(*post(port, path, payload(n), ctype=safelisted)[:2], ctype)
        refused.append(n)
    # No Content-Type at all (OTLP took that for protobuf before).
    n = base + 10
    expect_415(*post(port, path, payload(n))[:2], ctype)
    refused.append(n)
    # The right type, but from a page: 403, whatever the page.
    for i, origin in enumerate(["http://evil.example", "http://good.example", "null", "http://127.0.0.1:" + str(port)]):
        n = base + 20 + i
        expect_403(*post(port, path, payload(n), ctype=ctype, origin=origin)[:2], origin)
        refused.append(n)
    # What a browser would send for a form or fetch(): text/plain and its Origin; refused at the Origin.
    n = base + 30
    expect_403(*post(port, path, payload(n), ctype="text/plain;charset=UTF-8", origin="http://evil.example")[:2],
               "http://evil.example")
    refused.append(n)
    # On the Unix socket the same.
    n = base + 40
    status, reply = request(d.intake_socket, "POST", path, body=payload(n), headers={"Content-Type": "text/plain"})
    expect_415(status, reply, ctype)
    refused.append(n)

    # As a tracer sends it: accepted, with the type's parameters too.
    accepted = [base + 50, base + 51]
    for n, sent in zip(accepted, [ctype, ctype + "; charset=utf-8"]):
        status, reply, _ = post(port, path, payload(n), ctype=sent)
        assert 200 <= status < 300, (path, sent, status, reply)
    status, reply = request(d.intake_socket, "POST", path, body=payload(base + 52), headers={"Content-Type": ctype})
    assert 200 <= status < 300, (path, status, reply)
    accepted.append(base + 52)
    for n in accepted:
        wait_for(lambda: stored(d, shown(n)), what=f"trace {n} sent to {path} stored")
    for n in refused:
        assert not stored(d, shown(n)), (path, n)


def test_metrics_and_the_routes_that_store_nothing(plain):
    d, port = plain
    before = d.get("/v1/stats")["intake"]
    expect_415(*post(port, "/v1/metrics", b"{}", ctype="text/plain")[:2], "application/x-protobuf")
    expect_403(*post(port, "/v1/metrics", b"{}", ctype="application/json", origin="http://evil.example")[:2], "http://evil.example")
    assert post(port, "/v1/metrics", b"{}", ctype="application/json")[0] == 200
    # Telemetry and remote configuration store nothing: any type from a tracer, no page.
    assert post(port, "/telemetry/proxy/api/v2/apmtelemetry", b"{}", ctype="application/json")[0] == 202
    assert post(port, "/v0.7/config", b"{}", ctype="application/json")[0] == 200
    expect_403(*post(port, "/telemetry/proxy/api/v2/apmtelemetry", b"{}", ctype="text/plain", origin="http://evil.example")[:2],
               "http://evil.example")
    expect_403(*post(port, "/v0.7/config", b"{}", ctype="text/plain", origin="http://evil.example")[:2], "http://evil.example")
    # Reading is refused to pages too, and a page's preflight gets no CORS answer.
    status, reply, _ = post(port, "/info", None, origin="http://evil.example", method="GET")
    expect_403(status, reply, "http://evil.example")
    status, reply, resp = post(port, "/v1/traces", None, origin="http://evil.example", method="OPTIONS")
    expect_403(status, reply, "http://evil.example")
    assert resp.getheader("access-control-allow-origin") is None
    after = d.get("/v1/stats")["intake"]
    assert after.get("metrics_dropped.otlp_http", 0) == before.get("metrics_dropped.otlp_http", 0) + 1
    assert after["refused_content_type.otlp_http"] >= before.get("refused_content_type.otlp_http", 0) + 1
    assert after["refused_origin.http"] >= before.get("refused_origin.http", 0) + 5


def test_a_listed_origin_is_accepted():
    d, port = intake_daemon(', allowed_origins: ["http://good.example"]')
    try:
        d.start()
        for index, (path, ctype, payload, shown, stored) in enumerate(ROUTES):
            base = 5000 + 100 * index
            # Another page: still 403; the listed page with a safelisted type: still 415.
            expect_403(*post(port, path, payload(base), ctype=ctype, origin="http://evil.example")[:2], "http://evil.example")
            expect_403(*post(port, path, payload(base + 1), ctype=ctype, origin="http://good.example:8080")[:2],
                       "http://good.example:8080")
            expect_415(*post(port, path, payload(base + 2), ctype="text/plain;charset=UTF-8", origin="http://good.example")[:2], ctype)
            # The listed page with the right type, and a tracer: accepted; the page gets its CORS header.
            status, reply, resp = post(port, path, payload(base + 3), ctype=ctype, origin="http://good.example")
            assert 200 <= status < 300, (path, status, reply)
            assert resp.getheader("access-control-allow-origin") == "http://good.example"
            status, reply, resp = post(port, path, payload(base + 4), ctype=ctype)
            assert 200 <= status < 300, (path, status, reply)
            assert resp.getheader("access-control-allow-origin") is None
            for n in (base + 3, base + 4):
                wait_for(lambda: stored(d, shown(n)), what=f"trace {n} sent to {path} stored")
            for n in (base, base + 1, base + 2):
                assert not stored(d, shown(n)), (path, n)
        # The listed page's preflight is answered, so a browser sends its JSON.
        status, _, resp = post(port, "/v1/traces", None, origin="http://good.example", method="OPTIONS")
        assert status == 204
        assert resp.getheader("access-control-allow-origin") == "http://good.example"
        assert "POST" in resp.getheader("access-control-allow-methods")
        assert "content-type" in resp.getheader("access-control-allow-headers").lower()
    finally:
        d.cleanup()


def test_allowed_origins_is_checked_at_start():
    d, _ = intake_daemon(', allowed_origins: ["http://good.example/"]')
    try:
        out = d.cli("serve", "--config", d.config)
        assert out.returncode == 2, out.stdout + out.stderr
        # The intake line is the file's third (state_dir, query, intake).
        assert "tracejoin.yaml:3:" in out.stderr, out.stderr
        assert "intake.allowed_origins: 'http://good.example/' is not an origin" in out.stderr, out.stderr
    finally:
        d.cleanup()
