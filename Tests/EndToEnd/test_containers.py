"""A node's containers (docs/kubernetes.md): the app's own ddtrace rule, unchanged, applied inside
the container runtime's envelope (CRI and Docker's json-file), with the pod the line came from."""

import json
import os
import signal

from harness import DDTRACE_RULES, Daemon, ddtrace_line, request, wait_for

UID = "0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"
T = "2026-12-06T19:31:21.123456789Z"


def rules(fmt, paths):
    """The app's rule as it is, plus where the node keeps its containers' logs and their format."""
    return (DDTRACE_RULES.replace('paths: ["logs/*.log"]\n', f"paths: {json.dumps(paths)}\nformat: {fmt}\nstart_at: beginning\n"
                                  "multiline: { start: '^%{TIMESTAMP_ISO8601} ' }\n"))


def cri(stream, tag, text):
    return f"{T} {stream} {tag} {text}\n"


def docker(text, stream="stdout"):
    return json.dumps({"log": text, "stream": stream, "time": T}) + "\n"


def logs(d, trace):
    return d.get(f"/v1/logs?trace_id={trace}&limit=100")["logs"]


def test_cri_split_lines_tracebacks_and_the_pod():
    d = Daemon(rules=None)
    pod_dir = os.path.join(d.root, "pods", f"shop_web-1_{UID}", "app")
    os.makedirs(pod_dir)
    d.write_rules("pods.yaml", rules("cri", [os.path.join(d.root, "pods", "*", "*", "*.log*")]))
    path = os.path.join(pod_dir, "0.log")
    try:
        d.start()
        # A 40 KiB line split by the runtime into 16 KiB parts; an ERROR with its traceback, one
        # CRI record per line; a line after it to close the record.
        long_line = ddtrace_line(11, 1, "big " + "x" * (40 << 10))
        parts = [long_line[i:i + (16 << 10)] for i in range(0, len(long_line), 16 << 10)]
        with open(path, "w") as f:
            for p in parts[:-1]:
                f.write(cri("stdout", "P", p))
            f.write(cri("stdout", "F", parts[-1]))
            f.write(cri("stderr", "F", ddtrace_line(11, 2, "it failed", level="ERROR")))
            for line in ["Traceback (most recent call last):", '  File "app.py", line 3, in <module>', "ValueError: boom"]:
                f.write(cri("stderr", "F", line))
            f.write(cri("stdout", "F", ddtrace_line(11, 3, "after")))
        got = wait_for(lambda: (lambda l: l if len(l) >= 3 else None)(logs(d, 11)), what="the pod's three lines")
        by_span = {r["log"]["span_id_dd"]: r["log"] for r in got}
        assert len(got) == 3, [r["log"]["message"][:40] for r in got]
        big = by_span["1"]
        assert big["message"] == "big " + "x" * (40 << 10)
        # The stored line is the app's text: no envelope in it.
        assert big["raw"] == long_line and T not in big["raw"] and " stdout " not in big["raw"]
        error = by_span["2"]
        assert error["message"] == 'it failed\nTraceback (most recent call last):\n  File "app.py", line 3, in <module>\nValueError: boom'
        fields = error["fields"]
        assert fields["k8s.namespace"] == "shop" and fields["k8s.pod"] == "web-1"
        assert fields["k8s.pod_uid"] == UID and fields["k8s.container"] == "app"
        assert fields["stream"] == "stderr"
        # The app's own time places the line; the runtime's is kept beside it.
        assert fields["runtime_time_ns"] == 1_796_585_481_123_456_789
        # Searchable by the pod.
        assert len(d.get("/v1/logs?field.k8s.pod=web-1&limit=100")["logs"]) == 3
        assert d.get("/v1/logs?field.k8s.pod=other&limit=100")["logs"] == []
        # The web view's log list names the pod, linking to its lines.
        status, page = request(d.query_socket, "GET", "/logs?field.k8s.pod=web-1")
        assert status == 200 and ">shop/web-1/app</a>" in page and 'href="/logs?field.k8s.pod=web-1"' in page, page[-2000:]
        # The kubelet rotates (rename to 0.log.<time>, a new 0.log) and compresses later: the
        # renamed file is followed like any rename, the compressed one never read.
        os.rename(path, path + ".20261206-193121")
        with open(path, "w") as f:
            f.write(cri("stdout", "F", ddtrace_line(11, 4, "after rotation")))
        with open(path + ".20261206-180000.gz", "w") as f:
            f.write(cri("stdout", "F", ddtrace_line(11, 5, "compressed: never read")))
        wait_for(lambda: any(r["log"]["span_id_dd"] == "4" for r in logs(d, 11)), what="the line after rotation")
        assert not any(r["log"]["span_id_dd"] == "5" for r in logs(d, 11))
    finally:
        d.cleanup()


