#include "kupffer/cluster/doublets.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <optional>
#include <string>

#include "kupffer/cluster/hvg.hpp"
#include "kupffer/cluster/normalize.hpp"
#include "kupffer/cluster/pca.hpp"
#include "kupffer/core/errors.hpp"
#include "kupffer/core/parallel.hpp"
#include "kupffer/core/random.hpp"

namespace kupffer::cluster {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// Column i + column j of `m`, for each pair: the simulated doublets' raw counts.
CountMatrix add_pairs(const CountMatrix& m, const std::vector<std::pair<std::uint32_t, std::uint32_t>>& pairs) {
    CountMatrix out;
    out.n_rows = m.n_rows;
    out.n_cols = static_cast<std::uint32_t>(pairs.size());
    out.col_offsets.assign(1, 0);
    for (const auto& [i, j] : pairs) {
        auto a = m.col_offsets[i], b = m.col_offsets[j];
        const auto a_end = m.col_offsets[i + 1], b_end = m.col_offsets[j + 1];
        while (a < a_end || b < b_end) {
            if (b == b_end || (a < a_end && m.row_indices[a] < m.row_indices[b])) {
                out.row_indices.push_back(m.row_indices[a]), out.values.push_back(m.values[a++]);
            } else if (a == a_end || m.row_indices[b] < m.row_indices[a]) {
                out.row_indices.push_back(m.row_indices[b]), out.values.push_back(m.values[b++]);
            } else {
                out.row_indices.push_back(m.row_indices[a]), out.values.push_back(m.values[a++] + m.values[b++]);
            }
        }
        out.col_offsets.push_back(out.row_indices.size());
    }
    return out;
}

}  // namespace

namespace {

struct Histogram {
    std::vector<double> counts, centres;
};

Histogram histogram(const std::vector<double>& values, std::size_t bins) {
    const auto [lo_it, hi_it] = std::minmax_element(values.begin(), values.end());
    const double lo = *lo_it, width = (*hi_it - lo) / static_cast<double>(bins);
    Histogram h{std::vector<double>(bins, 0), std::vector<double>(bins)};
    for (std::size_t b = 0; b < bins; ++b) h.centres[b] = lo + (static_cast<double>(b) + 0.5) * width;
    for (double v : values) ++h.counts[std::min(bins - 1, static_cast<std::size_t>((v - lo) / width))];
    return h;
}

}  // namespace

double otsu_threshold(const std::vector<double>& values, std::size_t bins) {
    if (values.empty()) throw OptionError("otsu_threshold: no values");
    const auto [lo_it, hi_it] = std::minmax_element(values.begin(), values.end());
    if (!(*hi_it > *lo_it)) return *hi_it;
    const auto h = histogram(values, bins);
    const auto& counts = h.counts;
    const auto& centres = h.centres;
    const double total = std::accumulate(counts.begin(), counts.end(), 0.0);
    double sum_all = 0;
    for (std::size_t b = 0; b < counts.size(); ++b) sum_all += counts[b] * centres[b];
    double weight = 0, sum = 0, best = -1, at = centres.front();
    for (std::size_t b = 0; b + 1 < counts.size(); ++b) {
        weight += counts[b];
        sum += counts[b] * centres[b];
        if (weight == 0 || weight == total) continue;
        const double m0 = sum / weight, m1 = (sum_all - sum) / (total - weight);
        const double between = weight * (total - weight) * (m0 - m1) * (m0 - m1);
        if (between > best) best = between, at = centres[b];
    }
    return at;
}

