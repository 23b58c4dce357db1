#!/usr/bin/env python3
"""Soak: the release daemon at a steady mixed load for a long time (`make soak`, issue 15).

Starts `tracejoin serve` (release build) on a temporary config and, for `--minutes` (default
$SOAK_MINUTES or 30), keeps up at once:

- log lines: `--lines-per-second` (5,000) over `--files` (20) files `logs/app-N.log`, written in
  batches every 50 ms with O_APPEND. Each file is rotated every 60 s (staggered, one file every
  60/files s), alternately by rename (`app-N.log` → `app-N.log.1`; the writer keeps writing to the
  renamed file for a moment, then reopens `app-N.log`) and by copytruncate (copy to `app-N.log.1`,
  truncate in place; the writer keeps its O_APPEND descriptor). The previous `.1` is deleted at
  the next rotation. The writer of a file is held only across the copy and the truncate: lines
  written between those two steps exist in neither file (docs/tailing.md, "the inherent
  copytruncate race"), which no tailer can recover. The rule's globs cover the rotated name
  (`app-*.log*`), as docs/tailing.md asks for copytruncate;
- spans: `--spans-per-second` (2,000) spread evenly over every intake protocol: NDJSON
  (`/v1/spans`), Datadog v0.4 and v0.5 msgpack (`/v0.4/traces`, `/v0.5/traces`) on the intake
  socket; OTLP/HTTP protobuf and JSON (`/v1/traces`) and Zipkin v2 (`/api/v2/spans`) on an
  `intake.tcp` listener; OTLP/gRPC (grpcio, raw bytes) on an `intake.grpc` listener. A request
  that fails is sent again (a span sent again replaces the stored one); a span counts as
  acknowledged once its request got a 2xx (gRPC: OK);
- a query every 100 ms, in turn `/v1/traces/{a trace of 2 s ago}`, `/v1/logs?limit=50`, `/v1/stats`;
- the rule file rewritten every 2 minutes (a comment that changes, and every other time a second
  rule that matches nothing), checked through `/v1/rules`.

A new trace begins every 10 ms: its lines (dd.trace_id in decimal, dd.span_id its root span) and
its spans (a root over NDJSON, children over every protocol). Every line carries a unique
sequence number (`seq=`).

Every 5 s it samples the daemon's RSS (VmRSS; RssAnon beside it), open descriptors
(/proc/PID/fd), tail lag (the sum of `files[].lag_bytes` of `/v1/stats`, polled every second,
the maximum since the last sample) and the p99 of the queries of the last 10 s. Output:
a PNG of the four over time (`--plot`, default docs/images/soak.png), the samples as CSV
(`--csv`, default /tmp/soak.csv), and a verdict:

- RSS after warm-up (the first 20% of the run, at most 5 minutes: the SQLite page caches fill over
  the first 3 minutes or so) grows less than 10%, first sample to last;
- descriptors stay flat: after warm-up, the maximum of the second half is at most the maximum of
  the first half plus a small allowance (`--fd-slack`, sockets and rotated files in flight);
- at the end every line written and every acknowledged span is in the index exactly once: the
  rule's `with_trace` counter equals the lines written; every trace (or, for long runs, a random
  sample of `--sample` traces) has `log_count` and `span_count` equal to what was written and
  acknowledged for it; a few traces are read whole (`/v1/logs?trace_id=`) to check that no
  sequence number and no span ID appears twice; and, for runs of up to 2 million lines
  (`--full-check`), every stored line is read back through `/v1/logs` and each sequence number
  must be there exactly once;
- no query answered with an error, no span request failed for good, every rule edit was taken.

Exits 1 when the verdict fails; the temporary directory (config, logs, index, daemon.log) is then
kept for a post-mortem (`--keep` keeps it always).

    python3 Benchmarks/soak.py [--minutes 30] [--lines-per-second 5000] [--spans-per-second 2000]
                               [--files 20] [--plot docs/images/soak.png] [--csv /tmp/soak.csv]
"""

import argparse
import collections
import csv
import http.client
import json
import os
import random
import shutil
import signal
import struct
import sys
import threading
import time
import traceback

import grpc

from benchdaemon import RELEASE_BIN, BenchDaemon, cpu_seconds, status_kib
from harness import UnixHTTPConnection, free_port, walk

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
SLOTS_PER_SECOND = 100          # a new trace every 10 ms
# Warm-up: 20% of the run, at most 5 minutes. The daemon's SQLite page caches (64 MiB for the
# writer, 8 MiB for each of up to 5 readers) fill over the first 3 minutes or so at this load, and
# RSS levels off after; a run shorter than 15 minutes still measures some of that filling.
WARMUP_CAP = 300
RECORD_EVERY = 50               # the span IDs of every 50th trace are remembered, for the duplicate check
GRPC_TRACES = "/opentelemetry.proto.collector.trace.v1.TraceService/Export"
PROTOCOLS = ["ndjson", "datadog-v0.4", "datadog-v0.5", "otlp-http-protobuf", "otlp-http-json", "zipkin", "otlp-grpc"]

RULE_HEAD = "# Tracejoin soak (Benchmarks/soak.py), edit {edit}\n"
RULE_BODY = r"""source: soak
paths: ["logs/app-*.log*"]
rules:
  - name: soak
    grok: '%{TIMESTAMP_ISO8601:timestamp} %{LOGLEVEL:level} seq=%{INT:seq} dd.trace_id=%{TRACEID:trace_id} dd.span_id=%{SPANID:span_id} - %{GREEDYDATA:message}'
    ids: { trace: decimal, span: decimal }
"""
RULE_EXTRA = r"""  - name: never
    grok: '^SOAK-NEVER-MATCHES %{GREEDYDATA:message}'
"""


def rules_text(edit):
    return RULE_HEAD.format(edit=edit) + RULE_BODY + (RULE_EXTRA if edit % 2 else "")


# ---------------------------------------------------------------------------------------------
# Encodings written by hand: msgpack (Datadog) and protobuf (OTLP).

