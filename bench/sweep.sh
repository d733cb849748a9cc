#!/usr/bin/env bash
# Sweep benchmark (issue 4): hikeshi-sweep against ripgrep 15 and libdeflate, in one run.
#
#   bash bench/sweep.sh                 # 2 GiB Squid log, as the issue asks
#   SIZE=300M RUNS=3 bash bench/sweep.sh   # quicker
#   BEFORE=/path/to/older/examples/sweep bash bench/sweep.sh   # before/after in the same rounds
#
# Generated data goes to $SCRATCH (never into the repository). Every round runs every
# measurement once (ours and the baselines interleaved); prints the medians (wall, user and
# sys seconds, peak RSS), each round's wall time, and the ratios the goals are stated in.
# The machine is shared and noisy: compare the ratios of one run, not absolute figures.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
GEN="${GEN:-$ROOT/../shared/bench/gen_logs.py}"
SCRATCH="${SCRATCH:-/work/cache/sweep-bench}"
SIZE="${SIZE:-2G}"           # the Squid log
OTHER_SIZE="${OTHER_SIZE:-512M}"  # Zeek dns and firewall JSON-lines logs
GZ_SIZE="${GZ_SIZE:-512M}"   # the part of the Squid log compressed for the .gz comparison
RUNS="${RUNS:-3}"
RG_ROOT="${RG_ROOT:-/work/cache/rg}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/work/cache/target-sweep}"

mkdir -p "$SCRATCH"
cd "$SCRATCH"

gen() { # kind out size
  [ -s "$2" ] || python3 "$GEN" "$1" --out "$2" --size "$3" --seed 1 --quiet >/dev/null
}
gen squid "squid_$SIZE.log" "$SIZE"
gen zeek "zeek_$OTHER_SIZE.log" "$OTHER_SIZE"
gen fwjson "fw_$OTHER_SIZE.jsonl" "$OTHER_SIZE"
for n in 1000 100000 1000000; do
  [ -s "iocs_$n.txt" ] || python3 "$GEN" iocs --count "$n" --seed 1 --out "iocs_$n.txt" 2>/dev/null
done
if [ ! -s "squid_$GZ_SIZE.log.gz" ]; then
  # Whole lines only, then one gzip member at the default level.
  python3 - "$SIZE" "$GZ_SIZE" <<'PY'
import sys
def size(s):
    m = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    return int(float(s[:-1]) * m[s[-1]]) if s[-1] in m else int(s)
src, n = "squid_%s.log" % sys.argv[1], size(sys.argv[2])
with open(src, "rb") as f, open("squid_%s.log" % sys.argv[2], "wb") as o:
    data = f.read(n)
    o.write(data[: data.rfind(b"\n") + 1])
PY
  gzip -6 -c "squid_$GZ_SIZE.log" > "squid_$GZ_SIZE.log.gz"
fi
# Multi-member gzip, for the members inflated in parallel: bgzip's BGZF blocks (64 KiB each),
# and one gzip member per 64 MiB of whole lines, as a rotator that compresses per chunk writes
# (`pigz -i` is not that: it writes one member whose blocks are independent).
command -v bgzip >/dev/null || apt-get install -y tabix >/dev/null 2>&1 || true
if [ ! -s "squid_$GZ_SIZE.log.bgz" ] && command -v bgzip >/dev/null; then
  bgzip -@ 2 -c "squid_$GZ_SIZE.log" > "squid_$GZ_SIZE.log.bgz"
fi
if [ ! -s "squid_$GZ_SIZE.log.multi.gz" ]; then
  python3 - "squid_$GZ_SIZE.log" <<'PY'
import subprocess, sys
src = sys.argv[1]
with open(src, "rb") as f, open(src + ".multi.gz", "wb") as out:
    rest = b""
    while True:
        data = rest + f.read(64 << 20)
        if not data:
            break
        cut = data.rfind(b"\n") + 1 or len(data)
        part, rest = data[:cut], data[cut:]
        out.write(subprocess.run(["gzip", "-6", "-c"], input=part, capture_output=True, check=True).stdout)
PY
fi

# Tools: ripgrep 15 (Debian's 13 is not the anchor), libdeflate-gunzip, our example binary.
[ -x "$RG_ROOT/bin/rg" ] || cargo install ripgrep --version '^15' --root "$RG_ROOT"
RG="$RG_ROOT/bin/rg"
command -v libdeflate-gunzip >/dev/null || apt-get install -y libdeflate-tools >/dev/null 2>&1 || true
(cd "$ROOT" && cargo build --release -q -p hikeshi-sweep --example sweep)
SWEEP="$CARGO_TARGET_DIR/release/examples/sweep"

