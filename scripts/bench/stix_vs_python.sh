#!/usr/bin/env bash
# STIX 2.1 import/export: hikeshi-exchange against the Python stix2 library, same bundle, same
# machine, same run. Figures go to docs/PERFORMANCE.md ("## STIX 2.1 import/export (issue 6)").
#
#   scripts/bench/stix_vs_python.sh [N]        # N indicators, default 100000
#
# (a) ours: the release example stix_roundtrip: read_bundle (streaming) then write_bundle of
#     what was imported; parse and write seconds (wall and CPU) and peak RSS (VmHWM), plus
#     /usr/bin/time -v.
# (b) Python: stix2.parse(text, allow_custom=True) and bundle.serialize(), pinned in
#     scripts/external/requirements-stix.txt; seconds (wall and CPU) and peak RSS (ru_maxrss).
# The ratios are of wall times; on a loaded machine the CPU-time ratios are printed too (wall
# time then also counts waiting for a core, which hurts a 0.3 s run more than a 60 s one).
# Environment: VENV (default $SCRATCH/venv-stix), HIKESHI_CARGO (default cargo),
# CARGO_TARGET_DIR (respected; default target).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
SCRATCH="${SCRATCH:-/work/scratch}"
VENV="${VENV:-$SCRATCH/venv-stix}"
CARGO="${HIKESHI_CARGO:-cargo}"
N="${1:-100000}"
GEN="${GEN_STIX:-/work/shared/bench/gen_stix.py}"
DIR="$SCRATCH/stix-bench"
mkdir -p "$DIR"

[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/pip" install -q --disable-pip-version-check -r "$ROOT/scripts/external/requirements-stix.txt"

IN="$DIR/bundle-$N.json"
[ -s "$IN" ] || python3 "$GEN" "$N" "$IN" --seed 1
echo "input: $IN ($(du -h "$IN" | cut -f1)), $(nproc) cores, load: $(cut -d' ' -f1-3 /proc/loadavg)"

(cd "$ROOT" && "$CARGO" build -q --release -p hikeshi-exchange --example stix_roundtrip)
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/examples/stix_roundtrip"

rust_line="$(/usr/bin/time -v "$BIN" "$IN" "$DIR/out-rust.json" 2>"$DIR/time-rust.txt")"
echo "$rust_line"
grep -E "Maximum resident|Elapsed" "$DIR/time-rust.txt" | sed 's/^\s*/    /'

py_line="$("$VENV/bin/python" - "$IN" "$DIR/out-python.json" <<'PY'
import resource, sys, time
import stix2
src, dst = sys.argv[1], sys.argv[2]
t, c = time.perf_counter(), time.process_time()
with open(src, encoding="utf-8") as f:
    bundle = stix2.parse(f.read(), allow_custom=True)
parse, parse_cpu = time.perf_counter() - t, time.process_time() - c
t, c = time.perf_counter(), time.process_time()
text = bundle.serialize()
with open(dst, "w", encoding="utf-8") as f:
    f.write(text)
write, write_cpu = time.perf_counter() - t, time.process_time() - c
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print("python objects=%d parse_s=%.3f write_s=%.3f parse_cpu_s=%.3f write_cpu_s=%.3f peak_rss_kib=%d"
      % (len(bundle.objects), parse, write, parse_cpu, write_cpu, rss))
PY
)"
echo "$py_line"
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"

python3 - "$rust_line" "$py_line" <<'PY'
import sys
def kv(line):
    return {k: float(v) for k, v in (p.split("=") for p in line.split()[1:])}
r, p = kv(sys.argv[1]), kv(sys.argv[2])
print("ratios (python / rust): parse %.1fx, write %.1fx, total %.1fx, peak RSS %.1fx"
      % (p["parse_s"] / r["parse_s"], p["write_s"] / r["write_s"],
         (p["parse_s"] + p["write_s"]) / (r["parse_s"] + r["write_s"]),
         p["peak_rss_kib"] / r["peak_rss_kib"]))
print("CPU-time ratios (python / rust): parse %.1fx, write %.1fx"
      % (p["parse_cpu_s"] / r["parse_cpu_s"], p["write_cpu_s"] / r["write_cpu_s"]))
PY
