#!/usr/bin/env bash
# The README's first command: install, build, and run kupffer's main job on the built-in demo data:
# a simulated hepatic-immune 10x study (6 samples, 2 lanes each) taken from its sequencer folder
# through reference indexing, barcode demultiplexing, read mapping, UMI counting and cell calling,
# to the analysis: cell types, monocyte->macrophage maturation and IL-6 across treatment groups.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
out=${1:-demo}
rm -rf "$out" "$out.partial"
kupffer=./build/kupffer
echo "== simulate a study (reference, run folder, whitelist, samplesheet, truth)"
$kupffer simulate --out "$out/study" --seed 1 --cells 500 --reads-per-cell 2000
echo "== index the reference"
$kupffer index --genome "$out/study/reference/genome.fa" --gtf "$out/study/reference/genes.gtf" --out "$out/index"
echo "== demultiplex and map every sample of the run folder (chemistry detected)"
$kupffer map --index "$out/index" --fastqs "$out/study/run" --whitelist "$out/study/whitelist.txt.gz" --out "$out/samples"
echo "== count molecules and call cells (raw and filtered matrices as Cell Ranger writes them)"
$kupffer count --input "$out/samples" --velocity
echo "== analyse the study: QC, clusters, cell types, maturation, cytokines by group (animals as replicates)"
$kupffer analyse --samplesheet "$out/study/samplesheet.csv" --samples "$out/samples" --out "$out/analysis"
echo
echo "== cell types (clusters.tsv)"
cut -f1-4 "$out/analysis/clusters.tsv" | column -t
echo "== monocyte -> macrophage maturation per animal (maturation.tsv)"
cut -f1-6 "$out/analysis/maturation.tsv" | column -t
echo "== IL6 between groups, per-animal pseudobulk QL test (cytokine_tests.tsv)"
awk -F'\t' 'NR == 1 || $6 == "IL6"' "$out/analysis/cytokine_tests.tsv" | cut -f1,3,4,7,10,11 | column -t
echo
echo "demo written to $out/: study/ (input + truth), index/, samples/<sample>/ (records, raw and filtered"
echo "matrices, velocity/, metrics), analysis/ (analysis.h5ad, tables, plots/*.svg; see docs/analyse.md)"
