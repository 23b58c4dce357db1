"""Rule files against the running daemon: hot reload, last good version, limits, counters, CLI."""

import json
import os
import signal

from harness import DDTRACE_RULES, Daemon, ddtrace_line, wait_for

JSON_RULES = """
source: json
paths: ["logs/*.json"]
rules:
  - name: structlog
    json: { trace_id: dd.trace_id, span_id: dd.span_id, message: event, level: level }
    ids: { trace: auto, span: decimal }
"""


def rule_status(d, name):
    files = {os.path.basename(f["file"]): f for f in d.get("/v1/rules")["files"]}
    return files.get(name)


def test_hot_reload_add_break_fix_remove(daemon):
    daemon.append("app.log", [ddtrace_line("501", "1", "before")])
    wait_for(lambda: len(daemon.logs_of("501")) == 1, what="first line")

    # A new rule file takes effect without a restart.
    daemon.write_rules("json.yaml", JSON_RULES)
    wait_for(lambda: (rule_status(daemon, "json.yaml") or {}).get("status") == "ok", what="json.yaml to load")
    with open(os.path.join(daemon.logs, "events.json"), "a") as f:
        f.write(json.dumps({"event": "from json", "level": "info", "dd.trace_id": "501", "dd.span_id": "2"}) + "\n")
    wait_for(lambda: len(daemon.logs_of("501")) == 2, what="the JSON line")

    # A broken edit: reported, and the last good version stays in force.
    daemon.write_rules("app.yaml", DDTRACE_RULES.replace("%{LOGLEVEL:level}", "%{LOGLEVL:level}"))
    status = wait_for(lambda: (lambda s: s if s and s["status"] == "error" else None)(rule_status(daemon, "app.yaml")),
                      what="app.yaml's error")
    assert status["in_force"] is True
    assert "app.yaml:8:" in status["error"] and "unknown pattern 'LOGLEVL'" in status["error"]
    assert "did you mean 'LOGLEVEL'" in status["error"]
    daemon.append("app.log", [ddtrace_line("501", "1", "while broken")])
    wait_for(lambda: len(daemon.logs_of("501")) == 3, what="a line parsed by the last good version")
    assert daemon.logs_of("501")[-1]["rule"] == "python-ddtrace"

    # Fixed, as a new version: new lines use it; nothing already read is read again.
    daemon.write_rules("app.yaml", DDTRACE_RULES.replace("name: python-ddtrace", "name: v2"))
    wait_for(lambda: (rule_status(daemon, "app.yaml") or {}).get("rules") == ["v2"], what="the fixed version")
    daemon.append("app.log", [ddtrace_line("501", "1", "after fix")])
    logs = wait_for(lambda: (lambda l: l if len(l) == 4 else None)(daemon.logs_of("501")), what="the line after the fix")
    assert [l["message"] for l in logs if l["rule"] != "structlog"] == ["before", "while broken", "after fix"]
    assert logs[-1]["rule"] == "v2" or [l for l in logs if l["message"] == "after fix"][0]["rule"] == "v2"

    # Removed: its source is no longer in force.
    os.remove(os.path.join(daemon.config, "rules.d", "json.yaml"))
    wait_for(lambda: rule_status(daemon, "json.yaml") is None, what="json.yaml to go")
    assert daemon.proc.poll() is None


def test_sighup_reloads():
    d = Daemon(extra_yaml="reload: { inotify: false, interval: 1h }\n")
    try:
        d.start()
        d.write_rules("json.yaml", JSON_RULES)
        # Neither inotify nor the (hourly) poll will see it; SIGHUP does.
        os.kill(d.proc.pid, signal.SIGHUP)
        wait_for(lambda: (rule_status(d, "json.yaml") or {}).get("status") == "ok", what="SIGHUP reload")
        assert d.proc.poll() is None
        assert "SIGHUP: reloading rule files" in d.log()
    finally:
        d.cleanup()


