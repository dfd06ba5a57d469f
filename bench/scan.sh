#!/usr/bin/env bash
# Benchmark of `oversight scan` against ripgrep reading the same trees, in one run.
#
# Trees (real code nobody here wrote; override with BENCH_TREES="dir1 dir2"):
#   - the crate sources under ~/.cargo/registry/src (populated by any build)
#   - the site-packages of the peers' Python venv (../shared/tools/peers-setup.sh
#     makes it in /opt/peers/venv), or of any venv given in BENCH_TREES
# Plus two single files generated under $BENCH_TMP: 1 GiB of source-like text,
# and a 500 MiB single-line minified file.
#
# For each tree: one warm-up read, then ripgrep (`rg -uuu -c LITERAL`) and
# `oversight scan --format json` timed by GNU time; prints wall time, MB/s,
# files/s, peak RSS and the wall-time ratio oversight/ripgrep.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
BENCH_TMP=${BENCH_TMP:-/tmp/oversight-bench}
mkdir -p "$BENCH_TMP"

RG=${RG:-$(command -v rg || echo /opt/peers/cargo/bin/rg)}
[ -x "$RG" ] || { echo "ripgrep not found: run ../shared/tools/peers-setup.sh or set RG" >&2; exit 2; }

echo "building oversight (release)..." >&2
cargo build --release --quiet --manifest-path "$ROOT/Cargo.toml" -p oversight
OVERSIGHT="${CARGO_TARGET_DIR:-$ROOT/target}/release/oversight"

if [ -z "${BENCH_TREES:-}" ]; then
  BENCH_TREES=""
  [ -d "$HOME/.cargo/registry/src" ] && BENCH_TREES="$HOME/.cargo/registry/src"
  for sp in /opt/peers/venv/lib/python3*/site-packages; do
    [ -d "$sp" ] && BENCH_TREES="$BENCH_TREES $sp"
  done
fi

# Runs a command under GNU time; prints "wall_seconds max_rss_kb exit_status".
measure() {
  /usr/bin/time -o "$BENCH_TMP/time.txt" -f '%e %M %x' "$@" >/dev/null 2>"$BENCH_TMP/stderr.txt" || true
  cat "$BENCH_TMP/time.txt" | tail -1
}

printf '\nmachine: %s cores, %s, %s\n' "$(nproc)" "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')" "$(free -g | awk '/Mem:/{print $2" GiB RAM"}')"
printf '%-14s %-48s %9s %9s %8s %8s %9s %8s\n' tool tree files MB wall_s MB/s files/s rss_MB

total_rg=0; total_ov=0
for tree in $BENCH_TREES; do
  files=$(find "$tree" -type f | wc -l)
  bytes=$(find "$tree" -type f -printf '%s\n' | awk '{s+=$1} END {print s+0}')
  mb=$(awk -v b="$bytes" 'BEGIN{printf "%.1f", b/1e6}')
  "$RG" -uuu -c OVERSIGHTBENCHLITERAL "$tree" >/dev/null 2>&1 || true   # warm the page cache
  read -r rg_s rg_kb < <(measure "$RG" -uuu -c OVERSIGHTBENCHLITERAL "$tree")
  # The detectors of the scanning foundation alone, then with secrets, then everything.
  read -r base_s base_kb _ < <(measure "$OVERSIGHT" scan "$tree" --no-secrets --no-licenses --format json --no-progress --output "$BENCH_TMP/report.json")
  read -r sec_s sec_kb _ < <(measure "$OVERSIGHT" scan "$tree" --no-licenses --format json --no-progress --output "$BENCH_TMP/report.json")
  read -r ov_s ov_kb ov_rc < <(measure "$OVERSIGHT" scan "$tree" --format json --no-progress --output "$BENCH_TMP/report.json")
  for row in "ripgrep $rg_s $rg_kb" "ov:malicious $base_s $base_kb" "ov:+secrets $sec_s $sec_kb" "ov:all $ov_s $ov_kb"; do
    set -- $row
    awk -v t="$1" -v tree="$tree" -v f="$files" -v mb="$mb" -v s="$2" -v kb="$3" 'BEGIN{
      if (s<=0) s=0.01; printf "%-14s %-48s %9d %9.1f %8.2f %8.1f %9.0f %8.1f\n", t, substr(tree, length(tree)-47), f, mb, s, mb/s, f/s, kb/1024 }'
  done
  awk -v m="$base_s" -v s="$sec_s" -v a="$ov_s" -v b="$rg_s" 'BEGIN{ if (b<=0) b=0.01; if (m<=0) m=0.01; if (s<=0) s=0.01;
    printf "ratio to ripgrep: malicious+integrity %.2fx, +secrets %.2fx, all detectors %.2fx; secrets add %.0f%%, licences add %.0f%%\n", m/b, s/b, a/b, (s/m-1)*100, (a/s-1)*100 }'
  total_rg=$(awk -v a="$total_rg" -v b="$rg_s" 'BEGIN{print a+b}')
  total_ov=$(awk -v a="$total_ov" -v b="$ov_s" 'BEGIN{print a+b}')
  total_base=$(awk -v a="${total_base:-0}" -v b="$base_s" 'BEGIN{print a+b}')
done
awk -v m="${total_base:-0}" -v a="$total_ov" -v b="$total_rg" 'BEGIN{ if (b<=0) b=0.01; printf "\nall trees: ripgrep %.2f s; oversight malicious+integrity %.2f s (%.2fx), all detectors %.2f s (%.2fx)\n", b, m, m/b, a, a/b }'

if [ "${BENCH_SINGLE_FILES:-1}" = 1 ]; then
  big="$BENCH_TMP/big-1g.c"; mini="$BENCH_TMP/minified-500m.js"
  if [ ! -f "$big" ]; then
    python3 - "$big" "$mini" <<'PY'
import sys, random
random.seed(7)
words = ["int", "return", "if", "else", "for", "while", "static", "const", "char", "void", "eval", "size_t", "buffer", "length"]
line = lambda: " ".join(random.choice(words) for _ in range(random.randint(3, 14))) + ";\n"
block = "".join(line() for _ in range(20000)).encode()
with open(sys.argv[1], "wb") as f:
    n = 0
    while n < (1 << 30):
        f.write(block); n += len(block)
chunk = ("var a=function(b){return b.map(function(c){return c*2})};" * 2000).encode()
with open(sys.argv[2], "wb") as f:
    n = 0
    while n < (500 << 20):
        f.write(chunk); n += len(chunk)
PY
  fi
  printf '\n%-14s %-48s %9s %9s %8s %8s %9s %8s\n' tool file files MB wall_s MB/s files/s rss_MB
  for f in "$big" "$mini"; do
    mb=$(awk -v b="$(stat -c %s "$f")" 'BEGIN{printf "%.1f", b/1e6}')
    cat "$f" >/dev/null
    read -r rg_s rg_kb < <(measure "$RG" -uuu -c OVERSIGHTBENCHLITERAL "$f")
    read -r ov_s ov_kb ov_rc < <(measure "$OVERSIGHT" scan "$f" --format json --no-progress --output "$BENCH_TMP/report.json")
    for row in "ripgrep $rg_s $rg_kb" "oversight $ov_s $ov_kb"; do
      set -- $row
      awk -v t="$1" -v tree="$f" -v mb="$mb" -v s="$2" -v kb="$3" 'BEGIN{
        if (s<=0) s=0.01; printf "%-14s %-48s %9d %9.1f %8.2f %8.1f %9.0f %8.1f\n", t, substr(tree, length(tree)-47), 1, mb, s, mb/s, 1/s, kb/1024 }'
    done
  done
fi
