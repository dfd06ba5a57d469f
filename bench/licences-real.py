#!/usr/bin/env python3
"""Real-world licence benchmark (issue 16), used by bench/licences-real.sh.

  licences-real.py assemble OUT CRATES SITE... --node NODE_MODULES...
  licences-real.py score LABELS REPORT.json [--scancode SCANCODE.json]

`assemble` copies, at run time and outside the repository, files whose
licence the package metadata declares into OUT/dev and OUT/test (split by a
hash of the package name) and writes OUT/{dev,test}/labels.json. A file is
labelled only where its content is expected to state the licence:

* LICENSE*/COPYING*/LICENCE* files (and a dist-info's licence files): with
  the declared licence when the package declares exactly one licence (an
  exception it carries included), or, for several, with the licences the file
  name points at (LICENSE-MIT is MIT, LICENSE-APACHE is Apache-2.0); a
  generic LICENSE of a multi-licence package is left out;
* README*: when a licence heading's section names a licence, with the
  declared licences that section names;
* source files (.rs .py .js .ts .c .h): the first comment lines, when they
  name a licence, with the declared licences they name;
* the declaring metadata itself: a wheel's METADATA (License-Expression, or
  an SPDX `License:` value, or unambiguous trove classifiers) and a node
  package's package.json (`license`).

A file that names a licence family that the package does not declare (third
party code, an example) is left out: its label would be a guess. Declared
expressions with an identifier that is not on the SPDX list are left out.

`score` reads an `oversight scan --format json` report (and optionally a
ScanCode `--json-pp` output) and prints, per licence family, precision and
recall, the share of files with every expected licence and the share of
files with a licence that is not there.
"""
import hashlib
import json
import os
import re
import shutil
import sys
from collections import defaultdict

MAX_FILE = 256 * 1024
MAX_HEADERS_PER_PACKAGE = 4
MAX_README_PER_PACKAGE = 1

# Licence family of an SPDX identifier (by prefix), for the per-family table
# and for "which licence does this file name".
FAMILIES = [
    ("AGPL", r"affero|\bagpl"),
    ("LGPL", r"lesser general public|library general public|\blgpl"),
    ("GPL", r"(?<![a-z])gnu general public|(?<![a-z])gpl(?:v?\d|\b)"),
    ("Apache", r"\bapache"),
    ("MIT", r"\bmit\b|permission is hereby granted, free of charge"),
    ("0BSD", r"\b0bsd\b|zero[- ]clause"),
    ("BSD", r"\bbsd\b|redistribution and use in source and binary forms"),
    ("MPL", r"mozilla public|\bmpl\b"),
    ("EPL", r"eclipse public|\bepl\b"),
    ("ISC", r"\bisc\b"),
    ("Zlib", r"\bzlib\b|provided 'as-is'"),
    ("Unlicense", r"unlicense"),
    ("CC0", r"\bcc0\b"),
    ("BSL", r"boost software"),
    ("Unicode", r"unicode licen[cs]e|unicode-(?:dfs|3)|unicode, inc\. licen"),
    ("Artistic", r"artistic licen|same terms as perl"),
    ("PSF", r"python software foundation licen|\bpsf\b"),
    ("WTFPL", r"wtfpl"),
    ("CC", r"creative commons|\bcc-by"),
]
FAMILY_RES = [(f, re.compile(p, re.I)) for f, p in FAMILIES]
EXCEPTION_WORDS = {"LLVM-exception": r"llvm", "Classpath-exception-2.0": r"classpath"}

DEPRECATED = {
    "GPL-1.0": "GPL-1.0-only", "GPL-1.0+": "GPL-1.0-or-later",
    "GPL-2.0": "GPL-2.0-only", "GPL-2.0+": "GPL-2.0-or-later",
    "GPL-3.0": "GPL-3.0-only", "GPL-3.0+": "GPL-3.0-or-later",
    "LGPL-2.0": "LGPL-2.0-only", "LGPL-2.0+": "LGPL-2.0-or-later",
    "LGPL-2.1": "LGPL-2.1-only", "LGPL-2.1+": "LGPL-2.1-or-later",
    "LGPL-3.0": "LGPL-3.0-only", "LGPL-3.0+": "LGPL-3.0-or-later",
    "AGPL-1.0": "AGPL-1.0-only", "AGPL-3.0": "AGPL-3.0-only",
    "AGPL-3.0+": "AGPL-3.0-or-later", "GFDL-1.3": "GFDL-1.3-only",
}


