#!/usr/bin/env python3
"""Runs every fuzz target (or those named) for SECONDS each from its seed corpus, and prints a
table: executions, coverage (libFuzzer's `cov:` and `ft:`), corpus size and the result; then,
for each finding, the reproducer's path and the first frames of its stack.

    python3 Fuzz/run.py BINARY SECONDS [TARGET…] [--work DIR] [--seeds DIR] [--merge]

The seeds (Fuzz/corpus/<target>/, committed) are read only; what libFuzzer adds goes to
DIR/corpus/<target>/ (default: the binary's build directory, .build-asan/; `make fuzz-long` keeps
it in .build-fuzz/ between runs), crashes to DIR/crashes/<target>/. With --merge, the inputs of
DIR/corpus/<target>/ that add coverage are minimized into the seeds (`make fuzz-merge`).
Exits 1 if any target found a crash, a leak, a slow input or ran past its time, with the
reproducer's path: `tracejoin-fuzz TARGET FILE` replays it (in this build, or an ordinary one).
Targets run one per core at a time (FUZZ_JOBS overrides); each libFuzzer process is one thread.

Why a run cannot hang (docs/reliability.md): the Swift runtime's crash handler is off
(SWIFT_BACKTRACE=enable=no; libFuzzer prints the stack itself), output goes to a file rather
than a pipe that a child could hold open, and each target runs in a process group of its own
that is killed whole when it outlives its time by a minute.
"""

import argparse
import concurrent.futures
import os
import re
import signal
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.abspath(__file__))
# A finding's stack: this many frames are printed (all of them are in the target's log).
FRAMES = 8
# Targets that exist to test this runner; run only when named.
SELF_TESTS = ("self-test",)


def run_target(binary, target, seconds, work_root, seeds_root, merge):
    work = os.path.join(work_root, "corpus", target)
    crashes = os.path.join(work_root, "crashes", target)
    os.makedirs(work, exist_ok=True)
    os.makedirs(crashes, exist_ok=True)
    seeds = os.path.join(seeds_root, target)
    os.makedirs(seeds, exist_ok=True)
    # The inputs of past findings (Fuzz/regressions/<target>/) are read as corpus too, so every
    # run checks them under the sanitizers (a leak shows only here).
    regressions = os.path.join(ROOT, "regressions", target)
    extra = [regressions] if os.path.isdir(regressions) and not merge else []
    if merge:
        # -merge=1 FIRST SECOND…: what in the later directories adds coverage to the first is
        # copied into it (minimized, by libFuzzer's own rules).
        args = [binary, "-merge=1", seeds, work, "-timeout=10", "-rss_limit_mb=2048", "-max_len=65536"]
    else:
        # -timeout: an input that takes over 10 s is a hang; -rss_limit_mb bounds memory.
        args = [binary, work, seeds, *extra, f"-max_total_time={seconds}", "-timeout=10", "-rss_limit_mb=2048",
                "-max_len=65536", "-print_final_stats=1", f"-artifact_prefix={crashes}/"]
    env = {**os.environ, "TRACEJOIN_FUZZ_TARGET": target, "SWIFT_BACKTRACE": "enable=no"}
    log_path = os.path.join(work_root, f"{target}.log")
    limit = seconds + 60
    started = time.monotonic()
    timed_out = False
    with open(log_path, "w") as log_file:
        proc = subprocess.Popen(args, env=env, stdout=log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)
        try:
            proc.wait(timeout=limit)
        except subprocess.TimeoutExpired:
            timed_out = True
        finally:
            # The whole group: libFuzzer's children (and anything a crash handler started).
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()
    elapsed = time.monotonic() - started
    with open(log_path, errors="replace") as f:
        log = f.read()
    return summarize(target, log, proc.returncode, timed_out, elapsed, log_path)


def summarize(target, log, returncode, timed_out, elapsed, log_path):
    last = [l for l in log.splitlines() if re.match(r"#\d+\s", l)]
    stats = dict(re.findall(r"(\w+): (\d+)", last[-1])) if last else {}
    execs = re.search(r"stat::number_of_executed_units:\s*(\d+)", log)
    rate = re.search(r"stat::average_exec_per_sec:\s*(\d+)", log)
    artifact = re.search(r"Test unit written to (\S+)", log)
    ok = returncode == 0 and not timed_out
    if timed_out:
        result = f"FOUND: ran past its time ({elapsed:.0f} s), killed; see {log_path}"
    elif ok:
        result = "ok"
    else:
        result = f"FOUND ({artifact.group(1) if artifact else 'see ' + log_path})"
    line = (f"{target:<20} {execs.group(1) if execs else '?':>10} {rate.group(1) if rate else '?':>8} {stats.get('cov', '?'):>6} "
            f"{stats.get('ft', '?'):>6} {stats.get('corp', '?'):>7}  {result}")
    finding = None
    if not ok:
        # What the sanitizer or libFuzzer said, and the first frames of the stack.
        reason = re.search(r"(Fatal error: .*|property violated: .*)", log) or re.search(r"==\d+==\s*ERROR: (.*)", log)
        # The sanitizer's and libFuzzer's own frames (printing the stack) are left out.
        frames = [f for f in re.findall(r"^\s*(#\d+ 0x[0-9a-f]+ in .*)$", log, re.M) if "compiler-rt/" not in f][:FRAMES]
        finding = "\n".join([f"--- {target}: {reason.group(1) if reason else 'no error line'}",
                             f"    input: {artifact.group(1) if artifact else '(none written)'}",
                             f"    replay: tracejoin-fuzz {target} {artifact.group(1) if artifact else 'FILE'}",
                             *("    " + f for f in frames), f"    log: {log_path}"])
    return target, ok, line, finding


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("seconds", type=int)
    parser.add_argument("targets", nargs="*")
    parser.add_argument("--work", help="where the grown corpus, crashes and logs go (default: the binary's build directory)")
    parser.add_argument("--seeds", default=os.path.join(ROOT, "corpus"), help="the seed corpus root (default Fuzz/corpus)")
    parser.add_argument("--merge", action="store_true", help="minimize what --work's corpus adds into the seeds")
    a = parser.parse_args()
    binary = os.path.abspath(a.binary)
    work_root = os.path.abspath(a.work or os.path.dirname(os.path.dirname(binary)))   # .build-asan/debug/tracejoin-fuzz
    targets = a.targets or sorted(t for t in os.listdir(a.seeds) if t not in SELF_TESTS)
    print(f"{'target':<20} {'execs':>10} {'exec/s':>8} {'cov':>6} {'ft':>6} {'corpus':>7}  result", flush=True)
    failed, findings = [], []
    jobs = int(os.environ.get("FUZZ_JOBS") or os.cpu_count() or 1)
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        runs = pool.map(lambda t: run_target(binary, t, a.seconds, work_root, a.seeds, a.merge), targets)
        for target, ok, line, finding in runs:
            if not ok:
                failed.append(target)
                findings.append(finding)
            print(line, flush=True)
    for finding in findings:
        print(finding, flush=True)
    if failed:
        print("findings in: " + ", ".join(failed), flush=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
