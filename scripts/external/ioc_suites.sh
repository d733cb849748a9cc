#!/usr/bin/env bash
# External check: the public test cases of ioc-finder (from its PyPI sdist, pinned) run against
# `hikeshi ioc extract` through scripts/external/ioc_finder_adapter.py. Nothing of theirs is
# copied into the repository; the sdists are unpacked under $SCRATCH.
#
#   HIKESHI_BIN=target/release/hikeshi scripts/external/ioc_suites.sh
#
# iocextract 1.16.1 is installed too, but its sdist ships no tests (they live only in its source
# repository), so there is no suite of its to run; this is reported, not hidden.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
SCRATCH="${SCRATCH:-/work/scratch}"
VENV="${VENV:-$SCRATCH/venv-ioc}"
: "${HIKESHI_BIN:?set HIKESHI_BIN to a hikeshi binary with the ioc extract command}"
mkdir -p "$SCRATCH/sdists"
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/pip" install -q ioc-finder==9.4.1 iocextract==1.16.1 requests==2.32.3 pytest==8.3.4
cd "$SCRATCH/sdists"
for spec in ioc-finder==9.4.1 iocextract==1.16.1; do
  "$VENV/bin/pip" download -q --no-deps --no-binary :all: "$spec"
done
for f in ioc_finder-9.4.1.tar.gz iocextract-1.16.1.tar.gz; do tar xzf "$f"; done
if ! ls iocextract-1.16.1 | grep -qi test; then
  echo "iocextract 1.16.1: the sdist ships no test suite; nothing to run"
fi
"$VENV/bin/python" "$ROOT/scripts/external/ioc_finder_adapter.py" \
  "$SCRATCH/sdists/ioc_finder-9.4.1" "$SCRATCH/ioc_finder_report.md"
echo "full report: $SCRATCH/ioc_finder_report.md"
