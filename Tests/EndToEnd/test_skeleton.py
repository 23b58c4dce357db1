"""The walking skeleton end to end: tail → parse → intake → join → query, against the real binary."""

import json
import os
import signal

import pytest

from harness import Daemon, ddtrace_line, logs_by_span, request, wait_for, walk

U64_MAX = 2**64 - 1
# A ddtrace 128-bit ID: unix seconds in the top 32 bits, 32 zero bits, random low half.
WIDE_HIGH = "6b060b9000000000"
WIDE_LOW = 0x638337CABFD009FF
WIDE_HEX = WIDE_HIGH + f"{WIDE_LOW:016x}"


def spans_for(trace_id, ids, meta_root=None):
    """A root and two children of `trace_id` (string, any accepted form), as NDJSON objects."""
    root, db, render = ids
    base = 1_764_000_000_123_456_789
    spans = [
        {"trace_id": trace_id, "span_id": str(root), "service": "web", "name": "flask.request",
         "resource": "GET /checkout", "start": base, "duration": 48_000_000, "error": 0,
         "meta": meta_root or {}},
        {"trace_id": trace_id, "span_id": str(db), "parent_id": str(root), "service": "db",
         "name": "postgres.query", "resource": "SELECT 1", "start": base + 1000, "duration": 9_000_000},
        {"trace_id": trace_id, "span_id": str(render), "parent_id": str(root), "service": "web",
         "name": "template.render", "resource": "checkout.html", "start": base + 2000,
         "duration": 3_000_000, "error": 1},
    ]
    return spans


def lines_for(trace_token, ids, tag):
    root, db, render = ids
    return [
        ddtrace_line(trace_token, root, f"{tag} request received"),
        ddtrace_line(trace_token, db, f"{tag} query done", level="DEBUG"),
        ddtrace_line(trace_token, render, f"{tag} template failed", level="ERROR"),
        ddtrace_line(trace_token, root, f"{tag} request done"),
        ddtrace_line(trace_token, 4242, f"{tag} span never reported", level="WARNING"),
        ddtrace_line("0", "0", f"{tag} outside any span"),
    ]


def assert_joined(doc, ids, tag, span_trace_hex):
    root, db, render = ids
    by_span = logs_by_span(doc)
    assert by_span[str(root)] == [f"{tag} request received", f"{tag} request done"]
    assert by_span[str(db)] == [f"{tag} query done"]
    assert by_span[str(render)] == [f"{tag} template failed"]
    assert [l["message"] for l in doc["unmatched_logs"]] == [f"{tag} span never reported"]
    assert doc["unmatched_logs"][0]["span_id_dd"] == "4242"
    # The tree: one root with both children, ordered by start.
    assert len(doc["spans"]) == 1
    top = doc["spans"][0]
    assert top["span_id_dd"] == str(root) and top["parent_id"] is None
    assert [c["span_id_dd"] for c in top["children"]] == [str(db), str(render)]
    assert top["children"][1]["error"] is True
    assert top["start_ns"] == "1764000000123456789"
    assert doc["trace_id"] == span_trace_hex
    # Every ID is a string.
    for span in walk(doc["spans"]):
        assert isinstance(span["span_id"], str) and isinstance(span["span_id_dd"], str)
    # The line outside any span (dd.trace_id=0) is counted, never joined.
    assert all("outside any span" not in l["raw"] for l in doc["unmatched_logs"])


CASES = [
    # (name, token written in the logs, trace_id sent with the spans, meta of the root, expected trace_id)
    ("u64max-decimal", str(U64_MAX), str(U64_MAX), None, "ffffffffffffffff"),
    ("above-2^63", "9982398928418628468", "9982398928418628468", None, f"{9982398928418628468:016x}"),
    # 128-bit logged as 32 hex; the spans arrive as (high, low): decimal low half + _dd.p.tid.
    ("128-bit-high-low", WIDE_HEX, str(WIDE_LOW), {"_dd.p.tid": WIDE_HIGH}, WIDE_HEX),
    # 128-bit logged as 32 hex; the spans carry the full 32-hex ID.
    ("128-bit-hex", WIDE_HEX.upper(), WIDE_HEX, None, WIDE_HEX),
]


