#pragma once
// Library-size normalisation and log transform, as scuttle::logNormCounts: size factor = a cell's
// total count / the mean total; value = log2(count / size factor + 1). Zeros stay zeros (sparse).
#include <vector>

#include "kupffer/core/sparse_matrix.hpp"

namespace kupffer::cluster {

struct NormalizeOptions {
    /// Size factors to use (one per cell); empty = library sizes centred to mean 1 (scuttle's default).
    std::vector<double> size_factors;
    double pseudo_count = 1.0;
    double log_base = 2.0;
};

struct NormalizeResults {
    SparseMatrix<float> logcounts;  ///< genes x cells
    std::vector<double> size_factors;
};

/// Throws OptionError for a cell with no counts or a non-positive size factor (the clear default
/// scran's sanitize option describes; filter such cells first).
NormalizeResults log_normalize(const CountMatrix& counts, const NormalizeOptions& options = {});

}  // namespace kupffer::cluster
