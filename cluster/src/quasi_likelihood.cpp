#include "kupffer/cluster/quasi_likelihood.hpp"

#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/fisher_f.hpp>
#include <boost/math/special_functions/digamma.hpp>
#include <boost/math/special_functions/trigamma.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "kupffer/cluster/empirical_bayes.hpp"
#include "kupffer/cluster/markers.hpp"
#include "kupffer/core/errors.hpp"
#include "kupffer/core/parallel.hpp"
#include "kupffer/core/statistics.hpp"

namespace kupffer::cluster {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr std::size_t kGenesPerChunk = 64;

/// R's quantile(type = 7).
double quantile7(std::vector<double> v, double p) {
    std::sort(v.begin(), v.end());
    const double h = (static_cast<double>(v.size()) - 1) * p;
    const auto lo = static_cast<std::size_t>(std::floor(h));
    return lo + 1 < v.size() ? v[lo] + (h - static_cast<double>(lo)) * (v[lo + 1] - v[lo]) : v[lo];
}

double tmm_factor(const Eigen::VectorXd& obs, const Eigen::VectorXd& ref, double n_obs, double n_ref) {
    std::vector<double> log_r, abs_e, v;
    for (Eigen::Index g = 0; g < obs.size(); ++g) {
        if (obs[g] <= 0 || ref[g] <= 0) continue;  // log ratios of zeros are infinite: edgeR drops them
        const double a = std::log2(obs[g] / n_obs), b = std::log2(ref[g] / n_ref);
        log_r.push_back(a - b);
        abs_e.push_back((a + b) / 2);
        v.push_back((n_obs - obs[g]) / n_obs / obs[g] + (n_ref - ref[g]) / n_ref / ref[g]);
    }
    if (log_r.empty()) return 1.0;
    double max_abs = 0;
    for (double x : log_r) max_abs = std::max(max_abs, std::abs(x));
    if (max_abs < 1e-6) return 1.0;
    const double n = static_cast<double>(log_r.size());
    const double lo_l = std::floor(n * 0.3) + 1, hi_l = n + 1 - lo_l;
    const double lo_s = std::floor(n * 0.05) + 1, hi_s = n + 1 - lo_s;
    const auto rank_r = average_ranks(log_r), rank_e = average_ranks(abs_e);
    double num = 0, den = 0;
    for (std::size_t i = 0; i < log_r.size(); ++i)
        if (rank_r[i] >= lo_l && rank_r[i] <= hi_l && rank_e[i] >= lo_s && rank_e[i] <= hi_s) num += log_r[i] / v[i], den += 1 / v[i];
    return den > 0 ? std::exp2(num / den) : 1.0;
}

/// NB unit deviances summed over samples (Poisson for dispersion 0).
double deviance(const Eigen::VectorXd& y, const Eigen::VectorXd& mu, double phi) {
    double d = 0;
    for (Eigen::Index j = 0; j < y.size(); ++j) {
        const double m = std::max(mu[j], 1e-300);
        if (phi <= 0) d += 2 * ((y[j] > 0 ? y[j] * std::log(y[j] / m) : 0) - (y[j] - m));
        else if (y[j] > 0) d += 2 * (y[j] * std::log(y[j] / m) - (y[j] + 1 / phi) * std::log((1 + phi * y[j]) / (1 + phi * m)));
        else d += 2 / phi * std::log1p(phi * m);
    }
    return std::max(0.0, d);
}

struct GlmFit {
    Eigen::VectorXd beta, mu;
    double deviance = 0;
};

/// One gene's NB GLM by Fisher scoring with Levenberg damping (edgeR's mglmLevenberg in spirit).
GlmFit fit_glm(const Eigen::VectorXd& y, const Eigen::MatrixXd& x, const Eigen::VectorXd& offset, double phi) {
    GlmFit f;
    // Start: least squares on log(y + 0.5) - offset.
    const Eigen::VectorXd z = (y.array() + 0.5).log().matrix() - offset;
    f.beta = x.colPivHouseholderQr().solve(z);
    auto mean_of = [&](const Eigen::VectorXd& beta) {
        return ((x * beta + offset).array().min(700.0)).exp().matrix().eval();
    };
    f.mu = mean_of(f.beta);
    f.deviance = deviance(y, f.mu, phi);
    double lambda = 0;
    for (int iter = 0; iter < 250; ++iter) {
        const Eigen::ArrayXd denom = 1.0 + phi * f.mu.array();
        const Eigen::VectorXd w = (f.mu.array() / denom).matrix();
        const Eigen::VectorXd score = x.transpose() * ((y - f.mu).array() / denom).matrix();
        const Eigen::MatrixXd info = x.transpose() * w.asDiagonal() * x;
        if (lambda == 0) lambda = 1e-6 * info.diagonal().mean();
        bool improved = false;
        for (int tries = 0; tries < 30; ++tries) {
            Eigen::MatrixXd damped = info;
            damped.diagonal().array() += lambda;
            const Eigen::VectorXd step = damped.ldlt().solve(score);
            const Eigen::VectorXd beta = f.beta + step;
            const Eigen::VectorXd mu = mean_of(beta);
            const double dev = deviance(y, mu, phi);
            if (std::isfinite(dev) && dev <= f.deviance) {
                const double change = f.deviance - dev;
                f.beta = beta, f.mu = mu, f.deviance = dev;
                lambda = std::max(lambda / 10, 1e-12);
                improved = true;
                if (change < 1e-8 * (dev + 0.1)) return f;
                break;
            }
            lambda *= 10;
        }
        if (!improved) break;
    }
    return f;
}

/// Cox-Reid adjusted profile log-likelihood of one gene at dispersion phi.
double adjusted_profile_likelihood(const Eigen::VectorXd& y, const Eigen::MatrixXd& x, const Eigen::VectorXd& offset, double phi) {
    const GlmFit f = fit_glm(y, x, offset, phi);
    const double r = 1 / phi;
    double ll = 0;
    for (Eigen::Index j = 0; j < y.size(); ++j) {
        const double m = std::max(f.mu[j], 1e-300);
        ll += std::lgamma(y[j] + r) - std::lgamma(r) - std::lgamma(y[j] + 1) + y[j] * std::log(phi * m) - (y[j] + r) * std::log1p(phi * m);
    }
    const Eigen::VectorXd w = (f.mu.array() / (1.0 + phi * f.mu.array())).matrix();
    const Eigen::MatrixXd info = x.transpose() * w.asDiagonal() * x;
    const Eigen::LDLT<Eigen::MatrixXd> ldlt(info);
    double logdet = 0;
    for (Eigen::Index i = 0; i < info.rows(); ++i) logdet += std::log(std::max(ldlt.vectorD()[i], 1e-300));
    return ll - 0.5 * logdet;
}

/// edgeR's dispCoxReid: maximise the summed APL over phi^(1/4) in [0, 4^(1/4)] (golden section).
double common_dispersion(const Eigen::MatrixXd& y, const Eigen::MatrixXd& x, const Eigen::VectorXd& offset,
                         const std::vector<std::uint32_t>& genes, int threads) {
    auto total = [&](double root) {
        const double phi = std::pow(root, 4);
        const std::size_t chunks = (genes.size() + kGenesPerChunk - 1) / kGenesPerChunk;
        std::vector<double> partial(chunks, 0.0);
        parallel_chunks(genes.size(), kGenesPerChunk, threads, [&](std::size_t chunk, std::size_t b, std::size_t e) {
            for (std::size_t i = b; i < e; ++i) partial[chunk] += adjusted_profile_likelihood(y.row(genes[i]).transpose(), x, offset, phi);
        });
        return std::accumulate(partial.begin(), partial.end(), 0.0);
    };
    const double golden = (3 - std::sqrt(5.0)) / 2;
    double a = 1e-3, b = std::pow(4.0, 0.25);
    double c = a + golden * (b - a), d = b - golden * (b - a);
    double fc = total(c), fd = total(d);
    while (b - a > 1e-5) {
        if (fc > fd) b = d, d = c, fd = fc, c = a + golden * (b - a), fc = total(c);
        else a = c, c = d, fc = fd, d = b - golden * (b - a), fd = total(d);
    }
    return std::pow((a + b) / 2, 4);
}

/// Residual df of a gene's fit, not counting samples whose count and fitted value are both zero
/// (edgeR's .residDF).
double residual_df(const Eigen::VectorXd& y, const Eigen::VectorXd& mu, const Eigen::MatrixXd& x) {
    std::vector<Eigen::Index> keep;
    for (Eigen::Index j = 0; j < y.size(); ++j)
        if (!(y[j] < 1e-4 && mu[j] < 1e-4)) keep.push_back(j);
    if (keep.size() == static_cast<std::size_t>(y.size())) return static_cast<double>(y.size() - x.cols());
    if (keep.empty()) return 0;
    Eigen::MatrixXd sub(static_cast<Eigen::Index>(keep.size()), x.cols());
    for (std::size_t i = 0; i < keep.size(); ++i) sub.row(static_cast<Eigen::Index>(i)) = x.row(keep[i]);
    const auto rank = Eigen::ColPivHouseholderQR<Eigen::MatrixXd>(sub).rank();
    return static_cast<double>(static_cast<Eigen::Index>(keep.size()) - rank);
}

}  // namespace

