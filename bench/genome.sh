#!/usr/bin/env bash
# Genome-scale benchmark (issue 14): a primate-size reference on one node.
#
# Simulates a primate-like genome (`kupffer simulate --gene-model primate`: human exon and intron
# length distributions, nested and antisense genes) with one 10x v3 sample on it, then measures
# `kupffer index` (wall, CPU, peak memory, folder size, bytes per distinct k-mer, against its own
# --dry-run estimate) and `kupffer map` + `count` on the reads (throughput, peak memory).
#
# Peers: STAR and kallisto are first measured on a 100 Mb calibration genome of the same model.
# kallisto's peak memory per distinct k-mer (index of the same splici targets) is scaled to the full
# reference; for STAR the lower bound of its FAQ (9 bytes a base + SAindex) is used. Each is run at
# full size only when its estimate fits this machine's available memory; otherwise the script says so.
#
# Usage: bench/genome.sh [genome-size] [genes] [threads] [workdir]
#   defaults: 3000000000 20000 $(nproc) /tmp/kupffer-bench-genome (needs ~40 GB of disk)
# Needs: a built kupffer; for the calibration, rna-star and kallisto (apt-get install).
# KUPFFER=path benches another binary; PEERS=0 skips the peers' calibration (~7 minutes).
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-3000000000}
genes=${2:-20000}
threads=${3:-$(nproc)}
work=${4:-/tmp/kupffer-bench-genome}
repo=$PWD
kupffer=${KUPFFER:-$repo/build/kupffer}
[ -x "$kupffer" ] || bash scripts/build.sh
mkdir -p "$work"
cd "$work"

declare -A wall cpu mem
measure() {  # name command...: wall s, CPU s and peak RSS (KiB) of one run
  local name=$1; shift
  /usr/bin/time -f "%e %U %S %M" -o time.$name "$@" >log.$name 2>&1 || { echo "$name failed:"; tail -5 log.$name; exit 1; }
  read -r w u s m < time.$name
  wall[$name]=$w; cpu[$name]=$(echo "$u + $s" | bc -l); mem[$name]=$m
}
gb() { echo "$1 / 1048576" | bc -l; }  # KiB -> GiB
available_kib=$(awk '/MemAvailable/ {print $2}' /proc/meminfo)

# 1. The reference and one sample: 600 cells with 10 empty droplets each, 5,000 read pairs a cell.
study=study_${size}_${genes}
if [ ! -f $study/kupffer_simulate.json ]; then
  rm -rf $study kupffer_index
  measure simulate "$kupffer" simulate --out $study --seed 7 --gene-model primate --genome-size "$size" --genes "$genes" \
    --groups ALF --animals-per-group 1 --cells 600 --empty-per-cell 10 --reads-per-cell 5000 --whitelist-size 100000 \
    --no-read-truth --threads "$threads" --overwrite
