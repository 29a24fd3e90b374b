#include "kupffer/cluster/pseudotime.hpp"

#include <Eigen/Sparse>
#include <Spectra/MatOp/SparseSymMatProd.h>
#include <Spectra/SymEigsSolver.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "kupffer/cluster/graph_cluster.hpp"
#include "kupffer/core/errors.hpp"
#include "kupffer/core/statistics.hpp"

namespace kupffer::cluster {

namespace {

std::uint32_t find_root(std::vector<std::uint32_t>& parent, std::uint32_t x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
}

}  // namespace

double spearman(const std::vector<double>& a, const std::vector<double>& b) {
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

PseudotimeResults diffusion_pseudotime(const Eigen::MatrixXd& points, const std::vector<double>& root_score,
                                       const PseudotimeOptions& o) {
    const auto n = static_cast<std::uint32_t>(points.rows());
    if (root_score.size() != n) throw OptionError("diffusion_pseudotime: one root score per cell is needed");
    if (n < o.components + 2 || n <= o.k) throw OptionError("diffusion_pseudotime: too few cells for the trajectory (" + std::to_string(n) + ")");
    const auto nn = nearest_neighbors(points, {.k = o.k, .threads = o.threads});

    // Bandwidth: the median distance to a cell's neighbours (scanpy's "gauss" kernel with knn).
    std::vector<double> sigma2(n);
    for (std::uint32_t i = 0; i < n; ++i) {
        std::vector<double> d2;
        for (auto j : nn[i])
            if (j != i) d2.push_back((points.row(i) - points.row(j)).squaredNorm());
        std::sort(d2.begin(), d2.end());
        sigma2[i] = std::max(1e-12, d2[d2.size() / 2]);
    }
    std::vector<Eigen::Triplet<double>> t;
    std::vector<std::uint32_t> parent(n);
    std::iota(parent.begin(), parent.end(), 0U);
    for (std::uint32_t i = 0; i < n; ++i)
        for (auto j : nn[i]) {
            const double s = sigma2[i] + sigma2[j];
            const double w = std::sqrt(2 * std::sqrt(sigma2[i] * sigma2[j]) / s) * std::exp(-(points.row(i) - points.row(j)).squaredNorm() / s);
            t.emplace_back(i, j, w);  // the kernel is symmetric; both directions are added
            if (i != j) t.emplace_back(j, i, w);
            parent[find_root(parent, i)] = find_root(parent, j);
        }
    Eigen::SparseMatrix<double> w(n, n);
    w.setFromTriplets(t.begin(), t.end(), [](double a, double) { return a; });  // an edge found twice counts once

    // Density normalisation (alpha = 1), then the symmetric form of the Markov matrix.
    Eigen::VectorXd q = w * Eigen::VectorXd::Ones(n);
    Eigen::SparseMatrix<double> k = q.cwiseInverse().asDiagonal() * w * q.cwiseInverse().asDiagonal();
    const Eigen::VectorXd z = k * Eigen::VectorXd::Ones(n);
    const Eigen::VectorXd inv_sqrt_z = z.cwiseSqrt().cwiseInverse();
    Eigen::SparseMatrix<double> sym = inv_sqrt_z.asDiagonal() * k * inv_sqrt_z.asDiagonal();
    sym.makeCompressed();

    Spectra::SparseSymMatProd<double> op(sym);
    const auto nev = static_cast<Eigen::Index>(o.components);
    Spectra::SymEigsSolver<Spectra::SparseSymMatProd<double>> eigs(op, nev, std::min<Eigen::Index>(n, std::max<Eigen::Index>(2 * nev + 1, 30)));
    const Eigen::VectorXd start = z.cwiseSqrt();  // fixed start: the trivial eigenvector, deterministic
    eigs.init(start.data());
    eigs.compute(Spectra::SortRule::LargestAlge, 5000, 1e-10);
    if (eigs.info() != Spectra::CompInfo::Successful) throw Error("diffusion map: the eigen-decomposition did not converge");
    PseudotimeResults r;
    const Eigen::VectorXd values = eigs.eigenvalues();
    r.diffusion_components = inv_sqrt_z.asDiagonal() * eigs.eigenvectors();
    for (Eigen::Index c = 0; c < r.diffusion_components.cols(); ++c) {  // sign: largest entry positive
        Eigen::Index at;
        r.diffusion_components.col(c).cwiseAbs().maxCoeff(&at);
        if (r.diffusion_components(at, c) < 0) r.diffusion_components.col(c) *= -1;
    }
    r.eigenvalues.assign(values.data(), values.data() + values.size());

    // Diffusion distances over all path lengths: component l weighted by lambda / (1 - lambda).
    Eigen::MatrixXd embed(n, std::max<Eigen::Index>(1, nev - 1));
    embed.setZero();
    for (Eigen::Index l = 1; l < nev; ++l) {
        const double lambda = std::min(values[l], 1.0 - 1e-6);
        embed.col(l - 1) = r.diffusion_components.col(l) * (lambda / (1.0 - lambda));
    }
    // Root: the cell nearest the centre of the top root-score cells.
    std::vector<std::uint32_t> order(n);
    std::iota(order.begin(), order.end(), 0U);
    std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) { return root_score[a] > root_score[b]; });
    const std::size_t top = std::max<std::size_t>(1, static_cast<std::size_t>(o.root_fraction * n));
    Eigen::RowVectorXd centre = Eigen::RowVectorXd::Zero(embed.cols());
    for (std::size_t i = 0; i < top; ++i) centre += embed.row(order[i]);
    centre /= static_cast<double>(top);
    double best = std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < top; ++i) {
        const double d = (embed.row(order[i]) - centre).squaredNorm();
        if (d < best) best = d, r.root = order[i];
    }
    r.pseudotime.assign(n, std::numeric_limits<double>::quiet_NaN());
    const std::uint32_t component = find_root(parent, r.root);
    double max_t = 0;
    for (std::uint32_t i = 0; i < n; ++i)
        if (find_root(parent, i) == component) r.pseudotime[i] = (embed.row(i) - embed.row(r.root)).norm(), max_t = std::max(max_t, r.pseudotime[i]);
    if (max_t > 0)
        for (auto& v : r.pseudotime) v /= max_t;
    return r;
}

}  // namespace kupffer::cluster
