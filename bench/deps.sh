#!/usr/bin/env bash
# Dependencies benchmark and cargo-audit parity, one run, 2 cores:
#  1. `oversight db import` of the RustSec and PyPA corpora (target < 10 s);
#  2. matching 10,000 components after import (target < 1 s; cargo bench);
#  3. cost of dependency scanning on a tree with hundreds of lockfiles
#     (target <= 10 %): full scan with --no-deps vs the same scan with it;
#  4. parity: for every Cargo lockfile of the corpora (any `*.lock` holding
#     `[[package]]`, scanned as `Cargo.lock`), the RustSec ids that
#     `oversight scan` reports equal those of
#     `cargo audit --db ../shared/corpora/rustsec-advisory-db --no-fetch --file LOCK`.
# Peers come from ../shared/tools/peers-setup.sh (/opt/peers).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
CORPORA=$(cd "$ROOT/../shared/corpora" && pwd)
BENCH_TMP=${BENCH_TMP:-/tmp/oversight-bench}
mkdir -p "$BENCH_TMP"
[ -f /opt/peers/env.sh ] && source /opt/peers/env.sh

cargo build --release --quiet --manifest-path "$ROOT/Cargo.toml" -p oversight
OVERSIGHT="${CARGO_TARGET_DIR:-$ROOT/target}/release/oversight"

measure() {   # prints "wall_seconds max_rss_kb exit_status"
  /usr/bin/time -o "$BENCH_TMP/time.txt" -f '%e %M %x' "$@" >/dev/null 2>"$BENCH_TMP/stderr.txt" || true
  tail -1 "$BENCH_TMP/time.txt"
}

# 1. Import.
INDEX=$BENCH_TMP/advisories
rm -rf "$INDEX"
read -r rs_s _ _ < <(measure "$OVERSIGHT" db import "$CORPORA/rustsec-advisory-db" --advisories "$INDEX")
read -r py_s _ _ < <(measure "$OVERSIGHT" db import "$CORPORA/pypa-advisory-db" --advisories "$INDEX")
echo "import: RustSec ${rs_s}s, PyPA ${py_s}s, total $(awk -v a="$rs_s" -v b="$py_s" 'BEGIN{print a+b}')s (target < 10 s)"

# 2. Matching 10,000 components (the crate's benchmark prints its own lines).
cargo bench --quiet --manifest-path "$ROOT/Cargo.toml" -p oversight-advisories --bench advisories 2>/dev/null | grep -iE "match|open|import" || true

# 3. Overhead on a tree with hundreds of lockfiles: real source plus every
#    lockfile of the corpora.
TREE=$BENCH_TMP/deps-tree
if [ ! -d "$TREE" ]; then
  mkdir -p "$TREE/src" "$TREE/locks"
  budget=40000000; total=0
  for d in "$HOME"/.cargo/registry/src/*/*/; do
    size=$(du -sb "$d" | cut -f1); cp -r "$d" "$TREE/src/"; total=$((total + size))
    [ "$total" -ge "$budget" ] && break
  done
  cp -r "$CORPORA/lockfile-fixtures" "$CORPORA/real-lockfiles" "$TREE/locks/"
fi
files=$(find "$TREE" -type f | wc -l); mb=$(du -sm "$TREE" | cut -f1)
"$OVERSIGHT" scan "$TREE" --no-progress --format json -o /dev/null --advisories "$INDEX" >/dev/null 2>&1 || true  # warm cache
best() {  # best of 3 wall times
  local b=999
  for _ in 1 2 3; do read -r s _ _ < <(measure "$@"); b=$(awk -v a="$s" -v b="$b" 'BEGIN{print (a<b)?a:b}'); done
  echo "$b"
}
base_s=$(best "$OVERSIGHT" scan "$TREE" --no-deps --no-progress --format json -o "$BENCH_TMP/nodeps.json")
deps_s=$(best "$OVERSIGHT" scan "$TREE" --no-progress --format json -o "$BENCH_TMP/deps.json" --advisories "$INDEX")
components=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['components']))" "$BENCH_TMP/deps.json")
echo "tree: $files files, $mb MB, $components components; full scan --no-deps ${base_s}s, with dependencies and advisory matching ${deps_s}s (overhead $(awk -v a="$deps_s" -v b="$base_s" 'BEGIN{printf "%.0f", (a/b-1)*100}')%, target <= 10%)"

# 4. cargo-audit parity on every Cargo.lock of the corpora.
if command -v cargo-audit >/dev/null; then
  python3 - "$OVERSIGHT" "$INDEX" "$CORPORA" "$BENCH_TMP" <<'PY'
import json, os, subprocess, sys, shutil, tempfile
oversight, index, corpora, tmp = sys.argv[1:]
db = os.path.join(corpora, "rustsec-advisory-db")
agree = differ = skipped = 0
for base in ("real-lockfiles", "lockfile-fixtures"):
    for dirpath, _, files in os.walk(os.path.join(corpora, base)):
        for f in files:
            lock = os.path.join(dirpath, f)
            if not f.endswith(".lock"):
                continue
            with open(lock, "rb") as fh:
                content = fh.read()
            # Cargo lockfiles, not the poetry/uv/pdm locks that share the syntax.
            if b"[[package]]" not in content or not (
                    b"registry+" in content or "cargo" in dirpath.lower()):
                continue
            audit = subprocess.run(["cargo-audit", "audit", "--db", db, "--no-fetch", "--file", lock, "--json"],
                                   capture_output=True, text=True)
            try:
                report = json.loads(audit.stdout)
            except ValueError:
                skipped += 1
                print(f"  not comparable (cargo audit cannot read it): {os.path.relpath(lock, corpora)}")
                continue
            theirs = {(v["advisory"]["id"], v["package"]["name"], v["package"]["version"])
                      for v in report["vulnerabilities"]["list"]}
            for kind, items in report.get("warnings", {}).items():
                if kind == "yanked":
                    continue
                for w in items:
                    if w.get("advisory"):
                        theirs.add((w["advisory"]["id"], w["package"]["name"], w["package"]["version"]))
            d = tempfile.mkdtemp(dir=tmp)
            shutil.copy(lock, os.path.join(d, "Cargo.lock"))
            out = subprocess.run([oversight, "scan", d, "--no-secrets", "--no-licenses", "--format", "json",
                                  "--advisories", index], capture_output=True, text=True)
            shutil.rmtree(d)
            ours = set()
            for finding in json.loads(out.stdout)["findings"]:
                if finding["rule"] in ("vulnerability.known", "vulnerability.informational"):
                    m = finding["message"]
                    name, version = m[1:m.index("`", 1)].rsplit("@", 1)
                    rid = m.split(" is affected by ")[1].split()[0].rstrip(":")
                    ours.add((rid, name, version))
            ours = {k for k in ours if k[0].startswith("RUSTSEC")}
            theirs = {k for k in theirs if k[0].startswith("RUSTSEC")}
            if ours == theirs:
                agree += 1
            else:
                differ += 1
                print(f"  DIFFER {os.path.relpath(lock, corpora)}: only oversight {sorted(ours - theirs)}, only cargo-audit {sorted(theirs - ours)}")
print(f"cargo-audit parity: {agree} Cargo.lock files agree, {differ} differ, {skipped} not comparable")
PY
else
  echo "cargo-audit not installed (../shared/tools/peers-setup.sh): parity not checked"
fi
