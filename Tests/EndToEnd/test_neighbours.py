"""A host has neighbours (docs/reliability.md): the state is private whatever the umask, and rule
files cannot make the daemon read what is not theirs or hang on what is not a file."""

import os
import stat

from harness import Daemon, ddtrace_line, wait_for


def test_state_is_private_whatever_the_umask():
    d = Daemon()
    try:
        d.start(preexec_fn=lambda: os.umask(0o022))
        d.append("app.log", [ddtrace_line(1, 2, "hello")])
        wait_for(lambda: d.get("/v1/logs?limit=1")["logs"], what="a stored line")
        state = os.path.join(d.root, "state")
        assert stat.S_IMODE(os.stat(state).st_mode) == 0o700
        for dirpath, dirnames, filenames in os.walk(state):
            for name in dirnames:
                assert stat.S_IMODE(os.stat(os.path.join(dirpath, name)).st_mode) == 0o700, name
            for name in filenames:
                path = os.path.join(dirpath, name)
                mode = os.lstat(path).st_mode
                if stat.S_ISREG(mode):
                    assert stat.S_IMODE(mode) == 0o600, (path, oct(mode))
        # The sockets keep their configured modes (intake 0660 by default, query 0600).
        assert stat.S_IMODE(os.stat(d.intake_socket).st_mode) == 0o660
        assert stat.S_IMODE(os.stat(d.query_socket).st_mode) == 0o600
    finally:
        d.cleanup()


