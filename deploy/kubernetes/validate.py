#!/usr/bin/env python3
"""Checks the Kubernetes manifests of deploy/kubernetes/ without a cluster.

    python3 deploy/kubernetes/validate.py [--require-schema] [-k 1.30 ...] [FILE ...]

FILE defaults to every *.yaml beside this script. Every document is checked:

- against the Kubernetes OpenAPI schema, strict (an unknown field is an error, as
  `kubectl apply --dry-run=server` would refuse it), with the schemas that the PyPI package
  `kubernetes-validate` ships (offline; `pip install kubernetes-validate==1.37.0`). By default
  against the oldest and the newest Kubernetes version the package has; `-k` names others.
  Without the package the schema step is skipped, and said so, unless `--require-schema`;
- for what a schema cannot see: names unique, namespaced objects in a Namespace of the file,
  a workload's selector matching its pod labels, every volumeMount naming a volume, ports and
  mount paths unique, probes naming a declared port, hostPath paths absolute, ConfigMap volumes
  and their items naming a ConfigMap and keys of the file, the ServiceAccount existing;
- the ConfigMap that the Tracejoin container reads as its --config directory: tracejoin.yaml and
  each rules.d file parse as YAML mappings, the state directory and the sockets are on writable
  mounts, the rule files' globs under read-only mounts, every non-loopback intake listener is a
  declared container port (and allowed by intake.allow_non_loopback), the query listener
  loopback only. (`tracejoin rules check` on the same files is the daemon's own check.)

Each error names the file, the document's kind and namespace/name, and the path in the document
(`spec.template.spec.containers[0].volumeMounts[2].name`). Exit status: 0 valid, 1 errors,
2 usage (or no schema package with --require-schema).
"""

import argparse
import glob
import ipaddress
import os
import posixpath
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))

# Kinds whose pod template lives at spec.template (CronJob: spec.jobTemplate.spec.template).
WORKLOADS = {"DaemonSet", "Deployment", "StatefulSet", "ReplicaSet", "Job"}
CLUSTER_SCOPED = {"Namespace", "ClusterRole", "ClusterRoleBinding", "PersistentVolume", "StorageClass",
                  "CustomResourceDefinition", "PriorityClass", "Node"}
RULE_FORMATS = {"plain", "cri", "docker", "auto"}


class Report:
    def __init__(self):
        self.errors = []
        self.notes = []

    def error(self, where, path, message):
        self.errors.append(f"{where}: {path}: {message}" if path else f"{where}: {message}")


def doc_name(doc):
    meta = doc.get("metadata") if isinstance(doc, dict) else None
    meta = meta if isinstance(meta, dict) else {}
    ns = meta.get("namespace")
    name = meta.get("name", "?")
    kind = doc.get("kind", "?") if isinstance(doc, dict) else "?"
    return f"{kind} {ns}/{name}" if ns else f"{kind} {name}"


def json_path(parts):
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def load_documents(files, report):
    docs = []
    for path in files:
        shown = os.path.relpath(path)
        try:
            with open(path) as f:
                loaded = list(yaml.safe_load_all(f))
        except (OSError, yaml.YAMLError) as e:
            report.error(shown, "", "cannot be read as YAML: " + " ".join(str(e).split()))
            continue
        for index, doc in enumerate(loaded):
            if doc is None:
                continue
            where = f"{shown} (document {index + 1})"
            if not isinstance(doc, dict):
                report.error(where, "", "is not a mapping")
                continue
            missing = [k for k in ("apiVersion", "kind") if not isinstance(doc.get(k), str) or not doc.get(k)]
            meta = doc.get("metadata")
            if not isinstance(meta, dict) or not isinstance(meta.get("name"), str) or not meta.get("name"):
                missing.append("metadata.name")
            if missing:
                report.error(where, "", "missing " + ", ".join(missing))
                continue
            docs.append((f"{shown}: {doc_name(doc)}", doc))
    return docs


# --- The schema --------------------------------------------------------------------------------

