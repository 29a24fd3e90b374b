#!/usr/bin/env Rscript
# Real-client check: R's edgeR reruns kupffer's per-animal pseudobulk tests from the count tables
# kupffer wrote (pseudobulk/), with kupffer's model (filterByExpr, TMM, common NB dispersion,
# glmQLFit(abundance.trend = FALSE), glmQLFTest), and the log fold changes and p-values must agree.
# Also reports, for information, the agreement with edgeR's default pipeline (estimateDisp,
# trended dispersion and prior). Usage: edger_agrees.R ANALYSIS_FOLDER. Exit 77 without edgeR.
args <- commandArgs(trailingOnly = TRUE)
if (!requireNamespace("edgeR", quietly = TRUE)) {
  cat("skipped: edgeR not installed (apt-get install r-bioc-edger)\n")
  quit(status = 77)
}
suppressPackageStartupMessages(library(edgeR))
folder <- args[1]
index <- read.delim(file.path(folder, "pseudobulk/index.tsv"), stringsAsFactors = FALSE)
ours <- read.delim(gzfile(file.path(folder, "pseudobulk_de.tsv.gz")), stringsAsFactors = FALSE)
cmp <- list()
for (i in seq_len(nrow(index))) {
  f <- index$file[i]
  counts <- read.delim(gzfile(file.path(folder, "pseudobulk", paste0(f, ".counts.tsv.gz"))), check.names = FALSE, stringsAsFactors = FALSE)
  samples <- read.delim(file.path(folder, "pseudobulk", paste0(f, ".samples.tsv")), stringsAsFactors = FALSE)
  tested <- ours[ours$cell_type == index$cell_type[i] & ours$timepoint == index$timepoint[i], ]
  if (nrow(tested) == 0) next
  y_all <- as.matrix(counts[, samples$sample, drop = FALSE])
  rownames(y_all) <- counts$gene_id
  for (pair in unique(paste(tested$group, tested$reference, sep = "\t"))) {
    g <- strsplit(pair, "\t")[[1]]
    rows <- tested[tested$group == g[1] & tested$reference == g[2], ]
    # The groups kupffer tested: those with enough replicates (all groups of this table present in the output).
    present <- unique(c(tested$reference, tested$group))
    keep_samples <- samples$group %in% present
    group <- factor(samples$group[keep_samples], levels = c(g[2], setdiff(unique(samples$group[keep_samples]), g[2])))
    y <- DGEList(y_all[, keep_samples, drop = FALSE], group = group)
    design <- model.matrix(~group)
    keep <- filterByExpr(y, group = group)
    y <- y[keep, , keep.lib.sizes = FALSE]
    y <- calcNormFactors(y)
    coef <- which(colnames(design) == paste0("group", g[1]))
    y1 <- estimateGLMCommonDisp(y, design)
    fit <- glmQLFit(y1, design, dispersion = y1$common.dispersion, abundance.trend = FALSE)
    res <- glmQLFTest(fit, coef = coef)$table
    y2 <- estimateDisp(y, design)
    res2 <- glmQLFTest(glmQLFit(y2, design), coef = coef)$table
    m <- match(rows$gene_id, rownames(res))
    ok <- !is.na(m)
    cmp[[length(cmp) + 1]] <- data.frame(
      table = f, group = g[1], reference = g[2],
      ours_fc = rows$log2_fc[ok], edger_fc = res$logFC[m[ok]],
      ours_p = rows$p_value[ok], edger_p = res$PValue[m[ok]], default_p = res2[rownames(res), "PValue"][m[ok]],
      ours_disp = rows$dispersion[ok], edger_disp = y1$common.dispersion,
      same_filter = sum(ok) == nrow(rows) && nrow(rows) == nrow(res))
  }
}
d <- do.call(rbind, cmp)
if (is.null(d) || nrow(d) == 0) stop("no pseudobulk tests to compare")
lp <- function(p) -log10(pmax(p, 1e-300))
r_fc <- cor(d$ours_fc, d$edger_fc)
r_p <- cor(lp(d$ours_p), lp(d$edger_p))
r_default <- cor(lp(d$ours_p), lp(d$default_p))
disp_ratio <- range(d$ours_disp / d$edger_disp)
sig_ours <- d$ours_p < 0.01; sig_edger <- d$edger_p < 0.01
cat(sprintf("edgeR: %d gene tests in %d comparisons; filters identical: %s\n", nrow(d),
            nrow(unique(d[, c("table", "group", "reference")])), all(d$same_filter)))
cat(sprintf("  log2FC: Pearson %.4f, median |diff| %.4f\n", r_fc, median(abs(d$ours_fc - d$edger_fc))))
cat(sprintf("  -log10 p: Pearson %.4f (kupffer's model), %.4f (edgeR's default trended pipeline)\n", r_p, r_default))
cat(sprintf("  common dispersion ratio kupffer/edgeR: %.4f-%.4f; p < 0.01 calls agree on %.4f of tests\n",
            disp_ratio[1], disp_ratio[2], mean(sig_ours == sig_edger)))
stopifnot(all(d$same_filter), r_fc > 0.99, r_p > 0.99, abs(disp_ratio - 1) < 0.02, mean(sig_ours == sig_edger) > 0.98)
