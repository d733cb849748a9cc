#!/usr/bin/env bash
# Indicator extraction throughput: hikeshi-ioc against ioc-finder and iocextract, same corpus,
# same run, one thread each. Figures go to docs/PERFORMANCE.md ("Indicator extraction").
#
#   bench/ioc_extract.sh                 # 100 MB corpus; Python tools on its first 10 MB
#   SIZE=10MB PY_MB=10 bench/ioc_extract.sh
#
# The Python tools get a prefix of the same corpus because they take minutes per 100 MB
# (iocextract about 0.5 MB/s); their throughput per byte does not depend on the length (set
# PY_MB=100 to measure the whole corpus). Scratch files go to $SCRATCH, never the repository.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SHARED="${SHARED:-$ROOT/../shared}"
SCRATCH="${SCRATCH:-/work/scratch}"
SIZE="${SIZE:-100MB}"
PY_MB="${PY_MB:-10}"
VENV="${VENV:-$SCRATCH/venv-ioc}"
CORPUS="$SCRATCH/corpus_${SIZE,,}.txt"
mkdir -p "$SCRATCH"

if [ ! -s "$CORPUS" ]; then
  echo "# generating $CORPUS"
  python3 "$SHARED/bench/gen_corpus.py" --size "$SIZE" --seed 1 --out "$CORPUS" \
    --manifest "${CORPUS%.txt}.json"
fi

if [ ! -x "$VENV/bin/python" ]; then
  echo "# creating $VENV"
  python3 -m venv "$VENV"
fi
# iocextract imports requests without declaring it.
"$VENV/bin/pip" install -q ioc-finder==9.4.1 iocextract==1.16.1 requests==2.32.3

echo "# hikeshi-ioc (cargo bench, release, one thread)"
RUST_OUT="$(cd "$ROOT" && CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}" \
  cargo bench -q -p hikeshi-ioc --bench extract -- "$CORPUS" 2>/dev/null)"
echo "$RUST_OUT"
RUST_MBS="$(echo "$RUST_OUT" | sed -n 's/^throughput: \([0-9.]*\) MB\/s (median).*/\1/p')"
RUST_CPU="$(echo "$RUST_OUT" | sed -n 's/^cpu time: .*, \([0-9.]*\) MB\/s of CPU time.*/\1/p')"

echo "# Python reference tools on the first ${PY_MB} MB of the same corpus"
PY_OUT="$("$VENV/bin/python" "$ROOT/bench/ioc_extract_py.py" "$CORPUS" "$((PY_MB * 1000000))")"
echo "$PY_OUT"
BEST_PY="$(echo "$PY_OUT" | python3 -c 'import sys,json; print(max(json.loads(l)["mb_s"] for l in sys.stdin))')"
BEST_PY_CPU="$(echo "$PY_OUT" | python3 -c 'import sys,json; print(max(json.loads(l)["cpu_mb_s"] for l in sys.stdin))')"

python3 - "$RUST_MBS" "$RUST_CPU" "$BEST_PY" "$BEST_PY_CPU" <<'PY'
import sys
rust, cpu, py, py_cpu = (float(x) if x else 0.0 for x in sys.argv[1:])
print(f"hikeshi-ioc: {rust:.1f} MB/s wall, {cpu:.1f} MB/s of CPU time")
print(f"faster Python tool: {py:.2f} MB/s wall, {py_cpu:.2f} MB/s of CPU time")
print(f"ratio: {rust / py:.0f}x (wall), {cpu / py_cpu:.0f}x (CPU time)")
PY
