#!/usr/bin/env bash
# `kupffer run` end to end on the fixture study, spread over two run folders (lane 1 in one, lane 2
# in the other: samples merge by name across flowcells):
#  1. one run with 2 threads is the reference; runs with 1 and 8 threads give byte-identical outputs;
#  2. a rerun skips every stage;
#  3. killed with SIGKILL at 10 points (during index, map, count, analyse, and while count and
#     analyse write their outputs) and started again, the outputs are byte-identical to the
#     reference, with no leftovers, 10 of 10;
#  4. adding a sample to the samplesheet reruns only that sample's map and count and the analysis.
# Manifests (kupffer_*.json), run.json and kupffer.yaml hold paths, times and thread counts: they
# are the files allowed to differ between output folders.
# Usage: e2e_run.sh KUPFFER STUDY OUT
set -euo pipefail
kupffer=$1 study=$2 out=$3
rm -rf "$out"
mkdir -p "$out/run_a" "$out/run_b"
for f in "$study"/run/*_L001_*; do ln "$f" "$out/run_a/" 2>/dev/null || cp "$f" "$out/run_a/"; done
for f in "$study"/run/*_L002_*; do ln "$f" "$out/run_b/" 2>/dev/null || cp "$f" "$out/run_b/"; done

descriptor() {  # descriptor NAME OUTPUT SAMPLESHEET
  cat >"$out/$1.yaml" <<EOF
# the fixture study, over two flowcells
output: $2
reference:
  genome: $study/reference/genome.fa
  gtf: $study/reference/genes.gtf
input:
  fastqs: [run_a, run_b]
  samplesheet: $3
  whitelist: $study/whitelist.txt.gz
count:
  velocity: true
  emptydrops_iterations: 2000
analyse:
  min_cells: 5
EOF
}
same() {  # same A B: byte-identical outputs
  if ! diff -r -x run.json -x kupffer.yaml -x 'kupffer_*.json' -x '*.log' "$1" "$2" >"$out/diff.txt"; then
    echo "FAIL: $1 and $2 differ:"; head -20 "$out/diff.txt"; exit 1
  fi
}

descriptor ref ref "$study/samplesheet.csv"
"$kupffer" run "$out/ref.yaml" -t 2 --log "$out/ref.log" >"$out/ref.out"
grep -q "IL-6 between groups" "$out/ref.out" || { echo "FAIL: no IL-6 answer printed"; cat "$out/ref.out"; exit 1; }
for s in $(tail -n +2 "$study/samplesheet.csv" | cut -d, -f1); do
  lanes=$(grep -c '"lane"' "$out/ref/samples/$s/kupffer_map.json")
  [ "$lanes" -eq 2 ] || { echo "FAIL: $s mapped $lanes lanes, expected 2 (one per run folder)"; exit 1; }
done
echo "ok: reference run ($(grep -c '"ran": true' "$out/ref/run.json") steps)"

descriptor t1 t1 "$study/samplesheet.csv"
"$kupffer" run "$out/t1.yaml" -t 1 -q
same "$out/ref" "$out/t1"
descriptor t8 t8 "$study/samplesheet.csv"
"$kupffer" run "$out/t8.yaml" -t 8 -q
same "$out/ref" "$out/t8"
echo "ok: 1, 2 and 8 threads give byte-identical outputs (analysis.h5ad and the report included)"

"$kupffer" run "$out/ref.yaml" -t 2 -q
if grep -q '"ran": true' "$out/ref/run.json"; then echo "FAIL: a rerun redid a stage"; exit 1; fi
echo "ok: a rerun skips every stage"

# Kill points: "<log line that arms it>|<seconds after it>".
points=(
  "index: started|0.3"
  "map CTRL-RM01-D3: started|0.05"
  "map ALF-RM04-D3: started|0.15"
  "count CTRL-RM02-D3: started|0.05"
  "count MSC-RM05-D3: writing outputs|0.02"
  "count ALF-RM03-D3: done|0"
  "analyse: started|0.3"
  "analyse: started|1.2"
  "analyse: writing outputs|0.05"
  "analyse: writing outputs|0.15"
)
descriptor killed killed "$study/samplesheet.csv"
passed=0
for point in "${points[@]}"; do
  line=${point%|*} delay=${point#*|}
  rm -rf "$out/killed" "$out/killed.log"
  "$kupffer" run "$out/killed.yaml" -t 2 -q --log "$out/killed.log" &
  pid=$!
  for _ in $(seq 1 2000); do
    grep -qF "] $line" "$out/killed.log" 2>/dev/null && break
    kill -0 $pid 2>/dev/null || break
    sleep 0.01
  done
  sleep "$delay"
  kill -9 $pid 2>/dev/null || true
  wait $pid 2>/dev/null || true
  state=$(tail -1 "$out/killed.log" | cut -d']' -f2-)
  "$kupffer" run "$out/killed.yaml" -t 2 -q
  same "$out/ref" "$out/killed"
  if find "$out/killed" -name '*.partial' -o -name '*.tmp' | grep -q .; then echo "FAIL: leftovers after resuming"; exit 1; fi
  passed=$((passed + 1))
  echo "ok: killed after '$line' +${delay}s (last line:$state), resumed: identical"
done
echo "ok: $passed of ${#points[@]} kill-and-resume runs identical"

# SIGTERM (scancel, Nextflow) stops cleanly: a message, exit 143, no temporary folder left.
for line in "map ALF-RM03-D3: started" "analyse: started"; do
  rm -rf "$out/killed" "$out/killed.log"
  "$kupffer" run "$out/killed.yaml" -t 2 -q --log "$out/killed.log" 2>"$out/term.err" &
  pid=$!
  for _ in $(seq 1 2000); do grep -qF "] $line" "$out/killed.log" 2>/dev/null && break; sleep 0.01; done
  sleep 0.1
  kill -TERM $pid
  rc=0; wait $pid || rc=$?
  [ "$rc" -eq 143 ] || { echo "FAIL: SIGTERM after '$line' exited $rc, expected 143"; exit 1; }
  grep -q "stopped by SIGTERM" "$out/term.err" || { echo "FAIL: no message on SIGTERM"; cat "$out/term.err"; exit 1; }
  if find "$out/killed" -name '*.partial' -o -name '*.tmp' | grep .; then echo "FAIL: SIGTERM left temporary outputs"; exit 1; fi
  "$kupffer" run "$out/killed.yaml" -t 2 -q
  same "$out/ref" "$out/killed"
  echo "ok: SIGTERM after '$line': exit 143, message, no temporary outputs; resumed identical"
done

# Adding a sample reruns only that sample and the analysis.
head -n 6 "$study/samplesheet.csv" >"$out/five.csv"
descriptor grow grow "$out/five.csv"
"$kupffer" run "$out/grow.yaml" -t 2 -q
descriptor grow grow "$study/samplesheet.csv"
"$kupffer" run "$out/grow.yaml" -t 2 -n >"$out/plan.txt" 2>&1
added=$(tail -1 "$study/samplesheet.csv" | cut -d, -f1)
runs=$(grep -cE '  (map|count|analyse|index) .* run ' "$out/plan.txt" || true)
grep -qE "map +$added +run" "$out/plan.txt" && grep -qE "count +$added +run" "$out/plan.txt" && grep -qE "analyse +- +run" "$out/plan.txt" \
  && [ "$runs" -eq 3 ] || { echo "FAIL: adding $added should rerun 3 steps:"; cat "$out/plan.txt"; exit 1; }
"$kupffer" run "$out/grow.yaml" -t 2 -q
same "$out/ref" "$out/grow"
echo "ok: adding $added reran its map and count and the analysis only; outputs identical to the reference"
