#include "kupffer/cluster/size_factors.hpp"

#include <Eigen/Sparse>
#include <Eigen/SparseCholesky>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <string>

#include "kupffer/core/errors.hpp"
#include "kupffer/core/parallel.hpp"
#include "kupffer/core/statistics.hpp"

namespace kupffer::cluster {

namespace {

constexpr double kLowWeight = 1e-6;  // scuttle's LOWWEIGHT

struct Cluster {
    std::vector<std::uint32_t> cells;   // dataset cells, in dataset order
    std::vector<double> average;        // per gene (all genes): mean library-scaled expression x mean library size
    std::vector<std::uint32_t> genes;   // genes with average >= min_mean
    std::vector<std::uint32_t> ring;    // positions -> index into cells (odd ranks of library size up, even down)
    std::vector<std::uint32_t> sizes;   // pool sizes that fit
    std::vector<std::vector<double>> pool_ratio;  // per size, per start position: median ratio to the average
    std::vector<double> factors;        // per cell of `cells`
};

/// Splits clusters above `max_size` cells round-robin, as scuttle's .limit_cluster_size.
std::vector<Cluster> make_clusters(const std::vector<std::uint32_t>& labels, std::uint32_t n, std::uint32_t max_size) {
    std::map<std::uint32_t, std::vector<std::uint32_t>> by_label;
    for (std::uint32_t c = 0; c < n; ++c) by_label[labels.empty() ? 0 : labels[c]].push_back(c);
    std::vector<Cluster> out;
    for (auto& [label, cells] : by_label) {
        const std::size_t parts = (cells.size() + max_size - 1) / max_size;
        const std::size_t first = out.size();
        out.resize(first + parts);
        for (std::size_t i = 0; i < cells.size(); ++i) out[first + i % parts].cells.push_back(cells[i]);
    }
    return out;
}

}  // namespace

PooledSizeFactorResults pooled_size_factors(const CountMatrix& counts, const std::vector<std::uint32_t>& labels,
                                            const PooledSizeFactorOptions& o) {
    const std::uint32_t n = counts.n_cols, genes = counts.n_rows;
    if (!labels.empty() && labels.size() != n) throw OptionError("pooled_size_factors: one cluster label per cell is needed");
    if (o.pool_sizes.empty()) throw OptionError("pooled_size_factors: no pool sizes");
    if (o.max_cluster_size == 0) throw OptionError("pooled_size_factors: the maximum cluster size must be positive");
    auto pool_sizes = o.pool_sizes;
    std::sort(pool_sizes.begin(), pool_sizes.end());
    if (std::adjacent_find(pool_sizes.begin(), pool_sizes.end()) != pool_sizes.end() || pool_sizes.front() == 0)
        throw OptionError("pooled_size_factors: pool sizes must be positive and distinct");
    const auto library = counts.column_sums();
    for (std::uint32_t c = 0; c < n; ++c)
        if (!(library[c] > 0)) throw OptionError("pooled_size_factors: cell " + std::to_string(c) + " has no counts");
    double min_mean = o.min_mean;
    if (min_mean <= 0) {
        std::vector<double> l = library;
        const double mid = n ? median_in_place(l) : 0;
        min_mean = mid >= 1e5 ? 1.0 : 0.1;
    }

    auto clusters = make_clusters(labels, n, o.max_cluster_size);
    for (std::size_t k = 0; k < clusters.size(); ++k)
        if (clusters[k].cells.size() < pool_sizes.front())
            throw OptionError("pooled_size_factors: a cluster has " + std::to_string(clusters[k].cells.size()) +
                              " cells, fewer than the smallest pool (" + std::to_string(pool_sizes.front()) + "); merge small clusters first");

    // Per cluster: the average pseudo-cell, the genes used, the ring of cells.
    parallel_for(clusters.size(), o.threads, [&](std::size_t k) {
        auto& cl = clusters[k];
        const auto m = static_cast<std::uint32_t>(cl.cells.size());
        double mean_library = 0;
        for (auto c : cl.cells) mean_library += library[c];
        mean_library /= m;
        cl.average.assign(genes, 0.0);
        for (auto c : cl.cells)
            for (auto q = counts.col_offsets[c]; q < counts.col_offsets[c + 1]; ++q)
                cl.average[counts.row_indices[q]] += counts.values[q] / library[c];
        for (auto& a : cl.average) a = a / m * mean_library;
        for (std::uint32_t g = 0; g < genes; ++g)
            if (cl.average[g] >= min_mean) cl.genes.push_back(g);
        std::vector<std::uint32_t> order(m);
        std::iota(order.begin(), order.end(), 0U);
        std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return library[cl.cells[a]] < library[cl.cells[b]]; });
        for (std::uint32_t r = 0; r < m; r += 2) cl.ring.push_back(order[r]);
        for (std::int64_t r = m % 2 ? m - 2 : m - 1; r >= 1; r -= 2) cl.ring.push_back(order[static_cast<std::size_t>(r)]);
        for (auto s : pool_sizes)
            if (s <= m) cl.sizes.push_back(s);
        cl.pool_ratio.resize(cl.sizes.size());
    });
    for (const auto& cl : clusters)
        if (cl.genes.empty()) throw OptionError("pooled_size_factors: no gene reaches a mean of " + std::to_string(min_mean) + " in a cluster");

    // Every window of every size: the median over used genes of pooled / average.
    std::vector<std::pair<std::size_t, std::size_t>> tasks;
    for (std::size_t k = 0; k < clusters.size(); ++k)
        for (std::size_t si = 0; si < clusters[k].sizes.size(); ++si) tasks.emplace_back(k, si);
    parallel_for(tasks.size(), o.threads, [&](std::size_t t) {
        auto& cl = clusters[tasks[t].first];
        const std::uint32_t s = cl.sizes[tasks[t].second];
        const auto m = static_cast<std::uint32_t>(cl.cells.size());
        std::vector<std::int64_t> position(genes, -1);
        for (std::size_t i = 0; i < cl.genes.size(); ++i) position[cl.genes[i]] = static_cast<std::int64_t>(i);
        std::vector<double> pooled(cl.genes.size(), 0.0), ratio(cl.genes.size());
        auto add = [&](std::uint32_t ring_position, double sign) {
            const auto c = cl.cells[cl.ring[ring_position % m]];
            for (auto q = counts.col_offsets[c]; q < counts.col_offsets[c + 1]; ++q)
                if (const auto p = position[counts.row_indices[q]]; p >= 0)
                    pooled[static_cast<std::size_t>(p)] += sign * counts.values[q] / library[c];
        };
        for (std::uint32_t i = 0; i < s; ++i) add(i, 1.0);
        auto& out = cl.pool_ratio[tasks[t].second];
        out.resize(m);
        for (std::uint32_t start = 0; start < m; ++start) {
            if (start > 0) add(start - 1, -1.0), add(start + s - 1, 1.0);
            for (std::size_t i = 0; i < cl.genes.size(); ++i) ratio[i] = std::max(0.0, pooled[i]) / cl.average[cl.genes[i]];
            out[start] = median_in_place(ratio);
        }
    });

    // Least squares per cluster, by the normal equations in ring positions: cell p is in the
    // windows of size s starting at p - s + 1 .. p; two cells at forward distances d and m - d are
    // together in max(0, s - d) + max(0, s - (m - d)) of them.
    PooledSizeFactorResults r;
    parallel_for(clusters.size(), o.threads, [&](std::size_t k) {
        auto& cl = clusters[k];
        const auto m = static_cast<std::uint32_t>(cl.cells.size());
        double average_sum = 0;
        for (auto g : cl.genes) average_sum += cl.average[g];
        std::vector<Eigen::Triplet<double>> entries;
        Eigen::VectorXd rhs = Eigen::VectorXd::Constant(m, kLowWeight / average_sum);
        const std::uint32_t widest = cl.sizes.back();
        for (std::uint32_t p = 0; p < m; ++p) {
            double diagonal = kLowWeight;
            for (std::size_t si = 0; si < cl.sizes.size(); ++si) {
                const std::uint32_t s = cl.sizes[si];
                diagonal += s;
                for (std::uint32_t back = 0; back < s; ++back) rhs[p] += cl.pool_ratio[si][(p + m - back) % m];
            }
            entries.emplace_back(p, p, diagonal);
            // Each pair once, from the cell whose forward distance to the other is the shorter.
            for (std::uint32_t d = 1; d < std::min(widest, m); ++d) {
                const std::uint32_t q = (p + d) % m, back = m - d;
                if (d > back || (d == back && p > q)) continue;
                double together = 0;
                for (auto s : cl.sizes)
                    together += std::max(0.0, static_cast<double>(s) - d) + std::max(0.0, static_cast<double>(s) - back);
                entries.emplace_back(std::max(p, q), std::min(p, q), together);
            }
        }
        Eigen::SparseMatrix<double> normal(m, m);
        normal.setFromTriplets(entries.begin(), entries.end());
        Eigen::SimplicialLDLT<Eigen::SparseMatrix<double>, Eigen::Lower> solver(normal);
        if (solver.info() != Eigen::Success) throw Error("pooled_size_factors: the pooled system could not be factorised");
        const Eigen::VectorXd theta = solver.solve(rhs);
        cl.factors.assign(m, 0.0);
        for (std::uint32_t p = 0; p < m; ++p) cl.factors[cl.ring[p]] = theta[p] * library[cl.cells[cl.ring[p]]];
    });

    // Rescale clusters to the one with the most expressed genes.
    std::size_t reference = 0, most = 0;
    for (std::size_t k = 0; k < clusters.size(); ++k) {
        const auto expressed = static_cast<std::size_t>(std::count_if(clusters[k].average.begin(), clusters[k].average.end(), [](double a) { return a > 0; }));
        if (expressed > most) most = expressed, reference = k;
    }
    const auto& ref = clusters[reference].average;
    const double ref_sum = std::accumulate(ref.begin(), ref.end(), 0.0);
    r.size_factors.assign(n, 0.0);
    r.pool_cluster.assign(n, 0);
    for (std::size_t k = 0; k < clusters.size(); ++k) {
        auto& cl = clusters[k];
        const double cur_sum = std::accumulate(cl.average.begin(), cl.average.end(), 0.0);
        std::vector<double> ratios;
        for (std::uint32_t g = 0; g < genes; ++g) {
            const double both = (cl.average[g] / cur_sum + ref[g] / ref_sum) / 2 * (cur_sum + ref_sum) / 2;
            if (both < min_mean) continue;
            const double q = cl.average[g] / ref[g];
            if (!std::isnan(q)) ratios.push_back(q);
        }
        double rescale = ratios.empty() ? 0.0 : median_in_place(ratios);
        if (!std::isfinite(rescale) || rescale <= 0) rescale = cur_sum / ref_sum;
        // Non-positive estimates: the library-size factor times the cluster's median ratio.
        std::vector<double> pooled_over_library;
        for (std::size_t i = 0; i < cl.cells.size(); ++i)
            if (cl.factors[i] > 0) pooled_over_library.push_back(cl.factors[i] / library[cl.cells[i]]);
        const double fallback = pooled_over_library.empty() ? 1.0 : median_in_place(pooled_over_library);
        for (std::size_t i = 0; i < cl.cells.size(); ++i) {
            double f = cl.factors[i];
            if (!(f > 0)) f = fallback * library[cl.cells[i]], ++r.replaced;
            r.size_factors[cl.cells[i]] = f * rescale;
            r.pool_cluster[cl.cells[i]] = static_cast<std::uint32_t>(k);
        }
        r.genes_used = std::max(r.genes_used, cl.genes.size());
    }
    const double mean = std::accumulate(r.size_factors.begin(), r.size_factors.end(), 0.0) / n;
    for (auto& f : r.size_factors) f /= mean;
    return r;
}

}  // namespace kupffer::cluster