def family(spdx_id):
    s = spdx_id.upper()
    for f in ("AGPL", "LGPL", "GPL", "APACHE", "MIT", "0BSD", "BSD", "MPL", "EPL", "ISC",
              "ZLIB", "UNLICENSE", "CC0", "BSL", "UNICODE", "ARTISTIC", "PSF", "WTFPL", "CC-"):
        if s.startswith(f):
            return {"APACHE": "Apache", "ZLIB": "Zlib", "UNLICENSE": "Unlicense",
                    "UNICODE": "Unicode", "ARTISTIC": "Artistic", "CC-": "CC"}.get(f, f)
    if s.endswith("-EXCEPTION") or "EXCEPTION" in s:
        return "exception"
    if s == "PYTHON-2.0":
        return "PSF"
    return "other"


def load_spdx_ids(corpora):
    ids = set()
    xml = os.path.join(corpora, "spdx-license-list/license-list-XML/src")
    for d in (xml, os.path.join(xml, "exceptions")):
        if os.path.isdir(d):
            ids.update(n[:-4] for n in os.listdir(d) if n.endswith(".xml"))
    for name in ("licenses", "exceptions"):
        p = os.path.join(corpora, f"spdx-license-list/license-list-data/json/{name}.json")
        if os.path.exists(p):
            data = json.load(open(p))
            for item in data.get(name, []):
                ids.add(item.get("licenseId") or item.get("licenseExceptionId"))
    ids.discard(None)
    return {i.lower(): i for i in ids}


def normalise(token, known):
    token = token.strip()
    token = DEPRECATED.get(token, token)
    if token.endswith("+") and token[:-1] in DEPRECATED:
        token = DEPRECATED[token[:-1]].replace("-only", "-or-later")
    canon = known.get(token.lower()) if known else token
    if canon:
        canon = DEPRECATED.get(canon, canon)
    return canon


def expression_ids(expr, known):
    """Identifiers of an SPDX expression (licences and exceptions), or None
    when a term is not an SPDX identifier."""
    if not expr or not expr.strip():
        return None
    expr = expr.replace("/", " OR ")
    tokens = [t for t in re.split(r"[\s()]+", expr) if t]
    ids = []
    for t in tokens:
        if t.upper() in ("AND", "OR", "WITH"):
            continue
        n = normalise(t, known)
        if not n or n.startswith("LicenseRef"):
            return None
        if n not in ids:
            ids.append(n)
    return ids or None


def named_families(text):
    return {f for f, r in FAMILY_RES if r.search(text)}


def with_exceptions(ids, chosen):
    """`chosen` plus the exceptions of the expression."""
    out = list(chosen)
    for i in ids:
        if family(i) == "exception" and i not in out:
            out.append(i)
    return out


def split_of(key):
    return "dev" if hashlib.sha256(key.encode()).digest()[0] % 2 == 0 else "test"


LICENCE_NAME = re.compile(r"^(?:un)?(?:licen[cs]e|copying)", re.I)
SKIP_NAME = re.compile(r"third|notice|author|contrib|\.(?:rs|py|js|ts|json|toml|html|sh)$", re.I)
SOURCE_EXT = (".rs", ".py", ".js", ".ts", ".c", ".h", ".mjs", ".cjs")
LICENCE_WORD = re.compile(r"licen[cs]|spdx-license-identifier|public domain", re.I)
HEADING = re.compile(
    r"^(?:#{1,4}\s*\**\s*(?:licen[cs]es?|copyright and licen[cs]e|licen[cs]ing)\b.*"
    r"|(?:licen[cs]es?|licen[cs]ing)\s*:?\s*\n[-=]{3,})",
    re.I | re.M)


def read_text(path):
    try:
        if os.path.islink(path) or os.path.getsize(path) > MAX_FILE or os.path.getsize(path) < 16:
            return None
        data = open(path, "rb").read()
    except OSError:
        return None
    if b"\0" in data[:4096]:
        return None
    return data.decode("utf-8", "replace")


