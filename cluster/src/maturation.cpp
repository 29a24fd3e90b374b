#include "kupffer/cluster/maturation.hpp"

#include <algorithm>
#include <string>

#include <Eigen/Eigenvalues>

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

/// Scores of the leading principal components of a dense cells x genes matrix (centred, unscaled),
/// from the eigen-decomposition of the genes' covariance: exact and thread-independent.
Eigen::MatrixXd dense_pca_scores(Eigen::MatrixXd x, std::size_t components) {
    x.rowwise() -= x.colwise().mean();
    const Eigen::MatrixXd covariance = (x.transpose() * x) / std::max<double>(1.0, static_cast<double>(x.rows()) - 1.0);
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(covariance);
    const auto k = static_cast<Eigen::Index>(std::min<std::size_t>(components, static_cast<std::size_t>(x.cols())));
    Eigen::MatrixXd rotation = eig.eigenvectors().rightCols(k).rowwise().reverse();  // largest first
    for (Eigen::Index c = 0; c < k; ++c) {  // sign: largest loading positive
        Eigen::Index at;
        rotation.col(c).cwiseAbs().maxCoeff(&at);
        if (rotation(at, c) < 0) rotation.col(c) *= -1;
    }
    return x * rotation;
}

/// Columns of `x` (cells x genes) by decreasing absolute correlation with `score`, the first `keep`
/// (ties by column): the genes that move with maturation (supervised principal components, Bair
/// et al. 2006).
std::vector<Eigen::Index> most_associated(const Eigen::MatrixXd& x, const std::vector<double>& score, std::size_t keep) {
    const Eigen::MatrixXd xc = x.rowwise() - x.colwise().mean();
    Eigen::VectorXd s = Eigen::Map<const Eigen::VectorXd>(score.data(), static_cast<Eigen::Index>(score.size()));
    s.array() -= s.mean();
    const Eigen::VectorXd covariance = xc.transpose() * s;
    std::vector<double> strength(static_cast<std::size_t>(x.cols()));
    for (Eigen::Index j = 0; j < x.cols(); ++j) {
        const double norm = xc.col(j).norm();
        strength[static_cast<std::size_t>(j)] = norm > 0 ? std::abs(covariance[j]) / norm : 0.0;
    }
    std::vector<Eigen::Index> order(strength.size());
    for (std::size_t j = 0; j < order.size(); ++j) order[j] = static_cast<Eigen::Index>(j);
    std::stable_sort(order.begin(), order.end(), [&](Eigen::Index a, Eigen::Index b) {
        return strength[static_cast<std::size_t>(a)] > strength[static_cast<std::size_t>(b)];
    });
    order.resize(std::min(order.size(), std::max<std::size_t>(keep, 3)));
    return order;
}

}  // namespace

Eigen::MatrixXd remove_block_effects(const SparseMatrix<float>& logcounts, const std::vector<std::uint32_t>& genes,
                                     const std::vector<std::uint32_t>& block_in, const std::vector<double>& covariate,
                                     const std::vector<double>& nuisance) {
    const std::uint32_t n = logcounts.n_cols;
    if (block_in.size() != n || covariate.size() != n || (!nuisance.empty() && nuisance.size() != n))
        throw OptionError("remove_block_effects: one block, covariate and nuisance value per cell are needed");
    std::vector<std::uint32_t> block;
    const std::uint32_t blocks = compact_blocks(block_in, block);
    Eigen::MatrixXd x = dense_rows(logcounts, genes);
    // Column 0 of z is the protected covariate, column 1 (if any) the nuisance covariate.
    const Eigen::Index k = nuisance.empty() ? 1 : 2;
    Eigen::MatrixXd z(n, k);
    for (std::uint32_t c = 0; c < n; ++c) {
        z(c, 0) = covariate[c];
        if (k == 2) z(c, 1) = nuisance[c];
    }
    Eigen::VectorXd size = Eigen::VectorXd::Zero(blocks);
    Eigen::MatrixXd z_mean = Eigen::MatrixXd::Zero(blocks, k), x_mean = Eigen::MatrixXd::Zero(blocks, x.cols());
    for (std::uint32_t c = 0; c < n; ++c) size[block[c]] += 1, z_mean.row(block[c]) += z.row(c), x_mean.row(block[c]) += x.row(c);
    z_mean = size.cwiseInverse().asDiagonal() * z_mean;
    x_mean = size.cwiseInverse().asDiagonal() * x_mean;
    // Frisch-Waugh-Lovell: with block intercepts in the model, the slopes are the least-squares
    // ones of the within-block centred covariates (a covariate constant within blocks gets 0).
    Eigen::MatrixXd zc(n, k);
    for (std::uint32_t c = 0; c < n; ++c) zc.row(c) = z.row(c) - z_mean.row(block[c]);
    const Eigen::MatrixXd slope = (zc.transpose() * zc).completeOrthogonalDecomposition().solve(zc.transpose() * x);  // k x genes
    // Block intercepts, removed relative to their average (sum-to-zero contrasts, as limma).
    const Eigen::MatrixXd intercept = x_mean - z_mean * slope;
    const Eigen::RowVectorXd average = intercept.colwise().mean();
    const double nuisance_mean = k == 2 ? z.col(1).mean() : 0.0;
    for (std::uint32_t c = 0; c < n; ++c) {
        x.row(c) -= intercept.row(block[c]) - average;
        if (k == 2) x.row(c) -= (z(c, 1) - nuisance_mean) * slope.row(1);
    }
    return x;
}

MaturationResults maturation_trajectory(const SparseMatrix<float>& logcounts, const std::vector<std::uint32_t>& block,
                                        const std::vector<double>& panel_score, const std::vector<double>& log_depth,
                                        const MaturationOptions& o) {
    const std::uint32_t n = logcounts.n_cols;
    if (block.size() != n || panel_score.size() != n || log_depth.size() != n)
        throw OptionError("maturation_trajectory: one sample, panel score and depth per cell are needed");
    MaturationResults r;
    HvgOptions hvg = o.hvg;
    hvg.top = o.genes + o.excluded_genes.size();
    std::vector<bool> excluded(logcounts.n_rows, false);
    for (auto g : o.excluded_genes)
        if (g < excluded.size()) excluded[g] = true;
    std::vector<std::uint32_t> variable;
    for (auto g : model_gene_var_blocked(logcounts, block, hvg).selected)
        if (!excluded[g] && variable.size() < o.genes) variable.push_back(g);
    if (variable.size() < 3) throw OptionError("maturation: fewer than 3 genes vary within samples on the axis");
    const Eigen::MatrixXd corrected = remove_block_effects(logcounts, variable, block, panel_score, log_depth);
    const auto columns = most_associated(corrected, panel_score, o.score_genes);
    Eigen::MatrixXd lineage(n, static_cast<Eigen::Index>(columns.size()));
    for (std::size_t j = 0; j < columns.size(); ++j) {
        lineage.col(static_cast<Eigen::Index>(j)) = corrected.col(columns[j]);
        r.genes.push_back(variable[static_cast<std::size_t>(columns[j])]);
    }
    const std::size_t pcs = std::min<std::size_t>({o.pcs, columns.size() - 1, static_cast<std::size_t>(n) - 1});
    std::vector<double> root(n);
    for (std::uint32_t c = 0; c < n; ++c) root[c] = -panel_score[c];
    r.pseudotime = diffusion_pseudotime(dense_pca_scores(lineage, pcs), root, o.pseudotime).pseudotime;
    return r;
}

}  // namespace kupffer::cluster
