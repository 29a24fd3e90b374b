#!/usr/bin/env bash
# Counting accuracy on a real annotation: reads simulated over the RefSeq annotation of human chr21
# (../shared/data/refseq_chr21: overlapping, antisense, nested and readthrough genes, microRNAs),
# counted by kupffer (exonic, with introns, with introns + EM for multi-gene molecules) and by
# STARsolo (Gene, GeneFull) on the same reads, each compared with the simulator's truth: median
# per-cell Pearson over the true cells and counted UMIs as a share of the true ones, over all genes
# and over the annotation's genes alone. Also the share of reads kupffer dropped as multi-gene.
# Usage: bench/annotation.sh [threads] [cells] [reads-per-cell] [workdir]
# Needs: rna-star (apt-get install), python3-scipy, a built kupffer.
set -euo pipefail
cd "$(dirname "$0")/.."
threads=${1:-$(nproc)}
cells=${2:-600}
rpc=${3:-4500}
work=${4:-/tmp/kupffer-bench-annotation}
repo=$PWD
kupffer=${KUPFFER:-$repo/build/kupffer}
gtf=$repo/../shared/data/refseq_chr21/genes.gtf.gz
command -v STAR >/dev/null || { echo "missing STAR: apt-get install rna-star"; exit 1; }
[ -f "$gtf" ] || { echo "missing $gtf (../shared/data beside the checkout)"; exit 1; }
[ -x "$kupffer" ] || bash scripts/build.sh
rm -rf "$work" && mkdir -p "$work" && cd "$work"
"$kupffer" simulate --out study --seed 4 --gtf "$gtf" --groups control --animals-per-group 1 --cells "$cells" \
  --reads-per-cell "$rpc" --threads "$threads" | head -1
sample=$(ls study/truth/counts)
truth=study/truth/counts/$sample
compare() { /usr/bin/python3 "$repo/bench/truth_compare.py" "$truth" "$2" study/truth/barcodes.tsv.gz --label "$1"; }

"$kupffer" index --genome study/reference/genome.fa --gtf study/reference/genes.gtf --out index -t "$threads" >/dev/null
"$kupffer" map --index index --fastqs study/run --whitelist study/whitelist.txt.gz --out mapped -t "$threads" >/dev/null 2>&1
# One mapping, three counting modes (count writes beside the records it reads: a copy each).
for mode in exonic introns em; do
  rm -rf "c_$mode" && cp -r mapped "c_$mode"
  flags=""; [ $mode != exonic ] && flags="--include-introns"; [ $mode = em ] && flags="$flags --multi-gene em"
  "$kupffer" count --input "c_$mode" $flags -t "$threads" >/dev/null
done

zcat study/whitelist.txt.gz > whitelist.txt
mkdir -p star_index star_out
STAR --runMode genomeGenerate --genomeDir star_index --genomeFastaFiles study/reference/genome.fa \
  --sjdbGTFfile study/reference/genes.gtf --genomeSAindexNbases 11 --runThreadN "$threads" --outFileNamePrefix star_index/ >/dev/null
STAR --genomeDir star_index --readFilesIn "$(ls study/run/*_R2_001.fastq.gz | paste -sd,)" "$(ls study/run/*_R1_001.fastq.gz | paste -sd,)" \
  --readFilesCommand zcat --soloType CB_UMI_Simple --soloCBwhitelist whitelist.txt --soloCBstart 1 --soloCBlen 16 \
  --soloUMIstart 17 --soloUMIlen 12 --soloFeatures Gene GeneFull --outSAMtype None --runThreadN "$threads" \
  --outFileNamePrefix star_out/ >/dev/null

pairs=$(( $(zcat study/run/*_R1_001.fastq.gz | wc -l) / 4 ))
echo "$pairs read pairs over RefSeq chr21 (+ the catalogue's marker and MT genes), $cells cells expected"
echo "exonic counting (truth: every molecule)"
compare "kupffer (default)" "c_exonic/$sample/raw_feature_bc_matrix"
compare "STARsolo Gene" star_out/Solo.out/Gene/raw
echo "counting intronic molecules too"
compare "kupffer --include-introns" "c_introns/$sample/raw_feature_bc_matrix"
compare "kupffer --include-introns --multi-gene em" "c_em/$sample/raw_feature_bc_matrix"
compare "STARsolo GeneFull" star_out/Solo.out/GeneFull/raw
/usr/bin/python3 - "c_introns/$sample/metrics.json" "$pairs" <<'PY'
import json, sys
m = json.load(open(sys.argv[1])); pairs = int(sys.argv[2])
print(f"kupffer dropped {m['reads_dropped_multi_gene']} reads as multi-gene ({100 * m['reads_dropped_multi_gene'] / pairs:.2f}% of pairs: "
      f"exons shared by genes, e.g. readthrough transcripts and rRNA precursors) and {m['reads_dropped_bad_umi']} with an N in the UMI")
PY
