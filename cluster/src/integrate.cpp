#include "kupffer/cluster/integrate.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "kupffer/core/errors.hpp"
#include "kupffer/core/random.hpp"

namespace kupffer::cluster {

namespace {

Eigen::MatrixXd row_normalize(const Eigen::MatrixXd& x) {
    Eigen::MatrixXd y = x;
    for (Eigen::Index i = 0; i < y.rows(); ++i) {
        const double n = y.row(i).norm();
        if (n > 0) y.row(i) /= n;
    }
    return y;
}

/// Seeded k-means (k-means++ start, Lloyd iterations) on rows of x; returns k x dims centroids.
Eigen::MatrixXd kmeans(const Eigen::MatrixXd& x, std::uint32_t k, Rng& rng) {
    const Eigen::Index n = x.rows();
    Eigen::MatrixXd c(k, x.cols());
    c.row(0) = x.row(static_cast<Eigen::Index>(rng.below(static_cast<std::uint64_t>(n))));
    Eigen::VectorXd d2 = (x.rowwise() - c.row(0)).rowwise().squaredNorm();
    for (std::uint32_t j = 1; j < k; ++j) {
        double u = rng.uniform() * d2.sum();
        Eigen::Index pick = n - 1;
        for (Eigen::Index i = 0; i < n; ++i)
            if ((u -= d2[i]) <= 0) {
                pick = i;
                break;
            }
        c.row(j) = x.row(pick);
        d2 = d2.cwiseMin((x.rowwise() - c.row(j)).rowwise().squaredNorm());
    }
    std::vector<Eigen::Index> assign(static_cast<std::size_t>(n), -1);
    for (int it = 0; it < 25; ++it) {
        bool changed = false;
        for (Eigen::Index i = 0; i < n; ++i) {
            Eigen::Index best;
            (c.rowwise() - x.row(i)).rowwise().squaredNorm().minCoeff(&best);
            if (best != assign[static_cast<std::size_t>(i)]) assign[static_cast<std::size_t>(i)] = best, changed = true;
        }
        Eigen::MatrixXd sum = Eigen::MatrixXd::Zero(k, x.cols());
        Eigen::VectorXd count = Eigen::VectorXd::Zero(k);
        for (Eigen::Index i = 0; i < n; ++i) sum.row(assign[static_cast<std::size_t>(i)]) += x.row(i), count[assign[static_cast<std::size_t>(i)]] += 1;
        for (std::uint32_t j = 0; j < k; ++j)
            if (count[j] > 0) c.row(j) = sum.row(j) / count[j];
        if (!changed) break;
    }
    return c;
}

}  // namespace

HarmonyResults harmony(const Eigen::MatrixXd& z_orig, const std::vector<std::uint32_t>& batch, const HarmonyOptions& o) {
    const Eigen::Index n = z_orig.rows(), dims = z_orig.cols();
    if (batch.size() != static_cast<std::size_t>(n)) throw OptionError("harmony: one batch label per cell is needed");
    const std::uint32_t b = batch.empty() ? 0 : *std::max_element(batch.begin(), batch.end()) + 1;
    HarmonyResults r;
    r.corrected = z_orig;
    if (b < 2 || n < 10) return r;
    const auto k = static_cast<Eigen::Index>(o.clusters ? o.clusters : std::clamp<std::uint32_t>(static_cast<std::uint32_t>(n / 30), 2, 100));
    Eigen::VectorXd pr_b = Eigen::VectorXd::Zero(b);
    for (auto v : batch) pr_b[v] += 1;
    pr_b /= static_cast<double>(n);

    Rng rng(o.seed, 0x4A);
    Eigen::MatrixXd z_cos = row_normalize(z_orig);
    Eigen::MatrixXd y = row_normalize(kmeans(z_cos, static_cast<std::uint32_t>(k), rng));  // k x dims
    Eigen::MatrixXd r_mat(k, n);  // soft assignments, columns sum to 1
    auto assign = [&](Eigen::Index i, const Eigen::MatrixXd& o_mat, const Eigen::MatrixXd& e_mat) {
        Eigen::VectorXd logit = (-2.0 / o.sigma) * (1.0 - (y * z_cos.row(i).transpose()).array()).matrix();
        const auto bi = static_cast<Eigen::Index>(batch[static_cast<std::size_t>(i)]);
        for (Eigen::Index j = 0; j < k; ++j) logit[j] += o.theta * std::log((e_mat(j, bi) + 1) / (o_mat(j, bi) + 1));
        logit.array() -= logit.maxCoeff();
        Eigen::VectorXd p = logit.array().exp();
        r_mat.col(i) = p / p.sum();
    };
    Eigen::MatrixXd zero_ok = Eigen::MatrixXd::Zero(k, b);
    for (Eigen::Index i = 0; i < n; ++i) assign(i, zero_ok, zero_ok);
    auto objective = [&](const Eigen::MatrixXd& o_mat, const Eigen::MatrixXd& e_mat) {
        double kmeans_error = 0, entropy = 0, cross = 0;
        for (Eigen::Index i = 0; i < n; ++i) {
            const Eigen::VectorXd dist = 2.0 * (1.0 - (y * z_cos.row(i).transpose()).array());
            kmeans_error += r_mat.col(i).dot(dist);
            for (Eigen::Index j = 0; j < k; ++j)
                if (r_mat(j, i) > 0) entropy += r_mat(j, i) * std::log(r_mat(j, i));
        }
        for (Eigen::Index j = 0; j < k; ++j)
            for (Eigen::Index c = 0; c < b; ++c) cross += o_mat(j, c) * std::log((o_mat(j, c) + 1) / (e_mat(j, c) + 1));
        return kmeans_error + o.sigma * entropy + o.sigma * o.theta * cross;
    };

    std::vector<Eigen::Index> order(static_cast<std::size_t>(n));
    std::iota(order.begin(), order.end(), Eigen::Index{0});
    double previous_round = std::numeric_limits<double>::infinity();
    for (std::uint32_t round = 0; round < o.max_iterations; ++round) {
        // Clustering with the diversity penalty.
        Eigen::MatrixXd o_mat = Eigen::MatrixXd::Zero(k, b), e_mat(k, b);
        for (Eigen::Index i = 0; i < n; ++i) o_mat.col(batch[static_cast<std::size_t>(i)]) += r_mat.col(i);
        e_mat = (r_mat.rowwise().sum()) * pr_b.transpose();
        double previous = std::numeric_limits<double>::infinity();
        for (std::uint32_t it = 0; it < o.max_cluster_iterations; ++it) {
            y = row_normalize(r_mat * z_cos);
            std::shuffle(order.begin(), order.end(), rng);
            const auto block = std::max<std::size_t>(1, static_cast<std::size_t>(o.block_size * static_cast<double>(n)));
            for (std::size_t start = 0; start < order.size(); start += block) {
                const std::size_t end = std::min(order.size(), start + block);
                for (std::size_t m = start; m < end; ++m) {  // take the block out of O and E
                    const Eigen::Index i = order[m];
                    o_mat.col(batch[static_cast<std::size_t>(i)]) -= r_mat.col(i);
                    e_mat -= r_mat.col(i) * pr_b.transpose();
                }
                for (std::size_t m = start; m < end; ++m) assign(order[m], o_mat, e_mat);
                for (std::size_t m = start; m < end; ++m) {
                    const Eigen::Index i = order[m];
                    o_mat.col(batch[static_cast<std::size_t>(i)]) += r_mat.col(i);
                    e_mat += r_mat.col(i) * pr_b.transpose();
                }
            }
            const double obj = objective(o_mat, e_mat);
            if (std::isfinite(previous) && std::abs(previous - obj) < o.tolerance * std::abs(previous)) break;
            previous = obj;
        }
        // Correction: per cluster, ridge regression of the original PCs on [1, batch indicators].
        Eigen::MatrixXd corrected = z_orig;
        for (Eigen::Index j = 0; j < k; ++j) {
            Eigen::MatrixXd a = Eigen::MatrixXd::Zero(b + 1, b + 1);
            Eigen::MatrixXd rhs = Eigen::MatrixXd::Zero(b + 1, dims);
            for (Eigen::Index i = 0; i < n; ++i) {
                const double w = r_mat(j, i);
                const auto bi = static_cast<Eigen::Index>(batch[static_cast<std::size_t>(i)]) + 1;
                a(0, 0) += w, a(0, bi) += w, a(bi, 0) += w, a(bi, bi) += w;
                rhs.row(0) += w * z_orig.row(i);
                rhs.row(bi) += w * z_orig.row(i);
            }
            for (Eigen::Index c = 1; c <= b; ++c) a(c, c) += o.lambda;
            const Eigen::MatrixXd w = a.ldlt().solve(rhs);  // (b + 1) x dims; row 0 is the intercept, kept
            for (Eigen::Index i = 0; i < n; ++i)
                corrected.row(i) -= r_mat(j, i) * w.row(static_cast<Eigen::Index>(batch[static_cast<std::size_t>(i)]) + 1);
        }
        r.corrected = corrected;
        z_cos = row_normalize(corrected);
        r.iterations = round + 1;
        Eigen::MatrixXd o_now = Eigen::MatrixXd::Zero(k, b);
        for (Eigen::Index i = 0; i < n; ++i) o_now.col(batch[static_cast<std::size_t>(i)]) += r_mat.col(i);
        const double obj = objective(o_now, (r_mat.rowwise().sum()) * pr_b.transpose());
        if (std::isfinite(previous_round) && std::abs(previous_round - obj) < o.tolerance * std::abs(previous_round)) {
            r.converged = true;
            break;
        }
        previous_round = obj;
    }
    return r;
}

}  // namespace kupffer::cluster
