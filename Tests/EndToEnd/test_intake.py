"""The intake's Datadog and OTLP endpoints against the running binary: keep-alive, /info,
telemetry, malformed and oversized payloads (4xx with a reason; nothing stored; daemon up)."""

import gzip
import json
import os

from harness import Daemon, UnixHTTPConnection, request, walk

GOOD_V04 = bytes.fromhex(
    # [[{"trace_id": 77, "span_id": 1, "name": "root", "service": "svc", "start": 5, "duration": 9}]]
    "91" "91" "86"
    "a8" + b"trace_id".hex() + "4d"
    + "a7" + b"span_id".hex() + "01"
    + "a4" + b"name".hex() + "a4" + b"root".hex()
    + "a7" + b"service".hex() + "a3" + b"svc".hex()
    + "a5" + b"start".hex() + "05"
    + "a8" + b"duration".hex() + "09")


def test_datadog_api_keep_alive_info_and_telemetry(daemon):
    conn = UnixHTTPConnection(daemon.intake_socket)
    try:
        # Several requests on one connection, as libdatadog sends them; the Host header is the
        # hex of the socket path and must not matter.
        headers = {"Host": daemon.intake_socket.encode().hex(), "Content-Type": "application/msgpack",
                   "X-Datadog-Trace-Count": "1"}
        conn.request("GET", "/info", headers=headers)
        info = json.loads(conn.getresponse().read())
        assert "/v0.5/traces" in info["endpoints"] and "/v0.4/traces" in info["endpoints"]
        for method in ("PUT", "POST"):
            conn.request(method, "/v0.4/traces", body=GOOD_V04, headers=headers)
            resp = conn.getresponse()
            assert resp.status == 200
            assert json.loads(resp.read()) == {"rate_by_service": {"service:,env:": 1}}
        conn.request("POST", "/telemetry/proxy/api/v2/apmtelemetry", body=b'{"request_type":"app-started"}',
                     headers={"Content-Type": "application/json", "dd-telemetry-request-type": "app-started"})
        resp = conn.getresponse()
        resp.read()
        assert resp.status == 202
        conn.request("POST", "/v0.7/config", body=b"{}", headers={"Content-Type": "application/json"})
        assert json.loads(conn.getresponse().read()) == {}
    finally:
        conn.close()
    status, doc = daemon.trace("77")
    assert status == 200 and doc["spans"][0]["protocol"] == "datadog-v0.4"


def test_malformed_payloads_get_4xx_and_change_nothing(daemon):
    assert request(daemon.intake_socket, "POST", "/v0.4/traces", body=GOOD_V04, headers={"Content-Type": "application/msgpack"})[0] == 200
    before = daemon.trace("77")[1]
    cases = [
        ("/v0.4/traces", GOOD_V04[:-3], "application/msgpack", 400, "string of 8 bytes is longer than the payload at byte"),
        ("/v0.5/traces", b"\x92\x91\xa0\x91\x91\x9b" + b"\x00" * 11, "application/msgpack", 400, "exactly 12 elements"),
        ("/v0.4/traces", b"garbage!", "application/msgpack", 400, "expected an array"),
        ("/v0.5/traces", GOOD_V04, "application/msgpack", 400, "2-element array"),
        ("/v1/traces", b"\x0a\xff\xff\xff\x0f\x01", "application/x-protobuf", 400, "not an OTLP"),
        ("/v1/traces", b"{not json", "application/json", 400, "not OTLP/JSON"),
        ("/v1/traces", b"<xml/>", "application/xml", 415, "application/x-protobuf, application/protobuf or application/json"),
    ]
    for path, body, ctype, status, words in cases:
        got, reply = request(daemon.intake_socket, "POST", path, body=body, headers={"Content-Type": ctype})
        assert got == status, (path, got, reply)
        assert words in reply["detail"], (path, reply)
    # Nothing of those requests was stored; what was there is unchanged; the daemon is up.
    assert daemon.trace("77")[1] == before
    assert request(daemon.intake_socket, "GET", "/healthz")[0] == 200


def test_otlp_json_gzip_and_body_limit():
    d = Daemon(extra_yaml="")
    with open(os.path.join(d.config, "tracejoin.yaml")) as f:
        text = f.read().replace("intake: { socket: ../run/intake.sock }", "intake: { socket: ../run/intake.sock, max_body: 4KiB }")
    with open(os.path.join(d.config, "tracejoin.yaml"), "w") as f:
        f.write(text)
    try:
        d.start()
        payload = {"resourceSpans": [{"resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "gz"}}]},
                   "scopeSpans": [{"spans": [{"traceId": "457dcf6aef3b9e387c5151ce8d6c2902", "spanId": "ce3a6d2cb615fac0",
                                              "name": "GET /", "startTimeUnixNano": "1764000000123456789",
                                              "endTimeUnixNano": "1764000000125456789"}]}]}]}
        status, body = request(d.intake_socket, "POST", "/v1/traces", body=gzip.compress(json.dumps(payload).encode()),
                               headers={"Content-Type": "application/json", "Content-Encoding": "gzip"})
        assert (status, body) == (200, {})
        status, doc = d.trace("457dcf6aef3b9e387c5151ce8d6c2902")
        assert status == 200 and doc["spans"][0]["service"] == "gz" and doc["spans"][0]["start_ns"] == "1764000000123456789"
        # Over the limit, plain or once decompressed: 413, nothing stored.
        big = b"\n".join([b'{"trace_id":"9","span_id":"1"}'] * 400)
        assert request(d.intake_socket, "POST", "/v1/spans", body=big, headers={"Content-Type": "application/x-ndjson"})[0] == 413
        bomb = gzip.compress(b"{" + b" " * 1_000_000 + b"}")
        status, body = request(d.intake_socket, "POST", "/v1/traces", body=bomb,
                               headers={"Content-Type": "application/json", "Content-Encoding": "gzip"})
        assert status == 400 and "limit 4096 bytes" in body["detail"]
        assert d.trace("9")[0] == 404
        assert d.proc.poll() is None
    finally:
        d.cleanup()
