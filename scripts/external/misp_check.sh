#!/usr/bin/env bash
# External check: hikeshi's MISP events and feeds against PyMISP (version pinned in
# requirements-misp.txt). Writes sample events and a feed with the misp_samples example, loads
# each with MISPEvent, compares every attribute, re-imports PyMISP's own JSON and compares the
# result, and checks manifest.json and hashes.csv against what PyMISP computes. Exits non-zero
# on any difference, naming it.
#
#   scripts/external/misp_check.sh
#
# Environment: VENV (default $SCRATCH/venv-misp, created when missing), SCRATCH (default
# /work/scratch), HIKESHI_CARGO (default cargo), CARGO_TARGET_DIR (respected; default target).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
SCRATCH="${SCRATCH:-/work/scratch}"
VENV="${VENV:-$SCRATCH/venv-misp}"
CARGO="${HIKESHI_CARGO:-cargo}"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"

[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/pip" install -q -r "$ROOT/scripts/external/requirements-misp.txt"

(cd "$ROOT" && CARGO_TARGET_DIR="$TARGET" "$CARGO" build -q -p hikeshi-exchange --example misp_samples)
BIN="$TARGET/debug/examples/misp_samples"

OUT="$(mktemp -d "${TMPDIR:-/tmp}/hikeshi-misp-check.XXXXXX")"
trap 'rm -rf "$OUT"' EXIT
"$BIN" write "$OUT" >/dev/null
"$VENV/bin/python" "$ROOT/scripts/external/misp_check.py" "$BIN" "$OUT"
