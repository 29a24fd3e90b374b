#pragma once
// The monocyte -> macrophage maturation trajectory, made robust to samples and animals.
//
// Animals differ in the level of every gene (as biological replicates do), and samples add their
// own capture effects; across thousands of genes those shifts outweigh the few hundred genes that
// change along maturation, and a trajectory on plain PCs follows the animals. So, on the lineage's
// cells only:
//  1. genes are chosen by their variance *within* samples (model_gene_var_blocked), not between,
//     leaving out mitochondrial and ribosomal-protein genes;
//  2. per-sample effects and sequencing depth are removed as limma::removeBatchEffect(x,
//     batch = sample, covariates = log UMIs, design = model.matrix(~ panel_score)) does: each
//     gene's sample intercepts and depth slope are fitted jointly with its slope on the
//     macrophage-minus-monocyte panel score and removed, so differences in *how far* a sample's
//     cells matured (a group effect) are kept, and only what the score does not explain is taken out;
//  3. of those, the genes that move with the panel score within samples (supervised principal
//     components, Bair et al. 2006): per cell, hundreds of genes then carry the maturation signal
//     and the noise of the panels' few genes averages out;
//  4. PCA of the corrected values, then diffusion pseudotime (Haghverdi et al. 2016) rooted at the
//     most monocyte-like cells by the panel score, on the leading diffusion components (one
//     unbranched lineage: as destiny's DC1 ordering).
#include <cstdint>
#include <vector>

#include <Eigen/Dense>

#include "kupffer/cluster/hvg.hpp"
#include "kupffer/cluster/pseudotime.hpp"
#include "kupffer/core/sparse_matrix.hpp"

namespace kupffer::cluster {

/// limma::removeBatchEffect(x, batch = block, covariates = nuisance, design = model.matrix(~ covariate))
/// on the `genes` rows of `logcounts` (genes x cells): returns cells x genes.size(). Each gene is
/// fitted on block intercepts, the protected `covariate` and the `nuisance` covariate (may be
/// empty) together; the block effects (sum-to-zero contrasts: the average block's level is kept)
/// and the nuisance term (centred, unlike limma: a constant shift) are removed, the covariate's
/// term kept. `block` holds one 0-based index per cell.
Eigen::MatrixXd remove_block_effects(const SparseMatrix<float>& logcounts, const std::vector<std::uint32_t>& genes,
                                     const std::vector<std::uint32_t>& block, const std::vector<double>& covariate,
                                     const std::vector<double>& nuisance = {});

struct MaturationOptions {
    std::size_t genes = 1000;       ///< genes most variable within samples (the candidates)
    std::size_t score_genes = 200;  ///< of those, the most associated with the panel score
    std::size_t pcs = 5;
    HvgOptions hvg;            ///< trend settings (its `top` is replaced by `genes`)
    /// Rows never used for the trajectory: mitochondrial and ribosomal-protein genes, whose
    /// cell-to-cell variation is cell state and capture, not maturation.
    std::vector<std::uint32_t> excluded_genes;
    PseudotimeOptions pseudotime = {.k = 60, .components = 2};
};

struct MaturationResults {
    std::vector<double> pseudotime;        ///< per cell in [0, 1]
    std::vector<std::uint32_t> genes;      ///< rows of logcounts the trajectory used
};

/// `logcounts` genes x lineage cells; `block` the sample of each cell; `panel_score` per cell,
/// higher = more mature (macrophage minus monocyte panel); `log_depth` per cell, the log of its
/// UMIs (removed as a nuisance covariate: on log-normalised counts, depth still shapes which genes
/// are seen). Throws OptionError with too few cells or genes.
MaturationResults maturation_trajectory(const SparseMatrix<float>& logcounts, const std::vector<std::uint32_t>& block,
                                        const std::vector<double>& panel_score, const std::vector<double>& log_depth,
                                        const MaturationOptions& options = {});

}  // namespace kupffer::cluster
