"""The Kubernetes manifest (deploy/kubernetes/, docs/kubernetes.md): valid against the API's
schema and consistent with itself, and its ConfigMap a configuration the daemon loads."""

import os
import subprocess
import sys

import yaml

from harness import BIN, check_sanitizer_report

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
VALIDATE = os.path.join(ROOT, "deploy", "kubernetes", "validate.py")
MANIFEST = os.path.join(ROOT, "deploy", "kubernetes", "daemonset.yaml")


def validate(*args):
    return subprocess.run([sys.executable, VALIDATE, "--require-schema", *args],
                          capture_output=True, text=True, timeout=120)


def test_the_manifest_is_valid_against_the_schema_and_itself():
    out = validate()
    assert out.returncode == 0, out.stdout + out.stderr
    assert "schema: Kubernetes " in out.stdout and "(strict)" in out.stdout, out.stdout
    assert "DaemonSet tracejoin/tracejoin" in out.stdout, out.stdout
    assert "tracejoin config: checked for 1 container" in out.stdout, out.stdout


def test_the_checker_names_the_document_and_the_path(tmp_path):
    text = open(MANIFEST).read()
    broken = (text.replace("readOnlyRootFilesystem: true", "readOnlyRootFileSystem: true", 1)
                  .replace("- name: tmp\n              mountPath: /tmp", "- name: tmpp\n              mountPath: /tmp", 1)
                  .replace("allow_non_loopback: true", "allow_non_loopback: false", 1))
    assert "readOnlyRootFileSystem" in broken and "name: tmpp" in broken and "allow_non_loopback: false" in broken
    path = tmp_path / "daemonset.yaml"
    path.write_text(broken)
    out = validate(str(path))
    assert out.returncode == 1, out.stdout + out.stderr
    errors = [line for line in out.stdout.splitlines() if line.startswith("ERROR ")]
    # An unknown field: the schema, strict.
    assert any("DaemonSet tracejoin/tracejoin: spec.template.spec.containers[0].securityContext: " in e
               and "'readOnlyRootFileSystem' was unexpected" in e for e in errors), errors
    # A mount of no volume: the cross-references.
    assert any("DaemonSet tracejoin/tracejoin: spec.template.spec.containers[0].volumeMounts[" in e
               and "names volume 'tmpp'" in e for e in errors), errors
    # The Tracejoin configuration against the pod: 0.0.0.0 needs allow_non_loopback.
    assert any("ConfigMap tracejoin/tracejoin: data.tracejoin.yaml: intake.tcp: 0.0.0.0:4318 needs "
               "intake.allow_non_loopback: true" in e for e in errors), errors


def test_the_configmap_is_a_configuration_the_daemon_loads(tmp_path):
    docs = [d for d in yaml.safe_load_all(open(MANIFEST)) if d]
    config_map = next(d for d in docs if d["kind"] == "ConfigMap")
    daemon_set = next(d for d in docs if d["kind"] == "DaemonSet")
    volume = next(v for v in daemon_set["spec"]["template"]["spec"]["volumes"] if "configMap" in v)
    # The files as the pod sees them in /etc/tracejoin (rule files under rules.d/ by `items`).
    for item in volume["configMap"]["items"]:
        target = tmp_path / item["path"]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(config_map["data"][item["key"]])
    out = subprocess.run([BIN, "rules", "check", "--config", str(tmp_path)], capture_output=True,
                         text=True, timeout=60, env={**os.environ, "NO_COLOR": "1"})
    check_sanitizer_report(out.stderr, "tracejoin rules check")
    # Every key known (format: auto included), the globs allowed, the rules compiled, and the
    # samples (a ddtrace line, an OpenTelemetry line, a line without IDs) parsed as they say.
    assert out.returncode == 0, out.stdout + out.stderr
    assert "ok: 1 rule file, 2 rules (sources: pods)" in out.stdout, out.stdout