def schema_check(docs, versions, report, require):
    try:
        import kubernetes_validate
        from kubernetes_validate import utils as kv
    except ImportError:
        if require:
            print("validate.py: the schema check needs the PyPI package kubernetes-validate "
                  "(pip install kubernetes-validate==1.37.0)", file=sys.stderr)
            sys.exit(2)
        report.notes.append("schema: SKIPPED (kubernetes-validate is not installed; "
                            "pip install kubernetes-validate==1.37.0)")
        return []
    available = sorted(set(kv.major_minor(v) for v in kv.all_versions()),
                       key=lambda v: tuple(int(x) for x in v.split(".")))
    if not versions:
        versions = [available[0], available[-1]]
    for version in versions:
        if kv.major_minor(version) not in available:
            print(f"validate.py: kubernetes-validate {kubernetes_validate.__version__} has schemas for "
                  f"Kubernetes {available[0]} to {available[-1]}, not {version}", file=sys.stderr)
            sys.exit(2)
    for where, doc in docs:
        for version in versions:
            try:
                kv.validate(doc, version, strict=True)
            except kv.ValidationError as e:
                report.error(where, json_path(e.path) or "(top)",
                             f"{e.message} (Kubernetes {e.version} schema, strict)")
            except kv.SchemaNotFoundError as e:
                report.error(where, "apiVersion", f"no schema for {doc['apiVersion']} {doc['kind']} "
                             f"in Kubernetes {version}")
    report.notes.append(f"schema: Kubernetes {', '.join(versions)} (strict), "
                        f"from kubernetes-validate {kubernetes_validate.__version__}")
    return versions


# --- What a schema cannot see ---------------------------------------------------------------------

def pod_template(doc):
    """(pod spec, its path, the template's labels, the selector's matchLabels) of a workload."""
    spec = doc.get("spec") or {}
    if doc["kind"] == "CronJob":
        template, base = ((spec.get("jobTemplate") or {}).get("spec") or {}).get("template"), \
            ["spec", "jobTemplate", "spec", "template"]
        selector = None
    elif doc["kind"] in WORKLOADS:
        template, base = spec.get("template"), ["spec", "template"]
        selector = (spec.get("selector") or {}).get("matchLabels") if doc["kind"] != "Job" else None
    elif doc["kind"] == "Pod":
        return spec, ["spec"], (doc.get("metadata") or {}).get("labels") or {}, None
    else:
        return None
    if not isinstance(template, dict):
        return None
    labels = (template.get("metadata") or {}).get("labels") or {}
    return template.get("spec") or {}, base + ["spec"], labels, selector


