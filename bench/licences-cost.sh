#!/usr/bin/env bash
# What licence and copyright detection adds to a full scan (issue 16 target:
# at most +50 % wall time): `oversight scan TREE --no-licenses` against the
# default scan, alternated, $RUNS times each (default 5), medians printed.
#
#   bench/licences-cost.sh [TREE...]   (default: ~/.cargo/registry/src)
#
# OVERSIGHT=path uses a given binary instead of building the release one
# (to compare two builds on the same machine in one session).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
RUNS=${RUNS:-5}
if [ -z "${OVERSIGHT:-}" ]; then
  echo "building oversight (release)..." >&2
  cargo build --release --quiet --manifest-path "$ROOT/Cargo.toml" -p oversight
  OVERSIGHT="${CARGO_TARGET_DIR:-$ROOT/target}/release/oversight"
fi
[ $# -gt 0 ] || set -- "$HOME/.cargo/registry/src"
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
for tree in "$@"; do
  without=() with=()
  for _ in $(seq "$RUNS"); do
    for mode in without with; do
      flags=(--format json -o "$OUT/r.json")
      [ "$mode" = without ] && flags+=(--no-licenses)
      s=$(date +%s.%N)
      "$OVERSIGHT" scan "$tree" "${flags[@]}" >/dev/null 2>&1 || true
      e=$(date +%s.%N)
      t=$(python3 -c "print($e - $s)")
      if [ "$mode" = without ]; then without+=("$t"); else with+=("$t"); fi
    done
  done
  python3 - "$tree" "${#without[@]}" "${without[@]}" "${with[@]}" <<'PY'
import statistics, sys
tree, n = sys.argv[1], int(sys.argv[2])
a = [float(x) for x in sys.argv[3:3 + n]]
b = [float(x) for x in sys.argv[3 + n:]]
ma, mb = statistics.median(a), statistics.median(b)
print(f"{tree}: --no-licenses {ma:.2f} s, default {mb:.2f} s (median of {n}): "
      f"licences add {100 * (mb - ma) / ma:+.0f} %")
PY
done
