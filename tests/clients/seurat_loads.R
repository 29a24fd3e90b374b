# Real-client test: Seurat's Read10X and Read10X_h5 load every matrix `kupffer count` wrote, with
# identical values, and CreateSeuratObject accepts them.
# Usage: Rscript seurat_loads.R SAMPLES_FOLDER. Exit 77 (CTest: skipped) if Seurat is missing.
args <- commandArgs(trailingOnly = TRUE)
if (!requireNamespace("Seurat", quietly = TRUE) || !requireNamespace("hdf5r", quietly = TRUE)) {
  cat("skipped: Seurat or hdf5r not installed (apt-get install r-cran-seurat r-cran-hdf5r)\n")
  quit(status = 77)
}
suppressMessages(library(Seurat))
samples <- list.dirs(args[1], recursive = FALSE)
samples <- samples[file.exists(file.path(samples, "filtered_feature_bc_matrix.h5"))]
stopifnot(length(samples) > 0)
for (s in samples) {
  for (kind in c("raw", "filtered")) {
    mtx <- Read10X(file.path(s, paste0(kind, "_feature_bc_matrix")))
    h5 <- Read10X_h5(file.path(s, paste0(kind, "_feature_bc_matrix.h5")))
    stopifnot(identical(dim(mtx), dim(h5)), identical(colnames(mtx), colnames(h5)),
              identical(rownames(mtx), rownames(h5)), sum(abs(mtx - h5)) == 0)
  }
  obj <- suppressWarnings(CreateSeuratObject(mtx, project = basename(s)))
  metrics <- jsonlite::fromJSON(file.path(s, "metrics.json"))
  stopifnot(ncol(obj) == metrics$estimated_cells)
  cat(sprintf("%s: Seurat object of %d cells x %d genes; Read10X == Read10X_h5\n", basename(s), ncol(obj), nrow(obj)))
}