def check_references(docs, report):
    seen = {}
    namespaces = {d["metadata"]["name"] for _, d in docs if d["kind"] == "Namespace"}
    by_kind = {}
    for where, doc in docs:
        key = (doc["kind"], doc["metadata"].get("namespace"), doc["metadata"]["name"])
        if key in seen:
            report.error(where, "metadata.name", f"defined twice (also {seen[key]})")
        seen[key] = where
        by_kind.setdefault(doc["kind"], {})[(doc["metadata"].get("namespace"), doc["metadata"]["name"])] = doc
        ns = doc["metadata"].get("namespace")
        if doc["kind"] not in CLUSTER_SCOPED:
            if not ns:
                report.error(where, "metadata.namespace", "missing: the object would land in the "
                             "namespace of whoever applies the file")
            elif namespaces and ns not in namespaces:
                report.error(where, "metadata.namespace", f"'{ns}' is not a Namespace of this file "
                             f"({', '.join(sorted(namespaces))})")

    for where, doc in docs:
        found = pod_template(doc)
        if not found:
            continue
        pod, base, labels, selector = found
        ns = doc["metadata"].get("namespace")
        if selector is not None:
            for k, v in selector.items():
                if labels.get(k) != v:
                    report.error(where, json_path(["spec", "selector", "matchLabels", k]),
                                 f"'{v}' does not match the pod template's label ({labels.get(k)!r})")
        sa = pod.get("serviceAccountName")
        if sa and sa != "default" and (ns, sa) not in by_kind.get("ServiceAccount", {}):
            report.error(where, json_path(base + ["serviceAccountName"]),
                         f"ServiceAccount '{sa}' is not defined in this file (namespace {ns})")
        volumes = {}
        for i, v in enumerate(pod.get("volumes") or []):
            vpath = base + ["volumes", i]
            name = v.get("name")
            if name in volumes:
                report.error(where, json_path(vpath + ["name"]), f"volume '{name}' defined twice")
            volumes[name] = v
            if "hostPath" in v:
                hp = v["hostPath"].get("path", "")
                if not hp.startswith("/") or ".." in hp.split("/") or posixpath.normpath(hp) != hp:
                    report.error(where, json_path(vpath + ["hostPath", "path"]),
                                 f"'{hp}' is not an absolute, normalized path")
            if "configMap" in v:
                cm_name = v["configMap"].get("name")
                cm = by_kind.get("ConfigMap", {}).get((ns, cm_name))
                if cm is None:
                    report.error(where, json_path(vpath + ["configMap", "name"]),
                                 f"ConfigMap '{cm_name}' is not defined in this file (namespace {ns})")
                    continue
                keys = set((cm.get("data") or {}).keys()) | set((cm.get("binaryData") or {}).keys())
                item_paths = set()
                for j, item in enumerate(v["configMap"].get("items") or []):
                    ipath = vpath + ["configMap", "items", j]
                    if item.get("key") not in keys:
                        report.error(where, json_path(ipath + ["key"]),
                                     f"'{item.get('key')}' is not a key of ConfigMap '{cm_name}' ({', '.join(sorted(keys))})")
                    p = item.get("path", "")
                    if p.startswith("/") or ".." in p.split("/"):
                        report.error(where, json_path(ipath + ["path"]), f"'{p}' must be relative, without '..'")
                    if p in item_paths:
                        report.error(where, json_path(ipath + ["path"]), f"'{p}' given twice")
                    item_paths.add(p)
        containers = [("containers", c) for c in pod.get("containers") or []] + \
                     [("initContainers", c) for c in pod.get("initContainers") or []]
        host_ports = {}
        counters = {}
        for group, c in containers:
            i = counters[group] = counters.get(group, -1) + 1
            cpath = base + [group, i]
            port_names = set()
            ports = {}
            for j, p in enumerate(c.get("ports") or []):
                ppath = cpath + ["ports", j]
                proto = p.get("protocol", "TCP")
                if p.get("name"):
                    if p["name"] in port_names:
                        report.error(where, json_path(ppath + ["name"]), f"port name '{p['name']}' used twice")
                    port_names.add(p["name"])
                if (p.get("containerPort"), proto) in ports:
                    report.error(where, json_path(ppath + ["containerPort"]),
                                 f"{p.get('containerPort')}/{proto} declared twice")
                ports[(p.get("containerPort"), proto)] = p
                if p.get("hostPort"):
                    hk = (p.get("hostIP", "0.0.0.0"), p["hostPort"], proto)
                    if hk in host_ports:
                        report.error(where, json_path(ppath + ["hostPort"]),
                                     f"hostPort {p['hostPort']}/{proto} also used by {host_ports[hk]}")
                    host_ports[hk] = c.get("name")
            for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
                pr = c.get(probe) or {}
                for kind in ("httpGet", "tcpSocket", "grpc"):
                    port = (pr.get(kind) or {}).get("port")
                    if isinstance(port, str) and port not in port_names:
                        report.error(where, json_path(cpath + [probe, kind, "port"]),
                                     f"names port '{port}', which the container does not declare")
            mount_paths = {}
            for j, m in enumerate(c.get("volumeMounts") or []):
                mpath = cpath + ["volumeMounts", j]
                if m.get("name") not in volumes:
                    report.error(where, json_path(mpath + ["name"]),
                                 f"names volume '{m.get('name')}', which the pod does not define "
                                 f"({', '.join(sorted(n for n in volumes if n))})")
                mp = m.get("mountPath", "")
                if not mp.startswith("/"):
                    report.error(where, json_path(mpath + ["mountPath"]), f"'{mp}' is not absolute")
                if mp in mount_paths:
                    report.error(where, json_path(mpath + ["mountPath"]), f"'{mp}' mounted twice")
                mount_paths[mp] = m
        for name in volumes:
            if not any(m.get("name") == name for _, c in containers for m in c.get("volumeMounts") or []):
                report.error(where, json_path(base + ["volumes"]), f"volume '{name}' is mounted by no container")