def container_header(out, n, fix, marker16, marker32):
    """A msgpack array or map header: fixarray/fixmap below 16, then 16- and 32-bit counts."""
    if n < 16:
        out.append(fix | n)
    elif n < 0x10000:
        out += marker16 + struct.pack(">H", n)
    else:
        out += marker32 + struct.pack(">I", n)


def msgpack(obj, out=None):
    out = bytearray() if out is None else out
    if obj is None:
        out.append(0xC0)
    elif obj is True or obj is False:
        out.append(0xC3 if obj else 0xC2)
    elif isinstance(obj, int):
        if 0 <= obj < 0x80:
            out.append(obj)
        elif 0 <= obj < 0x100:
            out += b"\xcc" + struct.pack(">B", obj)
        elif 0 <= obj < 0x10000:
            out += b"\xcd" + struct.pack(">H", obj)
        elif 0 <= obj < 0x100000000:
            out += b"\xce" + struct.pack(">I", obj)
        elif 0 <= obj < 1 << 64:
            out += b"\xcf" + struct.pack(">Q", obj)
        elif -32 <= obj < 0:
            out.append(obj & 0xFF)
        else:
            out += b"\xd3" + struct.pack(">q", obj)
    elif isinstance(obj, float):
        out += b"\xcb" + struct.pack(">d", obj)
    elif isinstance(obj, str):
        data = obj.encode()
        n = len(data)
        if n < 32:
            out.append(0xA0 | n)
        elif n < 0x100:
            out += b"\xd9" + struct.pack(">B", n)
        elif n < 0x10000:
            out += b"\xda" + struct.pack(">H", n)
        else:
            out += b"\xdb" + struct.pack(">I", n)
        out += data
    elif isinstance(obj, (list, tuple)):
        container_header(out, len(obj), 0x90, b"\xdc", b"\xdd")
        for item in obj:
            msgpack(item, out)
    elif isinstance(obj, dict):
        container_header(out, len(obj), 0x80, b"\xde", b"\xdf")
        for key, value in obj.items():
            msgpack(key, out)
            msgpack(value, out)
    else:
        raise TypeError(f"msgpack: {type(obj)}")
    return out


def pb_varint(n):
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def pb_len(field, data):
    return pb_varint(field << 3 | 2) + pb_varint(len(data)) + data


def pb_fixed64(field, value):
    return pb_varint(field << 3 | 1) + struct.pack("<Q", value)


def pb_uint(field, value):
    return pb_varint(field << 3) + pb_varint(value)


def pb_string_attribute(key, value):
    """A KeyValue with a string AnyValue."""
    return pb_len(1, key.encode()) + pb_len(2, pb_len(1, value.encode()))


# ---------------------------------------------------------------------------------------------

class Client:
    """One keep-alive HTTP connection (a Unix socket or a loopback port), reopened after an error."""

    def __init__(self, unix=None, port=None, timeout=30):
        self.unix, self.port, self.timeout = unix, port, timeout
        self.conn = None

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def request(self, method, path, body=None, headers=None):
        """(status, body bytes). A connection the server closed is reopened once."""
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = (UnixHTTPConnection(self.unix, timeout=self.timeout) if self.unix
                             else http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout))
            try:
                self.conn.request(method, path, body=body, headers=headers or {})
                resp = self.conn.getresponse()
                data = resp.read()
                if (resp.getheader("connection") or "").lower() == "close":
                    self.close()
                return resp.status, data
            except (OSError, http.client.HTTPException):
                self.close()
                if attempt:
                    raise

    def get_json(self, path):
        status, data = self.request("GET", path)
        return status, (json.loads(data) if data[:1] in (b"{", b"[") else data.decode("utf-8", "replace"))


def percentile(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(p / 100 * len(values)))]


