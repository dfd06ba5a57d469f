#!/usr/bin/env bash
# Secrets benchmark, one run, same trees, 2 cores:
#  1. cost of the built-in secret rules: `oversight scan` with and without them;
#  2. `oversight scan` vs `detect-secrets scan --all-files -n .` on a real tree;
#  3. history: `oversight scan --history` vs trufflehog 2.x on a generated
#     repository, and `--history` on a 10,000-commit repository.
# Peers come from ../shared/tools/peers-setup.sh (/opt/peers).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
BENCH_TMP=${BENCH_TMP:-/tmp/oversight-bench}
mkdir -p "$BENCH_TMP"
[ -f /opt/peers/env.sh ] && source /opt/peers/env.sh

cargo build --release --quiet --manifest-path "$ROOT/Cargo.toml" -p oversight
OVERSIGHT="${CARGO_TARGET_DIR:-$ROOT/target}/release/oversight"

measure() {   # prints "wall_seconds max_rss_kb exit_status"
  /usr/bin/time -o "$BENCH_TMP/time.txt" -f '%e %M %x' "$@" >/dev/null 2>"$BENCH_TMP/stderr.txt" || true
  tail -1 "$BENCH_TMP/time.txt"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b<=0) b=0.01; printf "%.1f", a/b }'; }

# A real multi-language tree: crate sources, copied so every tool sees the same files.
TREE=${BENCH_SECRETS_TREE:-$BENCH_TMP/secrets-tree}
if [ ! -d "$TREE" ]; then
  mkdir -p "$TREE"
  budget=$(( ${BENCH_SECRETS_MB:-40} * 1000000 )); total=0
  for d in "$HOME"/.cargo/registry/src/*/*/; do
    size=$(du -sb "$d" | cut -f1)
    cp -r "$d" "$TREE/"
    total=$((total + size))
    [ "$total" -ge "$budget" ] && break
  done
fi
files=$(find "$TREE" -type f | wc -l); mb=$(du -sm "$TREE" | cut -f1)
echo "tree: $TREE ($files files, $mb MB)"

"$OVERSIGHT" scan "$TREE" --no-secrets --format json --no-progress -o /dev/null >/dev/null 2>&1 || true  # warm cache
read -r base_s _ _ < <(measure "$OVERSIGHT" scan "$TREE" --no-secrets --format json --no-progress -o "$BENCH_TMP/nosecrets.json")
read -r full_s full_kb _ < <(measure "$OVERSIGHT" scan "$TREE" --format json --no-progress -o "$BENCH_TMP/secrets.json")
echo "oversight without secrets: ${base_s}s; with built-in secrets: ${full_s}s (overhead $(awk -v a="$full_s" -v b="$base_s" 'BEGIN{printf "%.0f", (a/b-1)*100}')%, rss $((full_kb/1024)) MB)"

if command -v detect-secrets >/dev/null; then
  read -r ds_s _ _ < <(cd "$TREE" && measure detect-secrets scan --all-files -n .)
  echo "detect-secrets scan --all-files -n .: ${ds_s}s; oversight is $(ratio "$ds_s" "$full_s")x faster"
fi

# History: a repository whose commits rewrite files of the tree.
REPO=$BENCH_TMP/history-repo
if [ ! -d "$REPO" ]; then
  git init -q -b main "$REPO"
  python3 - "$REPO" "$TREE" <<'PY'
import os, subprocess, sys
repo, tree = sys.argv[1], sys.argv[2]
files = []
for dp, _, fs in os.walk(tree):
    for f in fs:
        p = os.path.join(dp, f)
        if os.path.getsize(p) < 200_000:
            files.append(p)
files = files[:3000]
out = []
for n in range(1, 1001):
    out.append(f"commit refs/heads/main\nmark :{n}\ncommitter Dev <dev@example.invalid> {1_600_000_000 + n} +0000\ndata 8\ncommit {n % 10}\n")
    if n > 1:
        out.append(f"from :{n-1}\n")
    for p in files[(n * 3) % len(files):(n * 3) % len(files) + 3]:
        data = open(p, "rb").read() + f"\n// rev {n}\n".encode()
        rel = os.path.relpath(p, tree)
        out.append(f"M 100644 inline {rel}\ndata {len(data)}\n")
        out.append(data)
        out.append(b"\n" if isinstance(data, bytes) else "\n")
stream = b"".join(x if isinstance(x, bytes) else x.encode() for x in out)
subprocess.run(["git", "fast-import", "--quiet"], cwd=repo, input=stream, check=True)
subprocess.run(["git", "checkout", "-q", "main"], cwd=repo, check=True)
PY
fi
read -r oh_s _ _ < <(measure "$OVERSIGHT" scan "$REPO" --history --format json --no-progress -o "$BENCH_TMP/history.json")
echo "history (1,000 commits): oversight --history ${oh_s}s"
if command -v trufflehog >/dev/null; then
  read -r th_s _ _ < <(measure timeout 600 trufflehog --regex --entropy=False "file://$REPO")
  echo "trufflehog 2.x --regex on the same history: ${th_s}s; oversight is $(ratio "$th_s" "$oh_s")x faster"
fi

BIG=$BENCH_TMP/history-10k
if [ ! -d "$BIG" ]; then
  git init -q --bare -b main "$BIG"
  python3 - <<'PY' | git --git-dir="$BIG" fast-import --quiet
import sys
w = sys.stdout.write
for n in range(1, 10001):
    msg = f"commit {n}\n"
    w(f"commit refs/heads/main\nmark :{n}\ncommitter Dev <dev@example.invalid> {1_600_000_000 + n} +0000\ndata {len(msg)}\n{msg}")
    if n > 1:
        w(f"from :{n-1}\n")
    body = f"const VERSION = {n};\nexport function f{n % 97}() {{ return {n}; }}\n"
    w(f"M 100644 inline src/file{n % 500}.js\ndata {len(body)}\n{body}\n")
PY
fi
read -r big_s big_kb _ < <(measure "$OVERSIGHT" scan "$BIG" --history --format json --no-progress -o "$BENCH_TMP/history10k.json")
echo "history (10,000 commits): oversight --history ${big_s}s, rss $((big_kb/1024)) MB"
