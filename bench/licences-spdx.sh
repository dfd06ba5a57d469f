#!/usr/bin/env bash
# The SPDX licence list's own texts scanned as ordinary files (issue 16): every
# distinct text of license-list-data/text (current licences and exceptions,
# grouped by normalised words) is run through the licence detector as a file
# named `notes.txt` (or $1), and the script prints how many are reported as
# themselves, how many with another licence (phantoms), and every failure.
#
# The corpus is found as the tests find it (../shared/corpora, or
# $OVERSIGHT_CORPORA); set SPDX_TEXTS to use another directory of texts.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
NAME=${1:-notes.txt}
CORPORA=${OVERSIGHT_CORPORA:-$(cd "$ROOT/.." && pwd)/shared/corpora}
TEXTS=${SPDX_TEXTS:-$CORPORA/spdx-license-list/license-list-data/text}
[ -d "$TEXTS" ] || { echo "no SPDX texts at $TEXTS (run scripts/test once, or set SPDX_TEXTS)" >&2; exit 2; }
cargo run --release --quiet --manifest-path "$ROOT/Cargo.toml" -p oversight-licenses \
  --example spdx_texts -- "$TEXTS" "$NAME"
