"""Bounded clients (docs/security.md): stalled bodies, partial heads, idle connections, too many
connections, too few descriptors, gRPC streams and followers that left cannot exhaust the daemon,
and the query socket answers throughout."""

import os
import resource
import socket
import threading
import time

import grpc

from harness import Daemon, ddtrace_line, free_port, request, rss_kib, wait_for


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def socket_fds(pid):
    n = 0
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}").startswith("socket:"):
                n += 1
        except OSError:
            pass
    return n


def query_latency(d):
    """Seconds /healthz takes on the query socket."""
    start = time.monotonic()
    status, _ = request(d.query_socket, "GET", "/healthz")
    took = time.monotonic() - start
    assert status == 200, status
    return took


def closed_by_peer(sock):
    """True once the daemon has closed `sock` (EOF or reset); False while it is open."""
    try:
        sock.setblocking(False)
        while True:
            data = sock.recv(65536)
            if data == b"":
                return True
            # A reply (such as a 503) before the close: keep reading.
    except BlockingIOError:
        return False
    except (ConnectionResetError, BrokenPipeError):
        return True


def daemon_with(tcp_port, limits, extra_intake="", grpc_port=None):
    d = Daemon()
    grpc_part = f', grpc: ["127.0.0.1:{grpc_port}"]' if grpc_port else ""
    with open(os.path.join(d.config, "tracejoin.yaml"), "w") as f:
        f.write("state_dir: ../state\n"
                f'intake: {{ socket: ../run/intake.sock, tcp: ["127.0.0.1:{tcp_port}"]{grpc_part}{extra_intake}, limits: {limits} }}\n'
                "query: { socket: ../run/query.sock }\n")
    return d


def test_stalled_bodies_hold_bounded_memory_and_are_closed():
    """16 clients each send all but one byte of a 32 MiB body and stop: the bodies in flight
    share a 64 MiB budget (the others get 503 with Retry-After before their body is read),
    every stalled connection is closed at the body timeout, and the query socket answers
    within 100 ms throughout."""
    port = free_port()
    d = daemon_with(port, "{ body_timeout: 3s, idle_timeout: 3s, body_memory: 64MiB }", ", max_body: 32MiB")
    try:
        # Under AddressSanitizer (make test), freed memory waits in its quarantine (256 MiB by
        # default) before it is reused: without one, RSS measures what the daemon holds.
        asan = os.environ.get("ASAN_OPTIONS", "")
        d.start(env={"ASAN_OPTIONS": (asan + ":" if asan else "") + "quarantine_size_mb=0:thread_local_quarantine_size_kb=0"})
        pid = d.proc.pid
        before = rss_kib(pid)
        size = 32 << 20
        chunk = b"x" * (1 << 20)
        socks, replies = [], []

        def stall(sock):
            sock.sendall(f"POST /v1/spans HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/x-ndjson\r\n"
                         f"Content-Length: {size}\r\n\r\n".encode())
            try:
                sent = 0
                while sent < size - 1:
                    n = min(len(chunk), size - 1 - sent)
                    sock.sendall(chunk[:n])
                    sent += n
            except OSError:
                pass   # refused with a 503 and closed: the rest is not wanted

        threads = []
        for _ in range(16):
            s = socket.create_connection(("127.0.0.1", port), timeout=30)
            socks.append(s)
            t = threading.Thread(target=stall, args=(s,), daemon=True)
            t.start()
            threads.append(t)
        peak, latencies = before, []
        deadline = time.monotonic() + 60
        while any(t.is_alive() for t in threads) and time.monotonic() < deadline:
            peak = max(peak, rss_kib(pid))
            latencies.append(query_latency(d))
            time.sleep(0.05)
        # Everything sent that will be: now the stalled ones wait for their last byte.
        stalled_at = time.monotonic()
        while time.monotonic() - stalled_at < 1.0:
            peak = max(peak, rss_kib(pid))
            latencies.append(query_latency(d))
            time.sleep(0.05)
        for s in socks:
            s.settimeout(None)
        wait_for(lambda: all(closed_by_peer(s) for s in socks), timeout=30,
                 what="every stalled connection closed by the body timeout")
        closed_after = time.monotonic() - stalled_at
        p95 = sorted(latencies)[int(len(latencies) * 0.95)]
        print(f"VmRSS {before} KiB before, peak {peak} KiB with 16 stalled 32 MiB bodies (budget 64 MiB); "
              f"query /healthz p95 {p95 * 1000:.1f} ms, max {max(latencies) * 1000:.1f} ms over {len(latencies)} requests; "
              f"all closed {closed_after:.1f} s after stalling")
        assert peak - before < 200 * 1024, f"VmRSS grew by {(peak - before) / 1024:.0f} MiB"
        # Answering while 512 MiB is pushed through loopback by this very process: the 95th
        # percentile within 250 ms (a loop blocked by the bodies would take seconds; 30-60 ms is
        # usual here, but the AddressSanitizer build beside the other end-to-end tests on 2 shared
        # cores saw 113 ms in CI; the max is printed and bounded loosely).
        assert p95 < 0.25, f"the query socket's 95th percentile was {p95 * 1000:.0f} ms"
        assert max(latencies) < 1.0, f"the query socket took {max(latencies) * 1000:.0f} ms"
        # Those over the budget were told to come back; the daemon stays up and takes a span.
        refused = d.get("/v1/stats")["intake"].get("refused_body_memory.all", 0)
        assert refused >= 1, refused
        assert d.post_spans([{"trace_id": "5", "span_id": "1", "name": "n", "service": "s", "start": 1, "duration": 1}])[0] == 200
        for s in socks:
            s.close()
    finally:
        d.cleanup()


