#!/usr/bin/env Rscript
# Real-client check of kupffer's pooled size factors: scuttle::pooledSizeFactors (what
# scran::computeSumFactors calls) on the same counts with the same quick clusters must give size
# factors that correlate >= 0.99 with kupffer's (issue 5). Also reports the agreement of
# library-size factors with scuttle::librarySizeFactors. Reads `kupffer analyse
# --size-factors pooled` output (analysis.h5ad: layers/counts, obs/size_factor, obs/quick_cluster).
# Usage: scran_agrees.R ANALYSIS_FOLDER. Exit 77 without scuttle or hdf5r.
args <- commandArgs(trailingOnly = TRUE)
for (p in c("scuttle", "hdf5r", "Matrix")) {
  if (!requireNamespace(p, quietly = TRUE)) {
    cat("skipped:", p, "not installed (apt-get install r-bioc-scuttle r-cran-hdf5r)\n")
    quit(status = 77)
  }
}
suppressPackageStartupMessages({library(hdf5r); library(Matrix)})
h5 <- H5File$new(file.path(args[1], "analysis.h5ad"), mode = "r")
counts_group <- h5[["layers/counts"]]
shape <- h5attr(counts_group, "shape")          # cells x genes, CSR
stopifnot(h5attr(counts_group, "encoding-type") == "csr_matrix")
# CSR of cells x genes is CSC of genes x cells: exactly what dgCMatrix holds.
counts <- sparseMatrix(i = counts_group[["indices"]][] + 1L, p = counts_group[["indptr"]][],
                       x = as.numeric(counts_group[["data"]][]), dims = rev(shape))
ours <- h5[["obs/size_factor"]][]
if (!h5[["obs"]]$exists("quick_cluster")) stop("analysis.h5ad has no obs/quick_cluster: run analyse with --size-factors pooled")
clusters <- factor(h5[["obs/quick_cluster/codes"]][])
h5$close_all()
cat(sprintf("%d cells x %d genes, %d quick clusters\n", ncol(counts), nrow(counts), nlevels(clusters)))

theirs <- scuttle::pooledSizeFactors(counts, clusters = clusters)
r <- cor(ours, theirs)
rl <- cor(log(ours), log(theirs))
cat(sprintf("kupffer vs scuttle::pooledSizeFactors: Pearson %.5f (log %.5f), median |ratio - 1| %.2e, max %.2e\n",
            r, rl, median(abs(ours / theirs - 1)), max(abs(ours / theirs - 1))))
lib <- scuttle::librarySizeFactors(counts)
cat(sprintf("for reference, library-size factors vs pooled (scuttle): Pearson %.4f\n", cor(lib, theirs)))
if (!(r >= 0.99)) {
  cat("FAIL: pooled size factors correlate below 0.99 with scuttle's\n")
  quit(status = 1)
}
cat("OK\n")