std::vector<bool> filter_by_expression(const Eigen::MatrixXd& counts, const std::vector<std::uint32_t>& group,
                                       double min_count, double min_total_count) {
    const Eigen::Index samples = counts.cols();
    if (group.size() != static_cast<std::size_t>(samples)) throw OptionError("filter_by_expression: one group per sample is needed");
    std::vector<double> size(*std::max_element(group.begin(), group.end()) + 1, 0);
    for (auto g : group) size[g] += 1;
    double min_size = std::numeric_limits<double>::infinity();
    for (double s : size)
        if (s > 0) min_size = std::min(min_size, s);
    if (min_size > 10) min_size = 10 + (min_size - 10) * 0.7;
    std::vector<double> lib(static_cast<std::size_t>(samples));
    for (Eigen::Index j = 0; j < samples; ++j) lib[static_cast<std::size_t>(j)] = counts.col(j).sum();
    const double cutoff = min_count / median(lib) * 1e6;
    std::vector<bool> keep(static_cast<std::size_t>(counts.rows()));
    // CPM as edgeR's C++ computes it, count * (1e6 / lib): at a count of exactly min_count in the
    // median library the rounding decides, and must round as edgeR's does.
    for (Eigen::Index g = 0; g < counts.rows(); ++g) {
        double above = 0;
        for (Eigen::Index j = 0; j < samples; ++j)
            if (lib[static_cast<std::size_t>(j)] > 0 && counts(g, j) * (1e6 / lib[static_cast<std::size_t>(j)]) >= cutoff) above += 1;
        keep[static_cast<std::size_t>(g)] = above >= min_size - 1e-14 && counts.row(g).sum() >= min_total_count - 1e-14;
    }
    return keep;
}

