"""What the fuzz targets found (docs/reliability.md), kept as tests that carry the inputs.

Every input under Fuzz/regressions/<target>/ made a fuzz target crash, leak or break a property
before its fix; the replay build of the fuzz executable (`tracejoin-fuzz TARGET FILE…`, built
beside `tracejoin`) runs each once and must pass. The two that could take the daemon down are
also sent to the real daemon.
"""

import os
import subprocess

from harness import BIN, Daemon, request

REGRESSIONS = os.path.join(os.path.dirname(__file__), "..", "..", "Fuzz", "regressions")
FUZZ = os.path.join(os.path.dirname(BIN), "tracejoin-fuzz")


def test_every_finding_replays_clean():
    targets = sorted(os.listdir(REGRESSIONS))
    assert targets, "no regression inputs"
    for target in targets:
        files = [os.path.join(REGRESSIONS, target, f) for f in sorted(os.listdir(os.path.join(REGRESSIONS, target)))]
        out = subprocess.run([FUZZ, target, *files], capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, (target, out.stdout[-2000:], out.stderr[-4000:])
        assert out.stdout.count(": ok") == len(files), out.stdout


def test_a_zipkin_timestamp_beyond_2262_is_a_400_not_a_crash():
    d = Daemon()
    try:
        d.start()
        body = open(os.path.join(REGRESSIONS, "zipkin", os.listdir(os.path.join(REGRESSIONS, "zipkin"))[0]), "rb").read()
        status, reply = request(d.intake_socket, "POST", "/api/v2/spans", body=body, headers={"Content-Type": "application/json"})
        assert status == 400 and "beyond 2262" in reply["detail"], reply
        assert d.proc.poll() is None
    finally:
        d.cleanup()


def test_times_beyond_what_nanoseconds_hold_are_clamped_not_a_crash():
    d = Daemon()
    try:
        d.start()
        for query in ("until=4052-11-29T04:00:00Z", "since=99999999999999999d", "since=1200-01-01T00:00:00Z"):
            status, reply = request(d.query_socket, "GET", f"/v1/logs?{query}")
            assert status == 200, (query, reply)
        assert d.proc.poll() is None
    finally:
        d.cleanup()
