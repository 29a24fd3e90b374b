#include "kupffer/cluster/pca.hpp"

#include <Spectra/SymEigsSolver.h>

#include <algorithm>
#include <cmath>

#include "kupffer/core/errors.hpp"
#include "kupffer/core/parallel.hpp"
#include "kupffer/core/random.hpp"

namespace kupffer::cluster {

namespace {

constexpr std::size_t kCellChunk = 1024;

/// Cells x genes data of the selected genes, per cell (CSC over cells = CSR of cells x genes).
struct Subset {
    std::uint32_t cells = 0, genes = 0;
    std::vector<std::uint64_t> offsets{0};
    std::vector<std::uint32_t> index;  // position in the gene subset
    std::vector<double> value;
    std::vector<double> mean, inv_sd;
};

/// y = C x with C the covariance of the centred (and scaled) subset.
class CovarianceOp {
public:
    using Scalar = double;
    CovarianceOp(const Subset& s, int threads) : s_(s), threads_(threads) {}
    Eigen::Index rows() const { return s_.genes; }
    Eigen::Index cols() const { return s_.genes; }

    void perform_op(const double* x, double* y) const {
        std::vector<double> xs(s_.genes);
        double mu_x = 0;
        for (std::uint32_t j = 0; j < s_.genes; ++j) {
            xs[j] = x[j] * s_.inv_sd[j];
            mu_x += s_.mean[j] * xs[j];
        }
        const std::size_t n_chunks = (s_.cells + kCellChunk - 1) / kCellChunk;
        std::vector<std::vector<double>> partial(n_chunks, std::vector<double>(s_.genes, 0.0));
        std::vector<double> wsum(n_chunks, 0.0);
        parallel_chunks(s_.cells, kCellChunk, threads_, [&](std::size_t chunk, std::size_t a, std::size_t b) {
            auto& acc = partial[chunk];
            for (std::size_t c = a; c < b; ++c) {
                double w = -mu_x;  // (X x)_c - mu'x: the centred projection of cell c
                for (std::uint64_t k = s_.offsets[c]; k < s_.offsets[c + 1]; ++k) w += s_.value[k] * xs[s_.index[k]];
                for (std::uint64_t k = s_.offsets[c]; k < s_.offsets[c + 1]; ++k) acc[s_.index[k]] += s_.value[k] * w;
                wsum[chunk] += w;
            }
        });
        double total_w = 0;
        for (double w : wsum) total_w += w;
        const double denom = static_cast<double>(s_.cells) - 1.0;
        for (std::uint32_t j = 0; j < s_.genes; ++j) {
            double v = 0;
            for (const auto& p : partial) v += p[j];  // fixed chunk order: thread-independent
            y[j] = (v - s_.mean[j] * total_w) * s_.inv_sd[j] / denom;
        }
    }

private:
    const Subset& s_;
    int threads_;
};

/// The rotation with each gene's row scaled, and the centring term: scores = x * R' - offset.
std::pair<Eigen::MatrixXd, Eigen::RowVectorXd> projection(const PcaResults& r) {
    Eigen::MatrixXd scaled_rotation = r.rotation;
    Eigen::RowVectorXd offset = Eigen::RowVectorXd::Zero(r.rotation.cols());
    for (Eigen::Index j = 0; j < r.rotation.rows(); ++j) {
        scaled_rotation.row(j) *= r.inv_sd[static_cast<std::size_t>(j)];
        offset += r.center[static_cast<std::size_t>(j)] * scaled_rotation.row(j);
    }
    return {scaled_rotation, offset};
}

}  // namespace

Eigen::MatrixXd project_onto_pcs(const SparseMatrix<float>& logcounts, const std::vector<std::uint32_t>& genes, const PcaResults& pca,
                                 int threads) {
    if (genes.size() != static_cast<std::size_t>(pca.rotation.rows()) || pca.center.size() != genes.size())
        throw OptionError("project_onto_pcs: the genes are not those of the fitted PCA");
    std::vector<std::int64_t> position(logcounts.n_rows, -1);
    for (std::size_t g = 0; g < genes.size(); ++g) {
        if (genes[g] >= logcounts.n_rows) throw OptionError("project_onto_pcs: gene index out of range");
        position[genes[g]] = static_cast<std::int64_t>(g);
    }
    // Named copies, not structured bindings: lambdas capture them (clang 14 cannot capture bindings).
    const auto projected = projection(pca);
    const Eigen::MatrixXd& scaled_rotation = projected.first;
    const Eigen::RowVectorXd& offset = projected.second;
    Eigen::MatrixXd out(logcounts.n_cols, pca.rotation.cols());
    parallel_chunks(logcounts.n_cols, kCellChunk, threads, [&](std::size_t, std::size_t a, std::size_t b) {
        for (std::size_t c = a; c < b; ++c) {
            Eigen::RowVectorXd row = -offset;
            for (auto q = logcounts.col_offsets[c]; q < logcounts.col_offsets[c + 1]; ++q)
                if (const auto p = position[logcounts.row_indices[q]]; p >= 0) row += static_cast<double>(logcounts.values[q]) * scaled_rotation.row(p);
            out.row(static_cast<Eigen::Index>(c)) = row;
        }
    });
    return out;
}

PcaResults run_pca(const SparseMatrix<float>& m, const std::vector<std::uint32_t>& genes, const PcaOptions& options) {
    if (genes.size() < 2) throw OptionError("PCA needs at least 2 genes");
    if (m.n_cols < 3) throw OptionError("PCA needs at least 3 cells");
    Subset s;
    s.cells = m.n_cols;
    s.genes = static_cast<std::uint32_t>(genes.size());
    std::vector<std::int64_t> position(m.n_rows, -1);
    for (std::uint32_t j = 0; j < genes.size(); ++j) position[genes[j]] = j;
    std::vector<double> sum(s.genes, 0), sumsq(s.genes, 0);
    for (std::uint32_t c = 0; c < m.n_cols; ++c) {
        auto rows = m.column_rows(c);
        auto vals = m.column_values(c);
        for (std::size_t k = 0; k < rows.size(); ++k) {
            const auto p = position[rows[k]];
            if (p < 0) continue;
            s.index.push_back(static_cast<std::uint32_t>(p));
            s.value.push_back(vals[k]);
            sum[static_cast<std::size_t>(p)] += vals[k];
            sumsq[static_cast<std::size_t>(p)] += static_cast<double>(vals[k]) * vals[k];
        }
        s.offsets.push_back(s.index.size());
    }
    const double n = s.cells;
    s.mean.resize(s.genes);
    s.inv_sd.assign(s.genes, 1.0);
    PcaResults r;
    for (std::uint32_t j = 0; j < s.genes; ++j) {
        s.mean[j] = sum[j] / n;
        const double var = (sumsq[j] - n * s.mean[j] * s.mean[j]) / (n - 1);
        if (options.scale) s.inv_sd[j] = var > 0 ? 1.0 / std::sqrt(var) : 0.0;
        r.total_variance += options.scale ? (var > 0 ? 1.0 : 0.0) : var;
    }
    const auto k = static_cast<Eigen::Index>(std::min<std::size_t>(options.components, s.genes - 1));
    const Eigen::Index ncv = std::min<Eigen::Index>(s.genes, std::max<Eigen::Index>(2 * k + 1, 20));
    CovarianceOp op(s, options.threads);
    Spectra::SymEigsSolver<CovarianceOp> eigs(op, k, ncv);
    Eigen::VectorXd start(s.genes);
    Rng rng(options.seed, 0x9CA);
    for (Eigen::Index j = 0; j < start.size(); ++j) start[j] = rng.uniform() - 0.5;
    eigs.init(start.data());
    eigs.compute(Spectra::SortRule::LargestAlge, 1000, 1e-10);
    if (eigs.info() != Spectra::CompInfo::Successful) throw Error("PCA did not converge");
    r.rotation = eigs.eigenvectors();
    const Eigen::VectorXd values = eigs.eigenvalues();
    for (Eigen::Index c = 0; c < r.rotation.cols(); ++c) {
        Eigen::Index at;
        r.rotation.col(c).cwiseAbs().maxCoeff(&at);
        if (r.rotation(at, c) < 0) r.rotation.col(c) *= -1;
        r.variance.push_back(values[c]);
    }
    r.center = s.mean;
    r.inv_sd = s.inv_sd;
    // Scores: centred (scaled) data times the rotation, per cell.
    const auto projected = projection(r);
    const Eigen::MatrixXd& scaled_rotation = projected.first;
    const Eigen::RowVectorXd& offset = projected.second;
    r.scores.resize(s.cells, r.rotation.cols());
    parallel_chunks(s.cells, kCellChunk, options.threads, [&](std::size_t, std::size_t a, std::size_t b) {
        for (std::size_t c = a; c < b; ++c) {
            Eigen::RowVectorXd row = -offset;
            for (std::uint64_t q = s.offsets[c]; q < s.offsets[c + 1]; ++q) row += s.value[q] * scaled_rotation.row(s.index[q]);
            r.scores.row(static_cast<Eigen::Index>(c)) = row;
        }
    });
    return r;
}

}  // namespace kupffer::cluster