std::optional<double> bimodal_threshold(const std::vector<double>& values, std::size_t bins) {
    if (values.empty()) throw OptionError("bimodal_threshold: no values");
    const auto [lo_it, hi_it] = std::minmax_element(values.begin(), values.end());
    if (!(*hi_it > *lo_it)) return std::nullopt;
    auto [hist, centres] = histogram(values, bins);
    // Smooth with a running mean of 3 (edges reflected) until exactly two maxima remain.
    std::vector<std::size_t> maxima;
    for (int iteration = 0; iteration < 10000; ++iteration) {
        maxima.clear();
        // A maximum: rises into it and falls after it (plateaus count once, at their start).
        int direction = 1;
        for (std::size_t b = 0; b + 1 < bins; ++b) {
            if (hist[b + 1] > hist[b]) {
                direction = 1;
            } else if (hist[b + 1] < hist[b]) {
                if (direction == 1) maxima.push_back(b);
                direction = -1;
            }
        }
        if (maxima.size() == 2) {
            // The middle of the lowest stretch between them (a gap of empty bins splits evenly).
            std::size_t lo_bin = maxima[0], hi_bin = maxima[0];
            for (std::size_t b = maxima[0]; b <= maxima[1]; ++b) {
                if (hist[b] < hist[lo_bin]) lo_bin = hi_bin = b;
                else if (hist[b] == hist[lo_bin] && hi_bin + 1 == b) hi_bin = b;
            }
            return (centres[lo_bin] + centres[hi_bin]) / 2;
        }
        if (maxima.size() < 2) break;
        std::vector<double> smooth(bins);
        for (std::size_t b = 0; b < bins; ++b) {
            const double left = hist[b == 0 ? 0 : b - 1], right = hist[b + 1 == bins ? b : b + 1];
            smooth[b] = (left + hist[b] + right) / 3.0;
        }
        hist.swap(smooth);
    }
    return std::nullopt;
}

