#!/usr/bin/env python3
"""Scores an `oversight scan --format json` report (and optionally guarddog's
results) against a labelled split of bench/malicious (dev or test).

An alarm is a finding of category `malicious` at or above --min-severity
(default `medium`, the built-in acceptance policy's threshold for this
category). A labelled line is found when an alarm sits on it; a finding line
is a true alarm when the line is labelled malicious.
"""
import argparse
import collections
import json
import os
import sys
import tomllib

SEVERITY = {"info": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}

# Classes of the line-based rules of oversight-malicious (the behaviour rules
# carry their class in their rule files).
LEGACY_CLASSES = {
    "malicious.install-script": "install-time",
    "malicious.setup-py-execution": "install-time",
    "malicious.build-script": "install-time",
    "malicious.install-hook-behaviour": "install-time",
    "malicious.download-and-execute": "download-and-exec",
    "malicious.obfuscated-payload": "obfuscation",
    "malicious.decode-and-execute": "decode-then-exec",
    "malicious.bidi-control": "obfuscation",
    "malicious.invisible-character": "obfuscation",
    "malicious.mixed-script-identifier": "obfuscation",
    "malicious.compiled-artifact": "obfuscation",
    "malicious.compiled-bytecode": "obfuscation",
}


def rule_classes(rules_dir):
    classes = dict(LEGACY_CLASSES)
    for name in sorted(os.listdir(rules_dir)):
        if not name.endswith(".toml") or name == "apis.toml":
            continue
        with open(os.path.join(rules_dir, name), "rb") as f:
            for rule in tomllib.load(f).get("rule", []):
                classes[rule["id"]] = rule["class"]
    return classes


def load_labels(split_dir):
    """{path: {line: class}} for malicious files, the set of benign files, line counts."""
    with open(split_dir.rstrip("/") + ".toml", "rb") as f:
        manifest = tomllib.load(f)
    labels, attacks = {}, {}
    for entry in manifest["file"]:
        path = entry["path"]
        with open(os.path.join(split_dir, path), encoding="utf-8", errors="replace") as f:
            text_lines = f.read().split("\n")
        lines = {}
        for spec in entry["lines"]:
            if spec.get("exact"):
                hits = [i + 1 for i, l in enumerate(text_lines) if l.strip() == spec["match"]]
            else:
                hits = [i + 1 for i, l in enumerate(text_lines) if spec["match"] in l]
            if len(hits) != 1:
                sys.exit(f"{split_dir}.toml: `{spec['match']}` occurs on {len(hits)} lines of {path}, not one")
            lines[hits[0]] = spec["class"]
        labels[path] = lines
        attacks[path] = entry.get("attack", "")
    all_files = []
    for root, _, files in os.walk(split_dir):
        for name in files:
            rel = os.path.relpath(os.path.join(root, name), split_dir)
            all_files.append(rel)
    unlabelled = [p for p in all_files if p.startswith("mal/") and p not in labels]
    if unlabelled:
        sys.exit(f"malicious files without labels: {unlabelled}")
    benign = sorted(p for p in all_files if p.startswith("ben/"))
    benign_lines = 0
    for p in benign:
        with open(os.path.join(split_dir, p), encoding="utf-8", errors="replace") as f:
            benign_lines += f.read().count("\n")
    return labels, benign, benign_lines, attacks


def alarms_from_oversight(report_path, min_sev):
    with open(report_path) as f:
        report = json.load(f)
    out = []
    for finding in report["findings"]:
        if finding["category"] != "malicious" or SEVERITY[finding["severity"]] < min_sev:
            continue
        out.append((finding["path"], finding.get("line"), finding["rule"]))
    return out


def alarms_from_guarddog(results_dir, split_dir, threats_only):
    """guarddog's JSON results, one file per sample directory (`<sample>.json`)."""
    out = []
    for name in sorted(os.listdir(results_dir)):
        if not name.endswith(".json"):
            continue
        sample = name[: -len(".json")].replace("__", "/")
        with open(os.path.join(results_dir, name)) as f:
            try:
                data = json.load(f)
            except json.JSONDecodeError:
                continue
        for rule, hits in (data.get("results") or {}).items():
            # `threat-*` rules are guarddog's malicious-behaviour rules; its
            # `capability-*` rules list what code can do (any network call),
            # which is no verdict.
            if not hits or (threats_only and not rule.startswith("threat-")):
                continue
            if isinstance(hits, dict):
                # Metadata rules report a message, not a place.
                continue
            for hit in hits:
                loc = hit.get("location", "")
                path, _, line = loc.rpartition(":")
                if not line.isdigit():
                    path, line = loc, None
                path = os.path.normpath(path)
                rel = os.path.relpath(path, split_dir) if os.path.isabs(path) else os.path.join(sample, path)
                out.append((os.path.normpath(rel), int(line) if line else None, "guarddog." + rule))
    return out


