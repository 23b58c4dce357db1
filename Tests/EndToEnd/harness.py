"""Runs the real `tracejoin` binary for end-to-end tests.

Everything here is real: a temporary configuration directory, log files the tests write,
HTTP over the daemon's Unix sockets, and the daemon process itself (stopped by pid).
Tests synchronise on conditions polled with a deadline, never on bare sleeps.
"""

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

try:
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    # A page that is still loading: the element a condition looks for is not there yet, or was
    # replaced by the script that filled it in. The next poll looks again, as Selenium's own
    # WebDriverWait does.
    _NOT_YET = (NoSuchElementException, StaleElementReferenceException)
except ImportError:  # the tests that drive no browser run without Selenium
    _NOT_YET = ()

BIN = os.environ.get("TRACEJOIN_BIN") or os.path.join(
    os.path.dirname(__file__), "..", "..", ".build", "debug", "tracejoin")
# The tools the tests use that are not part of the product (debug-make-v8-index): built beside it.
BENCH_BIN = os.path.join(os.path.dirname(BIN), "tracejoin-bench")

DDTRACE_RULES = r"""
source: app
paths: ["logs/*.log"]
patterns:
  DDIDS: 'dd\.trace_id=%{TRACEID:trace_id} dd\.span_id=%{SPANID:span_id}'
rules:
  - name: python-ddtrace
    grok: '%{TIMESTAMP_ISO8601:timestamp} %{LOGLEVEL:level} \[%{DATA:logger}\] \[%{DATA:code_file}:%{INT:code_line}\] \[.*?%{DDIDS}\] - %{GREEDYDATA:message}'
    ids: { trace: auto, span: decimal }
"""


def wait_for(condition, timeout=15.0, interval=0.05, what="condition"):
    """Polls `condition` until it returns a truthy value; fails after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = condition()
        except (OSError, http.client.HTTPException, *_NOT_YET) as error:
            last = error
        else:
            if last:
                return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}; last value: {last!r}")


def check_sanitizer_report(output, who):
    """`make test` runs the AddressSanitizer build: a report (a memory error, or a leak at exit)
    in a process's output fails the test that ran it, with the report."""
    at = output.find("ERROR: AddressSanitizer")
    if at < 0:
        at = output.find("ERROR: LeakSanitizer")
    if at >= 0:
        raise AssertionError(f"{who} reported under the sanitizer:\n{output[at:at + 6000]}")


