#include "kupffer/cluster/markers.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "kupffer/core/errors.hpp"
#include "kupffer/core/parallel.hpp"

namespace kupffer::cluster {

std::vector<double> benjamini_hochberg(const std::vector<double>& p) {
    std::vector<std::size_t> order;
    for (std::size_t i = 0; i < p.size(); ++i)
        if (!std::isnan(p[i])) order.push_back(i);
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return p[a] != p[b] ? p[a] > p[b] : a < b; });
    std::vector<double> adjusted(p.size(), std::numeric_limits<double>::quiet_NaN());
    const double n = static_cast<double>(order.size());
    double running = 1.0;
    for (std::size_t r = 0; r < order.size(); ++r) {
        const double rank = n - static_cast<double>(r);  // 1-based rank from the smallest
        running = std::min(running, p[order[r]] * n / rank);
        adjusted[order[r]] = running;
    }
    return adjusted;
}

MarkerResults find_markers(const SparseMatrix<float>& logcounts, const std::vector<std::uint32_t>& labels,
                           const MarkerOptions& options) {
    if (labels.size() != logcounts.n_cols) throw OptionError("find_markers: one label per cell is needed");
    const std::uint32_t k = labels.empty() ? 0 : *std::max_element(labels.begin(), labels.end()) + 1;
    std::vector<double> size(k, 0);
    for (auto l : labels) size[l] += 1;
    const double n = static_cast<double>(labels.size());
    const auto by_gene = transpose(logcounts);  // cells x genes: column g holds gene g's nonzeros
    const std::uint32_t genes = logcounts.n_rows;

    MarkerResults results;
    results.clusters.resize(k);
    for (auto& c : results.clusters)
        for (auto* v : {&c.auc, &c.log2_fc, &c.detected_in, &c.detected_out, &c.p_value})
            v->assign(genes, std::numeric_limits<double>::quiet_NaN());

    parallel_chunks(genes, 64, options.threads, [&](std::size_t, std::size_t begin, std::size_t end) {
        std::vector<std::pair<float, std::uint32_t>> nonzero;  // (value, cluster)
        std::vector<double> rank_sum(k), sum(k), detected(k);
        for (std::size_t g = begin; g < end; ++g) {
            const auto cells = by_gene.column_rows(static_cast<std::uint32_t>(g));
            const auto values = by_gene.column_values(static_cast<std::uint32_t>(g));
            nonzero.clear();
            std::fill(rank_sum.begin(), rank_sum.end(), 0.0);
            std::fill(sum.begin(), sum.end(), 0.0);
            std::fill(detected.begin(), detected.end(), 0.0);
            for (std::size_t i = 0; i < cells.size(); ++i) {
                if (values[i] == 0) continue;
                nonzero.emplace_back(values[i], labels[cells[i]]);
                sum[labels[cells[i]]] += values[i];
                detected[labels[cells[i]]] += 1;
            }
            std::sort(nonzero.begin(), nonzero.end());
            // Zeros share the lowest ranks; nonzero ties share their average rank.
            const double zeros = n - static_cast<double>(nonzero.size());
            double ties = zeros * zeros * zeros - zeros;  // sum of t^3 - t over tie groups
            for (std::uint32_t c = 0; c < k; ++c) rank_sum[c] = (size[c] - detected[c]) * (zeros + 1) / 2;
            for (std::size_t i = 0; i < nonzero.size();) {
                std::size_t j = i;
                while (j < nonzero.size() && nonzero[j].first == nonzero[i].first) ++j;
                const double t = static_cast<double>(j - i);
                const double rank = zeros + static_cast<double>(i + j + 1) / 2;  // mean of ranks i+1..j after the zeros
                for (std::size_t m = i; m < j; ++m) rank_sum[nonzero[m].second] += rank;
                ties += t * t * t - t;
                i = j;
            }
            double total_sum = 0, total_detected = 0;
            for (std::uint32_t c = 0; c < k; ++c) total_sum += sum[c], total_detected += detected[c];
            for (std::uint32_t c = 0; c < k; ++c) {
                const double n1 = size[c], n2 = n - size[c];
                auto& out = results.clusters[c];
                if (n1 == 0 || n2 == 0) continue;
                const double u = rank_sum[c] - n1 * (n1 + 1) / 2;
                out.auc[g] = u / (n1 * n2);
                out.log2_fc[g] = sum[c] / n1 - (total_sum - sum[c]) / n2;
                out.detected_in[g] = detected[c] / n1;
                out.detected_out[g] = (total_detected - detected[c]) / n2;
                const double variance = n1 * n2 / 12 * ((n + 1) - ties / (n * (n - 1)));
                if (variance <= 0) {
                    out.p_value[g] = 1.0;
                    continue;
                }
                const double d = u - n1 * n2 / 2;
                const double correction = d > 0 ? 0.5 : (d < 0 ? -0.5 : 0.0);
                const double z = (d - correction) / std::sqrt(variance);
                out.p_value[g] = std::erfc(std::abs(z) / std::sqrt(2.0));
            }
        }
    });
    for (auto& c : results.clusters) {
        c.fdr = benjamini_hochberg(c.p_value);
        for (std::uint32_t g = 0; g < genes; ++g)
            if (c.auc[g] > 0.5) c.ranked.push_back(g);
        std::sort(c.ranked.begin(), c.ranked.end(), [&](std::uint32_t a, std::uint32_t b) {
            if (c.p_value[a] != c.p_value[b]) return c.p_value[a] < c.p_value[b];
            if (c.auc[a] != c.auc[b]) return c.auc[a] > c.auc[b];
            return a < b;
        });
    }
    return results;
}

}  // namespace kupffer::cluster