def licence_file_label(name, text, ids):
    """Expected licences of a LICENSE-like file, or None."""
    licences = [i for i in ids if family(i) != "exception"]
    hinted = named_families(re.sub(r"[._-]", " ", name.lower()).replace("licence", "").replace("license", ""))
    if hinted:
        chosen = [i for i in licences if family(i) in hinted]
        if not chosen:
            return None
        # A file named for one licence holds that licence only.
        return with_exceptions(ids, chosen) if any(
            re.search(EXCEPTION_WORDS.get(e, "^$"), text, re.I) for e in ids if family(e) == "exception"
        ) else chosen
    if len(licences) != 1:
        return None
    # A single-licence package's LICENSE that names another family is not
    # that licence (a bundled third-party text).
    other = named_families(text[:3000]) - {family(licences[0])}
    if other - {"MIT", "BSD"} and family(licences[0]) not in ("GPL", "LGPL", "AGPL"):
        return None
    exc = [e for e in ids if family(e) == "exception"
           and re.search(EXCEPTION_WORDS.get(e, "^$"), text, re.I)]
    return licences + exc


def stated_label(text, ids):
    """Expected licences of a README section or a header that names
    licences: the declared licences it names; None when it names a family
    the package does not declare, or none."""
    named = named_families(text)
    declared = {family(i) for i in ids}
    if not named or named - declared:
        return None
    chosen = [i for i in ids if family(i) in named]
    exc = [e for e in ids if family(e) == "exception"
           and re.search(EXCEPTION_WORDS.get(e, "^$"), text, re.I)]
    return chosen + exc if chosen else None


def readme_section(text):
    m = HEADING.search(text)
    if not m:
        return None
    rest = text[m.end():]
    nxt = re.search(r"^#{1,4}\s|\n[^\n]+\n[-=]{3,}\s*$", rest, re.M)
    return rest[: nxt.start() if nxt else 2000][:2000]


def header_of(text):
    """The leading comment lines of a source file (first 40 lines)."""
    lines = []
    for line in text.splitlines()[:40]:
        s = line.strip()
        if not s:
            if lines:
                lines.append("")
            continue
        if s.startswith(("//", "#", "/*", "*", "'''", '"""', "--", "<!--")) or (lines and s.endswith("*/")):
            lines.append(s)
        elif lines:
            break
    return "\n".join(lines)