fi
ref=$study/reference
zcat $study/whitelist.txt.gz > whitelist.txt
pairs=$(( $(zcat $study/run/*_R1_001.fastq.gz | wc -l) / 4 ))

# 2. kupffer index: the estimate first, then the build.
"$kupffer" index -g $ref/genome.fa --gtf $ref/genes.gtf -o kupffer_index --dry-run > estimate.txt 2>&1
rm -rf kupffer_index
measure index "$kupffer" index -g $ref/genome.fa --gtf $ref/genes.gtf -o kupffer_index -t "$threads"
index_bytes=$(du -sb kupffer_index | cut -f1)
distinct=$(/usr/bin/python3 -c "import json; print(json.load(open('kupffer_index/index.json'))['distinct_kmers'])")

# 3. kupffer map and count on the sample.
rm -rf kupffer_out
measure map "$kupffer" map -i kupffer_index --fastqs $study/run -o kupffer_out --whitelist whitelist.txt -t "$threads"
measure count "$kupffer" count -i kupffer_out -t "$threads"

# 4. Peers, calibrated on 100 Mb of the same gene model.
calib=calibration
if [ ! -f $calib/kupffer_simulate.json ]; then
  "$kupffer" simulate --out $calib --seed 7 --gene-model primate --genome-size 100000000 --genes 700 --counts-only \
    --groups ALF --animals-per-group 1 --threads "$threads" --overwrite >/dev/null
fi
rm -rf calib_kupffer; measure calib_kupffer "$kupffer" index -g $calib/reference/genome.fa --gtf $calib/reference/genes.gtf -o calib_kupffer -t "$threads"
calib_distinct=$(/usr/bin/python3 -c "import json; print(json.load(open('calib_kupffer/index.json'))['distinct_kmers'])")
calib_bases=$(grep -v '^>' $calib/reference/genome.fa | tr -d '\n' | wc -c)
peers=""
peer() { [ "${PEERS:-1}" = 1 ] && command -v "$1" >/dev/null; }  # PEERS=0 measures kupffer alone
if peer kallisto; then
  /usr/bin/python3 "$repo/bench/splici.py" $calib/reference/genome.fa $calib/reference/genes.gtf 31 calib_splici.fa calib_t2g.tsv
  measure calib_kallisto kallisto index -i calib_kallisto.idx -k 31 calib_splici.fa
  kallisto_estimate=$(echo "${mem[calib_kallisto]} * $distinct / $calib_distinct" | bc)
  peers="$peers kallisto"
fi
if peer STAR; then
  rm -rf calib_star; mkdir -p calib_star
  measure calib_star STAR --runMode genomeGenerate --genomeDir calib_star --genomeFastaFiles $calib/reference/genome.fa \
    --sjdbGTFfile $calib/reference/genes.gtf --genomeSAindexNbases 12 --runThreadN "$threads" --outFileNamePrefix calib_star/
  # Scaling the 100 Mb peak linearly overstates STAR (its fixed costs weigh more on a small genome), so
  # the fit test uses STAR's own lower bound (FAQ "Run time"): genome + suffix array 9 bytes a base at
  # the default --genomeSAsparseD 1, plus the SAindex, 6 * 4^14 bytes at the default 14 bases.
  star_estimate=$(echo "(9 * $size + 6 * 4^14) / 1024" | bc)
  peers="$peers star"
fi

# Full-size peers only where their scaled estimate fits.
fits() { [ "$1" -lt "$available_kib" ]; }
missing=$([ "${PEERS:-1}" = 1 ] && echo "not installed" || echo "skipped (PEERS=0)")
kallisto_note=$missing; star_note=$missing
if [[ $peers == *kallisto* ]]; then
  if fits "$kallisto_estimate"; then
    /usr/bin/python3 "$repo/bench/splici.py" $ref/genome.fa $ref/genes.gtf 31 splici.fa t2g.tsv
    measure kallisto_index kallisto index -i kallisto.idx -k 31 splici.fa
    R1=$(ls $study/run/*_R1_001.fastq.gz); files=""; for r1 in $R1; do files="$files $r1 ${r1/_R1_/_R2_}"; done
    rm -rf kb_out; measure kallisto_bus kallisto bus -i kallisto.idx -o kb_out -x 10xv3 -t "$threads" $files
    kallisto_note=$(printf "index %.0f s, %.1f GiB peak; bus %.1f s, %.1f GiB peak" "${wall[kallisto_index]}" \
      "$(gb ${mem[kallisto_index]})" "${wall[kallisto_bus]}" "$(gb ${mem[kallisto_bus]})")
  else
    kallisto_note=$(printf "does not fit: index build estimated at %.0f GiB (%.0f bytes a distinct k-mer measured on 100 Mb) > %.0f GiB available" \
      "$(gb $kallisto_estimate)" "$(echo "${mem[calib_kallisto]} * 1024 / $calib_distinct" | bc -l)" "$(gb $available_kib)")
  fi
fi
if [[ $peers == *star* ]]; then
  if fits "$star_estimate"; then
    rm -rf star_index; mkdir -p star_index
    measure star_index STAR --runMode genomeGenerate --genomeDir star_index --genomeFastaFiles $ref/genome.fa \
      --sjdbGTFfile $ref/genes.gtf --runThreadN "$threads" --outFileNamePrefix star_index/
    star_note=$(printf "genomeGenerate %.0f s, %.1f GiB peak" "${wall[star_index]}" "$(gb ${mem[star_index]})")
  else
    star_note=$(printf "does not fit: genome + suffix array need at least %.0f GiB (STAR FAQ; genomeGenerate measured %.1f bytes a base on 100 Mb) > %.0f GiB available" \
      "$(gb $star_estimate)" "$(echo "${mem[calib_star]} * 1024 / $calib_bases" | bc -l)" "$(gb $available_kib)")
  fi
fi

printf "\nreference: %s bases, %s genes (primate model), %s distinct 31-mers; %d read pairs; %d threads\n" \
  "$size" "$genes" "$distinct" "$pairs" "$threads"
printf "estimate (kupffer index --dry-run): %s\n\n" "$(tail -1 estimate.txt)"
printf "%-26s %9s %9s %10s\n" "step" "wall s" "CPU s" "peak GiB"
for name in index map count; do
  printf "%-26s %9.1f %9.1f %10.2f\n" "kupffer $name" "${wall[$name]}" "${cpu[$name]}" "$(gb ${mem[$name]})"
done
printf "\nindex folder %.2f GB: %.2f bytes a distinct k-mer on disk; build peak %.2f, map peak %.2f bytes a distinct k-mer\n" \
  "$(echo "$index_bytes / 1000000000" | bc -l)" "$(echo "$index_bytes / $distinct" | bc -l)" \
  "$(echo "${mem[index]} * 1024 / $distinct" | bc -l)" "$(echo "${mem[map]} * 1024 / $distinct" | bc -l)"
printf "map: %.0f read pairs/s (%.2f CPU us a pair)\n" "$(echo "$pairs / ${wall[map]}" | bc -l)" \
  "$(echo "${cpu[map]} * 1000000 / $pairs" | bc -l)"
printf "\ncalibration on 100 Mb (%s distinct k-mers): kupffer index %.2f GiB" "$calib_distinct" "$(gb ${mem[calib_kupffer]})"
[ -n "${mem[calib_kallisto]:-}" ] && printf ", kallisto index %.2f GiB" "$(gb ${mem[calib_kallisto]})"
[ -n "${mem[calib_star]:-}" ] && printf ", STAR genomeGenerate %.2f GiB" "$(gb ${mem[calib_star]})"
printf "\nkallisto at full size: %s\nSTAR at full size: %s\n" "$kallisto_note" "$star_note"
