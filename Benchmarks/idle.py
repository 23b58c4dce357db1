#!/usr/bin/env python3
"""The daemon's CPU while it follows many log files and nothing changes.

Creates FILES log files of one line each, starts `tracejoin serve` (release build, or
`TRACEJOIN_BIN`, or `--bin`) on a temporary config that follows them, and waits until every line
is queryable and `/v1/stats` shows every file read to its end. Then, for SECONDS seconds in which
nothing is written (and the query API is left alone), it reads the daemon's CPU time (utime +
stime of /proc/PID/stat, in clock ticks) and its threads' voluntary context switches (wake-ups).

As a reference, `tail -F` (GNU coreutils: inotify) follows the same files over the same window.

Prints CPU as a percentage of one core against the target (< 1%), wake-ups per second, and the
daemon's CPU as a ratio of tail's.

    python3 Benchmarks/idle.py [--files 1000] [--seconds 30]
"""

import argparse
import os
import resource
import shutil
import signal
import subprocess
import time

from benchdaemon import RELEASE_BIN, BenchDaemon, request, wait_for

RULES = r"""
source: idle
paths: ["logs/*.log"]
rules:
  - name: numbered
    grok: 'file=%{INT:file} trace=%{TRACEID:trace_id} span=%{SPANID:span_id} - %{GREEDYDATA:message}'
"""

TICK = os.sysconf("SC_CLK_TCK")


def cpu_ticks(pid):
    """utime + stime of the whole process, in clock ticks."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def wakeups(pid):
    """Voluntary context switches of every thread of the process (each one a sleep, then a wake-up)."""
    total = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/status") as f:
                total += sum(int(l.split()[1]) for l in f if l.startswith("voluntary_ctxt_switches:"))
        except OSError:
            pass  # a thread that ended meanwhile
    return total


def thread_ticks(pid):
    """{thread name (and id): utime + stime in ticks} of every thread of the process."""
    out = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/comm") as f:
                comm = f.read().strip()
            out[f"{comm}/{tid}"] = cpu_ticks(f"{pid}/task/{tid}")
        except OSError:
            pass
    return out


def open_descriptors(pid, directory):
    n = 0
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            n += os.path.dirname(os.readlink(f"/proc/{pid}/fd/{fd}")) == directory
        except OSError:
            pass
    return n


def indexed(query):
    """How many lines of the source the index holds (through `/v1/logs`, paged)."""
    n, cursor = 0, None
    while True:
        status, body = request(query, "GET", "/v1/logs?source=idle&limit=1000" + (f"&cursor={cursor}" if cursor else ""))
        if status != 200:
            return n
        n += len(body["logs"])
        cursor = body["next_cursor"]
        if not cursor:
            return n


def raise_soft_limit():
    # tail holds a descriptor per file: 1,000 files and stdio are close to the usual 1,024.
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=1000)
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--bin", default=os.environ.get("TRACEJOIN_BIN") or RELEASE_BIN)
    ap.add_argument("--no-reference", action="store_true", help="skip the tail -F reference")
    args = ap.parse_args()

    d = BenchDaemon("tj-idle-", rules=RULES, bin=args.bin)
    tail = None
    try:
        paths = []
        for i in range(args.files):
            path = os.path.join(d.logs, f"f{i:04d}.log")
            with open(path, "w") as f:
                f.write(f"file={i} trace={1_000_000 + i} span=1 - the only line\n")
            paths.append(path)

        start = time.monotonic()
        d.start()
        pid = d.proc.pid
        wait_for(lambda: indexed(d.query) >= args.files, timeout=600, interval=0.5, what=f"all {args.files} lines indexed")
        wait_for(lambda: (lambda files: len(files) == args.files and all(f["lag_bytes"] == 0 for f in files))(
            request(d.query, "GET", "/v1/stats")[1]["files"]), timeout=60, interval=0.5, what="every file read to its end")
        ready = time.monotonic() - start
        _, stats = request(d.query, "GET", "/v1/stats")

        tail_bin = shutil.which("tail")
        if tail_bin and not args.no_reference:
            tail = subprocess.Popen([tail_bin, "-F", "-q", "-n", "0", *paths], stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL, preexec_fn=raise_soft_limit)
            # Ready once it holds a descriptor for every file.
            wait_for(lambda: tail.poll() is None and open_descriptors(tail.pid, d.logs) >= args.files, timeout=60,
                     what="tail -F to open every file")

        # The window: nothing is written, nothing is asked.
        threads_before = thread_ticks(pid)
        before = (cpu_ticks(pid), wakeups(pid), time.monotonic())
        tail_before = cpu_ticks(tail.pid) if tail else None
        time.sleep(args.seconds)
        after = (cpu_ticks(pid), wakeups(pid), time.monotonic())
        tail_after = cpu_ticks(tail.pid) if tail else None
        threads = {t: n - threads_before.get(t, 0) for t, n in thread_ticks(pid).items()}
        assert d.proc.poll() is None, "the daemon exited during the window"

        window = after[2] - before[2]
        ticks = after[0] - before[0]
        percent = ticks / TICK / window * 100
        held = stats.get("tail", {}).get("descriptors_held", "?")
        print(f"idle daemon following {args.files:,} files (all {args.files:,} lines indexed {ready:.1f} s after start; "
              f"{held} descriptors held), over {window:.1f} s with nothing changing:")
        print(f"  daemon CPU: {percent:.2f}% of one core ({ticks} ticks of 1/{TICK} s) (target < 1%); "
              f"{(after[1] - before[1]) / window:.1f} wake-ups/s")
        busiest = sorted(((n, t) for t, n in threads.items() if n > 0), reverse=True)[:5]
        if busiest:
            print("  busiest threads: " + ", ".join(f"{t} {n} ticks" for n, t in busiest))
        if tail:
            tail_ticks = tail_after - tail_before
            tail_percent = tail_ticks / TICK / window * 100
            ratio = f"{ticks / tail_ticks:.1f}×" if tail_ticks else "n/a (tail used no whole tick)"
            print(f"  reference `tail -F` over the same files: {tail_percent:.2f}% of one core ({tail_ticks} ticks); "
                  f"daemon / tail: {ratio}")
    finally:
        if tail and tail.poll() is None:
            os.kill(tail.pid, signal.SIGTERM)
            tail.wait(timeout=10)
        d.stop()


if __name__ == "__main__":
    main()
