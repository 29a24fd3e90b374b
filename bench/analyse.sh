#!/usr/bin/env bash
# `kupffer analyse` against Seurat (R, Debian's r-cran-seurat) doing the equivalent steps on the
# same counts, in the same run: per-sample QC metrics, log-normalisation, 2,000 variable genes,
# 50 PCs, kNN + SNN graph, clustering at resolution 1, UMAP, Wilcoxon markers of every cluster and
# module scores of the 13 hepatic panels. (kupffer also scores doublets, runs the maturation
# trajectory and the per-animal pseudobulk tests, which Seurat has no built-in for: its figures
# include that work.) Prints wall time, CPU time and peak memory of each, and the ratios.
# Usage: bench/analyse.sh [threads] [cells-per-sample | mouse10k] [out-dir]
#   cells-per-sample x 6 simulated samples is the study size (default 1,700 -> ~10,000 cells; the
#   issue's large case is 34,000 -> ~200,000 cells). `mouse10k` runs on the real 10,000-cell mouse
#   matrix in ../shared/data/mouse_10k_subset (one sample, 1,000 genes) instead.
# KUPFFER_BENCH_SEURAT_TIMEOUT (seconds, default none) stops Seurat there and reports a lower bound.
set -euo pipefail
cd "$(dirname "$0")/.."
threads=${1:-$(nproc)}
per_sample=${2:-1700}
out=${3:-/tmp/kupffer-bench-analyse}
[ -x build/kupffer ] || bash scripts/build.sh
command -v Rscript >/dev/null || { echo "Rscript not found (apt-get install r-cran-seurat)"; exit 1; }
rm -rf "$out" && mkdir -p "$out"
if [ "$per_sample" = mouse10k ]; then
  data=$(cd ../shared/data/mouse_10k_subset && pwd)
  # As Cell Ranger 3 writes it (Seurat's Read10X wants every file gzipped).
  m="$out/study/counts/mouse10k/filtered_feature_bc_matrix"
  mkdir -p "$m"
  cp "$data/matrix.mtx.gz" "$m/"
  gzip -c "$data/features.tsv" >"$m/features.tsv.gz"
  gzip -c "$data/barcodes.tsv" >"$m/barcodes.tsv.gz"
  printf "sample,group,timepoint,animal\nmouse10k,none,D0,M1\n" >"$out/study/samplesheet.csv"
  label="real mouse matrix"
else
  ./build/kupffer simulate --out "$out/study" --counts-only --seed 1 --cells "$per_sample" --genes 2000 --genome-size 30000000 \
    --empty-per-cell 0.1 --threads "$threads" >/dev/null
  ln -s truth/counts "$out/study/counts"
  label="simulated study"