@pytest.mark.parametrize("name,token,span_trace,meta,expected", CASES, ids=[c[0] for c in CASES])
def test_logs_first_then_spans(daemon, name, token, span_trace, meta, expected):
    ids = (U64_MAX - 1, 2**63, 1295274668589741838)
    daemon.append("app.log", lines_for(token, ids, name))
    # Wait until every line with the trace is indexed (all unmatched: no span known yet).
    wait_for(lambda: daemon.trace(token)[0] == 200 and len(daemon.trace(token)[1]["unmatched_logs"]) == 5,
             what="log lines to be indexed")
    status, body = daemon.post_spans(spans_for(span_trace, ids, meta))
    assert (status, body) == (200, {"accepted": 3})
    status, doc = daemon.trace(token)
    assert status == 200
    assert_joined(doc, ids, name, expected)


@pytest.mark.parametrize("name,token,span_trace,meta,expected", CASES, ids=[c[0] for c in CASES])
def test_spans_first_then_logs(daemon, name, token, span_trace, meta, expected):
    ids = (17, 18446744073709551614, 9007199254740993)
    status, body = daemon.post_spans(spans_for(span_trace, ids, meta))
    assert (status, body) == (200, {"accepted": 3})
    status, doc = daemon.trace(span_trace)
    assert status == 200 and doc["unmatched_logs"] == [] and len(list(walk(doc["spans"]))) == 3
    daemon.append("app.log", lines_for(token, ids, name))
    doc = wait_for(lambda: (lambda r: r[1] if r[0] == 200 and len(r[1]["unmatched_logs"]) == 1 else None)(daemon.trace(token)),
                   what="log lines to join")
    # Wait for the last line too: the tailer may have read part of the file.
    doc = wait_for(lambda: (lambda d: d if sum(len(s["logs"]) for s in walk(d["spans"])) == 4 else None)(daemon.trace(token)[1]),
                   what="all joined lines")
    assert_joined(doc, ids, name, expected)


def test_trace_found_by_every_form_of_its_id(daemon):
    ids = (101, 102, 103)
    daemon.post_spans(spans_for(str(WIDE_LOW), ids, {"_dd.p.tid": WIDE_HIGH}))
    for form in (WIDE_HEX, WIDE_HEX.upper(), str(WIDE_LOW), f"{WIDE_LOW:016x}", str((int(WIDE_HIGH, 16) << 64) | WIDE_LOW)):
        status, doc = daemon.trace(form)
        assert status == 200, form
        assert doc["trace_id"] == WIDE_HEX and doc["trace_id_dd"] == str(WIDE_LOW)
    # Another high half is another trace.
    status, body = daemon.trace("7" + WIDE_HEX[1:])
    assert status == 404 and body["error"] == "trace not found"


def test_unknown_and_invalid_ids(daemon):
    status, body = daemon.trace("12345")
    assert status == 404 and "12345" in body["detail"]
    status, body = daemon.trace("not-an-id")
    assert status == 400 and body["error"] == "invalid trace id"
    status, body = daemon.trace(str(2**128))
    assert status == 400 and "2^128-1" in body["detail"]


def test_ndjson_refuses_number_ids_and_stores_nothing_of_a_bad_request(daemon):
    good = json.dumps({"trace_id": "555", "span_id": "1", "service": "s", "name": "n"})
    # A JSON number ID: refused, because a JSON encoder may already have rounded it.
    status, body = daemon.post_spans([good, '{"trace_id": 9982398928418628468, "span_id": "2"}'])
    assert status == 400
    assert "line 2" in body["detail"] and "trace_id" in body["detail"] and "string" in body["detail"]
    # Malformed JSON, a bad ID and a missing field, each named by line.
    for bad, words in [("{not json", "not valid JSON"), ('{"trace_id": "12x", "span_id": "1"}', "trace_id"),
                       ('{"span_id": "1"}', "missing required field trace_id"),
                       ('{"trace_id": "1", "span_id": "1", "start": "soon"}', "start")]:
        status, body = daemon.post_spans([good, bad])
        assert status == 400, bad
        assert body["detail"].startswith("line 2:") and words in body["detail"], body
    # Nothing of those requests was stored: line 1 was valid but its request was refused.
    assert daemon.trace("555")[0] == 404
    # The daemon is still up and accepts good input.
    assert daemon.post_spans([good]) == (200, {"accepted": 1})
    assert daemon.trace("555")[0] == 200


def test_unknown_route_is_json_404(daemon):
    status, body = request(daemon.query_socket, "GET", "/v1/nope")
    assert status == 404 and "error" in body


