#!/usr/bin/env bash
# Malicious-code benchmark: recall and precision per behaviour class on the
# labelled development and test sets (bench/malicious/{dev,test} with
# {dev,test}.toml), guarddog on the same sets in the same run when it is
# installed, and false alarms per 10,000 files on real benign code.
#
# Usage: bench/malicious/run.sh [--no-guarddog] [--no-corpora]
#   CORPORA="dir …"   benign trees (default: ~/.cargo/registry/src, two
#                     site-packages, /tmp/h15-npm/node_modules and $NODE_MODULES
#                     when present; a node_modules is made with
#                     `npm install --ignore-scripts`, e.g. of
#                     bench/licences-npm-packages.txt)
#   GUARDDOG=path     guarddog binary (default /opt/peers/venv/bin/guarddog)
#   OUT=dir           where reports go (default /tmp/oversight-bench-malicious)
#
# Nothing in the sets is ever executed: they are read as data by both tools.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
OUT="${OUT:-/tmp/oversight-bench-malicious}"
GUARDDOG="${GUARDDOG:-/opt/peers/venv/bin/guarddog}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
RUN_GUARDDOG=1
RUN_CORPORA=1
for arg in "$@"; do
  case "$arg" in
    --no-guarddog) RUN_GUARDDOG=0 ;;
    --no-corpora) RUN_CORPORA=0 ;;
    *) echo "unknown argument: $arg" >&2; exit 2 ;;
  esac
done
mkdir -p "$OUT"

echo "Building the scanner (release)…" >&2
(cd "$ROOT" && cargo build --release --quiet -p oversight-malicious --example malicious-scan)
SCAN="$CARGO_TARGET_DIR/release/examples/malicious-scan"
RULES="$ROOT/crates/oversight-behaviour/rules"

now() { date +%s.%N; }

for split in dev test; do
  start=$(now)
  "$SCAN" "$HERE/$split" > "$OUT/$split.json"
  ours=$(echo "$(now) - $start" | bc)
  echo
  echo "######## $split set (oversight: ${ours} s)"
  gd_args=()
  if [ "$RUN_GUARDDOG" = 1 ] && [ -x "$GUARDDOG" ]; then
    rm -rf "$OUT/guarddog-$split" && mkdir -p "$OUT/guarddog-$split"
    start=$(now)
    for dir in "$HERE/$split"/mal/* "$HERE/$split"/ben/*; do
      name="$(basename "$(dirname "$dir")")__$(basename "$dir")"
      case "$(basename "$dir")" in
        py-*) eco=pypi ;;
        rb-*) eco=rubygems ;;
        go-*) eco=go ;;
        wf-*|gl-*) eco=github_action ;;
        *) eco=npm ;;
      esac
      (cd "$(dirname "$dir")" && "$GUARDDOG" "$eco" scan "$(basename "$dir")" --output-format json 2>/dev/null) \
        > "$OUT/guarddog-$split/$name.json" || true
    done
    theirs=$(echo "$(now) - $start" | bc)
    echo "guarddog: ${theirs} s for the same files, $(echo "scale=1; $theirs / $ours" | bc)x oversight's time"
    gd_args=(--guarddog "$OUT/guarddog-$split")
  fi
  python3 "$HERE/score.py" "$HERE/$split" --report "$OUT/$split.json" --rules "$RULES" \
    --json "$OUT/$split-score.json" -v "${gd_args[@]}"
done

[ "$RUN_CORPORA" = 1 ] || exit 0

if [ -z "${CORPORA:-}" ]; then
  CORPORA=""
  for d in "$HOME"/.cargo/registry/src/*/ /root/.pyenv/versions/3.11.7/lib/python3.11/site-packages /opt/peers/venv/lib/python3.11/site-packages /tmp/h15-npm/node_modules ${NODE_MODULES:-}; do
    [ -d "$d" ] && CORPORA="$CORPORA $d"
  done
fi
echo
echo "######## benign corpora: behaviour findings per 10,000 files (the line-based"
echo "######## detectors' own rates are measured by bench/scan.sh and bench/secrets-precision.sh)"
printf "%-70s %8s %6s %6s %6s %9s %9s %9s %9s\n" corpus files high+ medium low "high/10k" "med/10k" "cpu s" "rg cpu s"
for corpus in $CORPORA; do
  report="$OUT/corpus-$(echo "$corpus" | tr '/' '_').json"
  # `|| true`: rg exits 1 when no file matches; the times are what counts.
  cpu=$( { /usr/bin/time -f "%U %S" "$SCAN" "$corpus" --only behaviour > "$report" || true; } 2>&1 | tail -1 | awk '{print $1 + $2}')
  rgcpu=$( { /usr/bin/time -f "%U %S" rg -uuu -c AKIA "$corpus" > /dev/null || true; } 2>&1 | tail -1 | awk '{print $1 + $2}')
  python3 - "$report" "$corpus" "$cpu" "$rgcpu" <<'PY'
import collections, json, sys
report, corpus, cpu, rgcpu = sys.argv[1:5]
r = json.load(open(report))
files = r["files"]
sev = collections.Counter()
rules = collections.Counter()
for f in r["findings"]:
    if f["category"] != "malicious":
        continue
    s = "high" if f["severity"] in ("high", "critical") else f["severity"]
    sev[s] += 1
    if s in ("high", "medium"):
        rules[(s, f["rule"], f["path"])] += 1
per = lambda n: 10000.0 * n / max(files, 1)
print(f"{corpus:70} {files:8} {sev['high']:6} {sev['medium']:6} {sev['low']:6} {per(sev['high']):9.2f} {per(sev['medium']):9.2f} {float(cpu):9.1f} {float(rgcpu):9.1f}")
for (s, rule, path), n in sorted(rules.items()):
    print(f"    {s:6} {n:3} {rule} {path}")
PY
done
