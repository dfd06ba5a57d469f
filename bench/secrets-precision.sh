#!/usr/bin/env bash
# Precision and recall of the generic secret rules (issue 22, part 5).
#
# Precision: `oversight scan --no-licenses --no-deps` on real trees that
# nobody here wrote, counting the high (or critical) findings of the generic
# rules (generic-password, generic-secret, generic-token, generic-api-key)
# per 10,000 files scanned (target: at most 5), and the lowered ones
# (secret.test-fixture-credential, secret.documentation-example).
# Recall: the planted sets of crates/oversight-secrets/tests/it/recall.rs
# (real-format keys: target 100 %; generic credentials: target >= 90 %).
#
# Trees (each skipped with a message when missing; override with env vars):
#   CRATES   ~/.cargo/registry/src                 (crate sources)
#   SITE     a site-packages with 100+ packages    (default: the pyenv 3.11 one)
#   NODE     a node_modules                        (default: /tmp/nm/node_modules)
# Usage: bench/secrets-precision.sh [--list]   (--list: every remaining high finding)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
BENCH_TMP=${BENCH_TMP:-/tmp/oversight-bench}
mkdir -p "$BENCH_TMP"
LIST=${1:-}

# OVERSIGHT=path/to/binary measures that binary (e.g. an older build) instead.
if [ -z "${OVERSIGHT:-}" ]; then
  cargo build --release --quiet --manifest-path "$ROOT/Cargo.toml" -p oversight
  OVERSIGHT="${CARGO_TARGET_DIR:-$ROOT/target}/release/oversight"
fi

CRATES=${CRATES:-$HOME/.cargo/registry/src}
SITE=${SITE:-$(ls -d /root/.pyenv/versions/3.11*/lib/python3.11/site-packages 2>/dev/null | head -1)}
NODE=${NODE:-/tmp/nm/node_modules}

printf '%-14s %8s %6s %9s %6s %6s  %s\n' tree files high per10k test doc tree-path
for spec in "crates:$CRATES" "site-packages:$SITE" "node_modules:$NODE"; do
  name=${spec%%:*}; dir=${spec#*:}
  if [ -z "$dir" ] || [ ! -d "$dir" ]; then
    echo "$name: no tree at '${dir}' (set the variable), skipped"
    continue
  fi
  out="$BENCH_TMP/precision-$name.json"
  "$OVERSIGHT" scan "$dir" --no-licenses --no-deps --format json --no-progress -o "$out" >/dev/null 2>&1 || true
  python3 - "$out" "$name" "$dir" "$LIST" <<'PY'
import json, sys
out, name, tree, listing = sys.argv[1:5]
report = json.load(open(out))
files = report["coverage"]["total_files"]
generic = {"secret.generic-password", "secret.generic-secret", "secret.generic-token", "secret.generic-api-key"}
high = [f for f in report["findings"] if f["rule"] in generic and f["severity"] in ("high", "critical")]
test = sum(f["rule"] == "secret.test-fixture-credential" for f in report["findings"])
doc = sum(f["rule"] == "secret.documentation-example" for f in report["findings"])
print(f"{name:<14} {files:>8} {len(high):>6} {len(high) * 10000 / max(files, 1):>9.2f} {test:>6} {doc:>6}  {tree}")
if listing == "--list":
    for f in high:
        snippet = (f.get("evidence") or {}).get("snippet", "")
        print(f"    {f['rule']}  {f['path']}:{f['line']}  {snippet[:140]}")
PY
done

[ "${RECALL:-1}" = 0 ] && exit 0
echo "== recall (planted credentials, crates/oversight-secrets/tests/it/recall.rs)"
cargo test --release --quiet --manifest-path "$ROOT/Cargo.toml" -p oversight-secrets --test it \
  recall_on_planted_credentials -- --nocapture 2>&1 | grep -E '^(recall|  )' || true