def test_a_request_over_the_body_budget_gets_503_with_retry_after():
    port = free_port()
    d = daemon_with(port, "{ body_memory: 64KiB }", ", max_body: 64KiB")
    try:
        d.start()
        # One stalled request holds the whole budget (its declared length) ...
        def open_holder():
            h = socket.create_connection(("127.0.0.1", port), timeout=10)
            h.sendall(f"POST /v1/spans HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/x-ndjson\r\n"
                      f"Content-Length: {64 << 10}\r\n\r\n{{".encode())
            return h

        def answered(h):
            try:
                h.setblocking(False)
                return h.recv(65536) is not None
            except BlockingIOError:
                return False
            finally:
                h.setblocking(True)

        holder = open_holder()
        # ... so the next is refused before its body is read, with a reason and Retry-After.
        body = b'{"trace_id":"6","span_id":"1","name":"n","service":"s","start":1,"duration":1}\n'
        deadline = time.monotonic() + 10
        while True:
            conn = socket.create_connection(("127.0.0.1", port), timeout=10)
            conn.sendall(f"POST /v1/spans HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/x-ndjson\r\n"
                         f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body)
            reply = b""
            while chunk := conn.recv(65536):
                reply += chunk
            conn.close()
            if reply.startswith(b"HTTP/1.1 503") or time.monotonic() > deadline:
                break
            if answered(holder):
                # The probe was read first and the holder refused: hold again.
                holder.close()
                holder = open_holder()
            time.sleep(0.05)
        head = reply.split(b"\r\n\r\n")[0].lower()
        assert reply.startswith(b"HTTP/1.1 503"), (reply[:300], d.get("/v1/stats")["intake"], d.log()[-3000:])
        assert b"retry-after: 1" in head, head
        assert b"body_memory" in reply, reply
        holder.close()
        # With the budget free again, the same request is taken.
        wait_for(lambda: d.post_spans([body.decode().strip()])[0] == 200, what="the span taken once the budget is free")
    finally:
        d.cleanup()


def test_partial_heads_and_idle_connections_are_closed_at_the_idle_timeout():
    port = free_port()
    d = daemon_with(port, "{ idle_timeout: 1s }")
    try:
        d.start()
        partial, idle = [], []
        for i in range(50):
            s = socket.create_connection(("127.0.0.1", port), timeout=10)
            s.sendall(b"POST /v1/spans HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            partial.append(s)
            idle.append(socket.create_connection(("127.0.0.1", port), timeout=10))
        # A head sent a byte at a time does not keep the connection: the timeout runs from its start.
        drip = socket.create_connection(("127.0.0.1", port), timeout=10)
        started = time.monotonic()
        head = b"GET /healthz HTTP/1.1\r\nX-Slow: " + b"a" * 200
        for byte in head:
            if closed_by_peer(drip):
                break
            try:
                drip.sendall(bytes([byte]))
            except OSError:
                break
            time.sleep(0.02)
        wait_for(lambda: all(closed_by_peer(s) for s in partial + idle + [drip]), timeout=20,
                 what="partial heads, idle connections and the dripped head closed")
        took = time.monotonic() - started
        print(f"100 idle or partial connections and a dripped head closed {took:.1f} s after opening (idle_timeout 1s)")
        assert took < 10, took
        # A prompt client is served as before.
        status, _ = request(d.intake_socket, "GET", "/healthz")
        assert status == 200
    finally:
        d.cleanup()


def test_connections_beyond_the_limit_wait_unaccepted_and_the_query_socket_answers():
    port = free_port()
    d = daemon_with(port, "{ max_connections: 10 }")
    try:
        d.start()
        pid = d.proc.pid
        base = socket_fds(pid)
        conns = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(40)]
        # The daemon holds at most 10 of them (the rest wait in the kernel's backlog).
        time.sleep(0.5)   # not a synchronisation: a grace for accepts that must NOT happen
        held = socket_fds(pid) - base
        print(f"40 connections opened, the daemon holds {held} (max_connections 10)")
        # NIO accepts up to 4 connections on one readiness event before the limit is looked at
        # again, so a burst may take a few more (docs/security.md); never all 40.
        assert held <= 10 + 4, held
        assert query_latency(d) < 0.1
        # One that was waiting is served once the held ones close.
        last = conns[-1]
        for c in conns[:-1]:
            c.close()
        last.sendall(f"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n".encode())
        last.settimeout(20)
        reply = b""
        while chunk := last.recv(65536):
            reply += chunk
        assert reply.startswith(b"HTTP/1.1 200"), reply[:200]
        for c in conns:
            c.close()
    finally:
        d.cleanup()


