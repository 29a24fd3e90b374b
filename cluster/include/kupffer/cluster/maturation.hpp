#pragma once
// The monocyte -> macrophage maturation axis, made robust to samples and animals.
//
// Animals differ in the level of every gene (as biological replicates do), and samples add their
// own capture effects; across thousands of genes those shifts outweigh the few hundred genes that
// change along maturation, and a trajectory on plain PCs follows the animals. So, on the lineage's
// cells only, maturation is a one-factor model fitted within samples (the linear, marker-free case
// of factor-analysis pseudotimes such as Ouija and PhenoPath, Campbell & Yau 2018):
//  1. candidate genes are the most variable *within* samples (model_gene_var_blocked), leaving out
//     mitochondrial and ribosomal-protein genes;
//  2. every gene and the macrophage-minus-monocyte panel score are centred within their sample, so
//     neither the animals' own gene levels nor capture effects enter;
//  3. each gene's slope on the current estimate and its residual variance give it a weight
//     slope / variance (Bartlett's factor scores: genes that follow maturation tightly count most),
//     shrunk by (1 - t0^2 / t^2)+ so that genes without evidence count nothing; the slope is taken
//     on the estimate *without the gene's own share*, or genes would select themselves; the new
//     estimate is the weighted sum, in the panel score's units (the within-sample regression of the
//     score on it). Four rounds from the panel score: the gain is in rounds 2-3, and a fit run to
//     convergence can slide, as a power iteration does, to the strongest within-sample factor,
//     which need not be maturation (on one simulated study of thirteen it did, after 25 rounds);
//     the panel score is the anchor, so the rounds stay few;
//  4. the samples' positions on the axis are the average of two estimates whose animal noise comes
//     from different genes: the panel score's sample mean, and the factor's weights applied to the
//     sample's mean expression — so a group whose monocytes matured further keeps that difference.
#include <cstdint>
#include <vector>

#include "kupffer/cluster/hvg.hpp"
#include "kupffer/core/sparse_matrix.hpp"

namespace kupffer::cluster {

struct MaturationOptions {
    std::size_t genes = 1000;  ///< candidates: genes most variable within samples
    double min_t = 2.0;        ///< a gene's weight is shrunk by (1 - min_t^2 / t^2)+, t its slope's t statistic
    std::uint32_t max_rounds = 4;  ///< rounds from the panel score (see above)
    double tolerance = 1e-4;   ///< stop when the estimate moves less than this, relative to its norm
    HvgOptions hvg;            ///< trend settings (its `top` is replaced by `genes`)
    /// Rows never used for the trajectory: mitochondrial and ribosomal-protein genes, whose
    /// cell-to-cell variation is cell state and capture, not maturation.
    std::vector<std::uint32_t> excluded_genes;
};

struct MaturationResults {
    std::vector<double> pseudotime;    ///< per cell in [0, 1], 0 the most monocyte-like
    std::vector<std::uint32_t> genes;  ///< rows of logcounts with a non-zero weight, heaviest first
    std::vector<double> weights;       ///< their weights (positive: up in macrophages)
    std::uint32_t rounds = 0;          ///< rounds fitted (fewer than max_rounds: the estimate settled)
};

/// `logcounts` genes x lineage cells; `block` the sample of each cell (0-based); `panel_score` per
/// cell, higher = more mature (macrophage minus monocyte panel). Throws OptionError with fewer than
/// 3 candidate genes or when no gene follows the panel score within samples.
MaturationResults maturation_trajectory(const SparseMatrix<float>& logcounts, const std::vector<std::uint32_t>& block,
                                        const std::vector<double>& panel_score, const MaturationOptions& options = {});

}  // namespace kupffer::cluster