def rss_kib(pid):
    """A process's resident memory (VmRSS), KiB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError(f"no VmRSS for pid {pid}")


def free_port():
    """A TCP port free on 127.0.0.1 right now (the kernel's pick for port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path, timeout=10):
        super().__init__("localhost", timeout=timeout)
        self.socket_path = path

    def connect(self):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        sock.connect(self.socket_path)
        self.sock = sock


def request(path, method, url, body=None, headers=None):
    """One HTTP request over a Unix socket; returns (status, parsed JSON or text)."""
    conn = UnixHTTPConnection(path)
    try:
        conn.request(method, url, body=body, headers=headers or {})
        resp = conn.getresponse()
        data = resp.read()
        ctype = resp.getheader("content-type", "")
        if "json" in ctype and data:
            return resp.status, json.loads(data)
        return resp.status, data.decode("utf-8", "replace")
    finally:
        conn.close()


class Daemon:
    """A `tracejoin serve` process on a configuration directory of its own."""

    def __init__(self, rules=DDTRACE_RULES, root=None, extra_yaml=""):
        # Unix socket paths are limited to 107 bytes: keep the directory short.
        self.root = root or tempfile.mkdtemp(prefix="tj-", dir="/tmp")
        self.config = os.path.join(self.root, "config")
        self.logs = os.path.join(self.config, "logs")
        os.makedirs(os.path.join(self.config, "rules.d"), exist_ok=True)
        os.makedirs(self.logs, exist_ok=True)
        with open(os.path.join(self.config, "tracejoin.yaml"), "w") as f:
            f.write("state_dir: ../state\n"
                    "intake: { socket: ../run/intake.sock }\n"
                    "query: { socket: ../run/query.sock }\n" + extra_yaml)
        if rules is not None:
            self.write_rules("app.yaml", rules)
        self.intake_socket = os.path.join(self.root, "run", "intake.sock")
        self.query_socket = os.path.join(self.root, "run", "query.sock")
        self.proc = None
        self.stderr_path = os.path.join(self.root, "daemon.log")

    def write_rules(self, name, text):
        with open(os.path.join(self.config, "rules.d", name), "w") as f:
            f.write(text)

    def start(self, preexec_fn=None, env=None):
        self.stderr = open(self.stderr_path, "ab")
        self.proc = subprocess.Popen(
            [BIN, "serve", "--config", self.config, "--log-level", "debug"],
            stdout=self.stderr, stderr=subprocess.STDOUT, preexec_fn=preexec_fn, env={**os.environ, **(env or {})})
        wait_for(self._ready, what="the daemon's sockets to answer /healthz")
        return self

    def wait_exit(self, timeout=30):
        """Waits for the daemon to end by itself (a crash); returns its status, as stop() does."""
        wait_for(lambda: self.proc.poll() is not None, timeout=timeout, what="the daemon to exit")
        self.stderr.close()
        code = self.proc.returncode
        self.proc = None
        return code

    def _ready(self):
        if self.proc.poll() is not None:
            raise AssertionError(f"daemon exited with {self.proc.returncode}:\n{self.log()}")
        if not (os.path.exists(self.intake_socket) and os.path.exists(self.query_socket)):
            return False
        return (request(self.query_socket, "GET", "/healthz")[0] == 200
                and request(self.intake_socket, "GET", "/healthz")[0] == 200)

    def stop(self, sig=signal.SIGTERM):
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            os.kill(self.proc.pid, sig)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)
        self.stderr.close()
        code = self.proc.returncode
        self.proc = None
        check_sanitizer_report(self.log(), "the daemon")
        return code

    def cleanup(self):
        self.stop()
        # TRACEJOIN_KEEP=1 keeps the directory (config, logs, index, daemon.log) for a post-mortem.
        if not os.environ.get("TRACEJOIN_KEEP"):
            shutil.rmtree(self.root, ignore_errors=True)

    def log(self):
        try:
            with open(self.stderr_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    # Convenience wrappers.

    def append(self, name, lines):
        with open(os.path.join(self.logs, name), "a") as f:
            for line in lines:
                f.write(line + "\n")

    def post_spans(self, spans):
        body = "\n".join(s if isinstance(s, str) else json.dumps(s) for s in spans) + "\n"
        return request(self.intake_socket, "POST", "/v1/spans", body=body.encode(),
                       headers={"Content-Type": "application/x-ndjson"})

    def trace(self, trace_id):
        return request(self.query_socket, "GET", f"/v1/traces/{trace_id}")

    def get(self, path):
        status, body = request(self.query_socket, "GET", path)
        assert status == 200, (path, status, body)
        return body

    def logs_of(self, trace_id):
        """Every log line of a trace, joined or not, in order."""
        status, doc = self.trace(trace_id)
        if status != 200:
            return []
        return [l for s in walk(doc["spans"]) for l in s["logs"]] + doc["unmatched_logs"]

    def cli(self, *args):
        out = subprocess.run([BIN, *args], capture_output=True, text=True, timeout=30,
                             env={**os.environ, "NO_COLOR": "1"})
        check_sanitizer_report(out.stderr, f"tracejoin {' '.join(args[:2])}")
        return out


def ddtrace_line(trace, span, message, level="INFO", ts="2026-11-24 22:11:28,925"):
    """A line in Datadog's documented stdlib format (shared/clients.md §4a)."""
    return (f"{ts} {level} [rc.app] [rc_common.py:144] [dd.service=rc-demo dd.env=test "
            f"dd.version=1.0.0 dd.trace_id={trace} dd.span_id={span}] - {message}")


def walk(spans):
    """Every span of a tree, depth first."""
    for span in spans:
        yield span
        yield from walk(span["children"])


def logs_by_span(doc):
    """{span_id_dd: [messages]} of a /v1/traces document."""
    return {s["span_id_dd"]: [l["message"] for l in s["logs"]] for s in walk(doc["spans"])}
