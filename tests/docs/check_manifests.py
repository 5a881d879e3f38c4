#!/usr/bin/env python3
"""Structural checks of the Kubernetes manifests in docs/kubernetes/.

Kubernetes cannot run where wdhost is built and tested, so the manifests are never applied; this
checks what can be checked without a cluster: every document names its apiVersion, kind and
metadata.name (and no namespace); the Deployment's selector matches its pods, every container has
a name and an image, the wdhost container drains in a preStop hook, is probed on /status, and gets
a grace period longer than its --drain-timeout; the relay node's relay.toml parses and agrees with
the wdhost arguments (port, sessions, plugins, and a relay url naming wdhost by a name it allows); the KEDA ScaledObject scales that Deployment with selenium-grid triggers.

Usage: check_manifests.py <repo-root>. Prints "ok: N documents checked", or one line per failure
and exits 1. Needs Python 3.11 (tomllib) and PyYAML (Debian: python3-yaml).
"""
import glob
import json
import os
import sys
import urllib.parse

try:
    import tomllib
except ImportError:  # Python < 3.11
    sys.exit("check_manifests.py: needs Python 3.11 or later (tomllib)")
try:
    import yaml
except ImportError:
    sys.exit("check_manifests.py: needs PyYAML (Debian: apt-get install python3-yaml)")


class Checker:
    def __init__(self):
        self.failures = []

    def fail(self, where, message):
        self.failures.append(f"{where}: {message}")

    def expect(self, condition, where, message):
        if not condition:
            self.fail(where, message)
        return bool(condition)


def dig(node, *keys):
    """node[k0][k1]... or None when any step is missing or not a mapping."""
    for key in keys:
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


def option_value(args, name):
    """The value of `--name V` or `--name=V` in a container's args, else None."""
    for i, arg in enumerate(args):
        if arg == name and i + 1 < len(args):
            return str(args[i + 1])
        if isinstance(arg, str) and arg.startswith(name + "="):
            return arg[len(name) + 1:]
    return None


def probe_hits_status(probe):
    """True when a probe asks wdhost's /status: an httpGet on it, or a command that calls it."""
    if not isinstance(probe, dict):
        return False
    if dig(probe, "httpGet", "path") == "/status":
        return True
    command = dig(probe, "exec", "command")
    return isinstance(command, list) and any("/status" in str(part) for part in command)


def load_documents(root, checker):
    """[(file, index, document)] of every non-empty document in docs/kubernetes/*.yaml."""
    paths = sorted(glob.glob(os.path.join(root, "docs", "kubernetes", "*.yaml")))
    checker.expect(paths, "docs/kubernetes", "no *.yaml manifests found")
    documents = []
    for path in paths:
        name = os.path.relpath(path, root)
        try:
            with open(path, encoding="utf-8") as f:
                loaded = list(yaml.safe_load_all(f))
        except (OSError, yaml.YAMLError) as e:
            checker.fail(name, f"does not parse as YAML: {e}")
            continue
        for index, document in enumerate(loaded):
            if document is None:
                continue
            documents.append((name, index, document))
    return documents


def describe(name, index, document):
    kind = document.get("kind", "?") if isinstance(document, dict) else "?"
    title = dig(document, "metadata", "name") or "?"
    return f"{name} document {index + 1} ({kind} {title})"


def check_common(where, document, checker):
    if not checker.expect(isinstance(document, dict), where, "is not a mapping"):
        return False
    ok = True
    for key in ("apiVersion", "kind"):
        ok &= checker.expect(isinstance(document.get(key), str) and document[key], where,
                             f"has no {key}")
    ok &= checker.expect(isinstance(dig(document, "metadata", "name"), str), where,
                         "has no metadata.name")
    checker.expect(dig(document, "metadata", "namespace") is None, where,
                   "names a namespace (the manifests must be namespace-free)")
    return ok