class Assembler:
    def __init__(self, out, known):
        self.out = out
        self.known = known
        self.labels = {"dev": {}, "test": {}}
        self.packages = {"dev": set(), "test": set()}

    def add(self, eco, package, src, rel, expected, kind):
        split = split_of(f"{eco}:{package}")
        dest_rel = os.path.join(rel)
        dest = os.path.join(self.out, split, dest_rel)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        shutil.copyfile(src, dest)
        self.labels[split][dest_rel] = {
            "expected": sorted(set(expected)), "package": f"{eco}:{package}", "kind": kind}
        self.packages[split].add(f"{eco}:{package}")

    def package_files(self, eco, package, root, rel_root, ids, skip_dirs=()):
        """LICENSE files, one README and a few headers of a package tree."""
        headers = readmes = 0
        for d, dirs, names in os.walk(root):
            dirs[:] = sorted(x for x in dirs if x not in skip_dirs and not x.startswith("."))
            for name in sorted(names):
                path = os.path.join(d, name)
                rel = os.path.join(rel_root, os.path.relpath(path, root))
                low = name.lower()
                if LICENCE_NAME.match(low) and not SKIP_NAME.search(low[7:]):
                    text = read_text(path)
                    exp = text and licence_file_label(name, text, ids)
                    if exp:
                        self.add(eco, package, path, rel, exp, "licence-file")
                elif low.startswith("readme") and readmes < MAX_README_PER_PACKAGE and d == root:
                    text = read_text(path)
                    section = text and readme_section(text)
                    exp = section and stated_label(section, ids)
                    if exp:
                        readmes += 1
                        self.add(eco, package, path, rel, exp, "readme")
                elif low.endswith(SOURCE_EXT) and headers < MAX_HEADERS_PER_PACKAGE:
                    text = read_text(path)
                    head = text and header_of(text)
                    if head and LICENCE_WORD.search(head):
                        exp = stated_label(head, ids)
                        if exp:
                            headers += 1
                            self.add(eco, package, path, rel, exp, "header")

    def crates(self, root):
        for reg in sorted(os.listdir(root)):
            for crate in sorted(os.listdir(os.path.join(root, reg))):
                base = os.path.join(root, reg, crate)
                toml = os.path.join(base, "Cargo.toml")
                if not os.path.isfile(toml):
                    continue
                text = open(toml, encoding="utf-8", errors="replace").read()
                pkg = re.search(r"^\[package\]([\s\S]*?)(?:^\[|\Z)", text, re.M)
                if not pkg:
                    continue
                m = re.search(r'^license\s*=\s*"([^"]+)"', pkg.group(1), re.M)
                name = re.search(r'^name\s*=\s*"([^"]+)"', pkg.group(1), re.M)
                ids = m and expression_ids(m.group(1), self.known)
                if not ids or not name:
                    continue
                self.package_files("cargo", name.group(1), base, os.path.join("cargo", crate), ids,
                                   skip_dirs=("tests", "benches", "examples", "target", "vendor", "third_party"))

    TROVE = {
        "MIT License": "MIT", "ISC License (ISCL)": "ISC",
        "GNU General Public License v2 or later (GPLv2+)": "GPL-2.0-or-later",
        "GNU General Public License v3 or later (GPLv3+)": "GPL-3.0-or-later",
        "GNU General Public License v2 (GPLv2)": "GPL-2.0-only",
        "GNU General Public License v3 (GPLv3)": "GPL-3.0-only",
        "GNU Lesser General Public License v2 or later (LGPLv2+)": "LGPL-2.0-or-later",
        "GNU Lesser General Public License v3 or later (LGPLv3+)": "LGPL-3.0-or-later",
        "GNU Lesser General Public License v3 (LGPLv3)": "LGPL-3.0-only",
        "GNU Affero General Public License v3 or later (AGPLv3+)": "AGPL-3.0-or-later",
        "GNU Affero General Public License v3": "AGPL-3.0-only",
        "Mozilla Public License 2.0 (MPL 2.0)": "MPL-2.0",
        "Eclipse Public License 2.0 (EPL-2.0)": "EPL-2.0",
        "The Unlicense (Unlicense)": "Unlicense", "Boost Software License 1.0 (BSL-1.0)": "BSL-1.0",
        "zlib/libpng License": "Zlib", "Zero-Clause BSD (0BSD)": "0BSD",
        "MIT No Attribution License (MIT-0)": "MIT-0",
        "Apache Software License": None, "BSD License": None,
        "Python Software Foundation License": None, "Other/Proprietary License": None,
    }

    def python(self, site):
        for dist in sorted(os.listdir(site)):
            if not dist.endswith(".dist-info"):
                continue
            base = os.path.join(site, dist)
            meta_path = os.path.join(base, "METADATA")
            if not os.path.isfile(meta_path):
                continue
            meta = open(meta_path, encoding="utf-8", errors="replace").read()
            head = meta.split("\n\n", 1)[0]
            name = re.search(r"^Name:\s*(.+)$", head, re.M)
            if not name:
                continue
            name = name.group(1).strip().lower().replace("_", "-")
            ids = None
            source = None
            m = re.search(r"^License-Expression:\s*(.+)$", head, re.M)
            if m:
                ids, source = expression_ids(m.group(1), self.known), "License-Expression"
            if not ids:
                m = re.search(r"^License:\s*(\S[^\n]{0,60})$", head, re.M)
                if m and re.fullmatch(r"[A-Za-z0-9.+-]+(?:\s+(?:OR|AND)\s+[A-Za-z0-9.+-]+)*", m.group(1).strip()):
                    ids, source = expression_ids(m.group(1), self.known), "License"
            if not ids:
                trove = re.findall(r"^Classifier:\s*License :: OSI Approved :: (.+?)\s*$", head, re.M)
                mapped = [self.TROVE.get(t) for t in trove]
                if trove and all(mapped):
                    ids, source = sorted(set(mapped)), "classifiers"
            if not ids:
                continue
            rel = os.path.join("python", "site-packages", dist)
            self.add("pypi", name, meta_path, os.path.join(rel, "METADATA"), ids, f"declared:{source}")
            for d, _, names in os.walk(base):
                for n in sorted(names):
                    path = os.path.join(d, n)
                    in_licences = os.path.relpath(d, base).startswith(("licenses", "license_files"))
                    licence_named = LICENCE_NAME.match(n) or (in_licences and re.search(r"licen|copying", n, re.I))
                    if licence_named and not SKIP_NAME.search(n[7:]):
                        text = read_text(path)
                        exp = text and licence_file_label(n, text, ids)
                        if exp:
                            self.add("pypi", name, path, os.path.join(rel, os.path.relpath(path, base)), exp,
                                     "licence-file")

    def node(self, root):
        seen = set()
        for d, dirs, names in os.walk(root):
            dirs.sort()
            if "package.json" not in names or os.path.basename(os.path.dirname(d)) not in ("node_modules",) and \
                    not os.path.basename(os.path.dirname(d)).startswith("@"):
                continue
            try:
                pj = json.load(open(os.path.join(d, "package.json")))
            except (OSError, ValueError):
                continue
            name, lic = pj.get("name"), pj.get("license")
            if not isinstance(name, str) or not isinstance(lic, str) or name in seen:
                continue
            ids = expression_ids(lic, self.known)
            if not ids:
                continue
            seen.add(name)
            rel = os.path.join("node", "node_modules", name)
            self.add("npm", name, os.path.join(d, "package.json"), os.path.join(rel, "package.json"), ids,
                     "declared:package.json")
            self.package_files("npm", name, d, rel, ids, skip_dirs=("node_modules", "test", "tests", "dist"))

    def write(self):
        for split in ("dev", "test"):
            os.makedirs(os.path.join(self.out, split), exist_ok=True)
            with open(os.path.join(self.out, split, "labels.json"), "w") as f:
                json.dump(self.labels[split], f, indent=1, sort_keys=True)
            kinds = defaultdict(int)
            for v in self.labels[split].values():
                kinds[v["kind"].split(":")[0]] += 1
            print(f"{split}: {len(self.labels[split])} files of {len(self.packages[split])} packages "
                  f"({', '.join(f'{k} {n}' for k, n in sorted(kinds.items()))})", file=sys.stderr)


