#include "kupffer/cluster/maturation.hpp"

#include <algorithm>
#include <numeric>
#include <string>

#include <Eigen/Dense>

#include "kupffer/core/errors.hpp"

namespace kupffer::cluster {

namespace {

/// Block indices renumbered 0..B-1 over the blocks that hold cells; returns B.
std::uint32_t compact_blocks(const std::vector<std::uint32_t>& block, std::vector<std::uint32_t>& out) {
    const std::uint32_t max = block.empty() ? 0 : *std::max_element(block.begin(), block.end()) + 1;
    std::vector<std::uint32_t> id(max, UINT32_MAX);
    std::uint32_t next = 0;
    out.resize(block.size());
    for (std::size_t c = 0; c < block.size(); ++c) {
        if (id[block[c]] == UINT32_MAX) id[block[c]] = next++;
        out[c] = id[block[c]];
    }
    return next;
}

/// The `genes` rows of a sparse genes x cells matrix as a dense cells x genes matrix.
Eigen::MatrixXd dense_rows(const SparseMatrix<float>& m, const std::vector<std::uint32_t>& genes) {
    std::vector<int> column(m.n_rows, -1);
    for (std::size_t j = 0; j < genes.size(); ++j) column[genes[j]] = static_cast<int>(j);
    Eigen::MatrixXd x = Eigen::MatrixXd::Zero(m.n_cols, static_cast<Eigen::Index>(genes.size()));
    for (std::uint32_t c = 0; c < m.n_cols; ++c) {
        const auto rows = m.column_rows(c);
        const auto vals = m.column_values(c);
        for (std::size_t k = 0; k < rows.size(); ++k)
            if (column[rows[k]] >= 0) x(c, column[rows[k]]) = vals[k];
    }
    return x;
}

/// Per-block means of the rows of `x` (cells x columns): blocks x columns.
Eigen::MatrixXd block_means(const Eigen::MatrixXd& x, const std::vector<std::uint32_t>& block, std::uint32_t blocks) {
    Eigen::MatrixXd sum = Eigen::MatrixXd::Zero(blocks, x.cols());
    Eigen::VectorXd size = Eigen::VectorXd::Zero(blocks);
    for (std::size_t c = 0; c < block.size(); ++c) sum.row(block[c]) += x.row(static_cast<Eigen::Index>(c)), size[block[c]] += 1;
    return size.cwiseMax(1.0).cwiseInverse().asDiagonal() * sum;
}

/// One round of the one-factor fit on within-sample centred genes `xw` (cells x genes): each
/// gene's slope on the current estimate `m` = xw * `a` (or the score in the first round, a = 0)
/// without the gene's own share a_j xw_j, its residual variance, and its weight slope / variance
/// shrunk by (1 - min_t^2 / t^2)+. The new coefficients put the estimate in the units of the
/// centred score `sw` (its regression on the estimate has slope 1).
Eigen::VectorXd next_coefficients(const Eigen::MatrixXd& xw, const Eigen::VectorXd& m, const Eigen::VectorXd& a,
                                  const Eigen::VectorXd& sw, double min_t, double residual_df) {
    const Eigen::VectorXd cov = xw.transpose() * m;
    const Eigen::VectorXd ss = xw.colwise().squaredNorm().transpose();
    const double mm = m.squaredNorm();
    Eigen::VectorXd w = Eigen::VectorXd::Zero(xw.cols());
    double scale = 0;
    for (Eigen::Index j = 0; j < xw.cols(); ++j) {
        const double c = cov[j] - a[j] * ss[j];
        const double v = mm - 2 * a[j] * cov[j] + a[j] * a[j] * ss[j];
        if (!(v > 0) || !(ss[j] > 0)) continue;
        const double slope = c / v;
        const double variance = std::max(ss[j] - c * c / v, 1e-12 * ss[j]) / residual_df;
        const double shrink = 1.0 - min_t * min_t * variance / (slope * slope * v);
        if (!(shrink > 0)) continue;
        w[j] = slope / variance * shrink;
        scale += w[j] * slope;
    }
    if (!(scale > 0)) throw OptionError("maturation: no gene follows the panel score within samples");
    const Eigen::VectorXd d = xw * w;
    const double dd = d.squaredNorm(), ds = d.dot(sw);
    if (!(dd > 0) || ds == 0) throw OptionError("maturation: the genes that follow the panel score do not predict it");
    return w * (ds / dd);
}

/// Candidates: the genes most variable within samples, without the excluded ones.
std::vector<std::uint32_t> candidate_genes(const SparseMatrix<float>& logcounts, const std::vector<std::uint32_t>& block,
                                           const MaturationOptions& o) {
    HvgOptions hvg = o.hvg;
    hvg.top = o.genes + o.excluded_genes.size();
    std::vector<bool> excluded(logcounts.n_rows, false);
    for (auto g : o.excluded_genes)
        if (g < excluded.size()) excluded[g] = true;
    std::vector<std::uint32_t> genes;
    for (auto g : model_gene_var_blocked(logcounts, block, hvg).selected)
        if (!excluded[g] && genes.size() < o.genes) genes.push_back(g);
    if (genes.size() < 3) throw OptionError("maturation: fewer than 3 genes vary within samples on the axis");
    return genes;
}

}  // namespace

MaturationResults maturation_trajectory(const SparseMatrix<float>& logcounts, const std::vector<std::uint32_t>& block_in,
                                        const std::vector<double>& panel_score, const MaturationOptions& o) {
    const std::uint32_t n = logcounts.n_cols;
    if (block_in.size() != n || panel_score.size() != n)
        throw OptionError("maturation_trajectory: one sample and panel score per cell are needed");
    std::vector<std::uint32_t> block;
    const std::uint32_t blocks = compact_blocks(block_in, block);
    if (n < blocks + 3) throw OptionError("maturation_trajectory: too few cells (" + std::to_string(n) + ") for the samples");
    const auto genes = candidate_genes(logcounts, block, o);
    Eigen::MatrixXd xw = dense_rows(logcounts, genes);  // centred within samples below (one copy in memory)
    const Eigen::MatrixXd means = block_means(xw, block, blocks);
    const Eigen::RowVectorXd overall = xw.colwise().mean();
    for (std::uint32_t c = 0; c < n; ++c) xw.row(c) -= means.row(block[c]);
    const Eigen::VectorXd score = Eigen::Map<const Eigen::VectorXd>(panel_score.data(), n);
    const Eigen::VectorXd score_means = block_means(score, block, blocks);
    Eigen::VectorXd sw = score;
    for (std::uint32_t c = 0; c < n; ++c) sw[c] -= score_means[block[c]];

    // Within samples: a few rounds of the one-factor fit from the panel score (maturation.hpp says
    // why a few).
    MaturationResults r;
    Eigen::VectorXd a = Eigen::VectorXd::Zero(xw.cols()), m = sw;
    while (r.rounds < o.max_rounds) {
        a = next_coefficients(xw, m, a, sw, o.min_t, static_cast<double>(n - blocks - 1));
        const Eigen::VectorXd next = xw * a;
        ++r.rounds;
        const double moved = (next - m).norm();
        m = next;
        if (moved <= o.tolerance * m.norm()) break;
    }
    // Between samples: the mean of the panel score's and the factor's estimates (offset to agree
    // on average), whose animal noise comes from different genes.
    const Eigen::VectorXd factor_means = (means.rowwise() - overall) * a;
    const double offset = (score_means - factor_means).mean();
    const Eigen::VectorXd position = 0.5 * (score_means.array() + factor_means.array() + offset).matrix();
    for (std::uint32_t c = 0; c < n; ++c) m[c] += position[block[c]];
    const double lo = m.minCoeff(), range = m.maxCoeff() - lo;
    r.pseudotime.resize(n);
    for (std::uint32_t c = 0; c < n; ++c) r.pseudotime[c] = range > 0 ? (m[c] - lo) / range : 0.0;

    std::vector<Eigen::Index> order;
    for (Eigen::Index j = 0; j < a.size(); ++j)
        if (a[j] != 0) order.push_back(j);
    std::stable_sort(order.begin(), order.end(), [&](Eigen::Index p, Eigen::Index q) { return std::abs(a[p]) > std::abs(a[q]); });
    for (auto j : order) r.genes.push_back(genes[static_cast<std::size_t>(j)]), r.weights.push_back(a[j]);
    return r;
}

}  // namespace kupffer::cluster
