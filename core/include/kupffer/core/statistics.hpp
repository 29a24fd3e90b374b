#pragma once
// Small descriptive statistics shared by the stages.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

#include "kupffer/core/sparse_matrix.hpp"

namespace kupffer {

/// Median of `v`, reordering it (selection, no sort, no allocation: for hot loops); the mean of
/// the two middle values for an even count, as R's median(); 0 for none.
inline double median_in_place(std::vector<double>& v) {
    if (v.empty()) return 0;
    const std::size_t n = v.size(), h = n / 2;
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(h), v.end());
    const double upper = v[h];
    if (n % 2) return upper;
    return (*std::max_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(h)) + upper) / 2;
}

/// Median (mean of the two middle values for an even count; 0 for none).
inline double median(std::vector<double> v) { return median_in_place(v); }

/// Ranks 1..n with ties given their average rank (R's rank(ties.method = "average")).
inline std::vector<double> average_ranks(const std::vector<double>& v) {
    std::vector<std::size_t> order(v.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return v[a] < v[b]; });
    std::vector<double> rank(v.size());
    for (std::size_t i = 0; i < order.size();) {
        std::size_t j = i;
        while (j < order.size() && v[order[j]] == v[order[i]]) ++j;
        for (std::size_t m = i; m < j; ++m) rank[order[m]] = static_cast<double>(i + j + 1) / 2;
        i = j;
    }
    return rank;
}

/// Spearman rank correlation (average ranks for ties); pairs with a NaN are skipped; NaN for
/// fewer than 3 pairs.
inline double spearman(const std::vector<double>& a, const std::vector<double>& b) {
    std::vector<double> x, y;
    for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i)
        if (!std::isnan(a[i]) && !std::isnan(b[i])) x.push_back(a[i]), y.push_back(b[i]);
    if (x.size() < 3) return std::numeric_limits<double>::quiet_NaN();
    const auto rx = average_ranks(x), ry = average_ranks(y);
    const double mx = std::accumulate(rx.begin(), rx.end(), 0.0) / static_cast<double>(rx.size());
    const double my = std::accumulate(ry.begin(), ry.end(), 0.0) / static_cast<double>(ry.size());
    double sxy = 0, sxx = 0, syy = 0;
    for (std::size_t i = 0; i < rx.size(); ++i) {
        sxy += (rx[i] - mx) * (ry[i] - my);
        sxx += (rx[i] - mx) * (rx[i] - mx);
        syy += (ry[i] - my) * (ry[i] - my);
    }
    return sxy / std::sqrt(sxx * syy);
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
