#!/usr/bin/env bash
# Benchmark of licence and copyright detection (issue 5), in one run:
#
# 1. next to ScanCode (`scancode -l -c -n 2`, installed by
#    ../shared/tools/peers-setup.sh into /opt/peers) on the same subset of
#    about 2,000 files / 13 MB of real Rust and Python code: whole crates from
#    ~/.cargo/registry/src and whole packages (with their .dist-info) from the
#    peers' venv site-packages, picked deterministically (every 7th crate and
#    every 2nd package in name order, none with a file over 1 MB or an
#    average over 12 KB), copied under $BENCH_TMP;
# 2. the cost of licence and copyright detection inside a full scan:
#    `oversight scan --no-licenses` against the default scan, on the whole
#    crate sources and the whole site-packages (as bench/scan.sh reads them).
#
# Oversight runs are repeated ($RUNS, default 3) and the median is kept;
# ScanCode runs once (about 6 minutes on 2 cores). BENCH_SKIP_SCANCODE=1
# skips it.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
BENCH_TMP=${BENCH_TMP:-/tmp/oversight-bench}
RUNS=${RUNS:-3}
mkdir -p "$BENCH_TMP"
[ -f /opt/peers/env.sh ] && source /opt/peers/env.sh

echo "building oversight (release)..." >&2
cargo build --release --quiet --manifest-path "$ROOT/Cargo.toml" -p oversight
OVERSIGHT="${CARGO_TARGET_DIR:-$ROOT/target}/release/oversight"

CRATES=${CRATES:-$HOME/.cargo/registry/src}
SITE=${SITE:-$(ls -d /opt/peers/venv/lib/python3*/site-packages 2>/dev/null | head -1)}
SUBSET="$BENCH_TMP/licence-subset"

if [ ! -d "$SUBSET" ]; then
  python3 - "$CRATES" "$SITE" "$SUBSET" <<'PY'
import os, shutil, sys
crates_root, site, out = sys.argv[1:4]
MAX_FILE = 1 << 20

def files_of(path):
    if os.path.isfile(path):
        return [path]
    found = []
    for d, _, names in os.walk(path):
        found += [os.path.join(d, n) for n in names]
    return found

def take(units, base, dest, files_goal, bytes_goal, stride):
    n = b = 0
    for unit in units[::stride]:
        fs = [f for f in files_of(unit) if not os.path.islink(f)]
        sizes = [os.path.getsize(f) for f in fs]
        # Small-file packages, so that the subset has the file count and
        # size of an ordinary source tree (under 12 KB a file).
        if not fs or max(sizes) > MAX_FILE or sum(sizes) / len(fs) > 12000:
            continue
        if n + len(fs) > files_goal * 1.05 or b + sum(sizes) > bytes_goal * 1.05:
            continue
        for f in fs:
            to = os.path.join(dest, os.path.relpath(f, base))
            os.makedirs(os.path.dirname(to), exist_ok=True)
            shutil.copy2(f, to)
        n += len(fs); b += sum(sizes)
        if n >= files_goal or b >= bytes_goal:
            break
    return n, b

registries = [os.path.join(crates_root, r) for r in sorted(os.listdir(crates_root))]
crates = sorted(os.path.join(r, c) for r in registries for c in os.listdir(r))
n1, b1 = take(crates, crates_root, os.path.join(out, "crates"), 1000, 6_500_000, 7)
packages = []
if site and os.path.isdir(site):
    for name in sorted(os.listdir(site)):
        if name.endswith(".dist-info") or name == "__pycache__":
            continue
        packages.append(os.path.join(site, name))
