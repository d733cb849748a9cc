#!/usr/bin/env bash
# External check: the STIX 2.1 bundles hikeshi writes, validated by the OASIS tools.
#
#   scripts/external/stix_check.sh [OUT_DIR]
#
# 1. builds and runs crates/exchange/examples/stix_samples.rs, which writes sample bundles
#    (every kind, every TLP, Japanese text, one bundle per tlp_max ceiling) into OUT_DIR
#    (default $SCRATCH/stix-samples);
# 2. adds every *.json in $STIX_EXTRA_DIR when set (bundles written by the CLI or the server);
# 3. runs `stix2_validator --strict --enforce-refs` on every bundle, with no check disabled,
#    and the stix2-patterns validator on every STIX pattern found in them;
# 4. runs the shared pattern table crates/exchange/tests/data/stix/patterns.tsv through
#    stix2-patterns, so our parser (whose test reads the same table) and the reference grammar
#    are checked to agree.
# Exits non-zero on any error, naming the file or the pattern.
#
# Nothing is disabled: an indicator is `based-on` an `observed-data` wrapping its SCO (a
# suggested target, so check 202 "relationship-types" passes under --strict too); docs/stix.md.
#
# Environment: VENV (default $SCRATCH/venv-stix, created when missing; needs python3-venv),
# HIKESHI_CARGO (default cargo), CARGO_TARGET_DIR (respected), STIX_EXTRA_DIR (optional).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
SCRATCH="${SCRATCH:-/work/scratch}"
VENV="${VENV:-$SCRATCH/venv-stix}"
CARGO="${HIKESHI_CARGO:-cargo}"
OUT="${1:-$SCRATCH/stix-samples}"

[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/pip" install -q --disable-pip-version-check -r "$ROOT/scripts/external/requirements-stix.txt"

rm -rf "$OUT"
mkdir -p "$OUT"
(cd "$ROOT" && "$CARGO" run -q -p hikeshi-exchange --example stix_samples -- "$OUT")

files=("$OUT"/*.json)
if [ -n "${STIX_EXTRA_DIR:-}" ]; then
  shopt -s nullglob
  extra=("$STIX_EXTRA_DIR"/*.json)
  shopt -u nullglob
  echo "STIX_EXTRA_DIR: ${#extra[@]} extra bundle(s) from $STIX_EXTRA_DIR"
  files+=("${extra[@]}")
fi

fail=0
for f in "${files[@]}"; do
  if log="$("$VENV/bin/stix2_validator" --strict --enforce-refs "$f" 2>&1)"; then
    echo "ok      $f"
  else
    echo "INVALID $f"
    echo "$log" | grep -v '^=*$' | sed 's/^/    /'
    fail=1
  fi
done

# Every pattern of every indicator, through the reference ANTLR grammar.
if ! "$VENV/bin/python" - "${files[@]}" <<'PY'
import json, sys
from stix2patterns.validator import run_validator
bad = n = 0
for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    for o in doc.get("objects", []):
        if o.get("type") == "indicator" and o.get("pattern_type") == "stix":
            n += 1
            errors = run_validator(o["pattern"], stix_version="2.1")
            if errors:
                bad += 1
                print("BAD PATTERN %s %s: %s\n    %s" % (path, o["id"], o["pattern"], "; ".join(errors)))
print("patterns: %d checked, %d invalid" % (n, bad))
sys.exit(1 if bad else 0)
PY
then
  fail=1
fi

# The shared pattern table (also run by crates/exchange/tests/stix_pattern.rs against our parser)
# through the reference grammar: ok lines must pass, err lines fail, strict lines pass there
# (we refuse them on purpose; docs/stix.md).
if ! "$VENV/bin/python" - "$ROOT/crates/exchange/tests/data/stix/patterns.tsv" <<'PY'
import sys
from stix2patterns.validator import run_validator
bad = n = 0
for line in open(sys.argv[1], encoding="utf-8"):
    if line.startswith("#") or not line.strip():
        continue
    verdict, pattern = line.rstrip("\n").split("\t", 1)
    n += 1
    accepted = not run_validator(pattern, stix_version="2.1")
    if accepted != (verdict in ("ok", "strict")):
        bad += 1
        print("PATTERN TABLE: stix2-patterns %s %r, table says %s" % ("accepts" if accepted else "refuses", pattern, verdict))
print("pattern table: %d lines, %d disagreements with stix2-patterns" % (n, bad))
sys.exit(1 if bad else 0)
PY
then
  fail=1
fi

if [ "$fail" -ne 0 ]; then
  echo "stix_check: FAILED"
  exit 1
fi
echo "stix_check: all ${#files[@]} bundle(s) valid (stix2-validator --strict), all patterns valid"
