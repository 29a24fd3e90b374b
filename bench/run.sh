#!/usr/bin/env bash
# `kupffer run` against the same stages run one by one as subcommands (index, map, count, analyse),
# on the same study in the same session, alternating, each 5 times: `kupffer run` must take no
# longer (it loads the index and the whitelist once for all samples and runs samples side by side
# when threads allow). Prints the median wall time, CPU time and peak memory of each, and the ratio.
# Usage: bench/run.sh [threads] [cells-per-sample] [out-dir]
#   The study is the demo's (6 samples x 2 lanes of 10x v3, `kupffer simulate --seed 1`) with
#   cells-per-sample cells (default 500, as scripts/demo.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
threads=${1:-$(nproc)}
cells=${2:-500}
out=${3:-/tmp/kupffer-bench-run}
[ -x build/kupffer ] || bash scripts/build.sh
k=$PWD/build/kupffer
rm -rf "$out" && mkdir -p "$out"
$k simulate --out "$out/study" --seed 1 --cells "$cells" --reads-per-cell 2000 -t "$threads" >/dev/null
s=$out/study
cat >"$out/study.yaml" <<YAML
output: run_out
reference: {genome: study/reference/genome.fa, gtf: study/reference/genes.gtf}
input: {fastqs: study/run, samplesheet: study/samplesheet.csv, whitelist: study/whitelist.txt.gz}
count: {velocity: true}
YAML
by_stage() {
  rm -rf "$out/stages"
  $k index --genome "$s/reference/genome.fa" --gtf "$s/reference/genes.gtf" --out "$out/stages/index" -t "$threads"
  $k map --index "$out/stages/index" --fastqs "$s/run" --whitelist "$s/whitelist.txt.gz" --out "$out/stages/samples" -t "$threads"
  $k count --input "$out/stages/samples" --velocity -t "$threads"
  $k analyse --samplesheet "$s/samplesheet.csv" --samples "$out/stages/samples" --out "$out/stages/analysis" -t "$threads"
  $k report "$out/stages"
}
whole_run() {
  rm -rf "$out/run_out"
  $k run "$out/study.yaml" -t "$threads" -q
}
export -f by_stage whole_run
export k s out threads
measure() {  # measure NAME FUNCTION -> "wall cpu peak_kib"
  /usr/bin/time -f "%e %U %S %M" -o "$out/$1.time" bash -c "$2" >/dev/null 2>&1
  # Peak memory of the largest process: GNU time reports the maximum over the children waited for.
  awk '{printf "%s %.2f %s\n", $1, $2 + $3, $4}' "$out/$1.time"
}
for i in 1 2 3 4 5; do
  measure "stages_$i" by_stage >>"$out/stages.txt"
  measure "run_$i" whole_run >>"$out/run.txt"
done
median() { sort -n -k"$2" "$1" | sed -n 3p | cut -d' ' -f"$2"; }
sw=$(median "$out/stages.txt" 1) sc=$(median "$out/stages.txt" 2) sm=$(median "$out/stages.txt" 3)
rw=$(median "$out/run.txt" 1) rc=$(median "$out/run.txt" 2) rm=$(median "$out/run.txt" 3)
# The outputs must be the same files either way.
for f in samples/CTRL-RM01-D3/filtered_feature_bc_matrix/matrix.mtx.gz analysis/cytokine_tests.tsv analysis/clusters.tsv; do
  cmp -s "$out/stages/$f" "$out/run_out/$f" || { echo "FAIL: $f differs between kupffer run and the stages"; exit 1; }
done
echo "study: 6 samples x ~$cells cells, $(zcat "$s"/run/*_R1_001.fastq.gz | awk 'END {print NR / 4}') read pairs, $threads threads (median of 5, alternating)"
printf "%-28s %8s %8s %10s\n" "" "wall s" "CPU s" "peak MiB"
printf "%-28s %8s %8s %10d\n" "stages one by one" "$sw" "$sc" $((sm / 1024))
printf "%-28s %8s %8s %10d\n" "kupffer run" "$rw" "$rc" $((rm / 1024))
echo "kupffer run / stages: $(echo "scale=3; $rw / $sw" | bc) of the wall time"
