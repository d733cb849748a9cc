#!/usr/bin/env bash
# Regenerate docs/screenshots/*.png: build hikeshi, run the browser tests (tests/browser) with
# HIKESHI_SCREENSHOTS=1 so they save full-page PNGs of the main pages in Japanese and English.
# Needs Debian's chromium, chromium-driver and fonts-noto-cjk (scripts/test.sh installs them).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build -q -p hikeshi
target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
SCRATCH=${HIKESHI_SCRATCH:-/tmp/hikeshi-external}
[ -x "$SCRATCH/venv-browser/bin/python" ] || python3 -m venv "$SCRATCH/venv-browser"
"$SCRATCH/venv-browser/bin/pip" install -q -r tests/browser/requirements.txt
HIKESHI_SCREENSHOTS=1 HIKESHI_BIN="$target_dir/debug/hikeshi" \
  "$SCRATCH/venv-browser/bin/python" -m pytest -q -p no:cacheprovider tests/browser
ls -l docs/screenshots/
