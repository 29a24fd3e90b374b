#!/usr/bin/env bash
# Submits a study to Slurm as kupffer's stages, one job per step, each the same subcommand users
# and the Nextflow modules run:
#   index (once) -> map + count (a job array: one task per sample, all its lanes, afterok:index)
#   -> analyse (afterok: every array task) -> report (afterok:analyse).
# Usage:
#   submit_study.sh --samplesheet SHEET.csv --genome GENOME.fa --gtf GENES.gtf --out OUT
#                   [--whitelist WL.txt.gz] [--cpus 4] [--memory-mb 16000] [--partition P]
#                   [--kupffer "podman run --rm -v /data:/data kupffer:latest kupffer"]
#                   [--analyse-args "--min-cells 5"] [--count-args "..."] [--wait]
# SHEET.csv: sample,fastq_1,fastq_2,group,timepoint,animal (repeated sample rows are lanes), as for
# `kupffer run` and the Nextflow pipeline. Paths must be absolute (jobs run on other nodes).
# --kupffer is the command that runs kupffer in each job: the binary on PATH by default, or a
# container (podman/apptainer exec ...) that sees OUT and the inputs at the same paths.
# Prints the job ids; with --wait, waits for the last job and exits non-zero if any failed.
set -euo pipefail
cpus=4 memory=16000 partition="" kupffer=kupffer whitelist="" analyse_args="" count_args="" wait=0
while [ $# -gt 0 ]; do
  case $1 in
    --samplesheet) sheet=$2; shift 2 ;;
    --genome) genome=$2; shift 2 ;;
    --gtf) gtf=$2; shift 2 ;;
    --whitelist) whitelist=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --cpus) cpus=$2; shift 2 ;;
    --memory-mb) memory=$2; shift 2 ;;
    --partition) partition=$2; shift 2 ;;
    --kupffer) kupffer=$2; shift 2 ;;
    --analyse-args) analyse_args=$2; shift 2 ;;
    --count-args) count_args=$2; shift 2 ;;
    --wait) wait=1; shift ;;
    *) echo "submit_study.sh: error: unknown argument $1" >&2; exit 2 ;;
  esac
done
for v in sheet genome gtf out; do [ -n "${!v:-}" ] || { echo "submit_study.sh: error: --${v/sheet/samplesheet} is required" >&2; exit 2; }; done
mkdir -p "$out/slurm" "$out/work"
out=$(cd "$out" && pwd)
head -1 "$sheet" | grep -q '^sample,fastq_1,fastq_2,group,timepoint,animal' \
  || { echo "submit_study.sh: error: $sheet:1: expected the header sample,fastq_1,fastq_2,group,timepoint,animal" >&2; exit 1; }
tail -n +2 "$sheet" | cut -d, -f1 | awk '!seen[$0]++' >"$out/slurm/samples.txt"
{ echo "sample,group,timepoint,animal"; tail -n +2 "$sheet" | cut -d, -f1,4- | awk '!seen[$0]++'; } >"$out/slurm/samplesheet.csv"
n=$(wc -l <"$out/slurm/samples.txt")
[ "$n" -gt 0 ] || { echo "submit_study.sh: error: $sheet has no samples" >&2; exit 1; }
common=(--parsable --cpus-per-task="$cpus" --mem="$memory" --output="$out/slurm/%x-%A_%a.log")
[ -n "$partition" ] && common+=(--partition="$partition")
wl=${whitelist:+--whitelist $whitelist}
records_memory=$(awk -v m="$memory" 'BEGIN { v = m / 8192.0; if (v < 0.03125) v = 0.03125; print v }')

cat >"$out/slurm/index.sh" <<JOB
#!/bin/bash
set -euo pipefail
$kupffer index --genome $genome --gtf $gtf --out $out/index --threads \$SLURM_CPUS_PER_TASK --overwrite
JOB
cat >"$out/slurm/map_count.sh" <<JOB
#!/bin/bash
# One sample (line SLURM_ARRAY_TASK_ID + 1 of samples.txt), all its lanes, in its own folder.
set -euo pipefail
s=\$(sed -n "\$((SLURM_ARRAY_TASK_ID + 1))p" $out/slurm/samples.txt)
r1=\$(awk -F, -v s="\$s" 'NR > 1 && \$1 == s { printf "%s%s", sep, \$2; sep = "," }' $sheet)
r2=\$(awk -F, -v s="\$s" 'NR > 1 && \$1 == s { printf "%s%s", sep, \$3; sep = "," }' $sheet)
mkdir -p $out/work/\$s
$kupffer map --index $out/index --r1 \$r1 --r2 \$r2 --sample \$s --out $out/work/\$s $wl --threads \$SLURM_CPUS_PER_TASK --records-memory $records_memory --overwrite
$kupffer count --input $out/work/\$s --samples \$s --threads \$SLURM_CPUS_PER_TASK $count_args
JOB
cat >"$out/slurm/analyse.sh" <<JOB
#!/bin/bash
set -euo pipefail
rm -rf $out/samples && mkdir -p $out/samples
while read -r s; do ln -s $out/work/\$s/\$s $out/samples/\$s; done <$out/slurm/samples.txt
$kupffer analyse --samplesheet $out/slurm/samplesheet.csv --samples $out/samples --out $out/analysis --threads \$SLURM_CPUS_PER_TASK $analyse_args --overwrite
JOB
cat >"$out/slurm/report.sh" <<JOB
#!/bin/bash
set -euo pipefail
$kupffer report $out
JOB

index=$(sbatch "${common[@]}" --job-name=kupffer_index "$out/slurm/index.sh")
map=$(sbatch "${common[@]}" --job-name=kupffer_map_count --array=0-$((n - 1)) --dependency=afterok:"$index" "$out/slurm/map_count.sh")
analyse=$(sbatch "${common[@]}" --job-name=kupffer_analyse --dependency=afterok:"$map" "$out/slurm/analyse.sh")
report=$(sbatch "${common[@]}" --cpus-per-task=1 --job-name=kupffer_report --dependency=afterok:"$analyse" "$out/slurm/report.sh")
echo "index $index; map_count $map (array of $n); analyse $analyse; report $report"
[ "$wait" = 1 ] || exit 0
while squeue -h -j "$index,$map,$analyse,$report" 2>/dev/null | grep -q .; do sleep 2; done
failed=0
for j in "$index" "$map" "$analyse" "$report"; do
  # sacct needs an accounting daemon; without one, scontrol knows finished jobs for MinJobAge.
  state=$(sacct -n -X -P -j "$j" -o State 2>/dev/null | sort -u | tr '\n' ' ' || true)
  if [ -z "${state// /}" ]; then state=$(scontrol show job "$j" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | sort -u | tr '\n' ' ' || true); fi
  case "$state" in *FAIL*|*CANCEL*|*TIMEOUT*|*OUT_OF_ME*|*DEPENDENCY*) echo "job $j: $state" >&2; failed=1 ;; esac
done
[ -f "$out/analysis/analysis_summary.json" ] && [ "$failed" = 0 ] || { echo "submit_study.sh: error: the study did not complete (logs in $out/slurm/)" >&2; exit 1; }
echo "done: $out/analysis"
