#!/usr/bin/env bash
# Real client for `kupffer map --bam`: samtools (Debian) reads every sample's BAM as IGV and
# velocyto would: a valid coordinate-sorted BAM with a usable index, one record per read pair, a
# region query that agrees with a full scan, the 10x tags, and placements that agree with the
# genome (samtools calmd recomputes mismatches from the reference: the rate must be that of
# sequencing errors, not of misplaced reads). Exit 77 (skipped) without samtools.
# Usage: samtools_bam.sh MAP_FOLDER GENOME_FASTA
set -euo pipefail
map=$1 genome=$2
command -v samtools >/dev/null || { echo "skipped: samtools not installed (apt-get install samtools)"; exit 77; }
# samtools writes a .fai next to the FASTA: work on a copy, leaving the shared study untouched.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$genome" "$work/genome.fa"
genome=$work/genome.fa
n=0
for dir in "$map"/*/; do
  bam=$dir/possorted_genome_bam.bam
  [ -f "$bam" ] || { echo "missing $bam"; exit 1; }
  [ -f "$bam.bai" ] || { echo "missing $bam.bai"; exit 1; }
  samtools quickcheck -v "$bam"
  samtools view -H "$bam" | grep -q "SO:coordinate" || { echo "$bam: header lacks SO:coordinate"; exit 1; }
  pairs=$(/usr/bin/python3 -c "import json, sys; print(json.load(open(sys.argv[1]))['read_pairs'])" "$dir/map_metrics.json")
  records=$(samtools view -c "$bam")
  [ "$records" -eq "$pairs" ] || { echo "$bam: $records records for $pairs read pairs"; exit 1; }
  # The index answers region queries like a full scan does.
  region=$(samtools view -c "$bam" chr1:1000000-2000000)
  scan=$(samtools view -F 4 "$bam" | awk '$3 == "chr1" && $4 <= 2000000 {
           end = $4 - 1; c = $6
           while (match(c, /^[0-9]+/)) {
             len = substr(c, 1, RLENGTH); op = substr(c, RLENGTH + 1, 1); c = substr(c, RLENGTH + 2)
             if (op ~ /[MDN=X]/) end += len
           }
           if (end >= 1000000) n++
         } END { print n + 0 }')
  [ "$region" -eq "$scan" ] || { echo "$bam: region query found $region reads, a full scan $scan"; exit 1; }
  # Tags on a mapped read with a cell barcode.
  tags=$(samtools view -F 4 "$bam" | awk '/CB:Z:/ && !found { print; found = 1 }')
  for t in CR:Z: CY:Z: CB:Z: UR:Z: UY:Z: UB:Z: GX:Z: GN:Z: xf:i:; do
    [[ "$tags" == *"$t"* ]] || { echo "$bam: no $t in: $tags"; exit 1; }
  done
  # Mismatches against the reference, recomputed by samtools.
  rate=$(samtools calmd -b "$bam" "$genome" 2>/dev/null | samtools stats - | awk -F'\t' '$2 == "error rate:" { print $3 }')
  awk -v r="$rate" 'BEGIN { exit !(r < 0.01) }' || { echo "$bam: mismatch rate $rate against the genome"; exit 1; }
  echo "$(basename "$dir"): $records records, region chr1:1-2Mb $region, mismatch rate $rate"
  n=$((n + 1))
done
[ "$n" -gt 0 ] || { echo "no samples in $map"; exit 1; }
