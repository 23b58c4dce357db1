#!/usr/bin/env python3
"""The release daemon ingesting a large log file end to end: time and peak memory.

Writes the index benchmark's ddtrace workload (`tracejoin-bench debug-generate-logs`: traces of ~100
lines, one line in 50 an ERROR with a traceback folded by `multiline`) to a file, starts
`tracejoin serve` on a temporary config that tails it from the beginning, and waits until the
last line is queryable. Samples the daemon's resident memory (VmRSS) every 50 ms and reads its
peak (VmHWM) at the end; prints lines/s, CPU seconds per million lines, the state directory's
size against the file's, and the peak.

In the same run, on the same file and the same expanded regular expression (`tracejoin rules
check --regex`), two references: the C loop over `pcre2_jit_match` (Benchmarks/reference/
pcre2_loop.c, one pass: the regex alone, no I/O), and syslog-ng (Debian's `syslog-ng-core`,
installed by `make bench`): file() → regexp-parser() → file(), timed until its output holds
every line the regex matches. Prints Tracejoin's time as a multiple of each.

    python3 Benchmarks/ingest.py [--lines 10000000]
"""

import argparse
import os
import shutil
import signal
import subprocess
import tempfile
import time

from benchdaemon import RELEASE_BIN, BenchDaemon, cpu_seconds, request, status_kib, wait_for
from harness import DDTRACE_RULES

# The end-to-end tests' ddtrace rule, read from the start, tracebacks folded into their record.
RULES = DDTRACE_RULES.replace('paths: ["logs/*.log"]\n', 'paths: ["logs/*.log"]\nstart_at: beginning\n'
                              "multiline: { start: '^%{TIMESTAMP_ISO8601} ' }\n")


def tree_bytes(root):
    return sum(os.path.getsize(os.path.join(d, f)) for d, _, files in os.walk(root) for f in files)


REFERENCE_C = os.path.join(os.path.dirname(__file__), "reference", "pcre2_loop.c")


def expanded_regex(bin, config):
    out = subprocess.run([bin, "rules", "check", "--config", config, "--regex"], check=True, capture_output=True, text=True).stdout
    return next(line.split("\t", 1)[1] for line in out.splitlines() if "\t" in line)


def c_loop(regex, path, work):
    """The regex alone over every line, once: (seconds, lines matched)."""
    binary = os.path.join(work, "pcre2_loop")
    subprocess.run(["cc", "-O2", "-o", binary, REFERENCE_C, "-lpcre2-8"], check=True)
    with open(os.path.join(work, "regex.txt"), "w") as f:
        f.write(regex)
    out = subprocess.run([binary, os.path.join(work, "regex.txt"), path, "1"], check=True, capture_output=True, text=True).stdout
    fields = dict(part.split("=") for part in out.split())
    return int(fields["best_ns"]) / 1e9, int(fields["matched"])


