#include "kupffer/cluster/umap.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "kupffer/core/errors.hpp"
#include "kupffer/core/parallel.hpp"
#include "kupffer/core/random.hpp"

namespace kupffer::cluster {

std::pair<double, double> umap_curve(double min_dist, double spread) {
    // Target: 1 below min_dist, exp(-(d - min_dist) / spread) beyond; fitted on 300 points of
    // [0, 3 spread] by Gauss-Newton with step halving (umap-learn uses scipy's curve_fit).
    std::vector<double> d(300), y(300);
    for (std::size_t i = 0; i < d.size(); ++i) {
        d[i] = 3.0 * spread * static_cast<double>(i) / 299.0;
        y[i] = d[i] < min_dist ? 1.0 : std::exp(-(d[i] - min_dist) / spread);
    }
    auto loss = [&](double a, double b) {
        double s = 0;
        for (std::size_t i = 0; i < d.size(); ++i) {
            const double r = 1.0 / (1.0 + a * std::pow(d[i], 2 * b)) - y[i];
            s += r * r;
        }
        return s;
    };
    double a = 1.0, b = 1.0;
    for (int it = 0; it < 200; ++it) {
        Eigen::Matrix2d jtj = Eigen::Matrix2d::Zero();
        Eigen::Vector2d jtr = Eigen::Vector2d::Zero();
        for (std::size_t i = 1; i < d.size(); ++i) {
            const double p = std::pow(d[i], 2 * b), f = 1.0 / (1.0 + a * p);
            const Eigen::Vector2d j(-f * f * p, -f * f * a * p * 2 * std::log(d[i]));
            jtj += j * j.transpose();
            jtr += j * (f - y[i]);
        }
        const Eigen::Vector2d step = jtj.ldlt().solve(jtr);
        double scale = 1.0, before = loss(a, b);
        while (scale > 1e-6 && (a - scale * step[0] <= 0 || b - scale * step[1] <= 0 || loss(a - scale * step[0], b - scale * step[1]) > before))
            scale /= 2;
        if (scale <= 1e-6) break;
        a -= scale * step[0];
        b -= scale * step[1];
        if (std::abs(before - loss(a, b)) < 1e-14) break;
    }
    return {a, b};
}

namespace {

struct Edge {
    std::uint32_t to;
    double epochs_per_sample;
};

/// Fuzzy simplicial set: per cell, its outgoing memberships; then the fuzzy union a + b - ab.
std::vector<std::vector<Edge>> fuzzy_graph(const Eigen::MatrixXd& points, const std::vector<std::vector<std::uint32_t>>& nn,
                                           int threads) {
    const std::size_t n = nn.size();
    std::vector<std::vector<std::pair<std::uint32_t, double>>> directed(n);
    parallel_chunks(n, 1024, threads, [&](std::size_t, std::size_t begin, std::size_t end) {
        for (std::size_t i = begin; i < end; ++i) {
            std::vector<std::pair<std::uint32_t, double>> dist;
            for (auto j : nn[i])
                if (j != i) dist.emplace_back(j, (points.row(static_cast<Eigen::Index>(i)) - points.row(j)).norm());
            if (dist.empty()) continue;
            double rho = 0;
            for (const auto& [j, dj] : dist)
                if (dj > 0) {
                    rho = dj;
                    break;
                }
            const double target = std::log2(static_cast<double>(nn[i].size()));
            double lo = 0, hi = std::numeric_limits<double>::infinity(), sigma = 1.0;
            for (int it = 0; it < 64; ++it) {
                double s = 0;
                for (const auto& [j, dj] : dist) s += std::exp(-std::max(0.0, dj - rho) / sigma);
                if (std::abs(s - target) < 1e-5) break;
                if (s > target) hi = sigma, sigma = (lo + hi) / 2;
                else if (std::isinf(hi)) lo = sigma, sigma *= 2;
                else lo = sigma, sigma = (lo + hi) / 2;
            }
            double mean = 0;  // umap-learn keeps sigma above 1e-3 of the mean distance
            for (const auto& [j, dj] : dist) mean += dj;
            sigma = std::max(sigma, 1e-3 * mean / static_cast<double>(dist.size()));
            for (const auto& [j, dj] : dist) directed[i].emplace_back(j, std::exp(-std::max(0.0, dj - rho) / sigma));
        }
    });
    std::vector<std::map<std::uint32_t, std::pair<double, double>>> both(n);  // (i->j, j->i)
    for (std::uint32_t i = 0; i < n; ++i)
        for (const auto& [j, w] : directed[i]) {
            both[i][j].first = w;
            both[j][i].second = w;
        }
    double max_w = 0;
    std::vector<std::vector<std::pair<std::uint32_t, double>>> sym(n);
    for (std::uint32_t i = 0; i < n; ++i)
        for (const auto& [j, w] : both[i]) {
            const double u = w.first + w.second - w.first * w.second;
            if (u > 0) sym[i].emplace_back(j, u), max_w = std::max(max_w, u);
        }
    std::vector<std::vector<Edge>> edges(n);
    for (std::uint32_t i = 0; i < n; ++i)
        for (const auto& [j, u] : sym[i]) edges[i].push_back({j, max_w / u});
    return edges;
}

}  // namespace

Eigen::MatrixXd umap(const Eigen::MatrixXd& points, const std::vector<std::vector<std::uint32_t>>& nn, const UmapOptions& o) {
    const std::size_t n = nn.size();
    if (static_cast<std::size_t>(points.rows()) != n) throw OptionError("umap: one neighbour list per point is needed");
    if (o.components == 0 || o.components > static_cast<std::uint32_t>(points.cols()))
        throw OptionError("umap: components must be between 1 and the input's dimensions");
    const auto dims = static_cast<Eigen::Index>(o.components);
    const std::uint32_t epochs = o.epochs ? o.epochs : (n < 10000 ? 500 : 200);
    const auto curve = umap_curve(o.min_dist, o.spread);  // not a structured binding: lambdas capture a and b
    const double a = curve.first, b = curve.second;
    const auto edges = fuzzy_graph(points, nn, o.threads);

    // Start from the leading PCs, scaled into [-10, 10] as umap-learn scales its spectral start.
    Eigen::MatrixXd y = points.leftCols(dims);
    const double extent = std::max(1e-12, y.cwiseAbs().maxCoeff());
    y *= 10.0 / extent;
    if (n < 2) return y;

    // Per edge: the next epoch it is due, and the next epoch its negative samples are due.
    std::vector<std::vector<double>> next_sample(n), next_negative(n);
    for (std::size_t i = 0; i < n; ++i) {
        for (const auto& e : edges[i]) {
            next_sample[i].push_back(e.epochs_per_sample);
            next_negative[i].push_back(e.epochs_per_sample / o.negative_samples);
        }
    }
    // Positions row-major (a cell's coordinates together), the epoch's start kept apart.
    const auto k_dims = static_cast<std::size_t>(dims);
    std::vector<double> current(n * k_dims), previous;
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t k = 0; k < k_dims; ++k) current[i * k_dims + k] = y(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(k));
    // d^b in single precision: the gradients need no more, and double pow was half the time.
    const auto bf = static_cast<float>(b);
    auto power_b = [bf](double d2) { return static_cast<double>(std::pow(static_cast<float>(d2), bf)); };
    auto clip = [](double v) { return std::clamp(v, -4.0, 4.0); };
    for (std::uint32_t epoch = 0; epoch < epochs; ++epoch) {
        const double alpha = o.learning_rate * (1.0 - static_cast<double>(epoch) / epochs);
        const double now = epoch + 1;
        previous = current;
        parallel_chunks(n, 256, o.threads, [&](std::size_t, std::size_t begin, std::size_t end) {
            std::vector<double> self(k_dims), diff(k_dims);
            auto difference = [&](std::size_t other) {
                double d2 = 0;
                for (std::size_t k = 0; k < k_dims; ++k) {
                    diff[k] = self[k] - previous[other * k_dims + k];
                    d2 += diff[k] * diff[k];
                }
                return d2;
            };
            for (std::size_t i = begin; i < end; ++i) {
                Rng rng(o.seed, epoch, i);
                std::copy_n(current.begin() + static_cast<std::ptrdiff_t>(i * k_dims), k_dims, self.begin());
                for (std::size_t e = 0; e < edges[i].size(); ++e) {
                    if (next_sample[i][e] > now) continue;
                    const double d2 = difference(edges[i][e].to);
                    if (d2 > 0) {
                        const double p = power_b(d2);
                        const double g = -2.0 * a * b * (p / d2) / (a * p + 1.0);
                        for (std::size_t k = 0; k < k_dims; ++k) self[k] += clip(g * diff[k]) * alpha;
                    }
                    next_sample[i][e] += edges[i][e].epochs_per_sample;
                    const double per_negative = edges[i][e].epochs_per_sample / o.negative_samples;
                    const auto negatives = static_cast<std::uint32_t>((now - next_negative[i][e]) / per_negative);
                    for (std::uint32_t s = 0; s < negatives; ++s) {
                        const auto m = static_cast<std::size_t>(rng.below(n));
                        if (m == i) continue;
                        const double q2 = difference(m);
                        const double g = q2 > 0 ? 2.0 * o.repulsion * b / ((0.001 + q2) * (a * power_b(q2) + 1.0)) : 0.0;
                        for (std::size_t k = 0; k < k_dims; ++k) self[k] += (g > 0 ? clip(g * diff[k]) : 4.0) * alpha;
                    }
                    next_negative[i][e] += negatives * per_negative;
                }
                std::copy_n(self.begin(), k_dims, current.begin() + static_cast<std::ptrdiff_t>(i * k_dims));
            }
        });
    }
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t k = 0; k < k_dims; ++k) y(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(k)) = current[i * k_dims + k];
    return y;
}

}  // namespace kupffer::cluster
