"""The release daemon on a temporary configuration, for the benchmarks that run it.

    d = BenchDaemon("tj-lat-", rules=RULES)   # writes config/ (tracejoin.yaml, rules.d/, logs/)
    d.start()                                 # runs `tracejoin serve`, waits for /healthz
    ...
    d.stop()                                  # SIGTERM by pid, then removes the directory
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "Tests", "EndToEnd"))
from harness import request, wait_for  # noqa: E402

RELEASE_BIN = os.path.join(os.path.dirname(__file__), "..", ".build", "release", "tracejoin")
# The benchmarks' own tools (bench-intake, debug-generate-logs): not part of the product.
BENCH_BIN = os.path.join(os.path.dirname(RELEASE_BIN), "tracejoin-bench")


def status_kib(pid, key):
    """A /proc/PID/status figure in KiB (VmRSS, VmHWM, RssAnon…)."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def cpu_seconds(pid):
    """User and system CPU seconds of a process so far."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class BenchDaemon:
    def __init__(self, prefix, rules=None, extra_yaml="", bin=RELEASE_BIN, log_level="warning"):
        self.bin = bin
        self.log_level = log_level
        self.root = tempfile.mkdtemp(prefix=prefix, dir="/tmp")
        self.config = os.path.join(self.root, "config")
        self.logs = os.path.join(self.config, "logs")
        os.makedirs(os.path.join(self.config, "rules.d"))
        os.makedirs(self.logs)
        with open(os.path.join(self.config, "tracejoin.yaml"), "w") as f:
            f.write("state_dir: ../state\nintake: { socket: ../run/intake.sock }\nquery: { socket: ../run/query.sock }\n" + extra_yaml)
        if rules:
            with open(os.path.join(self.config, "rules.d", "bench.yaml"), "w") as f:
                f.write(rules)
        self.state = os.path.join(self.root, "state")
        self.query = os.path.join(self.root, "run", "query.sock")
        self.intake = os.path.join(self.root, "run", "intake.sock")
        self.proc = None
        self.log = None

    def start(self, wait=True):
        self.log = open(os.path.join(self.root, "daemon.log"), "wb")
        self.proc = subprocess.Popen([self.bin, "serve", "--config", self.config, "--log-level", self.log_level],
                                     stdout=self.log, stderr=self.log)
        if wait:
            wait_for(lambda: os.path.exists(self.query) and request(self.query, "GET", "/healthz")[0] == 200
                     and request(self.intake, "GET", "/healthz")[0] == 200, what="daemon")
        return self

    def halt(self):
        """Stops the daemon (SIGTERM by pid), keeping its directory."""
        if self.proc is not None:
            os.kill(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=30)
            self.log.close()
            self.proc = None

    def stop(self):
        self.halt()
        shutil.rmtree(self.root, ignore_errors=True)