def assemble(argv):
    out, corpora = argv[0], argv[1]
    crates, sites, nodes = [], [], []
    cur = None
    for a in argv[2:]:
        if a in ("--crates", "--site", "--node"):
            cur = {"--crates": crates, "--site": sites, "--node": nodes}[a]
        elif cur is not None and os.path.isdir(a):
            cur.append(a)
    known = load_spdx_ids(corpora)
    if not known:
        sys.exit(f"no SPDX identifiers under {corpora}")
    if os.path.exists(out):
        shutil.rmtree(out)
    asm = Assembler(out, known)
    for c in crates:
        asm.crates(c)
    for s in sites:
        asm.python(s)
    for n in nodes:
        asm.node(n)
    asm.write()


# ---------------------------------------------------------------- scoring

BACKTICK = re.compile(r"`([^`]+)`")


def detected_by_oversight(report, known):
    per_file = defaultdict(set)
    unknown = defaultdict(int)
    for f in report.get("findings", []):
        rule = f.get("rule", {})
        rule = rule.get("id") if isinstance(rule, dict) else rule
        path = (f.get("location") or {}).get("path") or f.get("path")
        if isinstance(path, dict):
            path = path.get("display") or path.get("path")
        if rule in ("license.detected", "license.denied"):
            m = BACKTICK.search(f.get("message", ""))
            if m:
                per_file[path].update(expression_ids(m.group(1), known) or [m.group(1)])
        elif rule in ("license.unknown", "license.unknown-text"):
            unknown[path] += 1
    for c in report.get("components", []):
        src, lic = c.get("source"), c.get("license")
        if src and lic:
            src = re.sub(r":\d+$", "", src)
            per_file[src].update(expression_ids(lic, known) or [lic])
    return per_file, unknown


def detected_by_scancode(sc, known):
    per_file = defaultdict(set)
    for f in sc.get("files", []):
        if f.get("type") != "file":
            continue
        path = f["path"].split("/", 1)[1] if "/" in f["path"] else f["path"]
        exprs = []
        for det in f.get("license_detections") or []:
            exprs.append(det.get("license_expression_spdx") or "")
        if f.get("detected_license_expression_spdx"):
            exprs.append(f["detected_license_expression_spdx"])
        for pkg in f.get("package_data") or []:
            if pkg.get("declared_license_expression_spdx"):
                exprs.append(pkg["declared_license_expression_spdx"])
        for e in exprs:
            per_file[path].update(i for i in (expression_ids(e, known) or []) if not i.startswith("LicenseRef"))
    return per_file


