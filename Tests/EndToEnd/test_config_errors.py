"""A bad configuration makes `serve` exit non-zero with a message naming file and line."""

import os
import re

from harness import Daemon, DDTRACE_RULES


def serve(d):
    return d.cli("serve", "--config", d.config)


def test_missing_config_file():
    d = Daemon()
    try:
        os.remove(os.path.join(d.config, "tracejoin.yaml"))
        out = serve(d)
        assert out.returncode == 2
        assert os.path.join(d.config, "tracejoin.yaml") in out.stderr and "cannot read" in out.stderr
    finally:
        d.cleanup()


def test_yaml_syntax_error_names_file_and_line():
    d = Daemon(rules="source: app\npaths: [\"logs/*.log\"\nrules: []\n")
    try:
        out = serve(d)
        assert out.returncode == 2
        assert re.search(r"rules\.d/app\.yaml:\d+:\d+: YAML syntax error", out.stderr), out.stderr
    finally:
        d.cleanup()


def test_unknown_pattern_names_file_line_and_column():
    rules = DDTRACE_RULES.replace("%{LOGLEVEL:level}", "%{LOGLEVL:level}")
    d = Daemon(rules=rules)
    try:
        out = serve(d)
        assert out.returncode == 2
        # The grok expression is on line 8 of the rule file.
        m = re.search(r"rules\.d/app\.yaml:8:(\d+): rule 'python-ddtrace': unknown pattern 'LOGLEVL'", out.stderr)
        assert m, out.stderr
        line = rules.split("\n")[7]
        assert line[int(m.group(1)) - 1:].startswith("%{LOGLEVL"), (line, m.group(1))
    finally:
        d.cleanup()


def test_unknown_key_suggests_the_right_one():
    d = Daemon(rules=DDTRACE_RULES.replace("paths:", "pathz:"))
    try:
        out = serve(d)
        assert out.returncode == 2
        assert re.search(r"app\.yaml:3:1: unknown key 'pathz' in a rule file; did you mean 'paths'\?", out.stderr), out.stderr
    finally:
        d.cleanup()


def test_bad_id_encoding_and_tracejoin_yaml_key():
    d = Daemon(rules=DDTRACE_RULES.replace("span: decimal", "span: base64"))
    try:
        with open(os.path.join(d.config, "tracejoin.yaml"), "a") as f:
            f.write("retention: { max_age: forever }\n")
        out = serve(d)
        assert out.returncode == 2
        assert "tracejoin.yaml:4:" in out.stderr and "max_age must be a duration" in out.stderr
    finally:
        d.cleanup()
