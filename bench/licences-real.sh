#!/usr/bin/env bash
# Licence detection on real files (issue 16): a labelled set assembled at run
# time (nothing of it is committed) from packages whose metadata declares
# their licence, split by a hash of the package name into a dev set (tune on
# it) and a test set (report it). See bench/licences-real.py for what is
# labelled and how.
#
#   bench/licences-real.sh [dev|test|both]     (default: both)
#
# Sources (each used when present): the crate sources in
# ~/.cargo/registry/src ($CRATES), the Python site-packages of python3 and of
# /opt/peers/venv ($SITES), a node_modules ($NODE_MODULES; with
# NPM_INSTALL=1 and none given, ~200 popular packages are installed with
# `npm install --ignore-scripts` into $BENCH_TMP/npm).
#
# Prints, per licence family, precision and recall, the share of files with
# every expected licence and the share of files with a licence that is not
# there. SHOW_FAILURES=N lists the first N misses. With ScanCode installed
# (/opt/peers/venv/bin/scancode) and BENCH_SKIP_SCANCODE unset, it also runs
# `scancode -l -c -n 2 --json-pp` on (up to 2,000 of) the test files and
# prints the agreement per file and the speed ratio.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
WHICH=${1:-both}
BENCH_TMP=${BENCH_TMP:-/tmp/oversight-bench}
OUT="$BENCH_TMP/licences-real"
CORPORA=${OVERSIGHT_CORPORA:-$(cd "$ROOT/.." && pwd)/shared/corpora}
export OVERSIGHT_CORPORA="$CORPORA"
CRATES=${CRATES:-$HOME/.cargo/registry/src}
mkdir -p "$BENCH_TMP"

if [ -z "${SITES:-}" ]; then
  SITES="$(python3 -c 'import site; print(" ".join(site.getsitepackages()))' 2>/dev/null || true)"
  for s in /opt/peers/venv/lib/python3*/site-packages; do [ -d "$s" ] && SITES="$SITES $s"; done
fi
if [ -z "${NODE_MODULES:-}" ] && [ "${NPM_INSTALL:-0}" = 1 ] && [ ! -d "$BENCH_TMP/npm/node_modules" ]; then
  mkdir -p "$BENCH_TMP/npm"
  (cd "$BENCH_TMP/npm" && echo '{"name":"bench","version":"1.0.0","private":true}' > package.json &&
    npm install --ignore-scripts --no-audit --no-fund --legacy-peer-deps $(cat "$HERE/licences-npm-packages.txt") >&2)
fi
NODE_MODULES=${NODE_MODULES:-$BENCH_TMP/npm/node_modules}

echo "building oversight (release)..." >&2
cargo build --release --quiet --manifest-path "$ROOT/Cargo.toml" -p oversight
OVERSIGHT="${CARGO_TARGET_DIR:-$ROOT/target}/release/oversight"

if { [ ! -f "$OUT/test/labels.json" ] && [ ! -f "$OUT/test.labels.json" ]; } || [ "${REASSEMBLE:-0}" = 1 ]; then
  rm -f "$OUT"/*.labels.json
  # shellcheck disable=SC2086
  python3 "$HERE/licences-real.py" assemble "$OUT" "$CORPORA" --crates "$CRATES" \
    --site $SITES --node "$NODE_MODULES"
fi

splits=(dev test)
[ "$WHICH" = dev ] && splits=(dev)
[ "$WHICH" = test ] && splits=(test)
for split in "${splits[@]}"; do
  labels="$OUT/$split/labels.json"
  # The labels file is the scanner's input too; move it aside.
  [ -f "$labels" ] && mv "$labels" "$OUT/$split.labels.json"
  start=$(date +%s.%N)
  "$OVERSIGHT" scan "$OUT/$split" --no-secrets --format json -o "$OUT/$split.report.json" || true
  end=$(date +%s.%N)
  echo
  echo "=== $split set ($(python3 -c "import json;print(len(json.load(open('$OUT/$split.labels.json'))))") files, oversight $(python3 -c "print(f'{$end - $start:.2f}')") s)"
  python3 "$HERE/licences-real.py" score "$OUT/$split.labels.json" "$OUT/$split.report.json"
done

SCANCODE=${SCANCODE:-/opt/peers/venv/bin/scancode}
if [ -x "$SCANCODE" ] && [ -z "${BENCH_SKIP_SCANCODE:-}" ] && [ "$WHICH" != dev ]; then
  SC="$OUT/scancode"
  [ -f "$OUT/test.labels.json" ] || mv "$OUT/test/labels.json" "$OUT/test.labels.json"
  rm -rf "$SC" && mkdir -p "$SC/in"
  python3 - "$OUT/test.labels.json" "$OUT/test" "$SC/in" "$SC/labels.json" <<'PY'
import hashlib, json, os, shutil, sys
labels, src, dst, out = sys.argv[1:5]
l = json.load(open(labels))
# Up to 2,000 files, picked by a hash of their path (every ecosystem).
keep = dict(sorted(l.items(), key=lambda kv: hashlib.sha256(kv[0].encode()).hexdigest())[:2000])
for p in keep:
    os.makedirs(os.path.dirname(os.path.join(dst, p)), exist_ok=True)
    shutil.copyfile(os.path.join(src, p), os.path.join(dst, p))
json.dump(keep, open(out, "w"))
PY
  echo >&2 "running ScanCode on $(find "$SC/in" -type f | wc -l) files..."
  s0=$(date +%s.%N)
  "$SCANCODE" -l -c -n 2 --quiet --json-pp "$SC/scancode.json" "$SC/in" >&2 || true
  s1=$(date +%s.%N)
  "$OVERSIGHT" scan "$SC/in" --no-secrets --format json -o "$SC/oversight.json" || true
  s2=$(date +%s.%N)
  echo
  echo "=== ScanCode on the same test files"
  python3 "$HERE/licences-real.py" score "$SC/labels.json" "$SC/oversight.json" --scancode "$SC/scancode.json"
  python3 -c "a=$s1-$s0; b=$s2-$s1; print(f'scancode -l -c -n 2: {a:.1f} s; oversight scan: {b:.2f} s; {a/b:.0f}x')"
fi