def test_catastrophic_rule_does_not_hold_up_the_others():
    rules = r"""
source: app
paths: ["logs/*.log"]
rules:
  - name: catastrophic
    grok: '^(\w+\s?)*$'
    limits: { match: 50000 }
  - name: good
    grok: 'trace=%{TRACEID:trace_id} span=%{SPANID:span_id} %{GREEDYDATA:message}'
"""
    d = Daemon(rules=rules)
    try:
        d.start()
        assert any("repeats a group that itself repeats without bound" in w
                   for w in d.get("/v1/rules")["files"][0]["warnings"])
        hostile = " ".join(["word"] * 40) + " !"
        lines = []
        for i in range(100):
            lines.append(hostile)
            lines.append(f"trace=777 span=1 good line {i}")
        d.append("app.log", lines)
        wait_for(lambda: len(d.logs_of("777")) == 100, timeout=60, what="every good line")
        stats = d.get("/v1/stats")["sources"]["app"]
        assert stats["rules"]["catastrophic"]["limit_hits"] == 100
        assert stats["rules"]["good"]["matched"] == 100 and stats["rules"]["good"]["with_trace"] == 100
        assert stats["lines_unmatched"] == 100
    finally:
        d.cleanup()


def test_stats_count_per_rule(daemon):
    daemon.append("app.log", [ddtrace_line("1", "1", "a"), ddtrace_line("0", "0", "outside"),
                              ddtrace_line("12x", "1", "bad id"), "garbage"])
    # "12x" is no form of ID, so %{TRACEID} does not match it: that line and "garbage" are unmatched.
    wait_for(lambda: daemon.get("/v1/stats")["sources"].get("app", {}).get("lines_unmatched") == 2, what="counters")
    rule = daemon.get("/v1/stats")["sources"]["app"]["rules"]["python-ddtrace"]
    assert rule == {"matched": 2, "with_trace": 1, "without_trace": 1, "invalid_ids": 0, "limit_hits": 0}


def test_invalid_ids_are_counted_and_kept(daemon):
    # The rule says span IDs are decimal; a hex span ID is never guessed.
    daemon.append("app.log", [ddtrace_line("4040", "ce3a6d2cb615fac0", "hex span")])
    logs = wait_for(lambda: daemon.logs_of("4040") or None, what="the line")
    assert logs[0]["span_id"] is None
    assert logs[0]["id_error"].startswith("span_id: 'c' at offset 0 is not a decimal digit")
    assert logs[0]["fields"]["span_id"] == "ce3a6d2cb615fac0"
    rule = daemon.get("/v1/stats")["sources"]["app"]["rules"]["python-ddtrace"]
    assert rule["invalid_ids"] == 1


def test_rules_check_and_test_cli(tmp_path):
    d = Daemon()
    try:
        out = d.cli("rules", "check", "--config", d.config)
        assert out.returncode == 0 and out.stdout.startswith("ok: 1 rule file, 1 rule (sources: app)"), out
        d.write_rules("bad.yaml", "source: b\npaths: [x]\nrules:\n  - name: r\n    grok: '%{NOPE:x}'\n")
        d.write_rules("bad2.yaml", "source: c\npaths: [x]\nrulez: []\n")
        out = d.cli("rules", "check", "--config", d.config)
        assert out.returncode == 1
        assert "bad.yaml:5:12: rule 'r': unknown pattern 'NOPE'" in out.stderr
        assert "bad2.yaml:3:1: unknown key 'rulez' in a rule file; did you mean 'rules'?" in out.stderr

        sample = tmp_path / "lines.log"
        sample.write_text(ddtrace_line("6b060b9000000000638337cabfd009ff", "1295274668589741838", "hello") + "\n"
                          + "2026-11-24 22:11:28,925 LOUD [a] [b.py:1] [dd.trace_id=1 dd.span_id=2] - x\n"
                          + ddtrace_line("0", "0", "outside any span") + "\n")
        out = d.cli("rules", "test", "--config", d.config, "--json", str(sample))
        assert out.returncode == 0, out.stderr
        first, second, third = [json.loads(l) for l in out.stdout.splitlines()]
        assert first["rule"] == "python-ddtrace" and first["source"] == "app"
        assert first["trace_id"] == "6b060b9000000000638337cabfd009ff"
        assert first["trace_id_dd"] == "7170636375644965375"
        assert first["span_id"] == "1295274668589741838"
        assert first["fields"]["message"] == "hello" and first["error"] is None
        assert second["rule"] is None and second["trace_id"] is None
        assert "then '%{LOGLEVEL:level}' did not match \"LOUD [a]" in second["misses"][0]["reason"]
        # A line without a trace ID shows its fields too (it is counted, not stored).
        assert third["rule"] == "python-ddtrace" and third["trace_id"] is None
        assert third["fields"]["message"] == "outside any span" and third["fields"]["logger"] == "rc.app"
        # The broken files are named, not silently skipped.
        assert "bad.yaml" in out.stderr
        out = d.cli("rules", "test", "--config", d.config, "--source", "app", str(sample))
        assert "line 1: app/python-ddtrace" in out.stdout and "line 2: no rule matched" in out.stdout
    finally:
        d.cleanup()


FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Fixtures", "import")

APP_RECORD = [
    "2026-11-24 22:11:28,925 ERROR [shop.cart] [dd.trace_id=9001 dd.span_id=7] - payment failed",
    "Traceback (most recent call last):",
    '  File "cart.py", line 3, in pay',
    "ValueError: card declined",
]


def test_rules_import_logstash_then_serve(tmp_path):
    d = Daemon(rules=None)
    try:
        conf = os.path.join(FIXTURES, "shop.conf")
        out = d.cli("rules", "import", "logstash", "--config", d.config, conf)
        assert out.returncode == 0, out
        assert "shop-app.yaml (source shop-app, 2 rules" in out.stdout
        assert "shop-nginx.yaml (source shop-nginx, 1 rule" in out.stdout
        assert "Not carried across" in out.stdout
        assert "shop.conf:39: filter 'date'" in out.stdout
        assert "capture 'dd.trace_id' renamed to 'trace_id'" in out.stdout
        # Nothing is overwritten without --force.
        again = d.cli("rules", "import", "logstash", "--config", d.config, conf)
        assert again.returncode == 1 and "not overwritten" in again.stderr

        # Point the imported sources at this test's files, as a user edits `paths:`.
        for name, old, new in [("shop-app.yaml", "/var/log/shop/app.log", "logs/app.log"),
                               ("shop-nginx.yaml", "/var/log/nginx/access.log", "logs/access.log")]:
            path = os.path.join(d.config, "rules.d", name)
            with open(path) as f:
                text = f.read()
            assert old in text
            with open(path, "w") as f:
                f.write(text.replace(old, new))
        assert d.cli("rules", "check", "--config", d.config).returncode == 0

        # `rules test` frames the traceback into its record, as the tailer does.
        sample = tmp_path / "app.log"
        sample.write_text("\n".join(APP_RECORD) + "\n")
        out = d.cli("rules", "test", "--config", d.config, "--source", "shop-app", "--json", str(sample))
        assert out.returncode == 0, out.stderr
        [record] = [json.loads(l) for l in out.stdout.splitlines()]
        assert record["line"] == 1 and record["last_line"] == 4 and record["rule"] == "app-1"
        assert record["fields"]["message"] == "payment failed\n" + "\n".join(APP_RECORD[1:])

        d.start()
        d.append("app.log", APP_RECORD)
        # 9001 is 0x2329: the nginx line's 128-bit hex ID is the same trace.
        d.append("access.log", ['10.0.0.7 - - [24/Nov/2026:22:11:28 +0000] "GET /cart HTTP/1.1" 200 512 '
                                'trace_id=00000000000000000000000000002329'])
        logs = wait_for(lambda: (lambda l: l if len(l) == 2 else None)(d.logs_of("9001")), what="both imported sources' lines")
        by_rule = {l["rule"]: l for l in logs}
        app = by_rule["app-1"]
        assert app["source_name"] == "shop-app" and app["level"] == "ERROR"
        assert app["fields"]["logger"] == "shop.cart"
        assert app["message"].startswith("payment failed\nTraceback") and app["message"].endswith("card declined")
        access = by_rule["nginx"]
        assert access["source_name"] == "shop-nginx"
        assert access["fields"]["method"] == "GET" and access["fields"]["status"] == 200
    finally:
        d.cleanup()