# --- The Tracejoin configuration the container reads -------------------------------------------------

def parse_yaml_mapping(text, report, where, path):
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError as e:
        report.error(where, path, "is not valid YAML: " + " ".join(str(e).split()))
        return None
    if not isinstance(value, dict):
        report.error(where, path, "is not a YAML mapping")
        return None
    return value


def mount_for(path, mounts):
    """The volumeMount whose mountPath holds `path` (the deepest), or None."""
    best = None
    for m in mounts:
        mp = m.get("mountPath", "").rstrip("/") or "/"
        if path == mp or path.startswith(mp + "/") or mp == "/":
            if best is None or len(mp) > len(best.get("mountPath", "")):
                best = m
    return best


def listener_host(address):
    host = address.rsplit(":", 1)[0].strip("[]")
    if host == "localhost":
        return host, True
    try:
        return host, ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host, False


def glob_base(pattern):
    base = []
    for part in pattern.split("/"):
        if any(ch in part for ch in "*?[{"):
            break
        base.append(part)
    return "/".join(base) or "/"


def check_tracejoin(docs, report):
    checked = 0
    for where, doc in docs:
        found = pod_template(doc)
        if not found:
            continue
        pod, base, _, _ = found
        ns = doc["metadata"].get("namespace")
        volumes = {v.get("name"): v for v in pod.get("volumes") or []}
        for i, c in enumerate(pod.get("containers") or []):
            argv = (c.get("command") or []) + (c.get("args") or [])
            if "serve" not in argv or not any(os.path.basename(a) == "tracejoin" for a in argv):
                continue
            cpath = base + ["containers", i]
            config_dir = argv[argv.index("--config") + 1] if "--config" in argv[:-1] else "config"
            mounts = c.get("volumeMounts") or []
            cm_mount = next((m for m in mounts if m.get("mountPath", "").rstrip("/") == config_dir.rstrip("/")), None)
            if cm_mount is None or "configMap" not in volumes.get(cm_mount.get("name"), {}):
                report.error(where, json_path(cpath + ["volumeMounts"]),
                             f"no ConfigMap volume is mounted at --config {config_dir}")
                continue
            cm_volume = volumes[cm_mount["name"]]["configMap"]
            cm = next((d for _, d in docs if d["kind"] == "ConfigMap" and d["metadata"]["name"] == cm_volume.get("name")
                       and d["metadata"].get("namespace") == ns), None)
            if cm is None:
                continue   # reported by check_references
            data = cm.get("data") or {}
            cm_where = f"{where.split(': ')[0]}: {doc_name(cm)}"
            items = cm_volume.get("items")
            files = {it["path"]: it["key"] for it in items} if items else {k: k for k in data}
            if "tracejoin.yaml" not in files:
                report.error(where, json_path(base + ["volumes"]),
                             f"the ConfigMap volume at {config_dir} has no tracejoin.yaml")
                continue
            checked += 1
            daemon = parse_yaml_mapping(data[files["tracejoin.yaml"]], report, cm_where,
                                        f"data.{files['tracejoin.yaml']}") if files["tracejoin.yaml"] in data else None
            rule_files = {p: k for p, k in files.items()
                          if posixpath.dirname(p) == "rules.d" and p.endswith((".yaml", ".yml"))}
            if not rule_files:
                report.error(where, json_path(base + ["volumes"]),
                             f"the ConfigMap volume at {config_dir} puts no file in rules.d/")
            for p, key in sorted(rule_files.items()):
                if key not in data:
                    continue   # reported by check_references
                rules = parse_yaml_mapping(data.get(key, ""), report, cm_where, f"data.{key}")
                if rules is None:
                    continue
                for required in ("source", "paths", "rules"):
                    if required not in rules:
                        report.error(cm_where, f"data.{key}", f"the rule file has no '{required}'")
                fmt = rules.get("format", "plain")
                if fmt not in RULE_FORMATS:
                    report.error(cm_where, f"data.{key}", f"format '{fmt}' is not one of {', '.join(sorted(RULE_FORMATS))}")
                paths = rules.get("paths") or []
                for pattern in [paths] if isinstance(paths, str) else paths:
                    if not str(pattern).startswith("/"):
                        report.error(cm_where, f"data.{key}",
                                     f"paths: '{pattern}' is relative to {config_dir}, which holds no logs")
                        continue
                    m = mount_for(glob_base(pattern), mounts)
                    if m is None:
                        report.error(cm_where, f"data.{key}",
                                     f"paths: '{pattern}' is under no volumeMount of container '{c.get('name')}'")
                    elif not m.get("readOnly"):
                        report.error(cm_where, f"data.{key}",
                                     f"paths: '{pattern}' is under the writable mount {m['mountPath']}; mount logs read-only")
            if daemon is None:
                continue

            def writable(path, what):
                if not isinstance(path, str) or not path.startswith("/"):
                    report.error(cm_where, f"data.{files['tracejoin.yaml']}",
                                 f"{what}: '{path}' should be absolute in a pod (relative paths resolve against {config_dir})")
                    return
                m = mount_for(path, mounts)
                if m is None or m.get("readOnly"):
                    report.error(cm_where, f"data.{files['tracejoin.yaml']}",
                                 f"{what}: '{path}' is on no writable volumeMount (the root file system is read-only)"
                                 if (c.get("securityContext") or {}).get("readOnlyRootFilesystem")
                                 else f"{what}: '{path}' is on no writable volumeMount: it would not outlive the container")
            writable(daemon.get("state_dir"), "state_dir")
            intake = daemon.get("intake") or {}
            query = daemon.get("query") or {}
            if intake.get("socket"):
                writable(posixpath.dirname(intake["socket"]), "intake.socket's directory")
            if query.get("socket"):
                writable(posixpath.dirname(query["socket"]), "query.socket's directory")
            declared = {(p.get("containerPort"), p.get("protocol", "TCP")) for p in c.get("ports") or []}
            for key in ("tcp", "grpc"):
                for address in intake.get(key) or []:
                    host, loopback = listener_host(address)
                    port = int(address.rsplit(":", 1)[1])
                    if loopback:
                        continue
                    if intake.get("allow_non_loopback") is not True:
                        report.error(cm_where, f"data.{files['tracejoin.yaml']}",
                                     f"intake.{key}: {address} needs intake.allow_non_loopback: true")
                    if (port, "TCP") not in declared:
                        report.error(where, json_path(cpath + ["ports"]),
                                     f"intake.{key} listens on {address}, which is not a declared containerPort")
            for address in query.get("tcp") or []:
                if not listener_host(address)[1]:
                    report.error(cm_where, f"data.{files['tracejoin.yaml']}",
                                 f"query.tcp: {address} would serve every log line to the pod network; "
                                 "keep it on 127.0.0.1 and use kubectl port-forward")
    return checked


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", help="manifests (default: every *.yaml beside this script)")
    parser.add_argument("-k", "--kubernetes-version", action="append", default=[],
                        help="validate against this Kubernetes version's schema (repeatable)")
    parser.add_argument("--require-schema", action="store_true",
                        help="fail when kubernetes-validate is not installed, instead of skipping the schema")
    args = parser.parse_args(argv)
    files = args.files or sorted(glob.glob(os.path.join(HERE, "*.yaml")))
    if not files:
        print("validate.py: no manifest to check", file=sys.stderr)
        return 2

    report = Report()
    docs = load_documents(files, report)
    schema_check(docs, args.kubernetes_version, report, args.require_schema)
    check_references(docs, report)
    checked = check_tracejoin(docs, report)
    if not any(d["kind"] == "ConfigMap" for _, d in docs) or checked == 0:
        report.notes.append("tracejoin config: no `tracejoin serve` container with a ConfigMap --config found")
    else:
        report.notes.append(f"tracejoin config: checked for {checked} container{'s' if checked != 1 else ''}")

    for note in report.notes:
        print(note)
    for where, doc in docs:
        print(f"  {where}")
    if report.errors:
        for e in report.errors:
            print("ERROR " + e)
        print(f"{len(report.errors)} error{'s' if len(report.errors) != 1 else ''} in {len(docs)} documents")
        return 1
    print(f"ok: {len(docs)} documents")
    return 0


if __name__ == "__main__":
    sys.exit(main())
