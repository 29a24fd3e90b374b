#include "kupffer/cluster/normalize.hpp"

#include <cmath>
#include <numeric>
#include <string>

#include "kupffer/core/errors.hpp"

namespace kupffer::cluster {

NormalizeResults log_normalize(const CountMatrix& counts, const NormalizeOptions& options) {
    NormalizeResults r;
    const std::uint32_t n = counts.n_cols;
    if (!options.size_factors.empty()) {
        if (options.size_factors.size() != n) throw OptionError("one size factor per cell is needed");
        r.size_factors = options.size_factors;
    } else {
        r.size_factors = counts.column_sums();
        const double mean = n ? std::accumulate(r.size_factors.begin(), r.size_factors.end(), 0.0) / n : 1.0;
        for (auto& s : r.size_factors) s /= mean;
    }
    for (std::uint32_t c = 0; c < n; ++c)
        if (!(r.size_factors[c] > 0))
            throw OptionError("cell " + std::to_string(c) + " has a size factor of " + std::to_string(r.size_factors[c]) +
                              " (no counts?): remove empty cells before normalising");
    auto& out = r.logcounts;
    out.n_rows = counts.n_rows;
    out.n_cols = n;
    out.col_offsets = counts.col_offsets;
    out.row_indices = counts.row_indices;
    out.values.resize(counts.values.size());
    const double log_base = std::log(options.log_base);
    for (std::uint32_t c = 0; c < n; ++c)
        for (std::uint64_t k = counts.col_offsets[c]; k < counts.col_offsets[c + 1]; ++k)
            out.values[k] = static_cast<float>(std::log(counts.values[k] / r.size_factors[c] + options.pseudo_count) / log_base);
    return r;
}

}  // namespace kupffer::cluster