def syslog_ng(regex, path, expected, work):
    """syslog-ng's file → regexp-parser → file until `expected` lines are out: (seconds, CPU s), or None."""
    exe = shutil.which("syslog-ng") or "/usr/sbin/syslog-ng"
    if not os.path.exists(exe):
        return None
    out = os.path.join(work, "syslog-ng.out")
    conf = os.path.join(work, "syslog-ng.conf")
    with open(conf, "w") as f:
        f.write("@version: 3.35\n"
                "options { stats_freq(0); use-dns(no); dns-cache(no); keep-hostname(yes); };\n"
                f'source s_file {{ file("{path}" flags(no-parse) follow-freq(1) log-fetch-limit(10000) log-iw-size(100000)); }};\n'
                f"parser p_tj {{ regexp-parser(patterns('{regex}') prefix(\".tj.\")); }};\n"
                f'destination d_out {{ file("{out}" template("${{MSG}}\\n")); }};\n'
                "log { source(s_file); parser(p_tj); destination(d_out); };\n")
    start = time.monotonic()
    proc = subprocess.Popen([exe, "-F", "--no-caps", "-f", conf, "-R", os.path.join(work, "persist"),
                             "-p", os.path.join(work, "pid"), "-c", os.path.join(work, "ctl")],
                            stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "syslog-ng.log"), "w"))
    try:
        counted, offset = 0, 0

        def all_out():
            nonlocal counted, offset
            if proc.poll() is not None:
                raise AssertionError(f"syslog-ng exited: {open(os.path.join(work, 'syslog-ng.log')).read()[-2000:]}")
            if os.path.exists(out):
                with open(out, "rb") as f:
                    f.seek(offset)
                    chunk = f.read()
                counted += chunk.count(b"\n")
                offset += len(chunk)
            return counted >= expected
        wait_for(all_out, timeout=3600, interval=0.05, what="syslog-ng's output")
        elapsed = time.monotonic() - start
        return elapsed, cpu_seconds(proc.pid)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=10_000_000)
    ap.add_argument("--bin", default=RELEASE_BIN)
    ap.add_argument("--no-references", action="store_true", help="skip the C loop and syslog-ng")
    args = ap.parse_args()

    d = BenchDaemon("tj-ingest-", rules=RULES, extra_yaml="retention: { max_age: 30d, max_bytes: 100GiB }\n", bin=args.bin)
    try:
        path = os.path.join(d.logs, "app.log")
        subprocess.run([os.path.join(os.path.dirname(args.bin), "tracejoin-bench"), "debug-generate-logs", "--lines", str(args.lines), "--traces", str(max(1, args.lines // 100)),
                        "--output", path], check=True, stdout=subprocess.DEVNULL)
        size = os.path.getsize(path)
        # The last record in the file: its trace tells when everything is in.
        with open(path, "rb") as f:
            f.seek(max(0, size - 64 * 1024))
            tail = f.read().decode("utf-8", "replace").splitlines()
        last = [l for l in tail if " dd.trace_id=" in l and "dd.trace_id=0 " not in l][-1]
        last_trace = last.split("dd.trace_id=")[1].split()[0]
        last_message = last.split("] - ", 1)[1]

        query = d.query
        start = time.monotonic()
        d.start(wait=False)
        proc = d.proc
        peak_sampled = 0

        def done():
            nonlocal peak_sampled
            peak_sampled = max(peak_sampled, status_kib(proc.pid, "VmRSS"))
            if not os.path.exists(query):
                return False
            status, body = request(query, "GET", f"/v1/logs?trace_id={last_trace}&limit=1000")
            return status == 200 and any(e["log"]["message"] == last_message for e in body["logs"])
        wait_for(done, timeout=3600, interval=0.05, what="the last line indexed")
        elapsed = time.monotonic() - start
        cpu = cpu_seconds(proc.pid)
        peak = status_kib(proc.pid, "VmHWM")
        state = tree_bytes(d.state)
        print(f"daemon ingest of {args.lines:,} lines ({size / 2**20:,.0f} MiB) until the last is queryable: {elapsed:.1f} s, "
              f"{args.lines / elapsed:,.0f} lines/s, {cpu / args.lines * 1e6:.1f} CPU s per million lines")
        print(f"  peak RSS of the daemon: {peak / 1024:,.0f} MiB (target < 300 MiB); "
              f"state directory {state / 2**20:,.1f} MiB = {state / size:.3f}× the file")
        if not args.no_references:
            d.halt()
            work = tempfile.mkdtemp(prefix="tj-ref-", dir="/tmp")
            try:
                regex = expanded_regex(args.bin, d.config)
                c_seconds, matched = c_loop(regex, path, work)
                print(f"  reference, C loop over pcre2_jit_match (same regex, one pass, no I/O): {c_seconds:.2f} s, "
                      f"{matched:,} lines matched; Tracejoin end to end = {elapsed / c_seconds:.1f}× (target ≤ 12×)")
                ng = syslog_ng(regex, path, matched, work)
                if ng is None:
                    print("  reference, syslog-ng: not installed (apt-get install syslog-ng-core)")
                else:
                    print(f"  reference, syslog-ng file → regexp-parser → file: {ng[0]:.1f} s, {ng[1] / args.lines * 1e6:.1f} CPU s "
                          f"per million lines; Tracejoin = {elapsed / ng[0]:.2f}× its time (target < 1×)")
            finally:
                shutil.rmtree(work, ignore_errors=True)
    finally:
        d.stop()

if __name__ == "__main__":
    main()
