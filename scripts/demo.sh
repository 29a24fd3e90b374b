#!/usr/bin/env bash
# The README's first command: install, build, and run kupffer's main job on the built-in demo data:
# a simulated hepatic-immune 10x study (6 samples, 2 lanes each) taken from its sequencer folder
# through reference indexing, barcode demultiplexing, read mapping, UMI counting and cell calling.
# The analysis stage (issue 5) is added here when it lands.
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
echo
echo "demo written to $out/: study/ (input + truth), index/, samples/<sample>/ with records.kpf,"
echo "raw_feature_bc_matrix/, filtered_feature_bc_matrix/, velocity/, metrics.json, metrics_summary.csv"
