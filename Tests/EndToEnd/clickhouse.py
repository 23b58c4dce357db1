"""Runs a real `clickhouse-server` (Debian's 18.16) for end-to-end tests.

The server is a plain process of the test, never the system service: its configuration,
data, logs and temporary files all live in a temporary directory, it listens on free
loopback ports only, and it is stopped by pid. Tests synchronise on conditions polled with
a deadline (harness.wait_for), never on bare sleeps.
"""

import json
import os
import shutil
import signal
import subprocess
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from xml.sax.saxutils import escape

from harness import free_port, wait_for

SERVER = os.environ.get("CLICKHOUSE_SERVER") or "/usr/sbin/clickhouse-server"

# 18.16 only needs the elements below; everything else (the system service's paths under
# /var/lib/clickhouse and /var/log/clickhouse-server, ZooKeeper, query_log, the example
# clusters, interserver_http_port) is left out. Caches are small: tests hold little data.
CONFIG = """<?xml version="1.0"?>
<yandex>
    <logger>
        <level>information</level>
        <log>{root}/log/clickhouse-server.log</log>
        <errorlog>{root}/log/clickhouse-server.err.log</errorlog>
        <size>10M</size>
        <count>1</count>
    </logger>
    <listen_host>127.0.0.1</listen_host>
    <http_port>{http_port}</http_port>
    <tcp_port>{tcp_port}</tcp_port>
    <path>{root}/data/</path>
    <tmp_path>{root}/tmp/</tmp_path>
    <user_files_path>{root}/user_files/</user_files_path>
    <format_schema_path>{root}/format_schemas/</format_schema_path>
    <users_config>{root}/users.xml</users_config>
    <default_profile>default</default_profile>
    <default_database>default</default_database>
    <timezone>UTC</timezone>
    <mark_cache_size>268435456</mark_cache_size>
    <uncompressed_cache_size>268435456</uncompressed_cache_size>
    <max_concurrent_queries>100</max_concurrent_queries>
    <keep_alive_timeout>3</keep_alive_timeout>
    <mlock_executable>false</mlock_executable>
{remote_servers}</yandex>
"""

# The `default` user: empty password, loopback only, no quota limits.
USERS = """<?xml version="1.0"?>
<yandex>
    <profiles><default><max_memory_usage>4000000000</max_memory_usage></default></profiles>
    <users>
        <default>
            <password></password>
            <networks><ip>::1</ip><ip>127.0.0.1</ip></networks>
            <profile>default</profile>
            <quota>default</quota>
        </default>
    </users>
    <quotas><default><interval>
        <duration>3600</duration><queries>0</queries><errors>0</errors>
        <result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time>
    </interval></default></quotas>
</yandex>
"""


def cluster_xml(shards):
    """<remote_servers> with a cluster `fleet`: one shard, of one replica, per (host, tcp_port)."""
    body = "".join(
        f"            <shard><replica><host>{escape(host)}</host><port>{port}</port>"
        f"</replica></shard>\n" for host, port in shards)
    return f"    <remote_servers>\n        <fleet>\n{body}        </fleet>\n    </remote_servers>\n"


class ClickHouse:
    """A clickhouse-server process on loopback ports of its own, with a temporary data path."""

    def __init__(self, root=None, shards=None):
        self.root = root or tempfile.mkdtemp(prefix="tj-ch-", dir="/tmp")
        self.shards = list(shards or [])
        self.http_port = free_port()
        self.tcp_port = free_port()
        self.url = f"http://127.0.0.1:{self.http_port}"
        self.proc = None
        self.out_path = os.path.join(self.root, "server.out")  # the process's stdout/stderr

    def start(self):
        """Writes the configuration, starts the server and waits until /ping answers."""
        for sub in ("data", "tmp", "user_files", "format_schemas", "log"):
            os.makedirs(os.path.join(self.root, sub), exist_ok=True)
        config = os.path.join(self.root, "config.xml")
        with open(config, "w") as f:
            f.write(CONFIG.format(root=escape(self.root), http_port=self.http_port,
                                  tcp_port=self.tcp_port,
                                  remote_servers=cluster_xml(self.shards) if self.shards else ""))
        with open(os.path.join(self.root, "users.xml"), "w") as f:
            f.write(USERS)
        self.out = open(self.out_path, "ab")
        # cwd=root: anything the server writes relative to its working directory stays there.
        self.proc = subprocess.Popen([SERVER, f"--config-file={config}"], cwd=self.root,
                                     stdin=subprocess.DEVNULL, stdout=self.out,
                                     stderr=subprocess.STDOUT)
        wait_for(self._ready, timeout=60, what=f"clickhouse-server to answer {self.url}/ping")
        return self

    def _ready(self):
        if self.proc.poll() is not None:
            code = self.proc.returncode
            self.stop()
            raise AssertionError(f"clickhouse-server exited with {code}:\n{self.log()}")
        with urllib.request.urlopen(f"{self.url}/ping", timeout=2) as resp:
            return resp.status == 200 and resp.read().strip() == b"Ok."

    def query(self, sql, data=None, headers=None, settings=None):
        """Runs `sql` over HTTP and returns the response text.

        Without `data` the query is the POST body; with `data` (str or bytes, e.g. JSON lines
        for `INSERT ... FORMAT JSONEachRow`) the query goes in ?query= and `data` is the body.
        `headers` are extra request headers (e.g. {"Content-Encoding": "gzip"}); `settings` go
        in the URL (e.g. {"insert_distributed_sync": 1}): 18.16 has no INSERT ... SETTINGS.
        """
        params = dict(settings or {})
        if data is None:
            body = sql.encode()
        else:
            params["query"] = sql
            body = data.encode() if isinstance(data, str) else data
        url = self.url + "/?" + urllib.parse.urlencode(params)
        req = urllib.request.Request(url, data=body, method="POST", headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:
                return resp.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            text = error.read().decode("utf-8", "replace").strip()
            raise AssertionError(f"ClickHouse answered {error.code} to {sql!r}: {text}") from None

    def rows(self, sql):
        """The result rows of `sql` as dicts. Note: JSON quotes (U)Int64 values as strings."""
        text = self.query(sql + " FORMAT JSONEachRow")
        return [json.loads(line) for line in text.splitlines() if line.strip()]

    def stop(self, sig=signal.SIGTERM, timeout=30):
        """Stops the server by pid (SIGTERM, then SIGKILL after `timeout` s); idempotent."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            os.kill(self.proc.pid, sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        self.out.close()
        code, self.proc = self.proc.returncode, None
        return code

    def kill(self):
        """SIGKILL, as if ClickHouse died mid-batch; start() again reuses the same data path."""
        return self.stop(sig=signal.SIGKILL)

    def cleanup(self):
        self.stop()
        # TRACEJOIN_KEEP=1 keeps the directory (config, data, logs) for a post-mortem.
        if not os.environ.get("TRACEJOIN_KEEP"):
            shutil.rmtree(self.root, ignore_errors=True)

    def log(self, lines=40):
        """The tail of the server's stdout/stderr and of its error log."""
        tails = []
        for path in (self.out_path, os.path.join(self.root, "log", "clickhouse-server.err.log")):
            try:
                with open(path, "rb") as f:
                    text = f.read().decode("utf-8", "replace").splitlines()[-lines:]
            except OSError:
                continue
            tails.append(f"--- {path}\n" + "\n".join(text))
        return "\n".join(tails)