def check_deployment(where, document, checker):
    """Checks one Deployment; returns what later checks compare with (None if unusable)."""
    spec = document.get("spec") or {}
    selector = dig(spec, "selector", "matchLabels")
    labels = dig(spec, "template", "metadata", "labels")
    if checker.expect(isinstance(selector, dict) and selector, where,
                      "has no spec.selector.matchLabels"):
        if checker.expect(isinstance(labels, dict), where,
                          "has no spec.template.metadata.labels"):
            for key, value in selector.items():
                checker.expect(labels.get(key) == value, where,
                               f"selector {key}={value} does not match the pod template labels")
    pod = dig(spec, "template", "spec") or {}
    containers = pod.get("containers")
    if not checker.expect(isinstance(containers, list) and containers, where,
                          "has no spec.template.spec.containers"):
        return None
    for i, container in enumerate(containers):
        cwhere = f"{where} container {i + 1}"
        checker.expect(isinstance(dig(container, "name"), str), cwhere, "has no name")
        checker.expect(isinstance(dig(container, "image"), str), cwhere, "has no image")

    wdhost = next((c for c in containers if isinstance(c, dict) and c.get("name") == "wdhost"),
                  None)
    if not checker.expect(wdhost is not None, where, "has no container named wdhost"):
        return None
    cwhere = f"{where} container wdhost"
    args = [str(a) for a in (wdhost.get("args") or [])]
    checker.expect(dig(wdhost, "lifecycle", "preStop") is not None, cwhere,
                   "has no lifecycle.preStop hook (it must drain wdhost)")
    checker.expect(probe_hits_status(wdhost.get("readinessProbe")), cwhere,
                   "readinessProbe does not ask /status (httpGet path /status, or a command "
                   "calling it)")
    checker.expect(isinstance(wdhost.get("livenessProbe"), dict), cwhere, "has no livenessProbe")

    drain = option_value(args, "--drain-timeout")
    grace = pod.get("terminationGracePeriodSeconds")
    if checker.expect(drain is not None and drain.isdigit(), cwhere,
                      "args carry no numeric --drain-timeout"):
        if checker.expect(isinstance(grace, int), where,
                          "has no terminationGracePeriodSeconds"):
            checker.expect(grace > int(drain), where,
                           f"terminationGracePeriodSeconds {grace} is not larger than "
                           f"--drain-timeout {drain}")

    volumes = {v.get("name"): v for v in (pod.get("volumes") or []) if isinstance(v, dict)}
    shm = [m for m in (wdhost.get("volumeMounts") or []) if dig(m, "mountPath") == "/dev/shm"]
    if checker.expect(shm, cwhere, "mounts nothing on /dev/shm"):
        checker.expect(dig(volumes.get(shm[0].get("name")), "emptyDir", "medium") == "Memory",
                       cwhere, "/dev/shm is not an emptyDir with medium Memory")

    config_maps = {dig(v, "configMap", "name") for v in volumes.values()} - {None}
    return {
        "name": dig(document, "metadata", "name"),
        "port": option_value(args, "--port"),
        "max_sessions": option_value(args, "--max-sessions"),
        "plugins": [args[i + 1] for i, a in enumerate(args[:-1]) if a == "--plugin"],
        "allowed_hosts": [name.strip().lower() for i, a in enumerate(args[:-1])
                          if a == "--allowed-hosts" for name in str(args[i + 1]).split(",")],
        "public_url": option_value(args, "--public-url"),
        "config_maps": config_maps,
    }


def check_relay_toml(where, text, checker):
    """Checks a relay node TOML; returns it parsed (None if it does not parse)."""
    try:
        config = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        checker.fail(where, f"relay.toml does not parse as TOML: {e}")
        return None
    relay = config.get("relay")
    if not checker.expect(isinstance(relay, dict), where, "relay.toml has no [relay] section"):
        return None
    url = relay.get("url")
    if checker.expect(isinstance(url, str) and url, where, "relay.toml has no [relay] url"):
        parsed = urllib.parse.urlsplit(url)
        checker.expect(parsed.scheme in ("http", "https") and parsed.hostname, where,
                       f"[relay] url {url!r} is not an http(s) URL")
    checker.expect(relay.get("status-endpoint") == "/status", where,
                   "[relay] status-endpoint is not \"/status\"")
    configs = relay.get("configs")
    if checker.expect(isinstance(configs, list) and configs, where,
                      "[relay] configs is not a non-empty list"):
        if checker.expect(len(configs) % 2 == 0, where,
                          f"[relay] configs has {len(configs)} entries, not slot/stereotype "
                          "pairs"):
            for i in range(0, len(configs), 2):
                slots, stereotype = str(configs[i]), configs[i + 1]
                checker.expect(slots.isdigit() and int(slots) > 0, where,
                               f"[relay] configs[{i}] {slots!r} is not a slot count")
                try:
                    caps = json.loads(stereotype)
                except (TypeError, ValueError) as e:
                    checker.fail(where, f"[relay] configs[{i + 1}] is not JSON: {e}")
                    continue
                checker.expect(isinstance(caps, dict) and isinstance(caps.get("browserName"),
                                                                     str), where,
                               f"[relay] configs[{i + 1}] stereotype has no browserName")
    node = config.get("node")
    if checker.expect(isinstance(node, dict), where, "relay.toml has no [node] section"):
        checker.expect(node.get("detect-drivers") is False, where,
                       "[node] detect-drivers is not false")
        checker.expect(isinstance(node.get("max-sessions"), int), where,
                       "[node] max-sessions is not an integer")
        checker.expect(not node.get("enable-managed-downloads"), where,
                       "[node] enable-managed-downloads is on (it would send the node's own "
                       "download directory to wdhost)")
    return config


def check_config_map(where, document, checker):
    """Checks a ConfigMap; returns its parsed relay.toml when it holds one."""
    data = document.get("data")
    if not checker.expect(isinstance(data, dict) and data, where, "has no data"):
        return None
    relay = None
    for key, value in data.items():
        if key.endswith(".toml"):
            relay = check_relay_toml(f"{where} key {key}", value, checker)
    return relay


