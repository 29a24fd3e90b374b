#pragma once
// PCA of the selected genes' log-expression with Spectra (implicitly restarted Lanczos), without
// densifying the matrix: the covariance is applied as X'X v - n mu (mu'v), centring implicitly.
// Deterministic: the start vector comes from the seed, products reduce over fixed chunks, and each
// component's sign is fixed (largest loading positive).
#include <cstdint>
#include <vector>

#include <Eigen/Dense>

#include "kupffer/core/sparse_matrix.hpp"

namespace kupffer::cluster {

struct PcaOptions {
    std::size_t components = 50;
    bool scale = false;   ///< divide each gene by its standard deviation (Seurat's ScaleData)
    std::uint64_t seed = 1;
    int threads = 0;      ///< never changes the result
};

struct PcaResults {
    Eigen::MatrixXd scores;    ///< cells x components
    Eigen::MatrixXd rotation;  ///< selected genes x components
    std::vector<double> variance;  ///< per component
    double total_variance = 0;     ///< of the (scaled) selected genes
    std::vector<double> center, inv_sd;  ///< per selected gene: the mean and 1/SD (1 unscaled) used
};

/// `genes`: rows of `logcounts` to use (e.g. HvgResults::selected).
PcaResults run_pca(const SparseMatrix<float>& logcounts, const std::vector<std::uint32_t>& genes, const PcaOptions& options = {});

/// Scores of other cells (e.g. simulated ones) in a fitted PCA: their `genes` rows centred and
/// scaled as the fit's, times its rotation. `logcounts` has the fit's genes as rows.
Eigen::MatrixXd project_onto_pcs(const SparseMatrix<float>& logcounts, const std::vector<std::uint32_t>& genes, const PcaResults& pca,
                                 int threads = 0);

}  // namespace kupffer::cluster
