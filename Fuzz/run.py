#!/usr/bin/env python3
"""Runs every fuzz target (or those named) for SECONDS each from its seed corpus, and prints a
table: executions, coverage (libFuzzer's `cov:` and `ft:`), corpus size and the result.

The seeds (Fuzz/corpus/<target>/, committed) are read only; what libFuzzer adds goes to
corpus/<target>/ in the binary's build directory (.build-asan/), crashes to crashes/ beside it.
Exits 1 if any target found a crash, a leak or a timeout, with the reproducer's path:
`tracejoin-fuzz TARGET FILE` replays it (in this build, or an ordinary one).
Targets run one per core at a time (FUZZ_JOBS overrides); each libFuzzer process is one thread.

    python3 Fuzz/run.py BINARY SECONDS [TARGET…]
"""

import concurrent.futures
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.abspath(__file__))


def main():
    binary, seconds = sys.argv[1], int(sys.argv[2])
    targets = sys.argv[3:] or sorted(os.listdir(os.path.join(ROOT, "corpus")))
    failed = []
    out_root = os.path.dirname(os.path.dirname(os.path.abspath(binary)))   # .build-asan/debug/tracejoin-fuzz
    print(f"{'target':<20} {'execs':>10} {'exec/s':>8} {'cov':>6} {'ft':>6} {'corpus':>7}  result")
    def fuzz(target):
        work = os.path.join(out_root, "corpus", target)
        crashes = os.path.join(out_root, "crashes", target)
        os.makedirs(work, exist_ok=True)
        os.makedirs(crashes, exist_ok=True)
        # -timeout: an input that takes over 10 s is a hang; -rss_limit_mb bounds memory.
        # The inputs of past findings (Fuzz/regressions/<target>/) are read as corpus too, so
        # every run checks them under the sanitizers (a leak shows only here).
        regressions = [os.path.join(ROOT, "regressions", target)] if os.path.isdir(os.path.join(ROOT, "regressions", target)) else []
        out = subprocess.run([binary, work, os.path.join(ROOT, "corpus", target), *regressions, f"-max_total_time={seconds}", "-timeout=10",
                              "-rss_limit_mb=2048", "-max_len=65536", "-print_final_stats=1", f"-artifact_prefix={crashes}/"],
                             env={**os.environ, "TRACEJOIN_FUZZ_TARGET": target}, capture_output=True, text=True)
        log = out.stdout + out.stderr
        with open(os.path.join(out_root, f"{target}.log"), "w") as f:
            f.write(log)
        last = [l for l in log.splitlines() if re.match(r"#\d+\s", l)]
        stats = dict(re.findall(r"(\w+): (\d+)", last[-1])) if last else {}
        execs = re.search(r"stat::number_of_executed_units:\s*(\d+)", log)
        rate = re.search(r"stat::average_exec_per_sec:\s*(\d+)", log)
        artifact = re.search(r"Test unit written to (\S+)", log)
        result = "ok" if out.returncode == 0 else f"FOUND ({artifact.group(1) if artifact else 'see ' + os.path.join(out_root, target + '.log')})"
        line = (f"{target:<20} {execs.group(1) if execs else '?':>10} {rate.group(1) if rate else '?':>8} {stats.get('cov', '?'):>6} "
                f"{stats.get('ft', '?'):>6} {stats.get('corp', '?'):>7}  {result}")
        return target, out.returncode == 0, line

    jobs = int(os.environ.get("FUZZ_JOBS") or os.cpu_count() or 1)
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        for target, ok, line in pool.map(fuzz, targets):
            if not ok:
                failed.append(target)
            print(line, flush=True)
    if failed:
        print("findings in: " + ", ".join(failed))
        sys.exit(1)


if __name__ == "__main__":
    main()