RESULTS="$SCRATCH/results.tsv"
RAW="$SCRATCH/raw.tsv"
: > "$RAW"
S="squid_$SIZE.log"; Z="zeek_$OTHER_SIZE.log"; J="fw_$OTHER_SIZE.jsonl"; G="squid_$GZ_SIZE.log"
# Every measurement: a name and a command. Each round runs all of them once, in this order, so
# ours and the baselines share the machine's state of that moment (interleaved, not in series).
NAMES=(); CMDS=()
add() { NAMES+=("$1"); shift; CMDS+=("$(printf '%q ' "$@")"); }
add rg_1k             "$RG" -F -c -f iocs_1000.txt "$S"
add sweep_t1_100k     "$SWEEP" --count --threads 1 --indicators iocs_100000.txt "$S"
add sweep_t1_1M       "$SWEEP" --count --threads 1 --indicators iocs_1000000.txt "$S"
add sweep_t2_100k     "$SWEEP" --count --threads 2 --indicators iocs_100000.txt "$S"
add load_1M           "$SWEEP" --load-only --indicators iocs_1000000.txt
add load_100k         "$SWEEP" --load-only --indicators iocs_100000.txt
add zeek_t1_100k      "$SWEEP" --count --threads 1 --indicators iocs_100000.txt "$Z"
add jsonl_t1_100k     "$SWEEP" --count --threads 1 --indicators iocs_100000.txt "$J"
add squidpart_t1_100k "$SWEEP" --count --threads 1 --indicators iocs_100000.txt "$G"
add libdeflate_gunzip sh -c "libdeflate-gunzip -c '$G.gz' > /dev/null"
add inflate_only      "$SWEEP" --inflate-only "$G.gz"
add gz_t1_100k        "$SWEEP" --count --threads 1 --indicators iocs_100000.txt "$G.gz"
add gz_t2_100k        "$SWEEP" --count --threads 2 --indicators iocs_100000.txt "$G.gz"
add mgz_t1_100k       "$SWEEP" --count --threads 1 --indicators iocs_100000.txt "$G.multi.gz"
add mgz_t2_100k       "$SWEEP" --count --threads 2 --indicators iocs_100000.txt "$G.multi.gz"
if [ -s "$G.bgz" ]; then
  add bgz_t1_100k     "$SWEEP" --count --threads 1 --indicators iocs_100000.txt "$G.bgz"
  add bgz_t2_100k     "$SWEEP" --count --threads 2 --indicators iocs_100000.txt "$G.bgz"
fi
if [ -n "${BEFORE:-}" ]; then
  # An earlier build of the example (BEFORE=path), for before/after figures from one run.
  add before_t1_100k  "$BEFORE" --count --threads 1 --indicators iocs_100000.txt "$S"
  add before_t1_1M    "$BEFORE" --count --threads 1 --indicators iocs_1000000.txt "$S"
  add before_t2_100k  "$BEFORE" --count --threads 2 --indicators iocs_100000.txt "$S"
fi

echo "# $(date -u '+%F %H:%M') UTC; $(nproc) cores; load average at start $(cut -d' ' -f1-3 /proc/loadavg); $RUNS rounds"
cat "$S" "$Z" "$J" "$G" "$G"*gz > /dev/null   # warm cache
for round in $(seq "$RUNS"); do
  for i in "${!NAMES[@]}"; do
    /usr/bin/time -f "%e %U %S %M" -o /tmp/sweep-bench.time sh -c "${CMDS[$i]} >/dev/null 2>/tmp/sweep-bench.err" || true
    printf '%s\t%s\t%s\n' "${NAMES[$i]}" "$round" "$(tail -n 1 /tmp/sweep-bench.time | tr ' ' '\t')" >> "$RAW"
  done
  echo "# round $round done, load average $(cut -d' ' -f1 /proc/loadavg)"
done
# Medians of wall, user and sys seconds; the largest peak RSS.
python3 - "$RAW" "$RESULTS" <<'PY'
import sys, statistics
rows = {}
for l in open(sys.argv[1]):
    name, _, w, u, s, m = l.split()
    rows.setdefault(name, []).append((float(w), float(u), float(s), int(m)))
with open(sys.argv[2], "w") as out:
    print("# name\twall_s\tuser_s\tsys_s\tmax_rss_kib\t(walls of every round)")
    for name, v in rows.items():
        med = [statistics.median(x[i] for x in v) for i in range(3)]
        line = "%s\t%.2f\t%.2f\t%.2f\t%d" % (name, *med, max(x[3] for x in v))
        out.write(line + "\n")
        print(line + "\t" + " ".join("%.2f" % x[0] for x in v))