std::vector<double> tmm_factors(const Eigen::MatrixXd& counts, const std::vector<double>& lib) {
    const Eigen::Index samples = counts.cols();
    std::vector<Eigen::Index> nonzero_rows;
    for (Eigen::Index g = 0; g < counts.rows(); ++g)
        if ((counts.row(g).array() > 0).any()) nonzero_rows.push_back(g);
    std::vector<double> f(static_cast<std::size_t>(samples), 1.0);
    if (nonzero_rows.empty() || samples == 1) return f;
    Eigen::MatrixXd x(static_cast<Eigen::Index>(nonzero_rows.size()), samples);
    for (std::size_t i = 0; i < nonzero_rows.size(); ++i) x.row(static_cast<Eigen::Index>(i)) = counts.row(nonzero_rows[i]);
    std::vector<double> f75(static_cast<std::size_t>(samples));
    for (Eigen::Index j = 0; j < samples; ++j) {
        std::vector<double> col(x.col(j).data(), x.col(j).data() + x.rows());
        f75[static_cast<std::size_t>(j)] = quantile7(col, 0.75) / lib[static_cast<std::size_t>(j)];
    }
    Eigen::Index ref = 0;
    if (median(f75) < 1e-20) {
        x.array().sqrt().colwise().sum().maxCoeff(&ref);
    } else {
        const double mean = std::accumulate(f75.begin(), f75.end(), 0.0) / static_cast<double>(f75.size());
        double best = std::numeric_limits<double>::infinity();
        for (std::size_t j = 0; j < f75.size(); ++j)
            if (std::abs(f75[j] - mean) < best) best = std::abs(f75[j] - mean), ref = static_cast<Eigen::Index>(j);
    }
    double log_sum = 0;
    for (Eigen::Index j = 0; j < samples; ++j) {
        f[static_cast<std::size_t>(j)] = tmm_factor(x.col(j), x.col(ref), lib[static_cast<std::size_t>(j)], lib[static_cast<std::size_t>(ref)]);
        log_sum += std::log(f[static_cast<std::size_t>(j)]);
    }
    const double scale = std::exp(log_sum / static_cast<double>(samples));
    for (auto& v : f) v /= scale;
    return f;
}