def test_a_rule_file_linking_outside_the_config_is_not_read(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("root:$6$supersecrethash:19000:0:99999:7:::\n")
    d = Daemon()
    try:
        os.symlink(str(secret), os.path.join(d.config, "rules.d", "evil.yaml"))
        out = d.cli("rules", "check", "--config", d.config)
        assert out.returncode != 0
        assert "a link to a file outside the configuration directory is not read" in out.stdout + out.stderr
        assert "supersecrethash" not in out.stdout + out.stderr
    finally:
        d.cleanup()


def test_a_fifo_in_rules_d_does_not_hang_loading():
    d = Daemon()
    try:
        os.mkfifo(os.path.join(d.config, "rules.d", "pipe.yaml"))
        out = d.cli("rules", "check", "--config", d.config)   # cli() gives up after 30 s
        assert out.returncode != 0
        assert "not a regular file" in out.stdout + out.stderr
    finally:
        d.cleanup()


def test_globs_over_the_whole_file_system_are_refused():
    d = Daemon()
    try:
        for glob, words in (("/**", "whole file system"), ("/proc/*/fd/*", "in /proc"), ("/dev/*", "in /dev")):
            d.write_rules("wide.yaml", f"source: wide\npaths: [\"{glob}\"]\nrules:\n  - name: r\n    grok: '%{{GREEDYDATA:message}}'\n")
            out = d.cli("rules", "check", "--config", d.config)
            assert out.returncode != 0 and words in out.stdout + out.stderr, (glob, out.stdout, out.stderr)
    finally:
        d.cleanup()


def test_the_daemon_never_tails_its_own_state():
    d = Daemon(rules=None)
    try:
        d.write_rules("self.yaml", "source: self\npaths: [\"../state/*\", \"logs/*.log\"]\nkeep_untraced: true\n"
                                   "rules:\n  - name: r\n    grok: '%{GREEDYDATA:message}'\n")
        d.start()
        d.append("app.log", ["a line of a real log"])
        wait_for(lambda: d.get("/v1/logs?limit=5")["logs"], what="the log line")
        files = [f["path"] for f in d.get("/v1/stats")["files"]]
        assert files and all("/state/" not in f for f in files), files
    finally:
        d.cleanup()


def test_loopback_listeners_answer_only_requests_that_name_them():
    """DNS rebinding: a web page whose name resolves to 127.0.0.1 sends `Host: its-name`; the
    query and intake listeners refuse it, with or without auth."""
    import http.client
    import json as jsonlib

    from harness import free_port
    query_port, intake_port = free_port(), free_port()
    d = Daemon()
    try:
        with open(os.path.join(d.config, "tracejoin.yaml"), "w") as f:
            f.write("state_dir: ../state\n"
                    f'intake: {{ socket: ../run/intake.sock, tcp: ["127.0.0.1:{intake_port}"] }}\n'
                    f'query: {{ socket: ../run/query.sock, tcp: ["127.0.0.1:{query_port}"], auth: none }}\n')
        d.start()

        def call(port, method, path, host, body=None, headers=None):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            try:
                conn.putrequest(method, path, skip_host=True)
                conn.putheader("Host", host)
                for k, v in (headers or {}).items():
                    conn.putheader(k, v)
                if body is not None:
                    conn.putheader("Content-Length", str(len(body)))
                conn.endheaders(body)
                resp = conn.getresponse()
                return resp.status, resp.read()
            finally:
                conn.close()

        wait_for(lambda: call(query_port, "GET", "/healthz", f"127.0.0.1:{query_port}")[0] == 200, what="the query listener")
        for host in (f"127.0.0.1:{query_port}", f"localhost:{query_port}", "localhost", f"[::1]:{query_port}"):
            assert call(query_port, "GET", "/v1/logs", host)[0] == 200, host
        for host in (f"evil.example:{query_port}", "evil.example", f"127.0.0.1:{query_port + 1}", ""):
            status, body = call(query_port, "GET", "/v1/logs", host)
            assert status == 403 and b"host not allowed" in body, (host, status, body)
        span = jsonlib.dumps({"trace_id": "91", "span_id": "1", "name": "x", "service": "s", "start": 1, "duration": 1}).encode()
        ndjson = {"Content-Type": "application/x-ndjson"}
        assert call(intake_port, "POST", "/v1/spans", f"evil.example:{intake_port}", span, ndjson)[0] == 403
        assert call(intake_port, "POST", "/v1/spans", f"localhost:{intake_port}", span, ndjson)[0] == 200
    finally:
        d.cleanup()


def test_the_grok_debugger_is_bounded_and_never_starves_the_query_listener():
    """Issue 24: a 1 MiB `POST /rules` cost a second of CPU, and four at once stalled `/healthz`
    for 3.7 s. Now a post is at most 64 KiB and 200 lines (413 beyond), each line cut at 8 KiB,
    one run at a time (429 while one is in progress), parsed off the cooperative threads for at
    most 2 s: the query listener keeps answering throughout."""
    import threading
    import time
    import urllib.parse

    from harness import request

    form_type = {"Content-Type": "application/x-www-form-urlencoded"}

    def form(lines):
        return urllib.parse.urlencode({"lines": "\n".join(lines)}).encode()

    def post(body):
        return request(d.query_socket, "POST", "/rules", body=body, headers=form_type)

    def cpu_seconds():
        with open(f"/proc/{d.proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    d = Daemon()
    try:
        d.start()
        # 1 MiB: refused by its declared length, before anything is parsed.
        cpu = cpu_seconds()
        status, body = post(form(["x" * (1 << 20)]))
        assert status == 413 and "at most 64 KiB" in body, (status, body[:500])
        print(f"\n1 MiB post: {status}, daemon CPU {cpu_seconds() - cpu:.2f} s")
        # Within 64 KiB but more than 200 lines: 413 as well.
        status, body = post(form(["a"] * 201))
        assert status == 413 and "at most 200 lines" in body and "201 were sent" in body, (status, body[:500])
        # A line over 8 KiB is cut, and the page says so.
        status, body = post(form([ddtrace_line(1, 2, "long " + "z" * 10_000)]))
        assert status == 200 and "debug-results" in body and "first 8 KiB were parsed" in body, (status, body[:500])

        # The most one post may carry: 200 lines filling 64 KiB, each taking every rule's
        # prefixes to explain its miss (no dd.trace_id where the rule wants one).
        start = "2026-11-24 22:11:28,925 INFO [rc.app] [rc_common.py:144] [dd.service=rc-demo "
        per_line = (64 * 1024 - len("lines=") - 199 * len("%0A")) // 200
        line = start + "y" * (per_line - len(urllib.parse.quote_plus(start)))
        maximal = form([line] * 200)
        assert 64 * 1024 - 200 < len(maximal) <= 64 * 1024, len(maximal)

        results = []

        def run():
            began = time.monotonic()
            status, page = post(maximal)
            results.append((status, time.monotonic() - began, page))

        cpu = cpu_seconds()
        threads = [threading.Thread(target=run) for _ in range(4)]
        for t in threads:
            t.start()
        answers = []
        deadline = time.monotonic() + 30
        while any(t.is_alive() for t in threads) and time.monotonic() < deadline:
            began = time.monotonic()
            status, _ = request(d.query_socket, "GET", "/healthz")
            answers.append(time.monotonic() - began)
            assert status == 200
            time.sleep(0.02)
        for t in threads:
            t.join(timeout=30)
        used = cpu_seconds() - cpu
        statuses = sorted(s for s, _, _ in results)
        print(f"four maximal debugger posts at once: statuses {statuses}, "
              f"took {', '.join(f'{t:.2f} s' for _, t, _ in results)}, daemon CPU {used:.2f} s; "
              f"/healthz answered {len(answers)} times meanwhile, slowest {max(answers) * 1000:.1f} ms")
        assert len(results) == 4 and 200 in statuses and set(statuses) <= {200, 429}, statuses
        for status, _, page in results:
            if status == 200:
                assert page.count('class="debug-line"') + page.count("lines were not parsed") > 0, page[:500]
            else:
                assert "The grok debugger is busy" in page, page[:500]
        assert answers and max(answers) < 1.0, answers
        assert d.proc.poll() is None
    finally:
        d.cleanup()
