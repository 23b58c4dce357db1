"""The daemon's own limits: the open file limit it raises at start."""

import resource

import pytest

from harness import Daemon


def test_the_soft_open_file_limit_is_raised_to_the_hard_limit():
    # A host with many log files needs a descriptor for each: the common soft default (1,024)
    # is far below the hard limit, and raising it needs no privilege.
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard <= 256:
        pytest.skip(f"the hard limit here is {hard}: nothing to raise a 256 soft limit to")
    d = Daemon()
    try:
        d.start(preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (256, hard)))
        with open(f"/proc/{d.proc.pid}/limits") as f:
            row = next(line for line in f if line.startswith("Max open files")).split()
        soft_now, hard_now = row[3], row[4]
        assert soft_now == hard_now == str(hard), row
        log = d.log()
        assert "raised the open file limit" in log and "from=256" in log and f"to={hard}" in log, log
    finally:
        d.cleanup()