def table(labels, detected, title):
    tp, fp, fn = defaultdict(int), defaultdict(int), defaultdict(int)
    every = phantom = 0
    failures = []
    for path, lab in sorted(labels.items()):
        exp = set(lab["expected"])
        got = {i for i in detected.get(path, set()) if not i.startswith("LicenseRef")}
        for i in exp & got:
            tp[family(i)] += 1
        for i in got - exp:
            fp[family(i)] += 1
        for i in exp - got:
            fn[family(i)] += 1
        ok = exp <= got
        every += ok
        phantom += bool(got - exp)
        if not ok or got - exp:
            failures.append((path, sorted(exp), sorted(got), lab["kind"]))
    n = len(labels) or 1
    print(f"\n{title}: {len(labels)} files")
    print(f"{'family':<11} {'expected':>8} {'found':>6} {'precision':>9} {'recall':>7}")
    fams = sorted(set(tp) | set(fp) | set(fn), key=lambda f: -(tp[f] + fn[f]))
    for f in fams + ["all"]:
        t = sum(tp.values()) if f == "all" else tp[f]
        p_ = sum(fp.values()) if f == "all" else fp[f]
        m = sum(fn.values()) if f == "all" else fn[f]
        prec = f"{t / (t + p_):.3f}" if t + p_ else "-"
        rec = f"{t / (t + m):.3f}" if t + m else "-"
        print(f"{f:<11} {t + m:>8} {t + p_:>6} {prec:>9} {rec:>7}")
    print(f"files with every expected licence: {every}/{len(labels)} ({100 * every / n:.1f} %)")
    print(f"files with a licence that is not there: {phantom}/{len(labels)} ({100 * phantom / n:.1f} %)")
    # Package metadata gives its own licence by construction: the share
    # without it is the harder number.
    texts = [p for p, lab in labels.items() if not lab["kind"].startswith("declared")]
    ok = sum(set(labels[p]["expected"]) <= detected.get(p, set()) for p in texts)
    bad = sum(bool(detected.get(p, set()) - set(labels[p]["expected"])) for p in texts)
    print(f"without package metadata files: every expected licence {ok}/{len(texts)} "
          f"({100 * ok / max(len(texts), 1):.1f} %), a licence not there {bad}/{len(texts)} "
          f"({100 * bad / max(len(texts), 1):.1f} %)")
    by_kind = defaultdict(lambda: [0, 0])
    for path, lab in labels.items():
        k = lab["kind"].split(":")[0]
        by_kind[k][1] += 1
        by_kind[k][0] += set(lab["expected"]) <= detected.get(path, set())
    print("every expected licence, by kind: " + ", ".join(
        f"{k} {a}/{b}" for k, (a, b) in sorted(by_kind.items())))
    return failures


def score(argv):
    labels_path, report_path = argv[0], argv[1]
    corpora = os.environ.get("OVERSIGHT_CORPORA", "")
    known = load_spdx_ids(corpora) if corpora else {}
    labels = json.load(open(labels_path))
    report = json.load(open(report_path))
    detected, unknown = detected_by_oversight(report, known)
    failures = table(labels, detected, "oversight")
    print(f"files with a license.unknown finding: {sum(1 for p in labels if unknown.get(p))}")
    if os.environ.get("SHOW_FAILURES"):
        limit = int(os.environ["SHOW_FAILURES"])
        for path, exp, got, kind in failures[:limit]:
            print(f"  {kind:<22} {path}: expected {exp}, got {got}")
    if "--scancode" in argv:
        sc_path = argv[argv.index("--scancode") + 1]
        sc = json.load(open(sc_path))
        sc_detected = detected_by_scancode(sc, known)
        scanned = {p for p in sc_detected} | {
            (f["path"].split("/", 1)[1] if "/" in f["path"] else f["path"])
            for f in sc.get("files", []) if f.get("type") == "file"}
        subset = {p: v for p, v in labels.items() if p in scanned}
        table(subset, sc_detected, "scancode (same files)")
        table(subset, detected, "oversight (same files)")
        agree = sum(1 for p in subset
                    if {i for i in detected.get(p, set()) if not i.startswith("LicenseRef")}
                    == sc_detected.get(p, set()))
        print(f"\nagreement with ScanCode (same set of licence ids per file): "
              f"{agree}/{len(subset)} ({100 * agree / max(len(subset), 1):.1f} %)")


if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in ("assemble", "score"):
        sys.exit(__doc__)
    (assemble if sys.argv[1] == "assemble" else score)(sys.argv[2:])