DoubletResults doublet_scores(const CountMatrix& counts, const std::vector<std::uint32_t>& sample_of_cell, std::uint32_t samples,
                              const DoubletOptions& o) {
    if (sample_of_cell.size() != counts.n_cols) throw OptionError("doublet_scores: one sample index per cell is needed");
    if (!(o.simulated_ratio > 0)) throw OptionError("doublet_scores: the simulated ratio must be positive");
    if (o.expected_rate < 0 || o.expected_rate >= 1) throw OptionError("doublet_scores: the expected rate must be in [0, 1)");
    DoubletResults r;
    r.score.assign(counts.n_cols, kNaN);
    r.predicted.assign(counts.n_cols, false);
    r.threshold.assign(samples, kNaN);
    r.rate.assign(samples, kNaN);
    r.detectable.assign(samples, kNaN);
    r.implied_rate.assign(samples, kNaN);
    std::vector<std::vector<std::uint32_t>> cells_of(samples);
    for (std::uint32_t c = 0; c < counts.n_cols; ++c) {
        if (sample_of_cell[c] >= samples) throw OptionError("doublet_scores: sample index out of range");
        cells_of[sample_of_cell[c]].push_back(c);
    }
    for (std::uint32_t s = 0; s < samples; ++s) {
        const auto& cells = cells_of[s];
        const auto n = static_cast<std::uint32_t>(cells.size());
        if (n == 0) continue;
        if (n < std::max<std::uint32_t>(o.min_cells, 3)) {
            r.notes.push_back("doublets: sample " + std::to_string(s) + " has " + std::to_string(n) + " cells, too few to score");
            continue;
        }
        const CountMatrix observed = select_columns(counts, cells);
        // 1. Simulated doublets: random pairs of distinct cells of this sample.
        const auto n_sim = static_cast<std::uint32_t>(std::llround(o.simulated_ratio * n));
        Rng rng(o.seed, 0xD0B1E7, s);
        std::vector<std::pair<std::uint32_t, std::uint32_t>> pairs(n_sim);
        for (auto& [i, j] : pairs) {
            i = static_cast<std::uint32_t>(rng.below(n));
            j = static_cast<std::uint32_t>(rng.below(n - 1));
            if (j >= i) ++j;
        }
        const CountMatrix simulated = add_pairs(observed, pairs);
        // 2. Same normalisation for both (to the observed mean library size), PCA of the observed.
        auto library = observed.column_sums();
        const double mean_library = std::accumulate(library.begin(), library.end(), 0.0) / n;
        if (!(mean_library > 0)) continue;
        for (auto& l : library) l = std::max(l, 1.0) / mean_library;
        auto sim_library = simulated.column_sums();
        for (auto& l : sim_library) l = std::max(l, 1.0) / mean_library;
        const auto obs_log = log_normalize(observed, {.size_factors = library}).logcounts;
        const auto sim_log = log_normalize(simulated, {.size_factors = sim_library}).logcounts;
        const auto genes = model_gene_var(obs_log, {.top = o.hvgs}).selected;
        if (genes.size() < 3) {
            r.notes.push_back("doublets: sample " + std::to_string(s) + " has fewer than 3 variable genes");
            continue;
        }
        const auto pca = run_pca(obs_log, genes,
                                 {.components = std::min<std::size_t>({o.components, genes.size() - 1, n - 1}), .seed = o.seed, .threads = o.threads});
        Eigen::MatrixXd points(n + n_sim, pca.rotation.cols());
        points.topRows(n) = pca.scores;
        points.bottomRows(n_sim) = project_onto_pcs(sim_log, genes, pca, o.threads);
        // 3. Neighbours among observed + simulated cells; Scrublet's k adjusted for the simulated.
        const double ratio = static_cast<double>(n_sim) / n;
        const std::uint32_t k = o.k ? o.k : std::max<std::uint32_t>(1, static_cast<std::uint32_t>(std::lround(0.5 * std::sqrt(n))));
        const auto k_adj = std::min<std::uint32_t>(static_cast<std::uint32_t>(std::lround(k * (1 + ratio))), n + n_sim - 1);
        NeighborOptions nn = o.neighbors;
        nn.k = k_adj + 1;
        nn.seed = o.seed;
        nn.threads = o.threads;
        // Searched for: every observed cell, and evenly spaced simulated doublets (the latter only
        // for the fallback threshold and the detectable fraction).
        std::vector<std::uint32_t> queries(n);
        std::iota(queries.begin(), queries.end(), 0U);
        const std::uint32_t sim_queries = std::min(n_sim, std::max<std::uint32_t>(o.scored_simulated, 1));
        for (std::uint32_t q = 0; q < sim_queries; ++q)
            queries.push_back(n + static_cast<std::uint32_t>(static_cast<std::uint64_t>(q) * n_sim / sim_queries));
        const auto neighbors = nearest_neighbors(points, queries, nn);
        const double rho = o.expected_rate > 0 ? o.expected_rate : std::max(0.01, 0.008 * n / 1000.0);
        r.rate[s] = rho;
        auto score_of = [&](std::uint32_t i) {
            double simulated_neighbors = 0;
            for (std::size_t q = 1; q < neighbors[i].size(); ++q) simulated_neighbors += neighbors[i][q] >= n;
            const double f = (simulated_neighbors + 1) / (static_cast<double>(neighbors[i].size() - 1) + 2);
            return f * rho / ratio / (1 - rho - f * (1 - rho - rho / ratio));
        };
        std::vector<double> sim_scores(sim_queries);
        for (std::uint32_t q = 0; q < sim_queries; ++q) sim_scores[q] = score_of(n + q);
        // 4. The threshold: the valley of the observed scores, else of the simulated ones.
        std::vector<double> scores(n);
        for (std::uint32_t i = 0; i < n; ++i) scores[i] = score_of(i);
        auto threshold = bimodal_threshold(scores);
        if (!threshold) threshold = bimodal_threshold(sim_scores);
        r.threshold[s] = threshold ? *threshold : otsu_threshold(sim_scores);
        std::size_t called = 0;
        for (std::uint32_t i = 0; i < n; ++i) {
            r.score[cells[i]] = scores[i];
            r.predicted[cells[i]] = scores[i] > r.threshold[s];
            called += r.predicted[cells[i]];
        }
        const auto above = std::count_if(sim_scores.begin(), sim_scores.end(), [&](double v) { return v > r.threshold[s]; });
        r.detectable[s] = static_cast<double>(above) / sim_queries;
        r.implied_rate[s] = above ? static_cast<double>(called) / n / r.detectable[s] : kNaN;
    }
    return r;
}

}  // namespace kupffer::cluster
