"""A host has neighbours (docs/reliability.md): the state is private whatever the umask, and rule
files cannot make the daemon read what is not theirs or hang on what is not a file."""

import os
import stat

from harness import Daemon, ddtrace_line, wait_for


def test_state_is_private_whatever_the_umask():
    d = Daemon()
    try:
        d.start(preexec_fn=lambda: os.umask(0o022))
        d.append("app.log", [ddtrace_line(1, 2, "hello")])
        wait_for(lambda: d.get("/v1/logs?limit=1")["logs"], what="a stored line")
        state = os.path.join(d.root, "state")
        assert stat.S_IMODE(os.stat(state).st_mode) == 0o700
        for dirpath, dirnames, filenames in os.walk(state):
            for name in dirnames:
                assert stat.S_IMODE(os.stat(os.path.join(dirpath, name)).st_mode) == 0o700, name
            for name in filenames:
                path = os.path.join(dirpath, name)
                mode = os.lstat(path).st_mode
                if stat.S_ISREG(mode):
                    assert stat.S_IMODE(mode) == 0o600, (path, oct(mode))
        # The sockets keep their configured modes (intake 0660 by default, query 0600).
        assert stat.S_IMODE(os.stat(d.intake_socket).st_mode) == 0o660
        assert stat.S_IMODE(os.stat(d.query_socket).st_mode) == 0o600
    finally:
        d.cleanup()


def test_a_rule_file_linking_outside_the_config_is_not_read(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("root:$6$supersecrethash:19000:0:99999:7:::\n")
    d = Daemon()
    try:
        os.symlink(str(secret), os.path.join(d.config, "rules.d", "evil.yaml"))
        out = d.cli("rules", "check", "--config", d.config)
        assert out.returncode != 0
        assert "a link to a file outside the configuration directory is not read" in out.stdout + out.stderr
        assert "supersecrethash" not in out.stdout + out.stderr
    finally:
        d.cleanup()


def test_a_fifo_in_rules_d_does_not_hang_loading():
    d = Daemon()
    try:
        os.mkfifo(os.path.join(d.config, "rules.d", "pipe.yaml"))
        out = d.cli("rules", "check", "--config", d.config)   # cli() gives up after 30 s
        assert out.returncode != 0
        assert "not a regular file" in out.stdout + out.stderr
    finally:
        d.cleanup()


def test_globs_over_the_whole_file_system_are_refused():
    d = Daemon()
    try:
        for glob, words in (("/**", "whole file system"), ("/proc/*/fd/*", "in /proc"), ("/dev/*", "in /dev")):
            d.write_rules("wide.yaml", f"source: wide\npaths: [\"{glob}\"]\nrules:\n  - name: r\n    grok: '%{{GREEDYDATA:message}}'\n")
            out = d.cli("rules", "check", "--config", d.config)
            assert out.returncode != 0 and words in out.stdout + out.stderr, (glob, out.stdout, out.stderr)
    finally:
        d.cleanup()


def test_the_daemon_never_tails_its_own_state():
    d = Daemon(rules=None)
    try:
        d.write_rules("self.yaml", "source: self\npaths: [\"../state/*\", \"logs/*.log\"]\nkeep_untraced: true\n"
                                   "rules:\n  - name: r\n    grok: '%{GREEDYDATA:message}'\n")
        d.start()
        d.append("app.log", ["a line of a real log"])
        wait_for(lambda: d.get("/v1/logs?limit=5")["logs"], what="the log line")
        files = [f["path"] for f in d.get("/v1/stats")["files"]]
        assert files and all("/state/" not in f for f in files), files
    finally:
        d.cleanup()