def test_out_of_descriptors_the_daemon_neither_spins_nor_blinds_the_operator():
    """Under a 300-descriptor limit, 290 idle connections: the listeners' limits are scaled to
    the budget (logged), the query socket answers within 100 ms, the daemon idles, and a new log
    file is still tailed."""
    port = free_port()
    d = daemon_with(port, "{ max_connections: 512 }")
    try:
        d.start(preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (300, 300)))
        pid = d.proc.pid
        assert "each is scaled down" in d.log()
        conns = []
        for _ in range(290):
            conns.append(socket.create_connection(("127.0.0.1", port), timeout=10))
        cpu0, t0 = cpu_seconds(pid), time.monotonic()
        latencies = []
        while time.monotonic() - t0 < 3:
            latencies.append(query_latency(d))
            time.sleep(0.05)
        cpu = (cpu_seconds(pid) - cpu0) / (time.monotonic() - t0)
        d.append("new.log", [ddtrace_line(77, 1, "a new file under pressure")])
        wait_for(lambda: d.get("/v1/logs?trace_id=77")["logs"], timeout=30, what="the new file's line")
        p95 = sorted(latencies)[int(len(latencies) * 0.95)]
        print(f"290 idle connections under a 300-descriptor limit: query p95 {p95 * 1000:.1f} ms, max {max(latencies) * 1000:.1f} ms, "
              f"daemon CPU {cpu:.2f} cores, {socket_fds(pid)} sockets held")
        assert p95 < 0.1 and max(latencies) < 1.0, (p95, max(latencies))
        assert cpu < 0.5, cpu
        for c in conns:
            c.close()
    finally:
        d.cleanup()


def test_grpc_advertises_its_stream_limit_and_closes_connections_that_send_nothing():
    grpc_port, http_port = free_port(), free_port()
    d = daemon_with(http_port, "{ idle_timeout: 1s, body_timeout: 2s, max_streams: 100 }", grpc_port=grpc_port)
    try:
        d.start()
        wait_for(lambda: f"127.0.0.1:{grpc_port}" in d.log(), what="the gRPC listener")
        # 150 concurrent calls on one connection: the client queues past the advertised 100;
        # before, the 101st tore the connection down and every call in flight failed.
        method = "/opentelemetry.proto.collector.trace.v1.TraceService/Export"

        def field(number, data):
            return bytes([number << 3 | 2, len(data)]) + data
        with grpc.insecure_channel(f"127.0.0.1:{grpc_port}") as channel:
            call = channel.unary_unary(method, request_serializer=None, response_deserializer=None)
            futures = []
            for i in range(150):
                span = field(1, bytes(range(1, 16)) + bytes([i + 1])) + field(2, bytes(range(1, 9))) + field(5, b"op")
                futures.append(call.future(field(1, field(2, field(2, span))), timeout=60))
            codes = [f.exception().code() if f.exception() else grpc.StatusCode.OK for f in futures]
        assert codes == [grpc.StatusCode.OK] * 150, {c: codes.count(c) for c in set(codes)}
        # Connections that sent only the preface are closed once idle.
        preface = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + bytes([0, 0, 0, 4, 0, 0, 0, 0, 0])
        quiet = []
        for _ in range(20):
            s = socket.create_connection(("127.0.0.1", grpc_port), timeout=10)
            s.sendall(preface)
            quiet.append(s)
        wait_for(lambda: all(closed_by_peer(s) for s in quiet), timeout=20, what="preface-only connections closed")
    finally:
        d.cleanup()


def test_follow_notices_a_client_that_left_and_idles():
    """Four followers whose filter matches nothing are killed: their connections are closed at
    once (no CLOSE-WAIT left), and while followers wait the daemon does not rescan."""
    d = Daemon()
    try:
        d.start()
        d.append("app.log", [ddtrace_line(1, 2, f"line {i}") for i in range(500)])
        wait_for(lambda: len(d.get("/v1/logs?limit=500")["logs"]) == 500, what="500 lines stored")
        followers = []
        for _ in range(4):
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(d.query_socket)
            s.sendall(b"GET /v1/follow?q=nothing-matches-this HTTP/1.1\r\nHost: localhost\r\n\r\n")
            followers.append(s)
        for s in followers:
            s.settimeout(10)
            assert s.recv(65536).startswith(b"HTTP/1.1 200")
        pid = d.proc.pid
        cpu0, t0 = cpu_seconds(pid), time.monotonic()
        time.sleep(2)   # measuring idle CPU over a fixed window, not synchronising
        cpu = (cpu_seconds(pid) - cpu0) / (time.monotonic() - t0)
        base = socket_fds(pid)
        for s in followers:
            s.close()
        wait_for(lambda: socket_fds(pid) <= base - 4, timeout=5, what="the followers' connections closed by the daemon")
        print(f"4 idle followers: daemon CPU {cpu:.3f} cores; their connections closed after they left")
        assert cpu < 0.2, cpu
    finally:
        d.cleanup()
