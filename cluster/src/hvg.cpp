#include "kupffer/cluster/hvg.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "kupffer/core/errors.hpp"
#include "kupffer/core/statistics.hpp"

namespace kupffer::cluster {

namespace {
/// Local linear regression with tricube weights (LOESS, degree 1) of y on x at every point.
std::vector<double> loess(const std::vector<double>& x, const std::vector<double>& y, double span, const std::vector<double>& at) {
    std::vector<std::size_t> order(x.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](auto a, auto b) { return x[a] < x[b]; });
    std::vector<double> xs, ys;
    for (auto i : order) xs.push_back(x[i]), ys.push_back(y[i]);
    const std::size_t n = xs.size();
    const std::size_t window = std::max<std::size_t>(3, static_cast<std::size_t>(std::ceil(span * static_cast<double>(n))));
    std::vector<double> fit(at.size());
    for (std::size_t i = 0; i < at.size(); ++i) {
        const double x0 = std::clamp(at[i], xs.front(), xs.back());
        // The `window` nearest points to x0.
        std::size_t lo = static_cast<std::size_t>(std::lower_bound(xs.begin(), xs.end(), x0) - xs.begin());
        std::size_t left = lo, right = lo;  // [left, right)
        while (right - left < std::min(window, n)) {
            if (left == 0) ++right;
            else if (right == n) --left;
            else if (x0 - xs[left - 1] <= xs[right] - x0) --left;
            else ++right;
        }
        double maxd = 0;
        for (std::size_t j = left; j < right; ++j) maxd = std::max(maxd, std::abs(xs[j] - x0));
        maxd = maxd > 0 ? maxd * 1.000001 : 1.0;
        double sw = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
        for (std::size_t j = left; j < right; ++j) {
            const double d = std::abs(xs[j] - x0) / maxd;
            const double w = std::pow(1 - d * d * d, 3);
            sw += w, sx += w * xs[j], sy += w * ys[j], sxx += w * xs[j] * xs[j], sxy += w * xs[j] * ys[j];
        }
        const double denom = sw * sxx - sx * sx;
        const double slope = std::abs(denom) > 1e-12 ? (sw * sxy - sx * sy) / denom : 0.0;
        fit[i] = (sy - slope * sx) / sw + slope * x0;
    }
    return fit;
}

/// Genes by decreasing score (ties by index), the first `top` with a positive score.
std::vector<std::uint32_t> select_top(const std::vector<double>& score, std::size_t top) {
    std::vector<std::uint32_t> order(score.size());
    std::iota(order.begin(), order.end(), 0U);
    std::sort(order.begin(), order.end(), [&](auto a, auto b) { return score[a] != score[b] ? score[a] > score[b] : a < b; });
    std::vector<std::uint32_t> selected;
    for (auto g : order) {
        if (selected.size() == top || !(score[g] > 0)) break;
        selected.push_back(g);
    }
    return selected;
}
}  // namespace

namespace {
/// The technical trend of total variance on mean (LOESS over genes above min_mean), the biological
/// component and the selection, given r.mean and r.total.
void fit_trend(HvgResults& r, const HvgOptions& options) {
    const auto genes = static_cast<std::uint32_t>(r.mean.size());
    std::vector<double> fx, fy;
    for (std::uint32_t g = 0; g < genes; ++g)
        if (r.mean[g] >= options.min_mean) fx.push_back(r.mean[g]), fy.push_back(r.total[g]);
    if (fx.size() < 3) {
        fx = r.mean;
        fy = r.total;
    }
    r.tech = loess(fx, fy, options.span, r.mean);
    // Below the fitted range, technical variance shrinks to zero with the mean (as scran's trend).
    const double min_fit = *std::min_element(fx.begin(), fx.end());
    for (std::uint32_t g = 0; g < genes; ++g) {
        if (r.mean[g] < min_fit) r.tech[g] *= r.mean[g] / min_fit;
        r.tech[g] = std::max(0.0, r.tech[g]);
    }
    r.bio.resize(genes);
    for (std::uint32_t g = 0; g < genes; ++g) r.bio[g] = r.total[g] - r.tech[g];
    r.selected = select_top(r.bio, options.top);
}
}  // namespace

