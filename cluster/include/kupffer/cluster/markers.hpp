#pragma once
// Marker genes of each cluster against all other cells, as Seurat's FindAllMarkers (Wilcoxon
// rank-sum test) and scran's scoreMarkers (AUC) report them: per gene, the AUC (probability that a
// cell of the cluster expresses it more than a cell outside it, ties counted half), the log2 fold
// change of mean log-expression, detection rates inside and outside, a two-sided Wilcoxon p-value
// (normal approximation with tie and continuity correction, as R's wilcox.test) and BH-adjusted
// p-values within each cluster.
#include <cstdint>
#include <vector>

#include "kupffer/core/sparse_matrix.hpp"

namespace kupffer::cluster {

struct MarkerOptions {
    int threads = 0;  ///< never changes the result
};

struct ClusterMarkers {
    std::vector<double> auc, log2_fc, detected_in, detected_out, p_value, fdr;  ///< per gene
    /// Gene indices with AUC > 0.5, by increasing p-value (ties: higher AUC, then lower index).
    std::vector<std::uint32_t> ranked;
};

struct MarkerResults {
    std::vector<ClusterMarkers> clusters;  ///< by cluster label
};

/// `logcounts` genes x cells (log2 scale, e.g. log_normalize); `labels` 0..K-1 per cell.
MarkerResults find_markers(const SparseMatrix<float>& logcounts, const std::vector<std::uint32_t>& labels,
                           const MarkerOptions& options = {});

/// Benjamini-Hochberg adjusted p-values (R's p.adjust(method = "BH")); NaN entries stay NaN and
/// are not counted.
std::vector<double> benjamini_hochberg(const std::vector<double>& p_values);

}  // namespace kupffer::cluster
