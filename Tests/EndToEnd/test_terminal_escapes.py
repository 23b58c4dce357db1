"""Log lines and span fields holding terminal escape sequences reach the operator's terminal
escaped (ESC as the text `\\x1b`), on a terminal and to a pipe alike; only `--raw` to a pipe gives
the stored bytes. The daemon's own log escapes what it quotes too."""

import json
import os
import pty
import select
import subprocess
import time
import tty

from harness import BIN, Daemon, check_sanitizer_report, ddtrace_line, request, wait_for

# Window title (OSC 0), clear screen, colour, carriage return, an OSC 8 hyperlink, a line
# separator, a right-to-left override and a C1 CSI.
HOSTILE = ("\x1b]0;pwned\x07\x1b[2J\x1b[31mred\rover \x1b]8;;https://evil.example/\x1b\\link\x1b]8;;\x1b\\"
           " \u2028 \u202e \u009b31m")
ESCAPED = "\\x1b]0;pwned\\x07\\x1b[2J\\x1b[31mred\\rover"
ACTIVE = [b"\x1b", b"\r", b"\x07", "\u009b".encode(), "\u2028".encode(), "\u202e".encode()]
ENV = {**os.environ, "NO_COLOR": "1"}  # no colours of the CLI's own: any ESC would be the data's


def run(*args):
    """The CLI with standard output a pipe; its (returncode, stdout bytes, stderr bytes)."""
    out = subprocess.run([BIN, *args], capture_output=True, timeout=30, env=ENV, stdin=subprocess.DEVNULL)
    check_sanitizer_report(out.stderr.decode("utf-8", "replace"), f"tracejoin {' '.join(args[:2])}")
    return out.returncode, out.stdout, out.stderr


def run_on_terminal(*args):
    """The CLI with standard output a terminal (a pty, raw: no `\\n` to `\\r\\n`); its
    (returncode, bytes written to the terminal)."""
    master, slave = pty.openpty()
    tty.setraw(slave)
    proc = subprocess.Popen([BIN, *args], stdout=slave, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=ENV)
    os.close(slave)
    chunks = []
    deadline = time.monotonic() + 30
    try:
        while True:
            ready, _, _ = select.select([master], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                raise AssertionError(f"tracejoin {' '.join(args[:2])} wrote nothing more and did not exit within 30 s")
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the process closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        stderr = proc.stderr.read().decode("utf-8", "replace")
        proc.wait(timeout=15)
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    check_sanitizer_report(stderr, f"tracejoin {' '.join(args[:2])}")
    return proc.returncode, b"".join(chunks)


def active_in(data):
    return [a for a in ACTIVE if a in data]


def stored_hostile_trace(d):
    """A span whose name and service hold HOSTILE, and a tailed line whose message does."""
    assert d.post_spans([{"trace_id": "777", "span_id": "1", "service": "web" + HOSTILE, "name": HOSTILE,
                          "start": 1764000000000000000, "duration": 5}])[0] == 200
    with open(os.path.join(d.logs, "app.log"), "ab") as f:
        f.write((ddtrace_line("777", "1", "msg " + HOSTILE) + "\n").encode("utf-8"))
    wait_for(lambda: d.trace("777")[0] == 200 and d.trace("777")[1]["span_count"] == 1 and len(d.logs_of("777")) == 1,
             what="the span and its line")
    assert d.logs_of("777")[0]["message"] == "msg " + HOSTILE


def test_query_output_is_escaped_unless_raw_to_a_pipe():
    d = Daemon()
    try:
        d.start()
        stored_hostile_trace(d)
        sock = ("--socket", d.query_socket)
        for args in (("query", "trace", "777"), ("query", "span", "1"), ("query", "logs", "--trace", "777"),
                     ("query", "recent"), ("query", "unmatched")):
            # To a pipe, by default: escaped.
            code, out, err = run(*args, *sock)
            assert code == 0, (args, err)
            assert active_in(out) == [], (args, out)
            # To a terminal: escaped, with --raw or without.
            for raw in ((), ("--raw",)):
                code, out = run_on_terminal(*args, *sock, *raw)
                assert code == 0, (args, raw, out)
                assert active_in(out) == [], (args, raw, out)
        for args in (("query", "trace", "777"), ("query", "logs", "--trace", "777")):
            code, out, _ = run(*args, *sock)
            assert ESCAPED.encode() in out, (args, out)
            code, out = run_on_terminal(*args, *sock, "--raw")
            assert ESCAPED.encode() in out, (args, out)
            # --raw to a pipe: the stored bytes.
            code, out, _ = run(*args, *sock, "--raw")
            assert code == 0 and HOSTILE.encode() in out, (args, out)

        # JSON: every control character escaped in the strings, the same values read back.
        for raw in ((), ("--raw",)):
            code, out, _ = run("query", "logs", "--trace", "777", "--json", *sock, *raw)
            assert code == 0 and active_in(out) == [], out
            assert json.loads(out)["logs"][0]["log"]["message"] == "msg " + HOSTILE
            code, out, _ = run("query", "trace", "777", "--json", *sock, *raw)
            assert code == 0 and active_in(out) == [], out
            assert json.loads(out)["spans"][0]["name"] == HOSTILE

        # The daemon's error quotes what was asked: escaped on standard error.
        code, _, err = run("query", "trace", "\x1b[2J\x1b]0;pwned\x07", *sock)
        assert code == 1 and active_in(err) == [], err

        # `rules test` echoes lines and their fields: escaped too.
        sample = os.path.join(d.root, "sample.log")
        with open(sample, "wb") as f:
            f.write((ddtrace_line("777", "1", "msg " + HOSTILE) + "\n" + "no rule " + HOSTILE + "\n").encode("utf-8"))
        code, out, err = run("rules", "test", "--config", d.config, sample)
        assert code == 0 and active_in(out) == [], (out, err)
        code, out, _ = run("rules", "test", "--config", d.config, "--json", sample)
        assert code == 0 and active_in(out) == [], out
        assert json.loads(out.splitlines()[0])["fields"]["message"] == "msg " + HOSTILE
    finally:
        d.cleanup()


def test_the_daemon_log_escapes_what_it_quotes():
    d = Daemon()
    try:
        d.start()
        # A Zipkin span whose trace ID holds escape sequences: refused, and the refusal logged
        # with the ID quoted.
        trace_id = "\x1b]0;pwned\x07\x1b[2J\r\u2028\u202e\u009b"
        status, body = request(d.intake_socket, "POST", "/api/v2/spans",
                               body=json.dumps([{"traceId": trace_id, "id": "0000000000000001"}]).encode(),
                               headers={"Content-Type": "application/json"})
        assert status == 400 and "span 0: traceId" in body["detail"], (status, body)
        wait_for(lambda: "refused Zipkin spans" in d.log(), what="the refusal in the daemon's log")
        # A span name and a line with them too, through the whole pipeline.
        stored_hostile_trace(d)
        log = d.log()
        assert "\\x1b]0;pwned\\x07\\x1b[2J\\r\\u2028\\u202e\\u009b" in log, log
        for active in ("\x1b", "\r", "\x07", "\u009b", "\u2028", "\u202e"):
            assert active not in log, (active, log)
    finally:
        d.cleanup()