def score(labels, benign, benign_lines, alarms, classes):
    malicious_lines = {(p, l): c for p, ls in labels.items() for l, c in ls.items()}
    alarm_lines = collections.defaultdict(set)
    files_alarmed = set()
    for path, line, rule in alarms:
        files_alarmed.add(path)
        if line is not None:
            alarm_lines[(path, line)].add(rule)
    found = {k for k in malicious_lines if k in alarm_lines}
    per_class = collections.defaultdict(lambda: [0, 0, 0, 0])  # labelled, found, alarms of class, true alarms of class
    for k, c in malicious_lines.items():
        per_class[c][0] += 1
        per_class[c][1] += k in found
    for k, rules in alarm_lines.items():
        for c in {classes.get(r, "other") for r in rules}:
            per_class[c][2] += 1
            per_class[c][3] += k in malicious_lines
    true_alarm_lines = sum(1 for k in alarm_lines if k in malicious_lines)
    mal_files = set(labels)
    tp_files = len(mal_files & files_alarmed)
    fp_files = len(set(benign) & files_alarmed)
    fp_lines = sum(1 for (p, _) in alarm_lines if p in set(benign))
    return {
        "labelled_lines": len(malicious_lines),
        "found_lines": len(found),
        "alarm_lines": len(alarm_lines),
        "true_alarm_lines": true_alarm_lines,
        "benign_alarm_lines": fp_lines,
        "benign_lines": benign_lines,
        "malicious_files": len(mal_files),
        "found_files": tp_files,
        "benign_files": len(benign),
        "alarmed_benign_files": fp_files,
        "per_class": {c: v for c, v in sorted(per_class.items())},
        "missed_files": sorted(mal_files - files_alarmed),
        "alarmed_benign": sorted(set(benign) & files_alarmed),
    }


def pct(a, b):
    return "n/a" if b == 0 else f"{100.0 * a / b:.1f} %"


def print_score(title, s, verbose):
    print(f"== {title}")
    print(f"lines: recall {pct(s['found_lines'], s['labelled_lines'])} ({s['found_lines']}/{s['labelled_lines']}), "
          f"precision {pct(s['true_alarm_lines'], s['alarm_lines'])} ({s['true_alarm_lines']}/{s['alarm_lines']}), "
          f"false alarms on benign lines {pct(s['benign_alarm_lines'], s['benign_lines'])} ({s['benign_alarm_lines']}/{s['benign_lines']})")
    print(f"files: recall {pct(s['found_files'], s['malicious_files'])} ({s['found_files']}/{s['malicious_files']}), "
          f"false alarms on benign files {pct(s['alarmed_benign_files'], s['benign_files'])} ({s['alarmed_benign_files']}/{s['benign_files']}), "
          f"precision {pct(s['found_files'], s['found_files'] + s['alarmed_benign_files'])}")
    print(f"{'class':22} {'line recall':>18} {'precision':>18}")
    for c, (n, f, a, t) in s["per_class"].items():
        print(f"{c:22} {pct(f, n):>9} ({f:>3}/{n:<3}) {pct(t, a):>9} ({t:>3}/{a:<3})")
    if verbose:
        print("missed files:", ", ".join(s["missed_files"]) or "none")
        print("alarmed benign files:", ", ".join(s["alarmed_benign"]) or "none")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("split_dir")
    ap.add_argument("--report", required=True)
    ap.add_argument("--rules", required=True)
    ap.add_argument("--guarddog")
    ap.add_argument("--min-severity", default="medium")
    ap.add_argument("--json")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    labels, benign, benign_lines, _ = load_labels(args.split_dir)
    classes = rule_classes(args.rules)
    min_sev = SEVERITY[args.min_severity]
    ours = score(labels, benign, benign_lines, alarms_from_oversight(args.report, min_sev), classes)
    print_score(f"oversight (malicious findings >= {args.min_severity})", ours, args.verbose)
    result = {"oversight": ours}
    if args.guarddog:
        theirs = score(labels, benign, benign_lines, alarms_from_guarddog(args.guarddog, args.split_dir, True), {})
        print_score("guarddog (threat-* rules)", theirs, args.verbose)
        result["guarddog"] = theirs
        every = score(labels, benign, benign_lines, alarms_from_guarddog(args.guarddog, args.split_dir, False), {})
        print_score("guarddog (every rule, capability-* included)", every, False)
        result["guarddog_all"] = every
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=2)


if __name__ == "__main__":
    main()