class Soak:
    def __init__(self, args):
        self.args = args
        self.stop = threading.Event()
        self.failures = []              # tracebacks of the load threads
        self.lock = threading.Lock()
        seed = random.SystemRandom().getrandbits(24)
        # Three disjoint ID spaces, below 2^63: trace IDs, root span IDs, other span IDs.
        self.trace_base = (0x3A << 56) | (seed << 24)
        self.root_base = (0x1B << 56) | (seed << 24)
        self.span_base = (0x2C << 56) | (seed << 24)
        self.next_span = 0
        # What was written and acknowledged, per trace slot.
        self.lines_by_trace = collections.Counter()
        self.spans_by_trace = collections.Counter()
        self.uncertain_by_trace = collections.Counter()   # spans whose request failed for good
        self.recorded_spans = collections.defaultdict(list)   # slot → acknowledged span IDs (every RECORD_EVERY-th)
        self.lines_written = 0
        self.spans_acked = collections.Counter()          # by protocol
        self.span_requests = collections.Counter()
        self.span_retries = collections.Counter()
        self.span_failures = collections.Counter()
        self.span_errors = []
        self.queries = []                                 # (elapsed s, ms, kind, status)
        self.rule_edits = []                              # (elapsed s, edit, taken, detail)
        self.rotations = collections.Counter()
        self.samples = []
        self.lag_max = 0
        self.lag_events = []                              # (elapsed s, lag, file, state, size, offset, its lag)

    # -- time and IDs

    def elapsed(self):
        return time.monotonic() - self.start

    def slot_now(self):
        return int(self.elapsed() * SLOTS_PER_SECOND)

    def trace_id(self, slot):
        return self.trace_base + slot

    def root_id(self, slot):
        return self.root_base + slot

    def slot_start_ns(self, slot):
        return self.start_ns + slot * (1_000_000_000 // SLOTS_PER_SECOND)

    def guarded(self, name, target, *args):
        def run():
            try:
                target(*args)
            except Exception:
                self.failures.append(f"{name}: {traceback.format_exc()}")
                self.stop.set()
        t = threading.Thread(target=run, name=name, daemon=True)
        t.start()
        return t

    def sleep_until(self, t):
        delay = t - time.monotonic()
        if delay > 0:
            self.stop.wait(delay)

    # -- lines

    def log_path(self, i):
        return os.path.join(self.d.logs, f"app-{i}.log")

    def open_log(self, i):
        return os.open(self.log_path(i), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def writer(self):
        rate, files = self.args.lines_per_second, self.args.files
        tick = 0.05
        next_t = self.start
        while not self.stop.is_set():
            next_t += tick
            self.sleep_until(next_t)
            if self.stop.is_set():
                break
            first = self.lines_written
            # Catch up when late, but no more than half a second of lines at once.
            due = min(int(self.elapsed() * rate) - first, rate // 2)
            if due <= 0:
                continue
            stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()) + f".{int(time.time() * 1000) % 1000:03d}Z"
            chunks = [[] for _ in range(files)]
            per_trace = collections.Counter()
            for seq in range(first, first + due):
                slot = seq * SLOTS_PER_SECOND // rate
                per_trace[slot] += 1
                chunks[seq % files].append(
                    f"{stamp} INFO seq={seq} dd.trace_id={self.trace_base + slot} dd.span_id={self.root_base + slot}"
                    f" - soak line {seq} file {seq % files} GET /api/cart/{seq % 977} status=200 took={seq % 89}ms\n")
            for i, chunk in enumerate(chunks):
                if not chunk:
                    continue
                data = "".join(chunk).encode()
                with self.file_locks[i]:
                    view = memoryview(data)
                    while view:
                        view = view[os.write(self.fds[i], view):]
            with self.lock:
                self.lines_by_trace.update(per_trace)
                self.lines_written = first + due

    def rotator(self):
        files = self.args.files
        stagger = 60.0 / files
        count = [0] * files
        k = 0
        while not self.stop.is_set():
            k += 1
            i = (k - 1) % files
            self.sleep_until(self.start + k * stagger)
            if self.stop.is_set():
                break
            path, old = self.log_path(i), self.log_path(i) + ".1"
            if os.path.exists(old):
                os.unlink(old)
            if (count[i] + i) % 2 == 0:
                # Rename; the writer goes on writing to the renamed file for a moment (a late
                # write), then reopens the path.
                os.rename(path, old)
                self.stop.wait(0.15)
                with self.file_locks[i]:
                    fd = self.open_log(i)
                    os.close(self.fds[i])
                    self.fds[i] = fd
                self.rotations["rename"] += 1
            else:
                # copytruncate; the writer keeps its O_APPEND descriptor. It is held across the
                # copy and the truncate only (the inherent race, docs/tailing.md).
                with self.file_locks[i]:
                    shutil.copyfile(path, old)
                    os.truncate(path, 0)
                self.rotations["copytruncate"] += 1
            count[i] += 1

    # -- rule edits

    def rule_editor(self):
        edit = 0
        client = Client(unix=self.d.query)
        path = os.path.join(self.d.config, "rules.d", "soak.yaml")
        while not self.stop.is_set():
            self.sleep_until(self.start + 120 * (edit + 1))
            if self.stop.is_set() or self.elapsed() > self.args.minutes * 60 - 25:
                break   # (no edit so late that it could not be checked before the load stops)
            edit += 1
            tmp = os.path.join(self.d.config, "soak.yaml.tmp")
            with open(tmp, "w") as f:
                f.write(rules_text(edit))
            os.rename(tmp, path)   # as an editor saving atomically
            at = self.elapsed()
            want = ["soak", "never"] if edit % 2 else ["soak"]
            deadline = time.monotonic() + 20
            taken, detail = False, ""
            while time.monotonic() < deadline:
                try:
                    status, doc = client.get_json("/v1/rules")
                except OSError as e:
                    detail = str(e)
                    time.sleep(0.5)
                    continue
                entry = next((f for f in doc.get("files", []) if f["file"].endswith("soak.yaml")), None) if status == 200 else None
                if entry is not None:
                    detail = f"status {entry['status']}, rules {entry['rules']}, error {entry.get('error')}"
                    if entry["status"] == "ok" and entry["rules"] == want:
                        taken = True
                        break
                time.sleep(0.25)
            self.rule_edits.append((at, edit, taken, detail))
        client.close()

    # -- spans

    def take_span_ids(self, n):
        with self.lock:
            first = self.next_span
            self.next_span += n
        return [self.span_base + first + j for j in range(n)]

    def encode(self, protocol, spans):
        """(transport, path, content type, body) for spans [(slot, span_id, parent_id)]."""
        service = f"soak-{protocol}"
        dur = 1_000_000

        def start(slot, sid):
            return self.slot_start_ns(slot) + (sid % 1000) * 1000

        if protocol == "ndjson":
            body = "".join(json.dumps({"trace_id": str(self.trace_id(s)), "span_id": str(sid), "parent_id": str(p),
                                       "service": service, "name": "soak.op", "resource": f"op {s % 10}", "type": "web",
                                       "start": start(s, sid), "duration": dur, "error": 0, "meta": {"soak": "1"}}) + "\n"
                           for s, sid, p in spans)
            return "unix", "/v1/spans", "application/x-ndjson", body.encode()
        by_trace = collections.defaultdict(list)
        for s, sid, p in spans:
            by_trace[s].append((sid, p))
        if protocol == "datadog-v0.4":
            chunks = [[{"service": service, "name": "soak.op", "resource": f"op {s % 10}", "trace_id": self.trace_id(s),
                        "span_id": sid, "parent_id": p, "start": start(s, sid), "duration": dur, "error": 0,
                        "meta": {"soak": "1"}, "metrics": {"_sampling_priority_v1": 1.0}, "type": "web"}
                       for sid, p in group] for s, group in by_trace.items()]
            return "unix", "/v0.4/traces", "application/msgpack", bytes(msgpack(chunks))
        if protocol == "datadog-v0.5":
            strings = ["", service, "soak.op", "op", "soak", "1", "web"]
            chunks = [[[1, 2, 3, self.trace_id(s), sid, p, start(s, sid), dur, 0, {4: 5}, {}, 6] for sid, p in group]
                      for s, group in by_trace.items()]
            return "unix", "/v0.5/traces", "application/msgpack", bytes(msgpack([strings, chunks]))
        if protocol in ("otlp-http-protobuf", "otlp-grpc"):
            body = b"".join(
                pb_len(2, pb_len(1, self.trace_id(s).to_bytes(16, "big")) + pb_len(2, sid.to_bytes(8, "big"))
                       + (pb_len(4, p.to_bytes(8, "big")) if p else b"") + pb_len(5, b"soak.op") + pb_uint(6, 3)
                       + pb_fixed64(7, start(s, sid)) + pb_fixed64(8, start(s, sid) + dur)
                       + pb_len(9, pb_string_attribute("soak", "1")))
                for s, sid, p in spans)
            scope = pb_len(1, pb_len(1, b"soak")) + body
            resource_spans = pb_len(1, pb_len(1, pb_string_attribute("service.name", service))) + pb_len(2, scope)
            return ("grpc" if protocol == "otlp-grpc" else "tcp"), "/v1/traces", "application/x-protobuf", pb_len(1, resource_spans)
        if protocol == "otlp-http-json":
            doc = {"resourceSpans": [{"resource": {"attributes": [{"key": "service.name", "value": {"stringValue": service}}]},
                                      "scopeSpans": [{"scope": {"name": "soak"}, "spans": [
                                          {"traceId": f"{self.trace_id(s):032x}", "spanId": f"{sid:016x}",
                                           **({"parentSpanId": f"{p:016x}"} if p else {}), "name": "soak.op", "kind": 3,
                                           "startTimeUnixNano": str(start(s, sid)), "endTimeUnixNano": str(start(s, sid) + dur),
                                           "attributes": [{"key": "soak", "value": {"stringValue": "1"}}]}
                                          for s, sid, p in spans]}]}]}
            return "tcp", "/v1/traces", "application/json", json.dumps(doc).encode()
        if protocol == "zipkin":
            doc = [{"traceId": f"{self.trace_id(s):016x}", "id": f"{sid:016x}", **({"parentId": f"{p:016x}"} if p else {}),
                    "name": "soak.op", "kind": "CLIENT", "timestamp": start(s, sid) // 1000, "duration": dur // 1000,
                    "localEndpoint": {"serviceName": service}, "tags": {"soak": "1"}} for s, sid, p in spans]
            return "tcp", "/api/v2/spans", "application/json", json.dumps(doc).encode()
        raise ValueError(protocol)

    def send_once(self, transport, path, ctype, body, clients, n):
        """None when acknowledged, else what went wrong."""
        if transport == "grpc":
            try:
                clients["grpc"](body, timeout=30)
                return None
            except grpc.RpcError as e:
                return f"gRPC {e.code()}: {e.details()}"
        client = clients[transport]
        method = "PUT" if path.startswith("/v0.") else "POST"
        try:
            status, data = client.request(method, path, body=body, headers={"Content-Type": ctype})
        except (OSError, http.client.HTTPException) as e:
            return f"{type(e).__name__}: {e}"
        if not 200 <= status < 300:
            return f"HTTP {status}: {data[:300]!r}"
        if path == "/v1/spans":
            accepted = json.loads(data).get("accepted")
            if accepted != n:
                return f"accepted {accepted} of {n}"
        return None

    def span_sender(self, index, protocol):
        rate = self.args.spans_per_second / len(PROTOCOLS)
        interval = 0.25
        clients = {"unix": Client(unix=self.d.intake), "tcp": Client(port=self.http_port)}
        channel = grpc.insecure_channel(f"127.0.0.1:{self.grpc_port}")
        clients["grpc"] = channel.unary_unary(GRPC_TRACES, request_serializer=None, response_deserializer=None)
        sent, last_slot = 0, -1
        next_t = self.start + index * interval / len(PROTOCOLS)
        try:
            while not self.stop.is_set():
                next_t += interval
                self.sleep_until(next_t)
                if self.stop.is_set():
                    break
                cur = self.slot_now()
                slots = list(range(last_slot + 1, cur + 1)) or [cur]
                last_slot = max(last_slot, cur)
                spans = [(s, self.root_id(s), 0) for s in slots] if protocol == "ndjson" else []
                due = min(int(self.elapsed() * rate) - sent, int(rate * 2)) - len(spans)
                if due > 0:
                    ids = self.take_span_ids(due)
                    spans += [(slots[j * len(slots) // due], sid, self.root_id(slots[j * len(slots) // due]))
                              for j, sid in enumerate(ids)]
                if not spans:
                    continue
                transport, path, ctype, body = self.encode(protocol, spans)
                error = None
                for attempt in range(6):
                    self.span_requests[protocol] += 1
                    error = self.send_once(transport, path, ctype, body, clients, len(spans))
                    if error is None:
                        break
                    self.span_retries[protocol] += 1
                    if len(self.span_errors) < 50:
                        self.span_errors.append(f"{self.elapsed():7.1f} s {protocol} attempt {attempt + 1}: {error}")
                    if self.stop.wait(min(5, 0.5 * 2 ** attempt)):
                        break
                sent += len(spans)
                with self.lock:
                    for s, sid, _ in spans:
                        if error is None:
                            self.spans_by_trace[s] += 1
                            if s % RECORD_EVERY == 0:
                                self.recorded_spans[s].append(sid)
                        else:
                            self.uncertain_by_trace[s] += 1
                    if error is None:
                        self.spans_acked[protocol] += len(spans)
                    else:
                        self.span_failures[protocol] += len(spans)
        finally:
            clients["unix"].close()
            clients["tcp"].close()
            channel.close()

    # -- queries

    def querier(self):
        client = Client(unix=self.d.query)
        n = 0
        next_t = self.start
        while not self.stop.is_set():
            next_t = max(next_t + 0.1, time.monotonic())
            self.sleep_until(next_t)
            if self.stop.is_set():
                break
            kind = ("trace", "logs", "stats")[n % 3]
            n += 1
            if kind == "trace":
                slot = self.slot_now() - 2 * SLOTS_PER_SECOND
                if slot < 0:
                    continue
                path = f"/v1/traces/{self.trace_id(slot)}"
            else:
                path = "/v1/logs?limit=50" if kind == "logs" else "/v1/stats"
            t0 = time.perf_counter()
            try:
                status, _ = client.request("GET", path)
            except (OSError, http.client.HTTPException):
                status = 0
            ms = (time.perf_counter() - t0) * 1000
            self.queries.append((self.elapsed(), ms, kind, status))
        client.close()

    # -- samples

    def stats(self):
        status, doc = self.qclient.get_json("/v1/stats")
        if status != 200:
            raise AssertionError(f"/v1/stats answered {status}: {doc}")
        return doc

    def sample(self):
        pid = self.d.proc.pid
        t = self.elapsed()
        doc = self.stats()
        rule = doc["sources"].get("soak", {}).get("rules", {}).get("soak", {})
        window = [q[1] for q in self.queries if t - 10 < q[0] <= t]
        lag = self.poll_lag(doc)
        row = {
            "elapsed_s": round(t, 2),
            "rss_kib": status_kib(pid, "VmRSS"),
            "rss_anon_kib": status_kib(pid, "RssAnon"),
            "rss_file_kib": status_kib(pid, "RssFile"),
            "fds": len(os.listdir(f"/proc/{pid}/fd")),
            "lag_bytes": lag,
            "lag_max_bytes": self.lag_max,
            "query_p99_ms": round(percentile(window, 99), 2) if window else "",
            "queries_in_window": len(window),
            "lines_written": self.lines_written,
            "lines_with_trace": rule.get("with_trace", 0),
            "spans_acked": sum(self.spans_acked.values()),
            "daemon_cpu_s": round(cpu_seconds(pid), 2),
            "descriptors_held": doc.get("tail", {}).get("descriptors_held", ""),
            "files_followed": len(doc["files"]),
        }
        self.samples.append(row)
        self.lag_max = 0
        return row

    def poll_lag(self, doc=None):
        """Between samples, the tail lag once a second: its maximum goes in the next sample, and
        the file holding most of it is noted when it is over 256 KiB."""
        doc = doc or self.stats()
        lag = sum(f.get("lag_bytes", 0) for f in doc["files"])
        self.lag_max = max(self.lag_max, lag)
        if lag > 256 * 1024:
            top = max(doc["files"], key=lambda f: f.get("lag_bytes", 0))
            self.lag_events.append((self.elapsed(), lag, os.path.basename(top["path"]), top.get("state"), top.get("size"),
                                    top.get("offset"), top.get("lag_bytes")))
        return lag

    # -- the run

    def run(self):
        a = self.args
        self.http_port, self.grpc_port = free_port(), free_port()
        self.d = BenchDaemon("tj-soak-", bin=a.bin, log_level=a.log_level)
        with open(os.path.join(self.d.config, "tracejoin.yaml"), "w") as f:
            f.write("state_dir: ../state\n"
                    f'intake: {{ socket: ../run/intake.sock, tcp: ["127.0.0.1:{self.http_port}"], grpc: ["127.0.0.1:{self.grpc_port}"] }}\n'
                    "query: { socket: ../run/query.sock }\n"
                    "retention: { max_age: 72h, max_bytes: 10GiB }\n")
        with open(os.path.join(self.d.config, "rules.d", "soak.yaml"), "w") as f:
            f.write(rules_text(0))
        self.file_locks = [threading.Lock() for _ in range(a.files)]
        self.fds = [self.open_log(i) for i in range(a.files)]
        self.d.start()
        self.qclient = Client(unix=self.d.query)
        print(f"soak: {a.minutes:g} min, {a.lines_per_second:,} lines/s over {a.files} files, "
              f"{a.spans_per_second:,} spans/s over {len(PROTOCOLS)} protocols, daemon pid {self.d.proc.pid}, "
              f"directory {self.d.root}", flush=True)
        self.start = time.monotonic()
        self.start_ns = time.time_ns()
        cpu0 = os.times()
        threads = [self.guarded("writer", self.writer), self.guarded("rotator", self.rotator),
                   self.guarded("rules", self.rule_editor), self.guarded("queries", self.querier)]
        threads += [self.guarded(p, self.span_sender, i, p) for i, p in enumerate(PROTOCOLS)]
        duration = a.minutes * 60
        self.died = None
        next_poll = self.start + 1
        next_sample = self.start + 5
        next_report = self.start + 60
        while not self.stop.is_set() and time.monotonic() < self.start + duration:
            self.sleep_until(min(next_poll, self.start + duration))
            next_poll += 1
            if self.d.proc.poll() is not None:
                self.died = self.d.proc.returncode
                break
            if time.monotonic() < next_sample - 0.5:
                self.poll_lag()
            else:
                next_sample += 5
                row = self.sample()
                if time.monotonic() >= next_report:
                    next_report += 60
                    print(f"  {row['elapsed_s'] / 60:5.1f} min: RSS {row['rss_kib'] / 1024:7.1f} MiB, {row['fds']} fds, "
                          f"lag {row['lag_bytes'] / 1024:8.1f} KiB, query p99 {row['query_p99_ms']} ms, "
                          f"{row['lines_written']:,} lines, {row['spans_acked']:,} spans", flush=True)
        self.load_seconds = self.elapsed()
        self.stop.set()
        for t in threads:
            t.join(timeout=60)
        cpu1 = os.times()
        self.driver_cpu = (cpu1.user + cpu1.system) - (cpu0.user + cpu0.system)
        for fd in self.fds:
            os.close(fd)
        self.fds = []
        if self.died is None and self.d.proc.poll() is not None:
            self.died = self.d.proc.returncode
        if self.died is not None or self.failures:
            return
        # Drain: every byte read and every line counted.
        # (Or nothing has moved for 15 s with no lag left: then the end check says what is missing.)
        t0 = time.monotonic()
        self.drained = False
        last, still_since = None, time.monotonic()
        while time.monotonic() < t0 + a.drain_timeout:
            doc = self.stats()
            lag = sum(f.get("lag_bytes", 0) for f in doc["files"])
            with_trace = doc["sources"].get("soak", {}).get("rules", {}).get("soak", {}).get("with_trace", 0)
            if (lag, with_trace) != last:
                last, still_since = (lag, with_trace), time.monotonic()
            if lag == 0 and with_trace >= self.lines_written:
                self.drained = True
                break
            if lag == 0 and time.monotonic() - still_since > 15:
                break
            time.sleep(0.5)
        self.drain_seconds = time.monotonic() - t0
        self.drain_last = last
        time.sleep(1)   # a late duplicate would show in the counter now

    # -- the end check

    def check(self):
        a = self.args
        out = []          # (ok, text)
        q = Client(unix=self.d.query, timeout=120)
        doc = self.stats()
        src = doc["sources"].get("soak", {})
        rule = src.get("rules", {}).get("soak", {})
        with_trace, matched = rule.get("with_trace", 0), rule.get("matched", 0)
        unmatched, without = src.get("lines_unmatched", 0), rule.get("without_trace", 0)
        lost = sum(f.get("bytes_lost", 0) for f in doc["files"])
        cut = sum(f.get("lines_cut", 0) for f in doc["files"])
        self.final_stats = doc
        out.append((with_trace == self.lines_written and matched == self.lines_written and unmatched == 0 and without == 0,
                    f"lines written {self.lines_written:,}, stored with a trace (rule counter with_trace) {with_trace:,}, "
                    f"matched {matched:,}, unmatched {unmatched}, without trace {without}, bytes_lost {lost}, lines_cut {cut}"
                    + ("" if self.drained else f"; NOT drained after {a.drain_timeout} s (lag, with_trace) = {self.drain_last}")))
        if lost or cut:
            out.append((False, f"files report bytes_lost {lost}, lines_cut {cut}"))

        # Every stored line read back: each sequence number exactly once.
        full = a.full_check == "yes" or (a.full_check == "auto" and self.lines_written <= 2_000_000)
        if full:
            seen = bytearray(self.lines_written)
            extra, dup, rows, cursor = 0, 0, 0, None
            t0 = time.monotonic()
            while True:
                status, page = q.get_json("/v1/logs?limit=1000" + (f"&cursor={cursor}" if cursor else ""))
                if status != 200:
                    raise AssertionError(f"/v1/logs answered {status}: {page}")
                for r in page["logs"]:
                    rows += 1
                    seq = int(r["log"]["fields"]["seq"])
                    if seq >= self.lines_written:
                        extra += 1
                    elif seen[seq]:
                        dup += 1
                    else:
                        seen[seq] = 1
                cursor = page["next_cursor"]
                if not cursor:
                    break
            missing = self.lines_written - sum(seen)
            out.append((rows == self.lines_written and dup == 0 and missing == 0 and extra == 0,
                        f"every stored line read back ({time.monotonic() - t0:.0f} s): {rows:,} rows, "
                        f"{missing} sequence numbers missing, {dup} twice, {extra} never written"))

        # Per trace: log_count and span_count against what was written and acknowledged.
        slots = sorted(set(self.lines_by_trace) | set(self.spans_by_trace) | set(self.uncertain_by_trace))
        if a.sample == 0 or len(slots) <= a.all_traces_up_to:
            chosen = slots
        else:
            chosen = sorted(random.sample(slots, min(len(slots), max(200, a.sample))))
        bad_logs, bad_spans, shown = 0, 0, []
        t0 = time.monotonic()
        for s in chosen:
            want_logs = self.lines_by_trace.get(s, 0)
            want_spans, maybe = self.spans_by_trace.get(s, 0), self.uncertain_by_trace.get(s, 0)
            status, doc = q.get_json(f"/v1/traces/{self.trace_id(s)}?logs_limit=1")
            got_logs, got_spans = (doc["log_count"], doc["span_count"]) if status == 200 else (0, 0)
            if status not in (200, 404):
                raise AssertionError(f"/v1/traces/{self.trace_id(s)} answered {status}: {doc}")
            if got_logs != want_logs:
                bad_logs += 1
            if not want_spans <= got_spans <= want_spans + maybe:
                bad_spans += 1
            if (got_logs != want_logs or not want_spans <= got_spans <= want_spans + maybe) and len(shown) < 10:
                shown.append(f"trace {self.trace_id(s)} (slot {s}): log_count {got_logs} (written {want_logs}), "
                             f"span_count {got_spans} (acknowledged {want_spans}, uncertain {maybe})")
        what = "every trace" if chosen is slots else "a random sample of traces"
        out.append((bad_logs == 0, f"log_count per trace, {what} ({len(chosen):,} of {len(slots):,}, "
                    f"{time.monotonic() - t0:.0f} s): {len(chosen) - bad_logs:,} exact, {bad_logs} wrong"))
        out.append((bad_spans == 0, f"span_count per trace, same traces: {len(chosen) - bad_spans:,} exact, {bad_spans} wrong"))
        self.mismatches = shown

        # A few traces whole: no sequence number, no span ID twice; exactly the ones written and acknowledged.
        rate = a.lines_per_second
        recorded = sorted(self.recorded_spans)
        few = sorted(random.sample(recorded, min(20, len(recorded))))
        dup_lines, dup_spans, wrong, detail = 0, 0, 0, []
        for s in few:
            status, page = q.get_json(f"/v1/logs?trace_id={self.trace_id(s)}&limit=1000")
            seqs = [int(r["log"]["fields"]["seq"]) for r in page["logs"]] if status == 200 else []
            first = -(-s * rate // SLOTS_PER_SECOND)
            last = -(-(s + 1) * rate // SLOTS_PER_SECOND)
            want = set(range(first, min(last, self.lines_written)))
            status, doc = q.get_json(f"/v1/traces/{self.trace_id(s)}?logs_limit=1")
            ids = [int(x["span_id_dd"]) for x in walk(doc["spans"])] if status == 200 else []
            want_ids = set(self.recorded_spans[s]) | {self.root_id(s)} if self.spans_by_trace.get(s) else set()
            if len(seqs) != len(set(seqs)):
                dup_lines += 1
            if len(ids) != len(set(ids)):
                dup_spans += 1
            if set(seqs) != want or (not self.uncertain_by_trace.get(s) and set(ids) != want_ids):
                wrong += 1
                if len(detail) < 5:
                    detail.append(f"trace {self.trace_id(s)}: {len(seqs)} lines (want {len(want)}), {len(ids)} spans (want {len(want_ids)})")
        out.append((dup_lines == 0 and dup_spans == 0 and wrong == 0,
                    f"{len(few)} traces read whole: {dup_lines} with a sequence number twice, {dup_spans} with a span ID twice, "
                    f"{wrong} not exactly what was written and acknowledged" + ("; " + "; ".join(detail) if detail else "")))
        self.mismatches += detail
        q.close()
        return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--minutes", type=float, default=float(os.environ.get("SOAK_MINUTES") or 30))
    ap.add_argument("--lines-per-second", type=int, default=5000)
    ap.add_argument("--spans-per-second", type=int, default=2000)
    ap.add_argument("--files", type=int, default=20)
    ap.add_argument("--plot", default=os.path.join(ROOT, "docs", "images", "soak.png"))
    ap.add_argument("--csv", default="/tmp/soak.csv")
    ap.add_argument("--bin", default=RELEASE_BIN)
    ap.add_argument("--sample", type=int, default=300, help="traces checked one by one when there are too many for all (at least 200)")
    ap.add_argument("--all-traces-up-to", type=int, default=20_000, help="check every trace when there are at most this many")
    ap.add_argument("--full-check", choices=["auto", "yes", "no"], default="auto",
                    help="read every stored line back (auto: when at most 2 million were written)")
    ap.add_argument("--fd-slack", type=int, default=10, help="descriptors the second half after warm-up may add to the first half's maximum")
    ap.add_argument("--warmup-seconds", type=float, default=None,
                    help="override the warm-up (default: 20%% of the run or 5 minutes, whichever is less)")
    ap.add_argument("--drain-timeout", type=float, default=300)
    ap.add_argument("--log-level", default="warning", help="the daemon's log level (daemon.log); info shows every file taken up and rotated")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    a = ap.parse_args()

    import matplotlib
    matplotlib.use("Agg")

    # SIGTERM unwinds like Ctrl-C, so the daemon is stopped and the directory removed.
    def on_term(signum, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, signal.default_int_handler)   # also when started with SIGINT ignored (`&`)

    soak = Soak(a)
    ok = False
    keep = a.keep        # also kept when the verdict fails: the evidence
    try:
        soak.run()
        if soak.died is not None:
            keep = True
            log = open(os.path.join(soak.d.root, "daemon.log"), "rb").read().decode("utf-8", "replace")
            print(f"FAIL: the daemon exited with {soak.died} after {soak.load_seconds:.0f} s; daemon.log ends:\n{log[-4000:]}")
        elif soak.failures:
            print("FAIL: the load generator broke (not a verdict on the daemon):\n" + "\n".join(soak.failures))
        else:
            ok = report(soak, soak.check())
            keep = keep or not ok
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
    finally:
        soak.stop.set()
        d = getattr(soak, "d", None)
        if d is not None:
            code = None
            if d.proc is not None and d.proc.poll() is None:
                os.kill(d.proc.pid, signal.SIGTERM)
                try:
                    code = d.proc.wait(timeout=30)
                except Exception:
                    os.kill(d.proc.pid, signal.SIGKILL)
                    d.proc.wait(timeout=10)
                    print(f"daemon pid {d.proc.pid} did not stop within 30 s of SIGTERM: killed", file=sys.stderr)
                    ok = False
                if code not in (0, None):
                    print(f"FAIL: the daemon exited with {code} on SIGTERM", file=sys.stderr)
                    ok = False
                    keep = True
                d.proc = None
            if d.log is not None:
                d.log.close()
            if not keep:
                shutil.rmtree(d.root, ignore_errors=True)
            else:
                print(f"kept {d.root} (config, logs, state, daemon.log)", file=sys.stderr)
    sys.exit(0 if ok else 1)


def report(soak, checks):
    a = soak.args
    samples = soak.samples
    duration = soak.load_seconds
    warm = min(0.2 * a.minutes * 60, WARMUP_CAP) if a.warmup_seconds is None else a.warmup_seconds
    warm_why = ("the 5-minute cap" if warm == WARMUP_CAP else "20% of the run") if a.warmup_seconds is None else "--warmup-seconds"
    after = [s for s in samples if s["elapsed_s"] >= warm]
    if len(after) < 4:
        after = samples[len(samples) // 2:]

    # CSV beside the plot.
    os.makedirs(os.path.dirname(os.path.abspath(a.csv)), exist_ok=True)
    with open(a.csv, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(samples[0]))
        w.writeheader()
        w.writerows(samples)
    plot(soak, warm, a.plot)

    lines_rate = soak.lines_written / duration
    spans_total = sum(soak.spans_acked.values())
    queries = soak.queries
    q_errors = [q for q in queries if q[3] not in (200, 404)]
    q_404 = sum(1 for q in queries if q[3] == 404)
    print()
    print(f"load for {duration / 60:.1f} min (drained in {soak.drain_seconds:.1f} s after): "
          f"{lines_rate:,.0f} lines/s written (target {a.lines_per_second:,}), "
          f"{spans_total / duration:,.0f} spans/s acknowledged (target {a.spans_per_second:,}), "
          f"{len(queries) / duration:.1f} queries/s (target 10)")
    print("  spans by protocol: " + ", ".join(f"{p} {soak.spans_acked[p] / duration:,.0f}/s" for p in PROTOCOLS))
    print(f"  rotations: {soak.rotations['rename']} by rename, {soak.rotations['copytruncate']} by copytruncate; "
          f"rule edits: {len(soak.rule_edits)}; load generator CPU {soak.driver_cpu / duration * 100:.0f}% of a core; "
          f"daemon CPU {samples[-1]['daemon_cpu_s'] / duration * 100:.0f}% of a core")
    shortfall = []
    if lines_rate < 0.95 * a.lines_per_second:
        shortfall.append(f"lines {lines_rate / a.lines_per_second:.0%} of target")
    if spans_total / duration < 0.95 * a.spans_per_second:
        shortfall.append(f"spans {spans_total / duration / a.spans_per_second:.0%} of target")
    if shortfall:
        print(f"  NOTE: the load ran below its target ({', '.join(shortfall)}): the figures above are what was achieved")
    if soak.lag_events:
        worst = max(soak.lag_events, key=lambda e: e[1])
        print(f"  tail lag over 256 KiB at {len(soak.lag_events)} of {len(soak.samples) * 5} polls; the largest "
              f"{worst[1] / 1024:,.0f} KiB at {worst[0]:.0f} s, mostly {worst[2]} ({worst[3]}, size {worst[4]}, "
              f"offset {worst[5]}, lag {worst[6]})")
    retried = sum(soak.span_retries.values())
    if retried:
        print(f"  span requests retried: {dict(soak.span_retries)}; first errors:\n    " + "\n    ".join(soak.span_errors[:10]))

    rss0, rss1 = after[0]["rss_kib"], after[-1]["rss_kib"]
    rss_max = max(s["rss_kib"] for s in after)
    growth = (rss1 - rss0) / rss0 * 100
    max_growth = (rss_max - rss0) / rss0 * 100
    half = len(after) // 2
    late_growth = (rss1 - after[half]["rss_kib"]) / after[half]["rss_kib"] * 100
    fd_first, fd_second = max(s["fds"] for s in after[:half]), max(s["fds"] for s in after[half:])
    fd_min, fd_max = min(s["fds"] for s in after), max(s["fds"] for s in after)
    p99_all = percentile([q[1] for q in queries], 99)
    verdict = [
        (growth < 10, f"RSS after warm-up ({warm:.0f} s, {warm_why}): first {rss0 / 1024:.1f} MiB, last {rss1 / 1024:.1f} MiB, "
                      f"max {rss_max / 1024:.1f} MiB: growth {growth:+.1f}% (max {max_growth:+.1f}%), limit +10% "
                      f"[over the second half after warm-up alone: {late_growth:+.1f}%]"),
        (fd_second <= fd_first + a.fd_slack,
         f"open descriptors after warm-up: min {fd_min}, max {fd_max}; max of the first half {fd_first}, "
         f"of the second half {fd_second} (allowed {fd_first + a.fd_slack})"),
        *checks,
        (sum(soak.span_failures.values()) == 0,
         f"spans acknowledged {spans_total:,}, requests that failed for good {dict(soak.span_failures) or 0}"),
        (not q_errors, f"queries {len(queries):,}, p99 overall {p99_all:.1f} ms (trace {percentile([q[1] for q in queries if q[2] == 'trace'], 99):.1f}, "
                       f"logs {percentile([q[1] for q in queries if q[2] == 'logs'], 99):.1f}, "
                       f"stats {percentile([q[1] for q in queries if q[2] == 'stats'], 99):.1f}), max {max(q[1] for q in queries):.1f} ms; "
                       f"errors {len(q_errors)}" + (f" (first: {q_errors[0]})" if q_errors else "")
                       + f"; recent trace not yet found {q_404}"),
        (all(e[2] for e in soak.rule_edits),
         f"rule edits taken: {sum(1 for e in soak.rule_edits if e[2])} of {len(soak.rule_edits)}"
         + "".join(f"; edit {e[1]} at {e[0]:.0f} s NOT taken: {e[3]}" for e in soak.rule_edits if not e[2])),
    ]
    print()
    print("verdict:")
    for good, text in verdict:
        print(f"  {'PASS' if good else 'FAIL'}  {text}")
    for m in getattr(soak, "mismatches", []):
        print(f"        {m}")
    log = open(os.path.join(soak.d.root, "daemon.log"), "rb").read().decode("utf-8", "replace").splitlines()
    if log:
        print(f"  daemon.log ({a.log_level} and above): {len(log)} lines; first: " + " | ".join(log[:5]))
    ok = all(good for good, _ in verdict)
    print(f"  {'PASS' if ok else 'FAIL'}: soak of {duration / 60:.1f} min; plot {os.path.abspath(a.plot)}, samples {os.path.abspath(a.csv)}")
    return ok


def plot(soak, warm, path):
    import matplotlib.pyplot as plt
    s = soak.samples
    minutes = [r["elapsed_s"] / 60 for r in s]
    series = [
        ("RSS (MiB)", [r["rss_kib"] / 1024 for r in s]),
        ("open descriptors", [r["fds"] for r in s]),
        ("tail lag, max of 1 s polls (KiB)", [r["lag_max_bytes"] / 1024 for r in s]),
        ("query p99, last 10 s (ms)", [r["query_p99_ms"] if r["query_p99_ms"] != "" else float("nan") for r in s]),
    ]
    fig, axes = plt.subplots(4, 1, sharex=True, figsize=(10, 9))
    a = soak.args
    fig.suptitle(f"tracejoin soak: {soak.load_seconds / 60:.0f} min, {soak.lines_written / soak.load_seconds:,.0f} lines/s "
                 f"over {a.files} files (rotated every minute), {sum(soak.spans_acked.values()) / soak.load_seconds:,.0f} spans/s "
                 f"over {len(PROTOCOLS)} protocols, a query every 100 ms", fontsize=10)
    for ax, (label, values) in zip(axes, series):
        ax.plot(minutes, values, linewidth=1.2, color="tab:blue", label="VmRSS" if ax is axes[0] else None)
        ax.set_ylabel(label, fontsize=9)
        ax.axvspan(0, warm / 60, color="0.9", zorder=0)
        ax.grid(True, alpha=0.3)
        for at, _, taken, _ in soak.rule_edits:
            ax.axvline(at / 60, color="tab:orange" if taken else "tab:red", linestyle=":", linewidth=1)
        ax.set_ylim(bottom=0, top=max([v for v in values if v == v] + [1]) * 1.15)
    axes[0].plot(minutes, [r["rss_anon_kib"] / 1024 for r in s], linewidth=1, color="tab:green", label="of which anonymous")
    axes[0].legend(loc="lower right", fontsize=8)
    axes[0].text(warm / 120, 0.05, "warm-up", transform=axes[0].get_xaxis_transform(), ha="center", fontsize=8, color="0.4")
    axes[-1].set_xlabel("minutes (dotted: rule file edited)")
    fig.tight_layout()
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


if __name__ == "__main__":
    main()
