#pragma once
// Highly variable genes as scran::modelGeneVar: per gene, the mean and variance of
// log-expression; a trend of variance against mean (technical noise); the biological component =
// variance - trend; the top genes by biological component.
#include <cstdint>
#include <vector>

#include "kupffer/core/sparse_matrix.hpp"

namespace kupffer::cluster {

struct HvgOptions {
    std::size_t top = 2000;  ///< genes to select (fewer if fewer have a positive component)
    double span = 0.3;       ///< LOESS span of the mean-variance trend
    double min_mean = 0.1;   ///< genes below this mean do not shape the trend (scran's default)
};

struct HvgResults {
    std::vector<double> mean, total, tech, bio;  ///< per gene
    std::vector<std::uint32_t> selected;         ///< gene indices, highest bio first
};

HvgResults model_gene_var(const SparseMatrix<float>& logcounts, const HvgOptions& options = {});

/// As model_gene_var, with each gene's variance pooled within blocks (e.g. samples: the residual
/// variance of a one-way model on the block), so that genes that differ between samples or
/// animals but not within them are not selected (the role of scran::modelGeneVar's `block`).
/// `block` holds one index per cell (0-based); `mean` stays the mean over all cells.
HvgResults model_gene_var_blocked(const SparseMatrix<float>& logcounts, const std::vector<std::uint32_t>& block,
                                  const HvgOptions& options = {});

/// Seurat's "vst" (FindVariableFeatures): a LOESS of log10 variance on log10 mean of the raw
/// counts gives each gene's expected SD; values are standardised with it, clipped at sqrt(cells),
/// and genes are ranked by the variance of the standardised values. In the results, `mean` and
/// `total` are the raw mean and variance, `bio` the standardised variance, `tech` unused (0).
HvgResults seurat_vst(const CountMatrix& counts, const HvgOptions& options = {});

}  // namespace kupffer::cluster