QlResults ql_test(const Eigen::MatrixXd& all_counts, const Eigen::MatrixXd& design, std::uint32_t coefficient,
                  const std::vector<std::uint32_t>& group, const QlOptions& options) {
    const Eigen::Index samples = all_counts.cols(), p = design.cols();
    if (design.rows() != samples) throw OptionError("ql_test: the design needs one row per sample");
    if (coefficient >= p) throw OptionError("ql_test: no such coefficient");
    if (Eigen::ColPivHouseholderQR<Eigen::MatrixXd>(design).rank() < p) throw OptionError("ql_test: the design is not of full rank");
    if (samples <= p) throw OptionError("ql_test: no residual degrees of freedom (" + std::to_string(samples) + " samples, " +
                                        std::to_string(p) + " coefficients)");
    const std::size_t n_genes = static_cast<std::size_t>(all_counts.rows());
    QlResults r;
    r.tested = options.filter ? filter_by_expression(all_counts, group) : std::vector<bool>(n_genes, true);
    for (auto* v : {&r.log2_fc, &r.log_cpm, &r.f, &r.p_value}) v->assign(n_genes, kNaN);
    std::vector<std::uint32_t> genes;
    for (std::uint32_t g = 0; g < n_genes; ++g)
        if (r.tested[g]) genes.push_back(g);
    Eigen::MatrixXd y(static_cast<Eigen::Index>(genes.size()), samples);
    for (std::size_t i = 0; i < genes.size(); ++i) y.row(static_cast<Eigen::Index>(i)) = all_counts.row(genes[i]);
    r.library_sizes.resize(static_cast<std::size_t>(samples));
    for (Eigen::Index j = 0; j < samples; ++j) r.library_sizes[static_cast<std::size_t>(j)] = y.col(j).sum();  // keep.lib.sizes = FALSE
    if (genes.empty()) {
        r.fdr = r.p_value;
        return r;
    }
    for (double l : r.library_sizes)
        if (l <= 0) throw OptionError("ql_test: a sample has no counts in the tested genes");
    r.norm_factors = tmm_factors(y, r.library_sizes);
    Eigen::VectorXd offset(samples), effective(samples);
    for (Eigen::Index j = 0; j < samples; ++j) {
        effective[j] = r.library_sizes[static_cast<std::size_t>(j)] * r.norm_factors[static_cast<std::size_t>(j)];
        offset[j] = std::log(effective[j]);
    }
    // Dispersion from genes with at least 5 counts (edgeR's min.row.sum).
    std::vector<std::uint32_t> for_dispersion;
    for (std::uint32_t i = 0; i < genes.size(); ++i)
        if (y.row(i).sum() >= 5) for_dispersion.push_back(i);
    if (for_dispersion.empty()) throw OptionError("ql_test: no gene has enough counts to estimate the dispersion");
    const double phi = r.common_dispersion = common_dispersion(y, design, offset, for_dispersion, options.threads);

    Eigen::MatrixXd reduced(samples, p - 1);
    for (Eigen::Index c = 0, k = 0; c < p; ++c)
        if (c != coefficient) reduced.col(k++) = design.col(c);
    // Prior counts for the reported fold changes, scaled by library size.
    const double mean_lib = effective.mean();
    Eigen::VectorXd prior(samples), prior_offset(samples);
    for (Eigen::Index j = 0; j < samples; ++j) {
        prior[j] = options.prior_count * effective[j] / mean_lib;
        prior_offset[j] = std::log(effective[j] + 2 * prior[j]);
    }
    const std::size_t n = genes.size();
    std::vector<double> lr(n), s2(n), df(n), fc(n), logcpm(n), min_poisson_factor(n);
    parallel_chunks(n, kGenesPerChunk, options.threads, [&](std::size_t, std::size_t b, std::size_t e) {
        for (std::size_t i = b; i < e; ++i) {
            const Eigen::VectorXd yi = y.row(static_cast<Eigen::Index>(i)).transpose();
            const GlmFit full = fit_glm(yi, design, offset, phi);
            const GlmFit null = fit_glm(yi, reduced, offset, phi);
            lr[i] = std::max(0.0, null.deviance - full.deviance);
            df[i] = residual_df(yi, full.mu, design);
            s2[i] = df[i] > 0 ? std::max(0.0, full.deviance / df[i]) : 0.0;
            const GlmFit shrunk = fit_glm(yi + prior, design, prior_offset, phi);
            fc[i] = shrunk.beta[coefficient] / std::log(2.0);
            double cpm = 0;  // mean CPM with edgeR's default prior count of 2, scaled by library size
            for (Eigen::Index j = 0; j < samples; ++j)
                cpm += (yi[j] + 2 * effective[j] / mean_lib) / (effective[j] + 4 * effective[j] / mean_lib) * 1e6;
            logcpm[i] = std::log2(cpm / static_cast<double>(samples));
            min_poisson_factor[i] = (1.0 + phi * full.mu.array()).minCoeff();
        }
    });
    const auto [d0, s0] = fit_f_distribution(s2, df);  // limma's fitFDist (empirical_bayes.hpp)
    r.prior_df = d0;
    r.prior_var = s0;
    const double df_test = 1;
    const double max_df = static_cast<double>(n) * static_cast<double>(samples - p);
    for (std::size_t i = 0; i < n; ++i) {
        const double post = std::isinf(d0) || d0 + df[i] <= 0 ? s0 : (d0 * s0 + df[i] * s2[i]) / (d0 + df[i]);
        const double df_total = std::min(d0 + df[i], max_df);
        // No evidence (LR 0) or no variance estimate: F = 0 (p = 1); a change with zero variance: F = inf.
        const double f = lr[i] <= 0 ? 0.0 : (post > 0 ? lr[i] / df_test / post : std::numeric_limits<double>::infinity());
        double pv;
        if (std::isinf(f)) pv = 0;
        else if (std::isinf(df_total)) pv = boost::math::cdf(boost::math::complement(boost::math::chi_squared(df_test), f * df_test));
        else pv = boost::math::cdf(boost::math::complement(boost::math::fisher_f(df_test, df_total), f));
        // edgeR's Poisson bound: a gene whose QL variance is below Poisson gets no smaller a p-value
        // than the Poisson likelihood-ratio test gives.
        if (min_poisson_factor[i] * post < 1) {
            const Eigen::VectorXd yi = y.row(static_cast<Eigen::Index>(i)).transpose();
            const double lr0 = std::max(0.0, fit_glm(yi, reduced, offset, 0).deviance - fit_glm(yi, design, offset, 0).deviance);
            pv = std::max(pv, boost::math::cdf(boost::math::complement(boost::math::chi_squared(df_test), lr0)));
        }
        const std::uint32_t g = genes[i];
        r.f[g] = f;
        r.p_value[g] = pv;
        r.log2_fc[g] = fc[i];
        r.log_cpm[g] = logcpm[i];
    }
    r.fdr = benjamini_hochberg(r.p_value);
    return r;
}

}  // namespace kupffer::cluster
