#!/usr/bin/env bash
# Escrow deposit benchmark, one run, 2 cores: a ~1 GB delivery of real files
# (the crate sources in ~/.cargo/registry/src, copied until the tree holds
# 1 GB) is put into a local evidence store, then deposited from it (the
# deterministic tar.zst, every blob checked against its digest, hashed for
# the signatures); `tar --zstd` packs the same files in the same run. The
# ratio of the two is printed (target <= 2).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
BENCH_TMP=${BENCH_TMP:-/tmp/oversight-bench}
SOURCE=${ESCROW_SOURCE:-$HOME/.cargo/registry/src}
TREE=$BENCH_TMP/escrow-delivery
TARGET_BYTES=$((1000 * 1000 * 1000))
mkdir -p "$BENCH_TMP"
if [ ! -f "$TREE/.complete" ]; then
  rm -rf "$TREE"
  mkdir -p "$TREE"
  copy=0
  size=0
  while [ "$size" -lt "$TARGET_BYTES" ]; do
    copy=$((copy + 1))
    for crate in "$SOURCE"/*/*/; do
      cp -r "$crate" "$TREE/copy$copy-$(basename "$crate")"
      size=$((size + $(du -sb "$crate" | cut -f1)))
      if [ "$size" -ge "$TARGET_BYTES" ]; then break; fi
    done
  done
  touch "$TREE/.complete"
fi
echo "tree: $(du -sh "$TREE" | cut -f1), $(find "$TREE" -type f | wc -l) files"
sync
ESCROW_BENCH_DIR=$TREE BENCH_TMP=$BENCH_TMP \
  cargo bench --quiet --manifest-path "$ROOT/Cargo.toml" -p oversight-escrow --bench deposit