HvgResults model_gene_var(const SparseMatrix<float>& m, const HvgOptions& options) {
    HvgResults r;
    row_mean_variance(m, r.mean, r.total);
    fit_trend(r, options);
    return r;
}

HvgResults model_gene_var_blocked(const SparseMatrix<float>& m, const std::vector<std::uint32_t>& block, const HvgOptions& options) {
    if (block.size() != m.n_cols) throw OptionError("model_gene_var_blocked: one block per cell is needed");
    const std::uint32_t blocks = block.empty() ? 0 : *std::max_element(block.begin(), block.end()) + 1;
    std::vector<double> size(blocks, 0.0);
    for (auto b : block) size[b] += 1;
    // Per gene and block: sum and sum of squares (genes x blocks, row-major).
    std::vector<double> sum(static_cast<std::size_t>(m.n_rows) * blocks, 0.0), sumsq(sum.size(), 0.0);
    for (std::uint32_t c = 0; c < m.n_cols; ++c) {
        const auto rows = m.column_rows(c);
        const auto vals = m.column_values(c);
        for (std::size_t k = 0; k < rows.size(); ++k) {
            const std::size_t at = static_cast<std::size_t>(rows[k]) * blocks + block[c];
            sum[at] += vals[k];
            sumsq[at] += static_cast<double>(vals[k]) * vals[k];
        }
    }
    HvgResults r;
    r.mean.assign(m.n_rows, 0.0);
    r.total.assign(m.n_rows, 0.0);
    const double residual_df = static_cast<double>(m.n_cols) - static_cast<double>(std::count_if(size.begin(), size.end(), [](double s) { return s > 0; }));
    for (std::uint32_t g = 0; g < m.n_rows; ++g) {
        double total = 0, within = 0;
        for (std::uint32_t b = 0; b < blocks; ++b) {
            const std::size_t at = static_cast<std::size_t>(g) * blocks + b;
            if (size[b] == 0) continue;
            total += sum[at];
            within += sumsq[at] - sum[at] * sum[at] / size[b];
        }
        r.mean[g] = total / m.n_cols;
        r.total[g] = residual_df > 0 ? std::max(0.0, within) / residual_df : 0.0;
    }
    fit_trend(r, options);
    return r;
}

HvgResults seurat_vst(const CountMatrix& m, const HvgOptions& options) {
    HvgResults r;
    const std::uint32_t genes = m.n_rows;
    const double n = m.n_cols;
    row_mean_variance(m, r.mean, r.total);
    r.tech.assign(genes, 0.0);
    std::vector<double> lx, ly;
    std::vector<std::uint32_t> fitted;
    for (std::uint32_t g = 0; g < genes; ++g) {
        if (r.total[g] > 0) {
            lx.push_back(std::log10(r.mean[g]));
            ly.push_back(std::log10(r.total[g]));
            fitted.push_back(g);
        }
    }
    r.bio.assign(genes, 0.0);
    if (fitted.size() >= 3) {
        const auto trend = loess(lx, ly, options.span, lx);
        const double clip = std::sqrt(n);
        std::vector<double> expected_sd(genes, 0.0);
        for (std::size_t i = 0; i < fitted.size(); ++i) expected_sd[fitted[i]] = std::sqrt(std::pow(10.0, trend[i]));
        // Sum of squared standardised values: zeros contribute (mean/sd)^2 each, clipped.
        std::vector<double> acc(genes, 0.0);
        std::vector<std::uint32_t> nonzero(genes, 0);
        for (std::uint32_t c = 0; c < m.n_cols; ++c) {
            auto rows = m.column_rows(c);
            auto vals = m.column_values(c);
            for (std::size_t k = 0; k < rows.size(); ++k) {
                const auto g = rows[k];
                if (expected_sd[g] <= 0) continue;
                const double z = std::min(clip, (vals[k] - r.mean[g]) / expected_sd[g]);
                acc[g] += z * z;
                ++nonzero[g];
            }
        }
        for (auto g : fitted) {
            const double z0 = std::min(clip, (0.0 - r.mean[g]) / expected_sd[g]);
            r.bio[g] = (acc[g] + (n - nonzero[g]) * z0 * z0) / (n - 1);
        }
    }
    r.selected = select_top(r.bio, options.top);
    return r;
}

}  // namespace kupffer::cluster
