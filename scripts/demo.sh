#!/usr/bin/env bash
# The README's first command: install, build, and run kupffer's main job on the built-in demo data:
# a simulated hepatic-immune 10x study (6 samples, 2 lanes each), from its sequencer folder through
# reference indexing, barcode demultiplexing, read mapping, UMI counting and cell calling, to the
# analysis (cell types, monocyte->macrophage maturation and IL-6 across treatment groups), chained
# by the workflow descriptor workflows/examples/demo.yaml. Rerunning resumes: finished stages are
# skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
kupffer=./build/kupffer
if [ ! -f demo/study/samplesheet.csv ]; then
  echo "== simulate a study (reference, sequencer run folder, whitelist, samplesheet, truth) into demo/study"
  $kupffer simulate --out demo/study --overwrite --seed 1 --cells 500 --reads-per-cell 2000
fi
echo "== kupffer run workflows/examples/demo.yaml (index, map, count, analyse; outputs in demo/out)"
$kupffer run workflows/examples/demo.yaml "$@"
