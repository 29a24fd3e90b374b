#!/usr/bin/env bash
# Validates kupffer's cell calls against DropletUtils::emptyDrops (R, Debian) on the same raw
# matrices: DropletUtils' cells are its FDR <= 0.01 calls. Two runs per sample:
#  - same first pass: `retain` = kupffer's OrdMag cutoff (the smallest barcode OrdMag kept), so
#    both test the same candidates and the agreement measures kupffer's EmptyDrops itself;
#  - DropletUtils' defaults (`retain` = its knee), for information: barcodes between the OrdMag
#    cutoff and the knee are cells for kupffer (as for Cell Ranger) but tested by DropletUtils.
# Reports agreement on barcodes with at least 100 UMIs (the issue's target: >= 99%). Not needed
# at runtime.
# Usage: bench/validate_emptydrops.sh SAMPLES_FOLDER   (after `kupffer count`)
set -euo pipefail
folder=${1:?usage: validate_emptydrops.sh SAMPLES_FOLDER}
Rscript - "$folder" <<'RSCRIPT'
suppressMessages({ library(DropletUtils); library(Matrix) })
folder <- commandArgs(trailingOnly = TRUE)[1]
total_agree <- c(same = 0, default = 0); total_n <- 0
for (s in list.dirs(folder, recursive = FALSE)) {
  if (!file.exists(file.path(s, "cell_calls.tsv.gz"))) next
  m <- Seurat::Read10X(file.path(s, "raw_feature_bc_matrix"), strip.suffix = FALSE)
  ours <- read.delim(gzfile(file.path(s, "cell_calls.tsv.gz")))
  cutoff <- min(ours$umis[ours$ordmag == 1])
  keep <- ours$umis >= 100
  agree <- c()
  for (run in c("same", "default")) {
    set.seed(1)
    ed <- if (run == "same") emptyDrops(m, lower = 100, niters = 10000, retain = cutoff) else emptyDrops(m, lower = 100, niters = 10000)
    theirs <- !is.na(ed$FDR) & ed$FDR <= 0.01
    names(theirs) <- colnames(m)
    agree[run] <- sum(ours$cell[keep] == theirs[ours$barcode[keep]])
    cat(sprintf("%-16s %-8s barcodes>=100 UMIs %5d  kupffer cells %4d  DropletUtils cells %4d  agreement %.4f\n",
                basename(s), run, sum(keep), sum(ours$cell), sum(theirs), agree[run] / sum(keep)))
  }
  total_agree <- total_agree + agree; total_n <- total_n + sum(keep)
}
cat(sprintf("overall agreement on barcodes with >= 100 UMIs: same first pass %.4f; DropletUtils' knee %.4f\n",
            total_agree["same"] / total_n, total_agree["default"] / total_n))
RSCRIPT
