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


def test_a_target_that_traps_is_reported_as_a_finding_in_seconds(tmp_path):
    """`make fuzz` reports a trap with its input and stack, within the run's time: the Swift
    crash handler, which hung for minutes under libFuzzer, is off, and a run that outlives its
    time is killed whole (Fuzz/run.py)."""
    import sys
    import time
    seeds = tmp_path / "seeds" / "self-test"
    seeds.mkdir(parents=True)
    (seeds / "trap").write_bytes(b"trap!")
    started = time.monotonic()
    out = subprocess.run([sys.executable, os.path.join(REGRESSIONS, "..", "run.py"), FUZZ, "30", "self-test",
                          "--seeds", str(tmp_path / "seeds"), "--work", str(tmp_path / "work")],
                         capture_output=True, text=True, timeout=120, env={**os.environ, "SWIFT_BACKTRACE": ""})
    elapsed = time.monotonic() - started
    assert out.returncode == 1, (out.stdout, out.stderr)
    assert elapsed < 60, f"the finding took {elapsed:.0f} s to report"
    assert "self-test" in out.stdout and "FOUND (" in out.stdout, out.stdout
    crash = [l for l in out.stdout.splitlines() if l.strip().startswith("input: ")][0].split("input: ")[1]
    assert os.path.exists(crash) and open(crash, "rb").read().startswith(b"trap"), crash
    # The first frames of the stack, and the trap's place in the target.
    frames = [l for l in out.stdout.splitlines() if l.strip().startswith("#")]
    assert frames and any("Fuzz.swift" in l or "TracejoinFuzz" in l for l in frames), out.stdout
    assert "findings in: self-test" in out.stdout
