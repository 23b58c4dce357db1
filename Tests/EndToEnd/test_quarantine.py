"""Quarantine (docs/reliability.md): an input that stops the daemon costs one restart, never a loop.

The test build (`make test` builds with -D FUZZING) has two hooks, each a hidden environment
variable: a log line holding TRACEJOIN_TEST_TRAP_LINE's text makes the parser trap, and a payload
holding TRACEJOIN_TEST_TRAP_PAYLOAD's text makes the intake trap, as a bug there would. The test
plays systemd's `Restart=`: it starts the daemon again whenever it stops, with the hook still set.
"""

import json

from harness import Daemon, ddtrace_line, request, wait_for

MARKER = "POISON-7f3a"
TRAPS = {"TRACEJOIN_TEST_TRAP_LINE": MARKER, "TRACEJOIN_TEST_TRAP_PAYLOAD": MARKER}


def every_line(d):
    """Every stored line, oldest first: (message or raw, the record)."""
    out, cursor = [], None
    while True:
        page = d.get("/v1/logs?limit=1000" + (f"&cursor={cursor}" if cursor else ""))
        out += [e["log"] for e in page["logs"]]
        cursor = page.get("next_cursor")
        if not cursor:
            return list(reversed(out))


def test_a_line_that_stops_the_parser_costs_one_restart_and_is_stored_raw():
    d = Daemon()
    crashes = 0
    try:
        d.start(env=TRAPS)
        before = [ddtrace_line(1234, 10 + i, f"before {i}") for i in range(150)]
        poison = ddtrace_line(1234, 99, f"the visitor typed {MARKER}")
        after = [ddtrace_line(1234, 200 + i, f"after {i}") for i in range(150)]
        d.append("app.log", before + [poison] + after)
        # The parser traps on the marker line: the daemon stops, as a bug would stop it.
        code = d.wait_exit()
        assert code != 0, d.log()[-3000:]
        assert "TRACEJOIN_TEST_TRAP_LINE" in d.log()
        crashes += 1

        # Started again with the same hook: the record is named and set aside, never parsed again.
        d.start(env=TRAPS)
        want = len(before) + 1 + len(after)
        lines = wait_for(lambda: (lambda l: l if len(l) >= want else None)(every_line(d)), timeout=30,
                         what=f"{want} lines after the restart")
        assert d.proc.poll() is None, "the daemon stopped again on the same record"
        raws = [l["raw"] for l in lines]
        assert len(raws) == want and len(set(raws)) == want, "a line lost or stored twice"
        assert raws == before + [poison] + after
        held = [l for l in lines if l["raw"] == poison][0]
        assert held["fields"] == {"parse_error": "the parser stopped on this record"}, held
        assert held["message"] is None and held["span_id"] is None, held
        # The rest of the file was parsed as usual: IDs, messages.
        others = [l for l in lines if l["raw"] != poison]
        assert all(l["span_id_dd"] is not None and l["message"] for l in others)
        assert d.get("/v1/stats")["quarantine"] == {"records": 1, "payloads": 0}
        metrics = d.get("/metrics")
        assert "tracejoin_quarantined_records_total 1" in metrics, metrics
        log = d.log()
        assert "the last run stopped while handling this input; it is quarantined" in log
        assert log.count("a log record that stopped the daemon is stored as raw text") == 1
        assert "app.log" in log.split("a log record that stopped the daemon")[1].split("\n")[0]

        # Lines written after it are read as usual.
        d.append("app.log", [ddtrace_line(1234, 500, "later")])
        wait_for(lambda: any(l["message"] == "later" for l in every_line(d)), what="a later line")

        # A clean stop and start: nothing read again, nothing accused, nothing repeated.
        assert d.stop() == 0
        d.start(env=TRAPS)
        d.append("app.log", [ddtrace_line(1234, 501, "after the clean restart")])
        wait_for(lambda: any(l["message"] == "after the clean restart" for l in every_line(d)), what="the last line")
        raws = [l["raw"] for l in every_line(d)]
        assert len(raws) == want + 2 and len(set(raws)) == want + 2
        assert d.get("/v1/stats")["quarantine"]["records"] == 0
        assert crashes == 1
    finally:
        d.cleanup()


def test_a_payload_that_stops_the_intake_is_refused_when_it_comes_again():
    d = Daemon()
    try:
        d.start(env=TRAPS)
        poison = json.dumps({"trace_id": "77", "span_id": "1", "name": MARKER, "service": "web",
                             "start": 1764000000000000000, "duration": 1000}) + "\n"
        try:
            request(d.intake_socket, "POST", "/v1/spans", body=poison.encode(), headers={"Content-Type": "application/x-ndjson"})
        except OSError:
            pass   # the connection dies with the daemon
        assert d.wait_exit() != 0
        assert "TRACEJOIN_TEST_TRAP_PAYLOAD" in d.log()

        d.start(env=TRAPS)
        status, reply = request(d.intake_socket, "POST", "/v1/spans", body=poison.encode(),
                                headers={"Content-Type": "application/x-ndjson"})
        assert status == 400 and reply["error"] == "payload quarantined", reply
        assert "stopped the daemon" in reply["detail"], reply
        assert d.proc.poll() is None
        # Other payloads are taken as usual.
        status, reply = d.post_spans([{"trace_id": "78", "span_id": "2", "name": "ok", "service": "web",
                                       "start": 1764000000000000000, "duration": 1000}])
        assert status == 200 and reply["accepted"] == 1, reply
        assert d.get("/v1/stats")["quarantine"] == {"records": 0, "payloads": 1}
        assert "tracejoin_quarantined_payloads_total 1" in d.get("/metrics")
    finally:
        d.cleanup()
