#pragma once
// Small descriptive statistics shared by the stages.
#include <algorithm>
#include <vector>

#include "kupffer/core/sparse_matrix.hpp"

namespace kupffer {

/// Median (mean of the two middle values for an even count; 0 for none).
inline double median(std::vector<double> v) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/// Per-row mean and sample variance (n - 1) of a sparse matrix, zeros included.
template <class Value>
void row_mean_variance(const SparseMatrix<Value>& m, std::vector<double>& mean, std::vector<double>& variance) {
    const double n = m.n_cols;
    std::vector<double> sum(m.n_rows, 0), sumsq(m.n_rows, 0);
    for (std::uint64_t k = 0; k < m.nnz(); ++k) {
        const double v = static_cast<double>(m.values[k]);
        sum[m.row_indices[k]] += v;
        sumsq[m.row_indices[k]] += v * v;
    }
    mean.resize(m.n_rows);
    variance.resize(m.n_rows);
    for (std::uint32_t g = 0; g < m.n_rows; ++g) {
        mean[g] = sum[g] / n;
        variance[g] = n > 1 ? (sumsq[g] - n * mean[g] * mean[g]) / (n - 1) : 0;
    }
}

}  // namespace kupffer
