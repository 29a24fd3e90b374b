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

/// Seurat's "vst" (FindVariableFeatures): a LOESS of log10 variance on log10 mean of the raw
/// counts gives each gene's expected SD; values are standardised with it, clipped at sqrt(cells),
/// and genes are ranked by the variance of the standardised values. In the results, `mean` and
/// `total` are the raw mean and variance, `bio` the standardised variance, `tech` unused (0).
HvgResults seurat_vst(const CountMatrix& counts, const HvgOptions& options = {});

}  // namespace kupffer::cluster