def check_scaled_object(where, document, checker, deployments):
    spec = document.get("spec") or {}
    target = dig(spec, "scaleTargetRef", "name")
    kind = dig(spec, "scaleTargetRef", "kind") or "Deployment"
    checker.expect(kind == "Deployment", where, f"scaleTargetRef.kind is {kind}, not Deployment")
    checker.expect(target in deployments, where,
                   f"scaleTargetRef.name {target!r} names no Deployment of these manifests")
    triggers = spec.get("triggers")
    if not checker.expect(isinstance(triggers, list) and triggers, where, "has no triggers"):
        return
    names = []
    for i, trigger in enumerate(triggers):
        twhere = f"{where} trigger {i + 1}"
        checker.expect(dig(trigger, "type") == "selenium-grid", twhere,
                       f"type is {dig(trigger, 'type')!r}, not selenium-grid")
        url = dig(trigger, "metadata", "url")
        checker.expect(isinstance(url, str) and url.endswith("/graphql"), twhere,
                       "metadata.url is not the hub's GraphQL endpoint (…/graphql)")
        checker.expect(isinstance(dig(trigger, "metadata", "browserName"), str), twhere,
                       "metadata has no browserName")
        names.append(dig(trigger, "name"))
    formula = dig(spec, "advanced", "scalingModifiers", "formula")
    if formula is not None:
        for i, name in enumerate(names):
            checker.expect(isinstance(name, str) and name in formula, f"{where} trigger {i + 1}",
                           f"name {name!r} does not appear in the scalingModifiers formula")


def main():
    if len(sys.argv) != 2:
        print("usage: check_manifests.py <repo-root>", file=sys.stderr)
        return 2
    root = sys.argv[1]
    checker = Checker()
    documents = load_documents(root, checker)

    deployments = {}
    config_maps = {}
    scaled_objects = []
    for name, index, document in documents:
        where = describe(name, index, document)
        if not check_common(where, document, checker):
            continue
        kind = document["kind"]
        if kind == "Deployment":
            found = check_deployment(where, document, checker)
            if found:
                deployments[found["name"]] = (where, found)
        elif kind == "ConfigMap":
            config_maps[document["metadata"]["name"]] = (where,
                                                         check_config_map(where, document,
                                                                          checker))
        elif kind == "ScaledObject":
            scaled_objects.append((where, document))
    for where, document in scaled_objects:
        check_scaled_object(where, document, checker, deployments)

    # Across files: each Deployment, its relay.toml, and a ScaledObject agree.
    checker.expect(deployments, "docs/kubernetes", "no Deployment with a wdhost container")
    checker.expect(scaled_objects, "docs/kubernetes", "no KEDA ScaledObject")
    for where, found in deployments.values():
        relays = [(cwhere, relay) for cname, (cwhere, relay) in config_maps.items()
                  if cname in found["config_maps"] and relay is not None]
        if not checker.expect(relays, where, "mounts no ConfigMap of these manifests holding a "
                              "relay .toml"):
            continue
        cwhere, relay = relays[0]
        url = urllib.parse.urlsplit(dig(relay, "relay", "url") or "")
        if found["port"] is not None and url.hostname:
            checker.expect(str(url.port) == found["port"], cwhere,
                           f"[relay] url port {url.port} is not wdhost's --port {found['port']}")
        # wdhost refuses a Host header naming anything but an address, localhost, an
        # --allowed-hosts name or the --public-url host (DNS rebinding).
        name = (url.hostname or "").lower()
        is_address = all(part.isdigit() for part in name.split(".")) or ":" in name
        if name and not is_address and name != "localhost" and not name.endswith(".localhost"):
            public = urllib.parse.urlsplit(found["public_url"] or "").hostname or ""
            checker.expect(name in found["allowed_hosts"] or name == public.lower(), cwhere,
                           f"[relay] url names wdhost as {name!r}, which wdhost refuses unless "
                           f"its args allow it (--allowed-hosts {name} or --public-url)")
        if found["max_sessions"] is not None:
            checker.expect(str(dig(relay, "node", "max-sessions")) == found["max_sessions"],
                           cwhere, f"[node] max-sessions is not wdhost's --max-sessions "
                           f"{found['max_sessions']}")
        if found["plugins"]:
            configs = dig(relay, "relay", "configs") or []
            browsers = set()
            for stereotype in configs[1::2]:
                try:
                    browsers.add(json.loads(stereotype).get("browserName"))
                except (TypeError, ValueError, AttributeError):
                    pass
            checker.expect(browsers <= set(found["plugins"]), cwhere,
                           f"[relay] stereotypes {sorted(b for b in browsers if b)} are not "
                           f"all among wdhost's plugins {found['plugins']}")

    for failure in checker.failures:
        print(f"FAIL: {failure}")
    if checker.failures:
        print(f"{len(checker.failures)} failure(s) in {len(documents)} documents")
        return 1
    print(f"ok: {len(documents)} documents checked")
    return 0


if __name__ == "__main__":
    sys.exit(main())