def test_docker_escapes_split_lines_and_the_container():
    d = Daemon(rules=None)
    containers = os.path.join(d.root, "containers")
    os.makedirs(containers)
    d.write_rules("pods.yaml", rules("docker", [os.path.join(containers, "*.log")]))
    path = os.path.join(containers, "web-1_shop_app-" + "ab" * 32 + ".log")
    try:
        d.start()
        escaped = ddtrace_line(12, 1, 'say "hi"\\ \ttab')
        long_line = ddtrace_line(12, 2, "y" * (20 << 10))
        with open(path, "w") as f:
            f.write(docker(escaped + "\n"))
            # Docker splits a line over 16 KiB: parts without the trailing newline.
            f.write(docker(long_line[:16 << 10]))
            f.write(docker(long_line[16 << 10:] + "\n"))
            f.write(docker(ddtrace_line(12, 3, "last") + "\n", stream="stderr"))
        got = wait_for(lambda: (lambda l: l if len(l) >= 3 else None)(logs(d, 12)), what="the container's three lines")
        by_span = {r["log"]["span_id_dd"]: r["log"] for r in got}
        assert by_span["1"]["message"] == 'say "hi"\\ \ttab' and by_span["1"]["raw"] == escaped
        assert by_span["2"]["message"] == "y" * (20 << 10)
        fields = by_span["3"]["fields"]
        assert (fields["k8s.namespace"], fields["k8s.pod"], fields["k8s.container"], fields["stream"]) == ("shop", "web-1", "app", "stderr")
        assert "k8s.pod_uid" not in fields
    finally:
        d.cleanup()


def test_a_kill_in_the_middle_of_a_split_line_loses_and_repeats_nothing():
    d = Daemon(rules=None)
    pod_dir = os.path.join(d.root, "pods", f"shop_web-2_{UID}", "app")
    os.makedirs(pod_dir)
    d.write_rules("pods.yaml", rules("cri", [os.path.join(d.root, "pods", "*", "*", "*.log")]))
    path = os.path.join(pod_dir, "0.log")
    try:
        d.start()
        split = ddtrace_line(13, 2, "split " + "z" * 100)
        with open(path, "w") as f:
            f.write(cri("stdout", "F", ddtrace_line(13, 1, "before")))
            f.write(cri("stdout", "P", split[:60]))
            f.write(cri("stdout", "P", split[60:120]))
        # "before" is stored (its record closed by the multiline timeout) while the split line
        # waits for its last part; then the daemon dies.
        wait_for(lambda: len(logs(d, 13)) == 1, what="the line before the split one")
        d.stop(signal.SIGKILL)
        with open(path, "a") as f:
            f.write(cri("stdout", "F", split[120:]))
            f.write(cri("stdout", "F", ddtrace_line(13, 3, "after")))
        d.start()
        got = wait_for(lambda: (lambda l: l if len(l) >= 3 else None)(logs(d, 13)), what="every line after the restart")
        assert sorted(r["log"]["span_id_dd"] for r in got) == ["1", "2", "3"], [r["log"]["message"][:30] for r in got]
        assert next(r["log"] for r in got if r["log"]["span_id_dd"] == "2")["raw"] == split
    finally:
        d.cleanup()