fi
cells=$(for f in "$out"/study/counts/*/filtered_feature_bc_matrix/barcodes.tsv*; do
  case $f in *.gz) zcat "$f" ;; *) cat "$f" ;; esac
done | wc -l)

panel_args=()
if [ "$per_sample" = mouse10k ]; then
  # The hepatic panels with mouse gene symbols (Cd14 for CD14), used by both tools.
  ./build/kupffer analyse -s "$out/study/samplesheet.csv" -i "$out/study/counts" -o "$out/panels_run" -t "$threads" 2>/dev/null
  /usr/bin/python3 - "$out/panels_run/kupffer_analyse.json" >"$out/mouse_panels.tsv" <<'PY'
import json, sys
for t, genes in json.load(open(sys.argv[1]))["options"]["panels"].items():
    print(f"{t}\t{','.join(g[:1] + g[1:].lower() for g in genes)}")
PY
  panel_args=(--panels "$out/mouse_panels.tsv")
fi
/usr/bin/time -f "%e %U %S %M" -o "$out/kupffer.time" \
  ./build/kupffer analyse -s "$out/study/samplesheet.csv" -i "$out/study/counts" -o "$out/kupffer" -t "$threads" --mito-prefix MT-,mt- \
  "${panel_args[@]}" 2>"$out/kupffer.log"

cat >"$out/seurat.R" <<'RS'
suppressPackageStartupMessages({library(Seurat); library(Matrix)})
args <- commandArgs(trailingOnly = TRUE)
sheet <- read.csv(file.path(args[1], "samplesheet.csv"), stringsAsFactors = FALSE)
objs <- lapply(sheet$sample, function(s) {
  m <- Read10X(file.path(args[1], "counts", s, "filtered_feature_bc_matrix"))
  o <- CreateSeuratObject(m, project = s)
  o$group <- sheet$group[sheet$sample == s]
  o
})
x <- if (length(objs) == 1) RenameCells(objs[[1]], add.cell.id = sheet$sample) else merge(objs[[1]], objs[-1], add.cell.ids = sheet$sample)
x[["percent.mt"]] <- PercentageFeatureSet(x, pattern = "^(MT|mt)-")
x <- NormalizeData(x, verbose = FALSE)
x <- FindVariableFeatures(x, nfeatures = 2000, verbose = FALSE)
x <- ScaleData(x, verbose = FALSE)
x <- RunPCA(x, npcs = 50, verbose = FALSE, seed.use = 1)
x <- FindNeighbors(x, dims = 1:50, verbose = FALSE)
x <- FindClusters(x, resolution = 1, verbose = FALSE, random.seed = 1)
x <- RunUMAP(x, dims = 1:50, verbose = FALSE, seed.use = 1)
markers <- FindAllMarkers(x, test.use = "wilcox", only.pos = TRUE, verbose = FALSE)
panels <- read.delim(args[2], header = FALSE, stringsAsFactors = FALSE)
features <- lapply(strsplit(panels$V2, ","), function(g) intersect(g, rownames(x)))
features <- features[lengths(features) > 0]  # panels with no gene in this matrix (e.g. mouse symbols)
x <- AddModuleScore(x, features = features, name = "panel", seed = 1, ctrl = min(100, floor(nrow(x) / 25)))  # bins need that many genes
cat(sprintf("seurat: %d cells, %d clusters, %d marker rows\n", ncol(x), length(levels(Idents(x))), nrow(markers)))
RS
# The built-in panels as a file Seurat can read.
/usr/bin/python3 - "$out/kupffer/kupffer_analyse.json" >"$out/panels.tsv" <<'PY'
import json, sys
for t, genes in json.load(open(sys.argv[1]))["options"]["panels"].items():
    print(f"{t}\t{','.join(genes)}")
PY
seurat_limit=()
[ -n "${KUPFFER_BENCH_SEURAT_TIMEOUT:-}" ] && seurat_limit=(timeout "$KUPFFER_BENCH_SEURAT_TIMEOUT")
seurat_rc=0
/usr/bin/time -f "%e %U %S %M" -o "$out/seurat.time" "${seurat_limit[@]}" Rscript "$out/seurat.R" "$out/study" "$out/panels.tsv" \
  >"$out/seurat.log" 2>&1 || seurat_rc=$?
if [ "$seurat_rc" -eq 124 ]; then
  echo "Seurat stopped at the ${KUPFFER_BENCH_SEURAT_TIMEOUT} s limit: its figures below are lower bounds"
elif [ "$seurat_rc" -ne 0 ]; then
  cat "$out/seurat.log"; exit 1
fi

# (GNU time puts "Command exited with non-zero status" first when Seurat was stopped.)
read -r kw ku ks km < <(tail -1 "$out/kupffer.time")
read -r sw su ss sm < <(tail -1 "$out/seurat.time")
printf "%s: %s cells, %s threads for kupffer (Seurat runs single-threaded)\n" "$label" "$cells" "$threads"
printf "%-10s %9s %9s %10s\n" "" "wall s" "CPU s" "peak MiB"
printf "%-10s %9.1f %9.1f %10.0f\n" kupffer "$kw" "$(echo "$ku + $ks" | bc -l)" "$(echo "$km / 1024" | bc -l)"
printf "%-10s %9.1f %9.1f %10.0f\n" Seurat "$sw" "$(echo "$su + $ss" | bc -l)" "$(echo "$sm / 1024" | bc -l)"
printf "Seurat / kupffer: wall %.1fx, CPU %.1fx, memory %.1fx\n" "$(echo "$sw / $kw" | bc -l)" \
  "$(echo "($su + $ss) / ($ku + $ks)" | bc -l)" "$(echo "$sm / $km" | bc -l)"
tail -1 "$out/kupffer.log"
tail -1 "$out/seurat.log"
