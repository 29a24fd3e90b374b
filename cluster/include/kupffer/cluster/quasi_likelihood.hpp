#pragma once
// Differential expression between groups of replicates (animals, not cells) with a negative-
// binomial GLM and a quasi-likelihood F-test, following edgeR (Lun, Chen & Smyth 2016;
// Chen, Lun & Smyth 2016):
//   filterByExpr -> TMM normalisation factors -> common NB dispersion by Cox-Reid adjusted
//   profile likelihood -> per-gene NB GLM (Levenberg-damped Fisher scoring) -> QL dispersion =
//   deviance / residual df (df reduced where whole groups are zero, as edgeR does) -> empirical
//   Bayes squeezing towards a common prior (limma's fitFDist) -> F = LR / df / posterior QL
//   dispersion, on df_prior + df_residual denominator degrees of freedom.
// Where it differs from edgeR's defaults, on purpose: the NB dispersion is the common one (edgeR
// by default uses the trended one from estimateDisp) and the QL prior is constant
// (abundance.trend = FALSE). bench/validate_edger.sh compares both ways with R's edgeR.
#include <cstdint>
#include <vector>

#include <Eigen/Dense>

namespace kupffer::cluster {

/// edgeR::filterByExpr: keep genes with CPM >= min_count / median library size * 1e6 in at least
/// as many samples as the smallest group, and at least min_total_count in all.
std::vector<bool> filter_by_expression(const Eigen::MatrixXd& counts, const std::vector<std::uint32_t>& group,
                                       double min_count = 10, double min_total_count = 15);

/// edgeR::calcNormFactors(method = "TMM") with its defaults (logratio trim 0.3, sum trim 0.05,
/// precision weights), scaled to a geometric mean of 1.
std::vector<double> tmm_factors(const Eigen::MatrixXd& counts, const std::vector<double>& library_sizes);

struct QlOptions {
    double prior_count = 0.125;  ///< added (scaled by library size) for the reported log fold changes, as edgeR
    bool filter = true;          ///< apply filter_by_expression first (groups from the tested column)
    int threads = 0;             ///< never changes the result
};

struct QlResults {
    std::vector<bool> tested;  ///< per gene: passed the filter
    std::vector<double> log2_fc, log_cpm, f, p_value, fdr;  ///< per gene; NaN where not tested
    std::vector<double> norm_factors, library_sizes;        ///< per sample
    double common_dispersion = 0;
    double prior_df = 0;   ///< of the QL dispersions (may be infinite)
    double prior_var = 0;
};

/// `counts` genes x samples; `design` samples x coefficients (full column rank); tests whether
/// `coefficient` is zero (the likelihood ratio against the design without that column).
/// `group` per sample labels the groups for filter_by_expression.
QlResults ql_test(const Eigen::MatrixXd& counts, const Eigen::MatrixXd& design, std::uint32_t coefficient,
                  const std::vector<std::uint32_t>& group, const QlOptions& options = {});

}  // namespace kupffer::cluster