n2, b2 = take(packages, site, os.path.join(out, "site-packages"), 2000 - n1, 13_000_000 - b1, 2)
# The dist-info of every package taken, so that components and their
# licences are part of the subset.
if site and os.path.isdir(site):
    taken = {n.split(".")[0].lower().replace("-", "_") for n in os.listdir(os.path.join(out, "site-packages"))}
    for name in sorted(os.listdir(site)):
        if name.endswith(".dist-info") and name.split("-")[0].lower().replace("-", "_") in taken:
            shutil.copytree(os.path.join(site, name), os.path.join(out, "site-packages", name))
print(f"subset: {n1} crate files ({b1/1e6:.1f} MB), {n2} site-packages files ({b2/1e6:.1f} MB)", file=sys.stderr)
PY
fi

files=$(find "$SUBSET" -type f | wc -l)
mb=$(find "$SUBSET" -type f -printf '%s\n' | awk '{s+=$1} END {printf "%.1f", s/1e6}')

# Wall seconds of one run of a command (GNU time).
wall() {
  /usr/bin/time -o "$BENCH_TMP/time.txt" -f '%e' "$@" >/dev/null 2>"$BENCH_TMP/stderr.txt" || true
  tail -1 "$BENCH_TMP/time.txt"
}
# Median wall seconds of $RUNS runs.
median() {
  local times=()
  for _ in $(seq "$RUNS"); do times+=("$(wall "$@")"); done
  printf '%s\n' "${times[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

printf '\nmachine: %s cores, %s, %s; %s\n' "$(nproc)" "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')" "$(free -g | awk '/Mem:/{print $2" GiB RAM"}')" "$(date -u +%Y-%m-%d)"
printf 'subset: %s files, %s MB (%s)\n\n' "$files" "$mb" "$SUBSET"

find "$SUBSET" -type f -exec cat {} + >/dev/null   # warm the page cache
# Licence and copyright detection alone: no secrets, no dependency inventory
# (the malicious and integrity detectors still run, so this overstates the cost).
ov_lic=$(median "$OVERSIGHT" scan "$SUBSET" --no-secrets --no-deps --format json --no-progress --output "$BENCH_TMP/ov-licences.json")
ov_none=$(median "$OVERSIGHT" scan "$SUBSET" --no-secrets --no-deps --no-licenses --format json --no-progress --output "$BENCH_TMP/ov-none.json")
printf '%-44s %8s s\n' "oversight scan --no-secrets --no-deps" "$ov_lic"
printf '%-44s %8s s\n' "  same with --no-licenses" "$ov_none"
if [ "${BENCH_SKIP_SCANCODE:-0}" != 1 ] && command -v scancode >/dev/null; then
  sc=$(wall scancode -l -c -n 2 --quiet --json "$BENCH_TMP/scancode.json" "$SUBSET")
  printf '%-44s %8s s\n' "scancode -l -c -n 2 ($(scancode --version 2>/dev/null | head -1 | awk '{print $NF}'))" "$sc"
  awk -v s="$sc" -v o="$ov_lic" -v n="$ov_none" 'BEGIN{ if (o<=0) o=0.01; d=o-n; if (d<=0.01) d=0.01;
    printf "speed-up: %.0fx (whole scan), %.0fx (licence and copyright share of it)\n", s/o, s/d }'
fi

# Overhead inside a full scan, per tree.
printf '\n%-50s %10s %10s %9s\n' tree "no-lic s" "default s" overhead
for tree in "$CRATES" "$SITE"; do
  [ -d "$tree" ] || continue
  find "$tree" -type f -exec cat {} + >/dev/null 2>&1 || true
  off=$(median "$OVERSIGHT" scan "$tree" --no-licenses --format json --no-progress --output "$BENCH_TMP/report.json")
  on=$(median "$OVERSIGHT" scan "$tree" --format json --no-progress --output "$BENCH_TMP/report.json")
  awk -v t="$tree" -v a="$off" -v b="$on" 'BEGIN{ if (a<=0) a=0.01; printf "%-50s %10.2f %10.2f %8.0f%%\n", substr(t, length(t)-49), a, b, (b/a-1)*100 }'
done