def test_cli_draws_the_tree(daemon):
    ids = (11, 12, 13)
    daemon.post_spans(spans_for(WIDE_HEX, ids))
    daemon.append("app.log", lines_for(WIDE_HEX, ids, "cli"))
    wait_for(lambda: sum(len(s["logs"]) for s in walk(daemon.trace(WIDE_HEX)[1]["spans"])) == 4,
             what="lines to join")
    out = daemon.cli("query", "trace", WIDE_HEX, "--config", daemon.config)
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert f"trace {WIDE_HEX}" in text and f"(dd {WIDE_LOW})" in text
    assert "└─ flask.request GET /checkout [web] 48.0ms" in text
    assert "template.render checkout.html [web] 3.00ms ✗ error" in text
    assert "cli template failed" in text and "ERROR" in text
    assert "log lines with this trace ID whose span is not known" in text and "cli span never reported" in text
    # The message lines sit under their span: "request received" comes before the children.
    assert text.index("cli request received") < text.index("postgres.query")
    # --json prints the API's document.
    out = daemon.cli("query", "trace", str(WIDE_LOW), "--socket", daemon.query_socket, "--json")
    assert out.returncode == 0
    assert json.loads(out.stdout)["trace_id"] == WIDE_HEX


def test_cli_errors(daemon, tmp_path):
    out = daemon.cli("query", "trace", "999", "--socket", daemon.query_socket)
    assert out.returncode == 1 and "no span or log line is known with trace ID 999" in out.stderr
    out = daemon.cli("query", "trace", "999", "--socket", str(tmp_path / "nothing.sock"))
    assert out.returncode == 1 and "daemon is not running" in out.stderr


def test_files_created_later_and_appended_lines(daemon):
    daemon.post_spans([{"trace_id": "777", "span_id": "1", "name": "root"}])
    for i, name in enumerate(["late-a.log", "late-b.log"]):
        daemon.append(name, [ddtrace_line("777", "1", f"from {name}")])
    wait_for(lambda: len(daemon.trace("777")[1]["spans"][0]["logs"]) == 2, what="both new files")
    daemon.append("late-a.log", [ddtrace_line("777", "1", "appended")])
    wait_for(lambda: len(daemon.trace("777")[1]["spans"][0]["logs"]) == 3, what="the appended line")
    # A line written without its newline is held until it is complete.
    with open(os.path.join(daemon.logs, "late-b.log"), "a") as f:
        f.write(ddtrace_line("777", "1", "half"))
    with open(os.path.join(daemon.logs, "late-b.log"), "a") as f:
        f.write(" written\n")
    logs = wait_for(lambda: (lambda l: l if len(l) == 4 else None)(daemon.trace("777")[1]["spans"][0]["logs"]),
                    what="the completed line")
    assert logs[-1]["message"] == "half written"


def test_restart_resumes_without_loss_or_repeat(daemon):
    daemon.post_spans([{"trace_id": "888", "span_id": "1", "name": "root"}])
    daemon.append("app.log", [ddtrace_line("888", "1", f"line {i}") for i in range(50)])
    wait_for(lambda: len(daemon.trace("888")[1]["spans"][0]["logs"]) == 50, what="50 lines")
    assert daemon.stop() == 0
    daemon.append("app.log", [ddtrace_line("888", "1", f"line {i}") for i in range(50, 80)])
    daemon.start()
    logs = wait_for(lambda: (lambda l: l if len(l) >= 80 else None)(daemon.trace("888")[1]["spans"][0]["logs"]),
                    what="80 lines")
    assert [l["message"] for l in logs] == [f"line {i}" for i in range(80)]


def test_second_daemon_on_the_same_state_is_refused(daemon):
    out = daemon.cli("serve", "--config", daemon.config)
    assert out.returncode == 1
    assert "another tracejoin daemon" in out.stderr and str(daemon.proc.pid) in out.stderr
    # The first one still answers.
    assert daemon.trace("1")[0] == 404


def test_sigterm_exits_cleanly_and_promptly(daemon):
    import time
    start = time.monotonic()
    assert daemon.stop(signal.SIGTERM) == 0
    # Not a speed test: a deadline. No service may sit out its own timer (retention's, the poll's).
    assert time.monotonic() - start < 5
    assert not os.path.exists(daemon.query_socket)