PY

# Correctness in the same run: the exact truth of the generator.
echo "# hit lines: truth $(python3 -c "import json;print(json.load(open('$S.truth.json'))['hit_lines'])")," \
  "sweep 100k $("$SWEEP" --count --indicators iocs_100000.txt "$S" 2>/dev/null)," \
  "sweep 1M $("$SWEEP" --count --indicators iocs_1000000.txt "$S" 2>/dev/null)," \
  "rg 1k (substring) $("$RG" -F -c -f iocs_1000.txt "$S")"

python3 - "$RESULTS" "$S" "$Z" "$J" "$G" <<'PY'
import os, sys
r = {l.split("\t")[0]: [float(x) for x in l.split("\t")[1:5]] for l in open(sys.argv[1])}
w = lambda k: r[k][0]
u = lambda k: r[k][1]
mbps = lambda k, f: os.path.getsize(f) / w(k) / 1e6
umbps = lambda k, f: os.path.getsize(f) / u(k) / 1e6
S, Z, J, G = sys.argv[2:]
print("# goal checks (wall-clock ratios)")
print("rg_1k / sweep_t1_100k          = %.2f  (goal >= 1.00)" % (w("rg_1k") / w("sweep_t1_100k")))
print("  same by user CPU seconds      = %.2f  (less sensitive to a busy machine)" % (u("rg_1k") / u("sweep_t1_100k")))
print("sweep_t1_1M / sweep_t1_100k    = %.2f  (goal <= 1.25)" % (w("sweep_t1_1M") / w("sweep_t1_100k")))
print("  same by user CPU seconds      = %.2f" % (u("sweep_t1_1M") / u("sweep_t1_100k")))
print("sweep_t1_100k / sweep_t2_100k  = %.2f  (goal >= 1.80)" % (w("sweep_t1_100k") / w("sweep_t2_100k")))
print("load_1M                        = %.2f s, %.0f MiB peak RSS (goal < 1.5 s, < 150 MiB)" % (w("load_1M"), r["load_1M"][3] / 1024))
print("sweep peak RSS 2 GiB log       = %.0f MiB vs %.0f MiB on %s (memory does not grow with the log)" % (r["sweep_t1_100k"][3] / 1024, r["squidpart_t1_100k"][3] / 1024, G))
print("gz_t2 / libdeflate-gunzip      = %.2f  (goal <= 1.15)" % (w("gz_t2_100k") / w("libdeflate_gunzip")))
print("gz_t2 / inflate_only           = %.2f  (streaming inflater alone)" % (w("gz_t2_100k") / w("inflate_only")))
print("gz_t1 / inflate_only           = %.2f" % (w("gz_t1_100k") / w("inflate_only")))
for k in ("mgz", "bgz"):
    if k + "_t1_100k" in r:
        print("%s: 1 thread / 2 threads      = %.2f by wall; user CPU %.2f vs %.2f s  (members inflated in parallel)" % (
            k, w(k + "_t1_100k") / w(k + "_t2_100k"), u(k + "_t1_100k"), u(k + "_t2_100k")))
sq = mbps("squidpart_t1_100k", G)
print("throughput MB/s squid %.0f, zeek %.0f (%.2fx), jsonl %.0f (%.2fx)  (goal: within 1.3x)" % (
    sq, mbps("zeek_t1_100k", Z), sq / mbps("zeek_t1_100k", Z), mbps("jsonl_t1_100k", J), sq / mbps("jsonl_t1_100k", J)))
if "before_t1_100k" in r:
    print("# against the BEFORE build, same rounds (wall; user CPU)")
    for k in ("t1_100k", "t1_1M", "t2_100k"):
        print("before_%-8s / sweep_%-8s = %.2f; %.2f" % (k, k, w("before_" + k) / w("sweep_" + k), u("before_" + k) / u("sweep_" + k)))
    print("rg_1k / before_t1_100k         = %.2f" % (w("rg_1k") / w("before_t1_100k")))
    print("before_t1_1M / before_t1_100k  = %.2f" % (w("before_t1_1M") / w("before_t1_100k")))
    print("before_t1_100k / before_t2_100k = %.2f" % (w("before_t1_100k") / w("before_t2_100k")))
usq = umbps("squidpart_t1_100k", G)
print("  by user CPU: squid %.0f, zeek %.0f (%.2fx), jsonl %.0f (%.2fx)" % (
    usq, umbps("zeek_t1_100k", Z), usq / umbps("zeek_t1_100k", Z), umbps("jsonl_t1_100k", J), usq / umbps("jsonl_t1_100k", J)))
PY
