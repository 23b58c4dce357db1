"""More log files than descriptors: 3,000 files followed by a daemon allowed 256 descriptors."""

import collections
import os
import re
import resource
import time

from harness import Daemon, wait_for

MANY_RULES = r"""
source: many
paths: ["logs/*.log"]
rules:
  - name: numbered
    grok: 'file=%{INT:file} n=%{INT:n} trace=%{TRACEID:trace_id} span=%{SPANID:span_id}'
"""

FILES = 3000
LIMIT = 256
NO_DESCRIPTOR = "no file descriptor free for a log file"
CANNOT_OPEN = "cannot open log file"


def name(i):
    return f"f{i:04d}.log"


def line(i, n):
    # A distinct trace per line: the n-th line of file i.
    return f"file={i} n={n} trace={n * 1_000_000 + i} span=1"


def write_files(logs, indices):
    for i in indices:
        with open(os.path.join(logs, name(i)), "a") as f:
            f.write(line(i, 1) + "\n")


def indexed(d):
    """How often the index holds each (file, n), through `/v1/logs` paged with its cursor."""
    got, cursor = collections.Counter(), None
    while True:
        body = d.get("/v1/logs?source=many&limit=1000" + (f"&cursor={cursor}" if cursor else ""))
        for entry in body["logs"]:
            fields = entry["log"]["fields"]
            got[(int(fields["file"]), int(fields["n"]))] += 1
        cursor = body["next_cursor"]
        if not cursor:
            return got


def warned_paths(log, message):
    """How often each file is named by a `message` warning in the daemon's (logfmt) log."""
    counts = collections.Counter()
    for row in log.splitlines():
        if message in row:
            match = re.search(r'(?:^| )file=("(?:[^"\\]|\\.)*"|\S+)', row)
            counts[match.group(1) if match else row] += 1
    return counts


def open_log_files(pid, logs):
    """The log files the daemon holds a descriptor for now, by name."""
    names = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue  # closed meanwhile
        if os.path.dirname(target) == logs:
            names.add(os.path.basename(target))
    return names


def test_more_files_than_descriptors_are_all_read_and_reopened_when_they_change():
    d = Daemon(rules=MANY_RULES)
    held = []  # tail.descriptors_held, each time stats are looked at
    fds = []   # descriptors of the whole process (/proc/PID/fd), likewise

    def sample():
        stats = d.get("/v1/stats")
        assert "tail" in stats, sorted(stats)
        tail = stats["tail"]
        assert set(tail) >= {"descriptors_held", "waiting_for_descriptor"}, tail
        held.append(tail["descriptors_held"])
        fds.append(len(os.listdir(f"/proc/{d.proc.pid}/fd")))
        assert d.proc.poll() is None, f"daemon exited:\n{d.log()[-4000:]}"
        return stats

    def all_of(expected, what):
        def check():
            sample()
            got = indexed(d)
            return got if expected <= got.keys() else None
        try:
            return wait_for(check, timeout=120, interval=0.5, what=what)
        except AssertionError as error:
            if not str(error).startswith("timed out"):
                raise
            got = indexed(d)
            missing = sorted(expected - got.keys())
            raise AssertionError(f"{what}: {len(missing)} of {len(expected)} lines missing, e.g. {missing[:10]}; "
                                 f"stats tail: {d.get('/v1/stats')['tail']}; daemon log:\n{d.log()[-4000:]}")

    try:
        start = time.monotonic()
        write_files(d.logs, range(FILES // 2))
        d.start(preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (LIMIT, LIMIT)))
        with open(f"/proc/{d.proc.pid}/limits") as f:
            row = next(l for l in f if l.startswith("Max open files")).split()
        assert row[3] == row[4] == str(LIMIT), row

        # Half the files were there before the daemon started, half come while it runs.
        write_files(d.logs, range(FILES // 2, FILES))
        first = {(i, 1) for i in range(FILES)}
        got = all_of(first, f"the first line of all {FILES} files")
        assert {k for k in got if k[1] != 1} == set(), "lines nobody wrote"

        # Stats: the tailer holds far fewer descriptors than there are files, under the limit.
        stats = wait_for(lambda: (lambda s: s if len(s["files"]) == FILES else None)(sample()),
                         what=f"all {FILES} files in /v1/stats")
        assert all(f["lines_read"] == 1 and f["bytes_lost"] == 0 for f in stats["files"]), \
            [f for f in stats["files"] if f["lines_read"] != 1 or f["bytes_lost"] != 0][:5]
        assert max(held) < LIMIT, held
        assert max(fds) < LIMIT, fds

        # 100 files the daemon has no descriptor for now (closed to make room) get a second line.
        open_now = open_log_files(d.proc.pid, d.logs)
        assert len(open_now) < LIMIT, len(open_now)
        closed = [i for i in range(FILES) if name(i) not in open_now]
        assert len(closed) >= FILES - LIMIT, len(closed)
        chosen = closed[::len(closed) // 100][:100]
        assert len(chosen) == 100
        for i in chosen:
            with open(os.path.join(d.logs, name(i)), "a") as f:
                f.write(line(i, 2) + "\n")
        got = all_of(first | {(i, 2) for i in chosen}, "the second line of 100 closed files")
        assert set(got) == first | {(i, 2) for i in chosen}, "lines nobody wrote"
        stored_twice = [k for k, n in got.items() if n > 1]
        assert stored_twice == [], f"lines stored more than once: {stored_twice[:10]}"
        sample()
        assert max(held) < LIMIT, held
        assert max(fds) < LIMIT, fds

        # Warned at most once per file (never is fine: the budget leaves room).
        log = d.log()
        for message in (NO_DESCRIPTOR, CANNOT_OPEN):
            twice = {path: n for path, n in warned_paths(log, message).items() if n > 1}
            assert twice == {}, f"'{message}' more than once for {len(twice)} files: {list(twice.items())[:5]}"
        assert d.proc.poll() is None
        print(f"\n{FILES} files: {time.monotonic() - start:.1f} s, descriptors_held max {max(held)}, "
              f"process descriptors max {max(fds)}, '{NO_DESCRIPTOR}' warnings {sum(warned_paths(log, NO_DESCRIPTOR).values())}, "
              f"last tail stats {d.get('/v1/stats')['tail']}")
    finally:
        d.cleanup()
